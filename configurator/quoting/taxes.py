"""Tax by the account's country: standard rate, reverse charge or zero-rated.

A quote has one tax rule (the buyer's country and treatment), so tax is
computed once on the quote's net total; see `pricing` for why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from .errors import UnknownTaxCountry
from .money import ZERO
from .phrases import N_, Percent

# Standard VAT rates in percent (2026). CH and IS are outside the EU but sell to us the same way.
STANDARD_RATES: dict[str, Decimal] = {
    "DE": Decimal(19),
    "FR": Decimal(20),
    "NL": Decimal(21),
    "AT": Decimal(20),
    "BE": Decimal(21),
    "IT": Decimal(22),
    "ES": Decimal(21),
    "CH": Decimal("8.1"),
    "IS": Decimal(24),
    "SE": Decimal(25),
    "DK": Decimal(25),
    "IE": Decimal(23),
    "PL": Decimal(23),
    "VN": Decimal(10),  # Vietnam's standard VAT: our clients there pay in VND
    "IR": Decimal(10),  # Iran's VAT (10 % since 1403, March 2024): our clients there pay in IRR
}


class TaxTreatment(str, Enum):
    """How the sale is taxed for this buyer."""

    STANDARD = "standard"
    # EU B2B cross-border: the buyer accounts for VAT, the quote shows 0 and says so.
    REVERSE_CHARGE = "reverse_charge"
    ZERO_RATED = "zero_rated"


@dataclass(frozen=True)
class TaxRule:
    """The rate a quote is taxed at and the note printed with it."""

    country: str
    rate: Decimal  # percent: Decimal("19") is 19 %
    treatment: TaxTreatment = TaxTreatment.STANDARD

    @property
    def label(self) -> str:
        """What the totals block writes next to the tax amount."""
        if self.treatment is TaxTreatment.REVERSE_CHARGE:
            return N_("VAT %(country)s: reverse charge", country=self.country)
        if self.treatment is TaxTreatment.ZERO_RATED:
            return N_("VAT %(country)s: zero-rated", country=self.country)
        return N_("VAT %(country)s %(rate)s", country=self.country, rate=Percent(self.rate))

    @property
    def note(self) -> str:
        """The sentence the quote document must carry for this treatment, or ''."""
        if self.treatment is TaxTreatment.REVERSE_CHARGE:
            return N_("Reverse charge: VAT is to be accounted for by the recipient "
                      "(Art. 196 Council Directive 2006/112/EC).")
        if self.treatment is TaxTreatment.ZERO_RATED:
            return N_("Zero-rated supply: no VAT charged.")
        return ""


def tax_rule_for(country: str, treatment: TaxTreatment = TaxTreatment.STANDARD,
                 rates: dict[str, Decimal] | None = None) -> TaxRule:
    """The tax rule of a buyer in `country` (ISO code, any case) under `treatment`.

    Reverse charge and zero-rated give a 0 rate but keep the country for the
    label. Raises UnknownTaxCountry for a country without a rate, even when
    the treatment would not need it, so a missing rate is noticed early.
    """
    table = STANDARD_RATES if rates is None else rates
    code = country.upper()
    if code not in table:
        raise UnknownTaxCountry(f"No tax rate for country {country!r}; add it to the rate table")
    if treatment is TaxTreatment.STANDARD:
        return TaxRule(code, table[code], treatment)
    return TaxRule(code, ZERO, treatment)
