"""What a customer's history says about them.

- `figures`: revenue, margin, RFM, lifetime value (pure; definitions there).
- `tiers`: the tier file (config/tiers.yaml) and choosing a tier.
- `margins`: an order's margin from the options' costs.
- `valuation`: the stored value and tier, refreshed on every order.
- `needs`: what a customer tends to choose, for staff.
- `defaults`: the options a customer usually picks, suggested first.
- `personalize`: suggestions in the configurator and "same as last time".
- `bundles`: the options a customer's tier or segment opens up, and the rules why.
"""

from configurator.services.customer_value import (
    bundles,
    defaults,
    figures,
    margins,
    needs,
    personalize,
    tiers,
    valuation,
)

__all__ = ["bundles", "defaults", "figures", "margins", "needs", "personalize", "tiers", "valuation"]
