"""Sentences the domain and the services write for people, translatable later.

A `Phrase` is a `str` (the English text, so logs, events, tests and the API's
English keep working) that also remembers its message id and values. The web
layer writes it in the reader's language (`configurator/web/i18n.translate`):
it looks the message id up in the gettext catalogs and formats the values for
the locale (an `Amount` with the currency's digits and Persian digits in fa).

Write one with `N_("Price list '%(name)s': %(percent)s on %(line)s", name=...)`:
`pybabel extract -k N_` (`make translations`) collects the message id.
Pure Python: no Flask, no Babel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .money import format_amount, format_percent


@dataclass(frozen=True)
class Amount:
    """An amount of money inside a phrase: English `1,240.50 EUR`, per locale on pages."""

    amount: Decimal
    currency: str
    signed: bool = False  # written with its sign: -50.00 EUR
    coded: bool = True  # followed by the currency code; False where the sentence says it once

    def __str__(self) -> str:
        text = format_amount(abs(self.amount) if self.signed else self.amount, self.currency)
        if not self.coded:
            text = text.rsplit(" ", 1)[0]
        if self.signed:
            return ("-" if self.amount < 0 else "+") + text
        return text


@dataclass(frozen=True)
class Percent:
    """A percentage inside a phrase: English `8.5%`, per locale on pages."""

    value: Decimal

    def __str__(self) -> str:
        return format_percent(self.value)


@dataclass(frozen=True)
class Moment:
    """A time inside a phrase: English `2026-04-01 09:00 UTC`, per calendar on pages."""

    at: datetime

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class Day:
    """A calendar day inside a phrase: English `Monday, 02 March 2026`, per calendar elsewhere;
    `short`: as the pages write a date (English `2026-03-02`, Jalali in fa, CLDR's short in vi)."""

    day: date
    short: bool = False

    def __str__(self) -> str:
        return self.day.isoformat() if self.short else f"{self.day:%A, %d %B %Y}"


@dataclass(frozen=True)
class Joined:
    """Phrases (or text) one after the other, `separator` between them: an e-mail's lines."""

    items: tuple[Any, ...]
    separator: str = "\n"

    def __str__(self) -> str:
        return self.separator.join(str(item) for item in self.items)


class CatalogWords(str):
    """A catalog's own text (a rule's message, an option's name) that also carries its
    `translations:` per language, so a page or an e-mail writes it in the reader's
    language; as a `str` it is the catalog's text, as the CLI and the API show it."""

    translations: dict[str, str]

    def __new__(cls, text: str, translations: dict[str, str] | None = None) -> CatalogWords:
        words = super().__new__(cls, text)
        words.translations = {lang: said for lang, said in (translations or {}).items() if said}
        return words

    def __reduce__(self):  # pickled (RQ jobs) with its translations
        return (CatalogWords, (str(self), self.translations))

    def in_language(self, language: str | None) -> str:
        """The text in `language`, else the catalog's own."""
        return self.translations.get(language or "", str(self))


class Phrase(str):
    """The English sentence, with the message id and the values it was made from."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, values: dict[str, Any] | None = None) -> Phrase:
        values = dict(values or {})
        text = template % {k: _english(v) for k, v in values.items()} if values else template
        phrase = super().__new__(cls, text)
        phrase.template = template
        phrase.values = values
        return phrase

    def __reduce__(self):  # pickled (RQ jobs) as what it is, not as a bare str
        return (Phrase, (self.template, self.values))


def _english(value: Any) -> str:
    """A value as the English sentence writes it (a list joined with commas)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def N_(template: str, /, **values: Any) -> Phrase:
    """A phrase to translate where it is shown; `make translations` extracts `template`."""
    return Phrase(template, values)



def phrase_to_json(phrase: Phrase) -> dict[str, Any] | None:
    """A phrase as JSON, to keep with what it describes (a timeline entry) and write it
    in the reader's language later; None when a value is not one JSON keeps exactly."""
    values: dict[str, Any] = {}
    for name, value in phrase.values.items():
        if isinstance(value, Phrase):
            kept = phrase_to_json(value)
            if kept is None:
                return None
            values[name] = {"phrase": kept}
        elif isinstance(value, Amount):
            values[name] = {"amount": str(value.amount), "currency": value.currency,
                            "signed": value.signed}
        elif isinstance(value, Decimal) and value.is_finite():
            values[name] = {"decimal": str(value)}
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            values[name] = value
        else:
            return None
    return {"template": phrase.template, "values": values}


def phrase_from_json(data: dict[str, Any]) -> Phrase:
    """The phrase `phrase_to_json` kept."""
    values: dict[str, Any] = {}
    for name, value in data.get("values", {}).items():
        if isinstance(value, dict) and "phrase" in value:
            values[name] = phrase_from_json(value["phrase"])
        elif isinstance(value, dict) and "decimal" in value:
            values[name] = Decimal(value["decimal"])
        elif isinstance(value, dict) and "amount" in value:
            values[name] = Amount(Decimal(value["amount"]), value["currency"],
                                  bool(value.get("signed")))
        else:
            values[name] = value
    return Phrase(data["template"], values)
