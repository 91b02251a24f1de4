"""The configurator's words in the customer's language: the catalog's own
names and rule messages (its `translations:` block, falling back to the
catalog's language), and the page's few fixed phrases ("switch frame to
Carbon, +40.00") from the gettext catalogs the web pages use.

Plain Babel, no Flask: the language comes in as a code (en, fa, vi).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from babel.support import NullTranslations, Translations

from configurator.engine import Catalog
from configurator.quoting.local_formats import (
    format_day,
    format_moment,
    format_money,
    format_number,
    format_percentage,
    format_signed_money,
)
from configurator.quoting.phrases import Amount, CatalogWords, Day, Joined, Moment, Percent, Phrase

# The package's gettext catalogs (configurator/translations, compiled by `make install`).
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@lru_cache(maxsize=16)
def _translations(language: str) -> NullTranslations:
    """The compiled catalog of `language`; no translation (English) when there is none."""
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


def translator(language: str | None) -> Callable[..., str]:
    """gettext for `language`: `_("switch %(feature)s to %(options)s", feature=..., options=...)`."""
    catalog = _translations(language or "en")

    def gettext(text: str, **values: Any) -> str:
        translated = catalog.gettext(text)
        return translated % values if values else translated.replace("%%", "%")

    return gettext


def names_list(items: list[str], language: str | None, style: str = "standard") -> str:
    """Names as the language lists them: "a, b and c", Persian "الف، ب و ج", Vietnamese
    "a, b và c" (CLDR's list patterns through Babel); `style="or"` for alternatives."""
    items = [str(item) for item in items]
    if not items:
        return ""
    return format_list(items, style=style, locale=language or "en")


def _day(day: Day, language: str) -> str:
    """A day with its weekday where the language's calendar has a long form (not fa: Jalali);
    a short one as the pages' `day` filter writes it."""
    if language == "en":
        return str(day)
    if language == "fa" or day.short:
        return format_day(datetime.combine(day.day, time(12), tzinfo=timezone.utc), language).text
    return format_date(day.day, "full", locale=language)


def phrase_text(text: str, language: str | None) -> str:
    """A `Phrase` (a service's sentence) in `language`, amounts, percentages and
    numbers written for it; a `Joined` of phrases (an e-mail's paragraphs) each
    in `language`; any other text as it is. Used by the pages (for the page's
    language) and by the outbox (for the recipient's saved language)."""
    if isinstance(text, Joined):
        return text.separator.join(phrase_text(item, language) for item in text.items)
    if isinstance(text, CatalogWords):
        return text.in_language(language)
    if not isinstance(text, Phrase):
        return text
    language = language or "en"
    _ = translator(language)

    def local(value: Any) -> Any:
        if isinstance(value, (Phrase, CatalogWords)):
            return phrase_text(value, language)
        if isinstance(value, (list, tuple)):
            return names_list([str(local(item)) for item in value], language)
        if isinstance(value, Amount):
            if value.signed:
                written = format_signed_money(value.amount, value.currency, language)
            else:
                written = format_money(value.amount, value.currency, language)
            return f"{written} {value.currency}" if value.coded else written
        if isinstance(value, Joined):
            return value.separator.join(str(local(item)) for item in value.items)
        if isinstance(value, Day):
            return _day(value, language)
        if isinstance(value, Percent):
            return format_percentage(value.value, language)
        if isinstance(value, Moment):
            return format_moment(value.at, language).text
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value, language)
        if isinstance(value, Decimal) and value.is_finite():  # a percentage, a quantity: as many decimals as it has
            return format_number(value, language, max(0, -value.normalize().as_tuple().exponent))
        return value

    return _(text.template, **{name: local(value) for name, value in text.values.items()})


class Wording:
    """A catalog's names and messages, and the page's phrases, in one language."""

    def __init__(self, catalog: Catalog, language: str | None = None) -> None:
        self.model = catalog.model
        self.language = language or self.model.language
        translations = getattr(self.model, "translations", {}) or {}
        self.text = translations.get(self.language) if self.language != self.model.language else None
        self._ = translator(self.language)

    def _lookup(self, key: tuple[str, ...], default: str) -> str:
        return self.text.lookup(key, default) if self.text is not None else default

    def catalog_name(self) -> str:
        """The product line's name."""
        return self._lookup(("catalog",), self.model.name)

    def catalog_description(self) -> str:
        """The product line's `description:` (empty when it has none)."""
        default = self.model.description or ""
        return self._lookup(("catalog.description",), default) if default else default

    def feature(self, feature_id: str) -> str:
        """A feature's name (its id when the catalog has no such feature)."""
        feature = self.model.feature(feature_id)
        return self._lookup(("feature", feature_id), feature.name) if feature else feature_id

    def description(self, feature_id: str, default: str) -> str:
        """A feature's description."""
        return self._lookup(("feature.description", feature_id), default) if default else default

    def option(self, feature_id: str, option_id: str) -> str:
        """An option's name (its id when the catalog has no such option)."""
        feature = self.model.feature(feature_id)
        option = feature.option(option_id) if feature else None
        if option is None:
            return option_id
        return self._lookup(("option", feature_id, option_id), option.name)

    def message(self, constraint: Any) -> str:
        """A rule's message, or "Rule <name>" when it has none."""
        if not constraint.message:
            return self._("Rule %(name)s", name=constraint.name)
        if constraint.id:
            return self._lookup(("message", constraint.id), constraint.message)
        return constraint.message

    def line(self, line: Any) -> str:
        """A price line's label: "Feature: Option"."""
        option = self.option(line.feature, line.option) if self.text is not None else line.name
        return f"{self.feature(line.feature)}: {option}"

    def number(self, value: int) -> str:
        """A whole number in the language's digits."""
        return format_number(value, self.language)

    def signed(self, amount: Decimal) -> str:
        """+40.00 / −12.00 in the language's digits and the catalog's currency."""
        return format_signed_money(amount, self.model.currency, self.language)

    def join(self, items: list[str]) -> str:
        """A list as the language writes one ("a, b and c" / "الف، ب و ج")."""
        return names_list(items, self.language)
