"""Demo data for `configurator seed`: catalogs, staff, and customers with two
years of saved configurations, revisions and orders. Idempotent: an account
that exists already is left as it is."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from configurator.engine import Catalog
from configurator.services import catalogs, deliveries, orders, users
from configurator.services.configuring import configurations
from configurator.services.demo import business as business_demo
from configurator.services.demo import offers as offers_demo
from configurator.services.errors import NotOrderable
from configurator.services.unit_of_work import use_case
from configurator.store.models import CatalogVersion, Interaction, User
from configurator.store.types import utcnow

NAMES = [
    "for the office",
    "for home",
    "spare",
    "gift",
    "summer",
    "team",
    "second try",
    "standard",
    "deluxe",
]


@dataclass
class SeedReport:
    """What seeding did, including the logins to print."""

    catalogs: list[str] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    configurations: int = 0
    orders: int = 0
    campaigns: list[str] = field(default_factory=list)


@use_case
def seed(
    session: Session, catalog_dir: Path, seed_dir: Path, *, now: datetime | None = None
) -> SeedReport:
    """Load every catalog in `catalog_dir` and the demo people in `seed_dir`: all or nothing."""
    now = now or utcnow()
    report = SeedReport()
    for path in sorted(Path(catalog_dir).glob("*.y*ml")):
        result = catalogs.load_file(session, path)
        state = "new version" if result.created else "unchanged"
        report.catalogs.append(f"{result.version.catalog_id} #{result.version.number} ({state})")
    versions = catalogs.current_versions(session)
    for person in _read(Path(seed_dir) / "staff.yaml"):
        role = person.get("role", "staff")
        report.logins.append((role, person["email"], person["password"]))
        if _exists(session, person["email"]):
            continue
        users.sign_up(session, person["email"], person["password"], person["name"], role=role)
        report.created_users.append(person["email"])
    for person in _read(Path(seed_dir) / "customers.yaml"):
        report.logins.append(("customer", person["email"], person["password"]))
        if _exists(session, person["email"]):
            continue
        user = users.sign_up(
            session,
            person["email"],
            person["password"],
            person["name"],
            segment=person.get("segment", "consumer"),
            country=person.get("country"),
            tier=person.get("tier"),
        )
        report.created_users.append(user.email)
        # Demo customers have bought for years: their address is theirs, as if confirmed
        # (their privacy page asked them to confirm it, and a guest order with it was
        # claimed by signing in instead of by the link the shop e-mails).
        user.email_verified_at = now
        if person.get("locale"):
            users.set_locale(session, user.id, person["locale"])
        # A customer buys in one currency: the lines priced in it make their history.
        theirs = lines_in(versions, person.get("currency", "EUR"))
        if theirs:
            _history(session, user, theirs, int(person.get("configurations", 4)), now, report)
            _sign_up_before_history(session, user)
    # Business accounts come last: their contacts are demo customers made above.
    business_file = Path(seed_dir) / "business.yaml"
    if business_file.exists() and versions:
        data = yaml.safe_load(business_file.read_text(encoding="utf-8")) or {}
        report.logins += business_demo.seed_demo(session, data, now=now)
    # Offer campaigns last: a finished one is played back over the history above.
    offers_file = Path(seed_dir) / "offers.yaml"
    if offers_file.exists() and versions:
        report.campaigns = offers_demo.seed_demo(session, _read(offers_file), now=now)
    return report


def lines_in(versions: list[CatalogVersion], currency: str) -> list[CatalogVersion]:
    """The product lines priced in `currency`, in the given order.

    A demo customer in Hanoi pays in VND, one in Tehran in IRR; orders in other
    currencies would make their history (and their value, counted in the tier
    file's currency) read wrong. Keeping the order keeps each EUR customer's
    seeded history what it was before VND and IRR lines existed.
    """
    return [version for version in versions if version.currency == currency.upper()]


def _sign_up_before_history(session: Session, user: User) -> None:
    """Date the seeded sign-up a day before the customer's first seeded event: a
    timeline that says "Created an account" today above two years of orders reads wrong."""
    first = session.scalar(
        sa.select(sa.func.min(Interaction.created_at)).where(
            Interaction.customer_id == user.id, Interaction.kind != "signed_up"
        )
    )
    if first is None:
        return
    session.execute(
        sa.update(Interaction)
        .where(Interaction.customer_id == user.id, Interaction.kind == "signed_up")
        .values(created_at=first - timedelta(days=1))
    )


def _history(
    session: Session, user: User, versions: list, count: int, now: datetime, report: SeedReport
) -> None:
    """Configurations over the last two years; some changed, some ordered, some reordered."""
    rng = random.Random(user.email)  # the same history every time for the same person
    favourite = rng.choice(versions)
    moments = sorted(
        now - timedelta(days=rng.uniform(2, 730), minutes=rng.randint(0, 1440))
        for _ in range(count)
    )
    for moment in moments:
        version = favourite if rng.random() < 0.6 else rng.choice(versions)
        catalog = catalogs.engine_catalog(version)
        selection = random_configuration(catalog, user.facts(), rng)
        if selection is None:
            continue
        name = f"{version.name} {rng.choice(NAMES)}"
        configuration = configurations.create(
            session, user, version.catalog_id, name, selection, now=moment
        )
        report.configurations += 1
        at = moment
        for _ in range(rng.choice([0, 0, 1, 2])):
            at += timedelta(days=rng.uniform(0.1, 20))
            changed = random_configuration(catalog, user.facts(), rng)
            if changed and at < now:
                revision = configurations.latest_revision(session, configuration)
                configurations.revise(
                    session, user, configuration.id, revision.number, changed, now=at
                )
        if rng.random() < 0.55 and at < now:
            at += timedelta(hours=rng.uniform(1, 72))
            try:
                order = orders.place(session, user, configuration.id, now=min(at, now))
            except NotOrderable:
                continue
            # History: what was due before today went out; a subscription runs on.
            deliveries.plan(session, order, today=now.date(), sent_before=now.date())
            report.orders += 1
            if rng.random() < 0.3:
                later = min(at + timedelta(days=rng.uniform(30, 200)), now)
                try:
                    again = orders.reorder(session, user, order.number, now=later)
                    deliveries.plan(session, again, today=now.date(), sent_before=now.date())
                    report.orders += 1
                except NotOrderable:
                    pass


def random_configuration(
    catalog: Catalog, customer: dict[str, str], rng: random.Random
) -> dict[str, Any] | None:
    """A random complete valid configuration: random picks among what still fits."""
    selection: dict[str, Any] = {}
    features = list(catalog.model.features)
    rng.shuffle(features)
    for feature in features[: max(3, len(features) // 2)]:
        state = catalog.domains(selection, customer=customer)
        if not state.consistent:
            return None
        domain = state.domains.get(feature.id, [])
        if not domain or (feature.id in state.may_be_empty and rng.random() < 0.4):
            continue
        if feature.choose_kind == "multi":
            picks = rng.sample(
                domain, k=min(len(domain), rng.randint(max(feature.min, 1), max(feature.max, 1)))
            )
            trial = dict(selection, **{feature.id: picks})
            if catalog.domains(trial, customer=customer).consistent:
                selection = trial
        else:
            selection[feature.id] = rng.choice(domain)
    done = catalog.complete(selection, customer=customer)
    return dict(done.selections) if done.consistent else None


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _exists(session: Session, email: str) -> bool:
    return (
        session.scalar(sa.select(User.id).where(User.email == users.normalize_email(email)))
        is not None
    )
