"""A campaign's random holdout, stable per customer.

The group comes from a hash of the campaign and the customer, not from a
random draw: the same customer is in the same group in every process, after
every restart, without storing anything (Python's `hash()` changes per
process, so SHA-256). Different campaigns draw independent holdouts.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

OFFER, HOLDOUT = "offer", "holdout"
_SCALE = 2**64


def group(campaign: str, customer_id: int, holdout_share: Decimal) -> str:
    """`holdout` for about `holdout_share` (0 to 1) of the customers, `offer` for the rest."""
    if not Decimal(0) <= holdout_share <= Decimal(1):
        raise ValueError(f"holdout share {holdout_share} is not between 0 and 1")
    return HOLDOUT if position(campaign, customer_id) < holdout_share else OFFER


def position(campaign: str, customer_id: int) -> Decimal:
    """The customer's place in [0, 1) for this campaign, uniformly spread."""
    digest = hashlib.sha256(f"{campaign}:{customer_id}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(_SCALE)
