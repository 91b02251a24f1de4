"""Domain errors of quoting: every refusal says what is wrong and what to do instead.

The web layer maps `QuoteError` (and subclasses) to a 4xx response or an error
fragment; the message is written for the staff member who sees it.
"""

from __future__ import annotations


class QuoteError(Exception):
    """Base of every refusal of the quoting domain."""


class PricingError(QuoteError):
    """A price rule or discount cannot be applied (e.g. a discount above the amount)."""


class UnknownCurrency(PricingError):
    """The currency has no known number of minor-unit digits."""


class OtherCurrency(PricingError):
    """A line priced in one currency for a quote (or price list) in another: a quote has
    one currency and amounts are never converted silently."""


class UnknownTaxCountry(PricingError):
    """No tax rate is known for the account's country."""


class InvalidQuoteNumber(QuoteError):
    """Text that is not a quote number of the form Q-YYYY-NNNNN[-Rn]."""


class IllegalTransition(QuoteError):
    """The quote's status does not allow this step (e.g. accepting a draft)."""


class QuoteFrozen(QuoteError):
    """The quote was sent (or is closed) and can no longer be edited; revise it instead."""


class ApprovalRequired(QuoteError):
    """A discount is above what the author's role may give; a manager must approve first."""


class NotAllowedToApprove(QuoteError):
    """The approver's role does not cover the discount, or approvers approve their own quote."""


class QuoteExpired(IllegalTransition):
    """The quote's valid-until date has passed; it cannot be sent or accepted."""


class LineNotFound(QuoteError):
    """No line with that id on the quote."""
