"""An offer's reward on a configuration's price: a discount or a free add-on.

The engine prices a configuration at list prices (`Catalog.price`); an offer
campaign's reward is one more line on that price, computed here in Decimal so
the total stays exact and carries its reason ("Spring offer: 10 % off",
"Spring offer: Bell free"). The list prices themselves, and every `price()`
rule of the catalog, stay list prices: a reward never changes what is
possible, only what the customer pays.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .results import PriceBreakdown

CENT = Decimal("0.01")
MAX_PERCENT = Decimal(90)


@dataclass(frozen=True)
class Reward:
    """What an offer gives: `percent` off the whole configuration, or the option
    `free` = (feature, option) at no charge when it is chosen."""

    campaign: str  # the campaign's code, kept with the order
    label: str  # the campaign's name, shown with the reason
    percent: Decimal | None = None
    free: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if (self.percent is None) == (self.free is None):
            raise ValueError("a reward is either a percentage off or a free option, exactly one")
        if self.percent is not None and not Decimal(0) < self.percent <= MAX_PERCENT:
            raise ValueError(f"a discount of {self.percent} % is not between 0 and {MAX_PERCENT} %")


@dataclass(frozen=True)
class RewardedPrice:
    """A price breakdown with the reward's line: `amount` (zero or negative) and why."""

    breakdown: PriceBreakdown
    reward: Reward
    amount: Decimal
    reason: str

    @property
    def total(self) -> Decimal:
        """What the customer pays: list prices plus the reward's (negative) line."""
        return self.breakdown.total + self.amount

    def to_json(self) -> dict[str, str]:
        """The reward line as an order keeps it (money as strings)."""
        return {
            "campaign": self.reward.campaign,
            "label": self.reward.label,
            "reason": self.reason,
            "amount": str(self.amount),
        }


def apply(breakdown: PriceBreakdown, reward: Reward) -> RewardedPrice | None:
    """The reward on this price, or None when it does not apply (its free option
    is not chosen, or there is nothing to take off)."""
    if reward.percent is not None:
        off = (breakdown.total * reward.percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if off <= 0:
            return None
        percent = f"{reward.percent.normalize():f}"
        return RewardedPrice(breakdown, reward, -off, f"{reward.label}: {percent} % off")
    feature, option = reward.free  # type: ignore[misc]
    for line in breakdown.lines:
        if (line.feature, line.option) == (feature, option) and line.amount > 0:
            amount = -Decimal(line.amount).quantize(CENT)
            return RewardedPrice(breakdown, reward, amount, f"{reward.label}: {line.name} free")
    return None


def best(breakdown: PriceBreakdown, rewards: list[Reward]) -> RewardedPrice | None:
    """Of several offers' rewards, the one that takes the most off this price
    (None when none applies). A customer in two campaigns gets the larger reward,
    not merely the newer one: each is priced exactly on the same list prices, so
    "larger" is an exact comparison of Decimal amounts. On a tie the earlier in
    `rewards` wins (callers pass the newest campaign first)."""
    chosen: RewardedPrice | None = None
    for reward in rewards:
        priced = apply(breakdown, reward)
        if priced is not None and (chosen is None or priced.amount < chosen.amount):
            chosen = priced
    return chosen
