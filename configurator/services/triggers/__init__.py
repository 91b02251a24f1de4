"""Timely messages: find the moments worth a message and write it to the outbox.

- `refill`: a consumable (the coffee) likely running out, from the customer's
  own order rhythm.
- `saved`: a saved configuration whose price dropped, or that no longer fits
  the catalog.
- `new_options`: new options in a product line the customer bought repeatedly.
- `quote_expiry`: a sent quote about to expire, to each contact of its account.
- `run`: all of them at once, on a given clock, at most N trigger messages per
  customer per week, each moment once (dedupe keys); `configurator messages
  triggers` and the worker's hourly job call it.

Every message says why it was sent and links to the one-click action; the
outbox drops those of a purpose the customer refused.
"""

from configurator.services.triggers import new_options, quote_expiry, refill, run, saved

__all__ = ["new_options", "quote_expiry", "refill", "run", "saved"]
