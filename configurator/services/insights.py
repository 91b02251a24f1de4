"""What the staff dashboard shows: customers by value and tier, customers
slipping away, business accounts with their key contacts, open quotes by
value, and one customer's value with their needs profile. Staff only."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.business import accounts
from configurator.services.customer_value import bundles, needs, valuation
from configurator.services.customer_value.figures import CustomerFigures, figures, is_slipping
from configurator.services.customer_value.tiers import TierConfig, tier_config
from configurator.services.errors import NotFound
from configurator.services.privacy import consent
from configurator.services.quotes import records
from configurator.store.models import User
from configurator.store.quotes import AccountContact, BusinessAccount, QuoteRecord
from configurator.store.types import utcnow

log = logging.getLogger(__name__)
OPEN_QUOTES = ("draft", "pending_approval", "approved", "sent")
SORTS = {  # ?sort= -> the CustomerFigures field
    "revenue": "revenue",
    "ltv": "lifetime_value",
    "margin": "margin",
    "last_order": "last_order_at",
}
# Who speaks for a company first when staff call: the one who decides, then who buys.
ROLE_ORDER = {"decision_maker": 0, "buyer": 1, "finance": 2, "technical": 3}


@dataclass
class CustomerRow:
    """A valued customer as the dashboard lists them."""

    customer: User
    figures: CustomerFigures  # from their orders, as of now
    tier_name: str
    usual_interval_days: Decimal | None
    slipping: bool


@dataclass
class TierSummary:
    """How many customers a tier has and what they brought."""

    name: str
    customers: int
    revenue: dict[str, Decimal]  # per currency, never added across currencies


@dataclass
class ContactRow:
    """A contact of a business account with their own revenue."""

    user: User
    role: str
    revenue: Decimal
    key: bool
    currency: str = "EUR"


@dataclass
class AccountRow:
    """A business account: its contacts' figures together, and who to call."""

    account: BusinessAccount
    figures: CustomerFigures
    tier_name: str
    contacts: list[ContactRow]


@dataclass
class QuoteRow:
    """An open quote and what it is worth (net, before tax); None when it cannot be priced."""

    record: QuoteRecord
    net: Decimal | None
    currency: str


@dataclass
class CallRow:
    """Someone to call today, why, and whom: the account's first contact (decision
    maker first) with their e-mail and phone; `quote` when a quote is the reason."""

    why: str  # "no_answer", "expiring" or "slipping"
    account: BusinessAccount
    contact: User | None
    quote: QuoteRecord | None = None
    days: int | None = None  # since sent, until expiry, or since the last order


@dataclass
class Dashboard:
    """Everything /staff/insights shows."""

    currency: str  # the tier file's own currency
    customers: list[CustomerRow]
    tiers: list[TierSummary]
    slipping: list[CustomerRow]
    accounts: list[AccountRow]
    quotes: list[QuoteRow]
    not_valued: int  # customers without a counted order
    computed_at: datetime | None = None
    calls: list[CallRow] = field(default_factory=list)
    sort: str = "revenue"
    notes: list[str] = field(default_factory=list)
    currencies: tuple[str, ...] = ()  # every currency the tier file values customers in

    @property
    def quotes_by_currency(self) -> list[tuple[str, list[QuoteRow]]]:
        """The open quotes under one heading per currency, each biggest first."""
        groups: dict[str, list[QuoteRow]] = {}
        for row in self.quotes:
            groups.setdefault(row.currency, []).append(row)
        return list(groups.items())


@dataclass
class CustomerInsight:
    """One customer's value as of now, their tier, account and needs profile."""

    customer: User
    figures: CustomerFigures
    tier_name: str
    slipping: bool
    account: BusinessAccount | None
    needs: list[needs.CatalogNeeds]
    # The options their tier or segment opens up, and the rules why (staff's view).
    benefits: list[bundles.Benefit] = field(default_factory=list)
    consents: dict[str, bool] = field(default_factory=dict)  # purpose -> allowed


def dashboard(
    session: Session,
    viewer: User,
    *,
    sort: str = "revenue",
    limit: int = 50,
    now: datetime | None = None,
    config: TierConfig | None = None,
) -> Dashboard:
    """The dashboard for staff; NotFound for anyone else."""
    _require_staff(viewer)
    config = config or tier_config()
    now = now or utcnow()
    sort = sort if sort in SORTS else "revenue"
    # Computed on read from the orders, so every figure counts the last order and
    # the last cancellation without a recomputation.
    customers = session.scalars(sa.select(User).where(User.role == "customer")).all()
    by_owner = valuation.histories(session, [user.id for user in customers])
    every = [
        _customer_row(user, figures(by_owner[user.id], config, now), config)
        for user in customers
        if by_owner.get(user.id)
    ]
    # Sorted here, not in SQL: SQLite keeps money as text, which sorts "9" above "10".
    # Amounts in different currencies are never compared: grouped by currency first.
    every.sort(key=lambda row: _sort_key(row, sort), reverse=True)
    every.sort(key=lambda row: _currency_rank(row.figures.currency, config))
    slipping = sorted(
        (row for row in every if row.slipping), key=lambda row: row.figures.revenue, reverse=True
    )
    slipping.sort(key=lambda row: _currency_rank(row.figures.currency, config))
    account_rows = _accounts(session, config, now)
    return Dashboard(
        currency=config.currency,
        customers=every[:limit],
        tiers=_tier_summaries(every, config),
        slipping=slipping[:limit],
        accounts=account_rows,
        calls=call_today(session, account_rows, config, now),
        quotes=_open_quotes(session, config),
        not_valued=len(customers) - len(every),
        computed_at=now,
        sort=sort,
        currencies=config.currencies,
    )


def customer_insight(
    session: Session,
    viewer: User,
    customer_id: int,
    *,
    now: datetime | None = None,
    config: TierConfig | None = None,
    language: str | None = None,
) -> CustomerInsight:
    """A customer's value as of now and needs profile, for staff; NotFound otherwise.
    The service bundle names options in `language` (the catalogs' translations)."""
    _require_staff(viewer)
    customer = session.get(User, customer_id)
    if customer is None or customer.is_staff:
        raise NotFound("There is no such customer.")
    config = config or tier_config()
    now = now or utcnow()
    figures = valuation.customer_figures(session, customer, now=now, config=config)
    slipping = is_slipping(config, figures.recency_days, figures.usual_interval_days)
    return CustomerInsight(
        customer=customer,
        figures=figures,
        tier_name=config.tier_name(customer.tier),
        slipping=slipping,
        account=accounts.account_of(session, customer),
        needs=needs.profile(session, viewer, customer.id),
        benefits=bundles.for_customer(session, customer, language),
        consents=consent.choices(session, customer),
    )


@dataclass(frozen=True)
class AccountBundle:
    """What a business account's tier opens up for its contacts (they share it)."""

    tier_name: str
    benefits: list[bundles.Benefit]


def account_bundle(
    session: Session, viewer: User, account: BusinessAccount, *, language: str | None = None
) -> AccountBundle | None:
    """The service bundle of a business account's contacts, for staff; None without
    contacts (a bundle follows from a customer's facts, and no one has them yet).

    Only the product lines priced in the account's currency: the only ones its
    quotes can hold (quotes.lines.require_currency)."""
    _require_staff(viewer)
    if not account.contacts:
        return None
    # Contacts share the account's tier; the first one's facts stand for them all.
    contact = min((contact.user for contact in account.contacts), key=lambda user: user.id)
    benefits = bundles.for_customer(session, contact, language)
    return AccountBundle(tier_config().tier_name(contact.tier),
                         [benefit for benefit in benefits if benefit.currency == account.currency])


def _customer_row(user: User, figures: CustomerFigures, config: TierConfig) -> CustomerRow:
    interval = figures.usual_interval_days
    return CustomerRow(
        customer=user,
        figures=figures,
        tier_name=config.tier_name(user.tier),
        usual_interval_days=interval,
        slipping=is_slipping(config, figures.recency_days, interval),
    )


def _sort_key(row: CustomerRow, sort: str) -> tuple:
    """Biggest first; customers without the figure (no margin, no order) last."""
    figure = getattr(row.figures, SORTS[sort])
    return (figure is not None, figure or 0, -row.customer.id)


def _currency_rank(currency: str, config: TierConfig) -> tuple[int, str]:
    """The tier file's currencies in its order, then any other alphabetically."""
    known = config.currencies
    return (known.index(currency), "") if currency in known else (len(known), currency)


def _tier_summaries(rows: list[CustomerRow], config: TierConfig) -> list[TierSummary]:
    order = [tier.id for tier in config.tiers] + [None]
    summaries = []
    for tier_id in order:
        members = [row for row in rows if row.customer.tier == tier_id]
        revenue: dict[str, Decimal] = {}
        for row in sorted(members, key=lambda row: _currency_rank(row.figures.currency, config)):
            currency = row.figures.currency
            revenue[currency] = revenue.get(currency, Decimal(0)) + row.figures.revenue
        summaries.append(TierSummary(config.tier_name(tier_id), len(members), revenue))
    return summaries


def _accounts(session: Session, config: TierConfig, now: datetime) -> list[AccountRow]:
    accounts = session.scalars(sa.select(BusinessAccount).order_by(BusinessAccount.name)).all()
    result = []
    for account in accounts:
        links = session.scalars(
            sa.select(AccountContact).where(AccountContact.account_id == account.id)
        ).all()
        by_owner = valuation.histories(session, [link.user_id for link in links])
        together = figures([o for link in links for o in by_owner.get(link.user_id, [])], config, now)
        contacts = _contacts(links, by_owner, config, now)
        result.append(AccountRow(account, together, config.tier_name(together.tier), contacts))
    result.sort(key=lambda row: row.figures.revenue, reverse=True)
    return sorted(result, key=lambda row: _currency_rank(row.figures.currency, config))


NO_ANSWER_DAYS = 7  # a sent quote without an answer for this long gets a call
EXPIRING_DAYS = 7  # and so does one running out within this many days


def call_today(
    session: Session, accounts: list[AccountRow], config: TierConfig, now: datetime
) -> list[CallRow]:
    """Whom to call today: sent quotes with no answer for NO_ANSWER_DAYS, sent quotes
    running out within EXPIRING_DAYS, and key accounts slipping away (no order for much
    longer than they usually wait), each with the person to ask for."""
    first_contact = {row.account.id: row.contacts[0].user if row.contacts else None
                     for row in accounts}
    calls = []
    sent = session.scalars(
        sa.select(QuoteRecord).where(QuoteRecord.status == "sent").order_by(QuoteRecord.valid_until)
    ).all()
    for record in sent:
        if record.valid_until <= now:
            continue  # expired on read: nothing left to chase
        contact = first_contact.get(record.account_id)
        left = (record.valid_until - now).days
        if left < EXPIRING_DAYS:
            calls.append(CallRow("expiring", record.account, contact, record, left))
        elif record.sent_at is not None and (now - record.sent_at).days >= NO_ANSWER_DAYS:
            calls.append(CallRow("no_answer", record.account, contact, record,
                                 (now - record.sent_at).days))
    for row in accounts:
        figures_ = row.figures
        if is_slipping(config, figures_.recency_days, figures_.usual_interval_days):
            calls.append(CallRow("slipping", row.account, first_contact[row.account.id],
                                 None, figures_.recency_days))
    return calls


def _contacts(links, by_owner, config: TierConfig, now: datetime) -> list[ContactRow]:
    """The contacts, decision makers first; key: decision makers and the biggest buyer."""
    rows = []
    for link in links:
        own = figures(by_owner.get(link.user_id, []), config, now)
        rows.append(ContactRow(link.user, link.contact_role, own.revenue, False, own.currency))
    top = max(rows, key=lambda row: row.revenue, default=None)
    for row in rows:
        row.key = row.role == "decision_maker" or (row is top and row.revenue > 0)
    return sorted(rows, key=lambda row: (ROLE_ORDER.get(row.role, 9), -row.revenue))


def _open_quotes(session: Session, config: TierConfig) -> list[QuoteRow]:
    """Open quotes grouped by currency (the tier file's first), biggest first within
    each: a quote in rials is not worth more than one in euros for having more digits."""
    records = session.scalars(
        sa.select(QuoteRecord).where(QuoteRecord.status.in_(OPEN_QUOTES))
    ).all()
    rows = [QuoteRow(record, *_quote_net(session, record)) for record in records]
    rows.sort(key=lambda row: row.net if row.net is not None else -1, reverse=True)
    return sorted(rows, key=lambda row: _currency_rank(row.currency, config))


def _quote_net(session: Session, record: QuoteRecord) -> tuple[Decimal | None, str]:
    """The net total as sent (frozen), or as it prices today for a quote still in work."""
    if record.frozen:
        return Decimal(record.frozen["totals"]["net_total"]), record.frozen["currency"]
    try:
        totals = records.to_domain(session, record).price().totals
    except Exception:  # a quote that cannot be priced must not take the dashboard down
        log.warning("quote %s could not be priced for the dashboard", record.number, exc_info=True)
        return None, record.account.currency
    return totals.net_total, totals.currency


def _require_staff(viewer: User) -> None:
    if not viewer.is_staff:
        raise NotFound("There is nothing here, or it is not yours to see.")
