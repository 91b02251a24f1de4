"""Business accounts: the companies we quote for.

- `accounts`: open an account, its contacts, its whole history for staff.
- `terms`: its price list, quantity breaks and tax, as the quoting domain reads them.
- `admin`: managers' checked and recorded changes to accounts and contacts,
  and administrators' to users' roles.
- `prices`: managers' checked and recorded changes to price lists and breaks.
"""

from configurator.services.business import accounts, admin, prices, terms

__all__ = ["accounts", "admin", "prices", "terms"]
