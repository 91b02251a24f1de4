"""Quoting for business clients: prices, numbers, lifecycle and revisions (pure Python).

No Flask and no SQLAlchemy here; the store maps `Quote` to tables and the
services call these functions inside their unit of work.

    terms = PricingTerms("EUR", tax_rule_for("DE"), price_list, (desk_breaks,))
    quote = Quote(QuoteNumber(2026, 42), "acme", staff, now, now + timedelta(days=30), terms)
    quote.add_line("standing-desk", options, 12, by=staff, at=now)
    quote.price().totals.gross_total
    lifecycle.send(quote, ApprovalPolicy(), by=staff, at=now)
"""

from __future__ import annotations

from .errors import (
    ApprovalRequired,
    IllegalTransition,
    InvalidQuoteNumber,
    LineNotFound,
    NotAllowedToApprove,
    OtherCurrency,
    PricingError,
    QuoteError,
    QuoteExpired,
    QuoteFrozen,
    UnknownCurrency,
    UnknownTaxCountry,
)
from .lifecycle import TRANSITIONS, ApprovalPolicy
from .model import (
    KEEP,
    Actor,
    Approval,
    Quote,
    QuoteEvent,
    QuoteLine,
    QuotePricing,
    RepriceReport,
    Status,
)
from .money import round_money
from .numbering import (
    InMemorySequence,
    NumberSequence,
    QuoteNumber,
    allocate_number,
    parse_quote_number,
)
from .pricing import (
    BreakMode,
    Discount,
    LineBuildUp,
    LineKind,
    OptionPrice,
    PriceList,
    PricingTerms,
    QuantityBreak,
    QuantityTier,
    QuoteTotals,
    ServiceLine,
    StepKind,
    TaxLine,
    price_line,
    total_quote,
)
from .revisions import RevisionDiff, compare
from .taxes import TaxRule, TaxTreatment, tax_rule_for

__all__ = [
    "KEEP", "TRANSITIONS", "Actor", "Approval", "ApprovalPolicy", "ApprovalRequired", "BreakMode",
    "Discount", "IllegalTransition", "InMemorySequence", "InvalidQuoteNumber", "LineBuildUp",
    "LineKind", "LineNotFound", "NotAllowedToApprove", "NumberSequence", "OptionPrice",
    "OtherCurrency",
    "PriceList", "PricingError", "PricingTerms", "QuantityBreak", "QuantityTier", "Quote",
    "QuoteError", "QuoteEvent", "QuoteExpired", "QuoteFrozen", "QuoteLine", "QuoteNumber",
    "QuotePricing", "QuoteTotals", "RepriceReport", "RevisionDiff", "ServiceLine", "Status", "StepKind", "TaxLine", "TaxRule",
    "TaxTreatment", "UnknownCurrency", "UnknownTaxCountry", "allocate_number", "compare",
    "parse_quote_number", "price_line", "round_money", "tax_rule_for", "total_quote",
]
