"""One person, one customer record.

- `duplicates`: likely duplicates, by normalized e-mail or the same name at
  the same business account.
- `merging`: staff merge two customers after a preview of what moves; one
  transaction, an audit entry on the timeline, and an undo.
"""

from configurator.services.identify import duplicates, merging

__all__ = ["duplicates", "merging"]
