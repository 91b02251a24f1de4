"""Demo data for `configurator seed`; no other service imports it.

- `seed`: catalogs, staff, customers with two years of history.
- `business`: the demo business accounts with quotes (`seed/business.yaml`).
"""

from configurator.services.demo import business, seed

__all__ = ["business", "seed"]
