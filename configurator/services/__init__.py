"""The use cases of the shop, the staff and the API: each takes a session and
plain values, runs as one unit of work (`unit_of_work`), and returns store
objects or plain dataclasses. No HTTP and no Flask here; docs/architecture.md
has the map.

Packages, by area (each imports only the areas listed above it in
docs/architecture.md, so there is no import cycle):

- `privacy/`: consent per purpose (asked before any message or personal
  suggestion), export of all of a customer's data, erasure.
- `configuring/`: the live configurator (picks, buttons, what the page
  shows), saved configurations with their revisions, re-checks.
- `business/`: business accounts, their contacts, pricing terms, and the
  managers' checked changes to them.
- `customer_value/`: what a customer's history says: value, tier, margins,
  needs, usual choices, personal suggestions.
- `quotes/`: quotes for business accounts, from draft to order.
- `triggers/`: timely messages (a refill due, a saved configuration cheaper
  or outdated, a quote about to expire), at most N per customer per week.
- `identify/`: likely duplicate customers; staff merge two, with a preview,
  an audit entry and undo.
- `offers/`: a campaign's stable random holdout and the uplift report with
  confidence intervals (pure computations; no campaign storage yet).
- `demo/`: the demo data of `configurator seed` (nothing else imports it).

Top-level modules: `users` (sign up, sign in), `api_tokens`, `catalogs`
(catalog versions), `deliveries` (today's total and what is paid again,
delivery dates, a subscription's deliveries), `orders`, `checkout` (review, address book, VAT,
placing with the terms and a confirmation e-mail), `fulfilment` (order
status moved by staff, cancellation), `timeline`, `insights` (the staff dashboard),
`paging`, `health`, `errors` (the domain errors views map to 4xx) and
`unit_of_work`.
"""
