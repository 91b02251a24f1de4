"""Offers that learn (test and learn).

- `holdout`: which customers of a campaign get the offer and which are the
  random holdout, the same answer every time for the same customer.
- `uplift`: conversion and revenue per customer of the offer group against the
  holdout, with 95 % confidence intervals.
- `choice`: the items of a customer's offer, from their own orders.
- `campaigns`: staff create campaigns; customers are reached (shown or held
  out), click, accept with an order (the reward priced by the engine's
  `rewards`), or unsubscribe.
- `mailing`: each running campaign's offer by e-mail (marketing consent, the
  weekly limit shared with the trigger messages).
- `report`: a campaign's uplift and the lifetime value of those who unsubscribed.
"""

from configurator.services.offers import campaigns, choice, holdout, mailing, report, uplift

__all__ = ["campaigns", "choice", "holdout", "mailing", "report", "uplift"]
