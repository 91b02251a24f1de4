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

# VAT is called VAT in every country of the table so far; a country whose tax has
# another name (GST, consumption tax) gets its own phrase.
VAT_NAME = N_("VAT")


@dataclass(frozen=True)
class Vat:
    """A country's standard VAT: its rate, its name (a phrase: pages write it in the
    reader's language) and whether the shop's checkout charges it on deliveries there."""

    percent: Decimal  # Decimal("19") is 19 %
    name: str = VAT_NAME
    at_shop: bool = True

    @property
    def fraction(self) -> Decimal:
        """The rate as a fraction: Decimal("0.19") for 19 %."""
        return self.percent.scaleb(-2)


# Standard VAT rates (2026): the one table of the shop's checkout, its invoices and the
# quotes. The shop charges the EU member states' VAT on deliveries there (one-stop shop),
# and that of Vietnam and Iran, where we sell in VND and IRR; a delivery anywhere else
# pays no VAT of ours. CH and IS are outside the EU: their accounts' quotes carry their
# VAT, the shop does not charge it.
VAT_TABLE: dict[str, Vat] = {
    "AT": Vat(Decimal(20)), "BE": Vat(Decimal(21)), "BG": Vat(Decimal(20)),
    "CY": Vat(Decimal(19)), "CZ": Vat(Decimal(21)), "DE": Vat(Decimal(19)),
    "DK": Vat(Decimal(25)), "EE": Vat(Decimal(24)), "ES": Vat(Decimal(21)),
    "FI": Vat(Decimal("25.5")), "FR": Vat(Decimal(20)), "GR": Vat(Decimal(24)),
    "HR": Vat(Decimal(25)), "HU": Vat(Decimal(27)), "IE": Vat(Decimal(23)),
    "IT": Vat(Decimal(22)), "LT": Vat(Decimal(21)), "LU": Vat(Decimal(17)),
    "LV": Vat(Decimal(21)), "MT": Vat(Decimal(18)), "NL": Vat(Decimal(21)),
    "PL": Vat(Decimal(23)), "PT": Vat(Decimal(23)), "RO": Vat(Decimal(21)),
    "SE": Vat(Decimal(25)), "SI": Vat(Decimal(22)), "SK": Vat(Decimal(23)),
    "CH": Vat(Decimal("8.1"), at_shop=False),
    "IS": Vat(Decimal(24), at_shop=False),
    # Vietnam's standard rate is 10 %. The National Assembly's resolution of 17 June 2025
    # (204/2025/QH15) lowers goods at 10 % to 8 % from 1 July 2025 to 31 December 2026,
    # except metal products, mining products, telecoms, finance, real estate and goods
    # under special consumption tax (https://www.vietnam.vn/en/chot-giam-2-thue-vat-den-het-nam-2026).
    # Our VND lines mix coffee with phin filters and kettles of aluminium and steel
    # (metal products, excluded), and one order carries one rate, so the cut does not
    # clearly apply to what we sell: we charge the standard 10 %.
    "VN": Vat(Decimal(10)),
    # Iran's VAT: 10 % since 1403 (March 2024); our clients there pay in IRR.
    "IR": Vat(Decimal(10)),
}
STANDARD_RATES: dict[str, Decimal] = {code: vat.percent for code, vat in VAT_TABLE.items()}


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
        return N_("%(tax)s %(country)s %(rate)s", tax=tax_name(self.country), country=self.country,
                  rate=Percent(self.rate))

    @property
    def note(self) -> str:
        """The sentence the quote document must carry for this treatment, or ''."""
        if self.treatment is TaxTreatment.REVERSE_CHARGE:
            return N_("Reverse charge: VAT is to be accounted for by the recipient "
                      "(Art. 196 Council Directive 2006/112/EC).")
        if self.treatment is TaxTreatment.ZERO_RATED:
            return N_("Zero-rated supply: no VAT charged.")
        return ""


def tax_name(country: str) -> str:
    """The name of `country`'s VAT (a phrase), "VAT" where the table does not say."""
    vat = VAT_TABLE.get(country.upper())
    return vat.name if vat is not None else VAT_NAME


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
