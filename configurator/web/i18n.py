"""Languages of the web pages: English, Persian (right to left) and Vietnamese.

The locale is the signed-in user's preference, else the one a guest picked
with the switcher (kept in the session cookie), else the browser's
Accept-Language, else English. Templates get `_()`, the page direction, the
switcher's links, and filters that write money and dates per locale.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path

from babel import Locale
from flask import Blueprint, Flask, abort, redirect, request, session, url_for
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from configurator.quoting.local_formats import (
    format_day,
    format_moment,
    format_money,
    format_number,
    format_signed_money,
)
from configurator.quoting.phrases import Phrase
from configurator.services import catalogs, checkout, orders, timeline, users
from configurator.services.configuring.wording import Wording, names_list, phrase_text
from configurator.services.errors import NotFound
from configurator.web.auth.routes import _next_url as local_next_url
from configurator.web.database import db

LANGUAGES = ("en", "fa", "vi")
# Each language's name in itself: the switcher must be readable by those who need it.
LANGUAGE_NAMES = {"en": "English", "fa": "فارسی", "vi": "Tiếng Việt"}
SESSION_KEY = "locale"
# configurator/translations: the .po files; `make install` compiles them to .mo.
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

# The page's headings for the catalog's four dimensions (services name them in English).
DIMENSIONS = {
    "product": _l("Product"),
    "packaging": _l("Packaging"),
    "delivery": _l("Delivery"),
    "billing": _l("Billing"),
}

# A quote's status as people read it (the stored code stays English, as in the API).
QUOTE_STATUS_NAMES = {
    "draft": _l("draft"),
    "pending_approval": _l("pending approval"),
    "approved": _l("approved"),
    "sent": _l("sent"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "expired": _l("expired"),
    "ordered": _l("ordered"),
    "cancelled": _l("cancelled"),
    "superseded": _l("superseded"),
}

babel = Babel()
bp = Blueprint("language", __name__)


def select_locale() -> str:
    """The user's preference, the guest's pick, the browser's languages, else English."""
    if current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    picked = session.get(SESSION_KEY)
    if picked in LANGUAGES:
        return picked
    return request.accept_languages.best_match(LANGUAGES) or "en"


def locale_code() -> str:
    """The current request's language code (en, fa, vi)."""
    return str(get_locale() or "en")


@bp.route("/language/<code>")
def choose(code: str):
    """Switch the pages to `code` (a plain link: works without JavaScript).

    A signed-in user's choice is saved as their preference. Changing one's own
    display language is harmless and idempotent, so a GET link is enough.
    """
    if code not in LANGUAGES:
        abort(404)
    session[SESSION_KEY] = code
    if current_user.is_authenticated:
        users.set_locale(db.session, current_user.id, code)
    return redirect(local_next_url() or url_for("shop.index"))


def _switcher() -> list[dict]:
    """One link per language, back to the page the visitor is on."""
    here = request.full_path.rstrip("?") if request else "/"
    current = locale_code()
    return [
        {"code": code, "name": LANGUAGE_NAMES[code], "current": code == current,
         "url": url_for("language.choose", code=code, next=here)}
        for code in LANGUAGES
    ]


def _page_language() -> dict:
    """`lang`, `dir` and the switcher for base.html."""
    code = locale_code()
    return {
        "page_lang": code,
        "page_dir": Locale.parse(code).text_direction,
        "language_links": _switcher,
    }


def number(value: int | Decimal | None) -> str:
    """A whole number in the page's digits (Persian ۰-۹ in fa); nothing for no number."""
    if value is None:  # an optional count (a call's days) not known
        return ""
    return format_number(value, locale_code())


def percent(value: Decimal | float | int | None, digits: int | None = None) -> str:
    """A percentage (30 is 30 %) in the page's digits, with `digits` decimals (None: as
    many as it has); "—" for none. `Decimal.normalize()` wrote 30 as "3E+1"."""
    if value is None:
        return "—"
    amount = Decimal(str(value))
    if digits is None:
        digits = max(0, -amount.normalize().as_tuple().exponent)
    code = locale_code()
    return format_number(amount, code, digits) + ("٪" if code == "fa" else " %")


def figure(value: Decimal | int) -> str:
    """A number with the decimals it has (10, 12.5) in the page's digits."""
    amount = Decimal(str(value))
    return format_number(amount, locale_code(), max(0, -amount.normalize().as_tuple().exponent))


def signed_points(value: Decimal | float) -> str:
    """A difference of percentage points with its sign and two decimals (+5.00, −1.46)."""
    amount = Decimal(str(value))
    return ("+" if amount >= 0 else "−") + format_number(abs(amount), locale_code(), 2)


def names(items) -> str:
    """Names listed as the page's language lists them ("a, b and c", "الف، ب و ج", "a, b và c")."""
    return names_list([str(item) for item in items or ()], locale_code())


def dimension_heading(dimension_id: str, default: str) -> str:
    """A dimension's heading in the page's language."""
    heading = DIMENSIONS.get(dimension_id)
    return str(heading) if heading is not None else default


def catalog_title(version) -> str:
    """A stored catalog version's name in the page's language (its `translations:`)."""
    return Wording(catalogs.engine_catalog(version), locale_code()).catalog_name()


def offer_item_words(item) -> tuple[str, str]:
    """An offer item's name and its product line's, in the page's language: an item
    keeps the names of when it was offered (English), the catalog translates them."""
    try:
        wording = Wording(catalogs.engine_catalog(catalogs.current(db.session, item.catalog)),
                          locale_code())
    except NotFound:  # a product line no longer sold: the names kept with the offer
        return item.name, item.catalog_name
    name = wording.option(item.feature, item.option) if item.option else wording.catalog_name()
    return name, wording.catalog_name()


def catalog_description(version) -> str:
    """A stored catalog version's description in the page's language (its `translations:`)."""
    return Wording(catalogs.engine_catalog(version), locale_code()).catalog_description()


def money(amount: Decimal | str | None, currency: str | None = None) -> str:
    """An amount in the page's language, with the currency's digits (the code is printed next to it)."""
    if amount is None:
        return "—"
    return format_money(amount, currency, locale_code())


def signed_money(amount: Decimal | str, currency: str | None = None) -> str:
    """+40.00 / −12.00, for price changes."""
    return format_signed_money(amount, currency, locale_code())


def when(moment: datetime | None) -> str:
    """A stored time in the page's calendar; in Persian the Gregorian one is in the title."""
    if not moment:
        return ""
    local = format_moment(moment, locale_code())
    if local.text == local.gregorian:
        return local.text
    return Markup('<span title="{}">{}</span>').format(local.gregorian, local.text)


def day(moment: datetime | date | str | None) -> str:
    """A date without the time in the page's calendar (Gregorian in the title in fa);
    also a plain date, or one in ISO text as orders keep it."""
    if not moment:
        return ""
    if isinstance(moment, str):
        try:
            moment = date.fromisoformat(moment)
        except ValueError:
            return moment
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(12), tzinfo=timezone.utc)
    local = format_day(moment, locale_code())
    if local.text == local.gregorian:
        return local.text
    return Markup('<span title="{}">{}</span>').format(local.gregorian, local.text)


def translate(text: str) -> str:
    """A `Phrase` of the domain or a service (a price build-up step, an error) in the
    page's language, its amounts, percentages and numbers written per locale; any
    other text as it is (names and words people typed are not translated)."""
    return phrase_text(text, locale_code())


def country_name(code: str) -> str:
    """A country's name in the page's language (CLDR via Babel)."""
    return checkout.country_name(code, locale_code())


def error_text(error: Exception) -> str:
    """A service's refusal in the page's language (its message when it is a `Phrase`)."""
    message = error.args[0] if error.args else ""
    return translate(message) if isinstance(message, Phrase) else str(error)


def timeline_subject(interaction) -> str:
    """A timeline entry's subject in the page's language when it was recorded as a phrase."""
    return translate(timeline.subject_of(interaction))


def vat_label(kept: dict) -> str:
    """An order's tax line ("VAT 19%", "thuế GTGT 10%") from the VAT its checkout kept."""
    return translate(checkout.VatBreakdown.from_json(kept).label)


def reward_line(offer: dict) -> str:
    """An order's reward ("Spring offer: 10 % off") in the page's language."""
    return translate(orders.reward_reason(offer))


# Codes the pages show to people (a line's change, a user's role, a contact's role).
CODE_NAMES = {
    "added": _l("added"),
    "removed": _l("removed"),
    "changed": _l("changed"),
    "same": _l("same"),
    "customer": _l("customer"),
    "staff": _l("staff"),
    "manager": _l("manager"),
    "admin": _l("admin"),
    "catalog_manager": _l("catalog manager"),
    "director": _l("director"),
    "decision_maker": _l("decision maker"),
    "buyer": _l("buyer"),
    "finance": _l("finance"),
    "technical": _l("technical"),
}


def code_name(code) -> str:
    """A code (`decision_maker`, `added`) as a word in the page's language."""
    code = getattr(code, "value", code)
    name = CODE_NAMES.get(code)
    return str(name) if name is not None else str(code).replace("_", " ")


def quote_status(code: str) -> str:
    """A quote status code (`pending_approval`) in the page's language."""
    name = QUOTE_STATUS_NAMES.get(code)
    return str(name) if name is not None else code.replace("_", " ")


def register(app: Flask) -> None:
    """Bind Flask-Babel, the switcher route and the filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.context_processor(_page_language)
    app.add_template_global(dimension_heading)
    app.add_template_global(catalog_title)
    app.add_template_global(offer_item_words)
    app.add_template_global(catalog_description)
    app.add_template_global(timeline_subject)
    app.add_template_global(reward_line)
    app.add_template_global(vat_label)
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["figure"] = figure
    app.jinja_env.filters["signed_points"] = signed_points
    app.jinja_env.filters["names"] = names
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["signed_money"] = signed_money
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["quote_status"] = quote_status
    app.jinja_env.filters["code_name"] = code_name
    app.jinja_env.filters["tr"] = translate
    app.jinja_env.filters["country"] = country_name

