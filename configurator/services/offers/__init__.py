"""Offers that learn (test and learn): the computations, ahead of the campaigns.

- `holdout`: which customers of a campaign get the offer and which are the
  random holdout, the same answer every time for the same customer.
- `uplift`: conversion and revenue per customer of the offer group against the
  holdout, with 95 % confidence intervals.

Not built yet: campaigns in the database, recording shown / clicked /
accepted, and the staff report page (docs/one-to-one.md, "Offers").
"""

from configurator.services.offers import holdout, uplift

__all__ = ["holdout", "uplift"]
