"""Quotes for business accounts, from draft to order.

- `records`: a stored quote revision loaded into the pure `configurator.quoting`
  domain and written back (the helpers every quote use case shares).
- `drafts`: create, discount, validity, reprice, new revision.
- `lines`: the configured lines of a draft.
- `service_lines`: freight, installation and free-text lines with their own price,
  cost and VAT rate.
- `approvals`: discounts above the account's threshold, approved by a manager.
- `sending`: send, withdraw, expire.
- `answers`: the client accepts or declines; staff turn it into an order.
- `search`: find and read quotes, compare revisions.
- `templates`: a quote's lines kept under a name; new quotes started from one.
- `margins`: a quote's margin per line and in total, from the options' costs (staff only).
- `printing`: the printable quote (letterhead, lines, totals; the web layer makes the PDF from its page).
"""

from configurator.services.quotes import (
    answers,
    approvals,
    drafts,
    lines,
    margins,
    printing,
    records,
    search,
    sending,
    service_lines,
    templates,
)

__all__ = [
    "answers", "approvals", "drafts", "lines", "margins", "printing", "records", "search",
    "sending", "service_lines", "templates",
]
