"""The shop's records: customers and staff, catalog versions, configurations
with their immutable revisions, orders with immutable snapshots, and the
customer's timeline.

Later issues add business accounts and quotes; `User.role` and
`Interaction.channel` already leave room for staff.
"""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, WriteOnlyMapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from configurator.store.types import JSONType, Money, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("customer", "staff", "manager", "admin", "catalog_manager", "director")
SELLER_ROLES = ("staff", "manager", "director", "admin")  # everyone on the seller's side
APPROVER_ROLES = ("manager", "director")  # approve quotes beyond what sales may give
# Catalog managers keep the product lines (drafts, releases); they are not sellers.
CATALOG_EDITOR_ROLES = ("catalog_manager", "admin")
SEGMENTS = ("consumer", "business")
CHANNELS = ("web", "staff", "email")


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (Alembic needs them)."""

    metadata = sa.MetaData(naming_convention=NAMING)


class ImmutableRecordError(RuntimeError):
    """Someone tried to change a revision or a placed order's snapshot."""


class User(Base):
    """A customer (who configures and orders) or a staff member."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16), default="customer")
    segment: Mapped[str] = mapped_column(sa.String(16), default="consumer")
    country: Mapped[str | None] = mapped_column(sa.String(2))
    tier: Mapped[str | None] = mapped_column(sa.String(32))
    # E.164 ("+491701234567"), set by the customer; compared to find duplicates.
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    # The pages' language (en, fa, vi) the user picked; None: the browser's Accept-Language.
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the customer's personal data was erased (their orders stay, anonymised).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the user followed a link we e-mailed to their address (sign-up
    # confirmation or password reset); only then may records made by e-mail attach.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    configurations: WriteOnlyMapped[Configuration] = relationship(back_populates="owner")
    orders: WriteOnlyMapped[Order] = relationship(back_populates="owner")

    __table_args__ = (
        sa.CheckConstraint(f"role IN {ROLES}", name="role"),
        sa.CheckConstraint(f"segment IN {SEGMENTS}", name="segment"),
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    def set_password(self, password: str, method: str = "scrypt") -> None:
        """Store a salted hash of `password`, never the password."""
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """True when `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_staff(self) -> bool:
        """Any seller-side role (staff, manager, admin) may look at every customer's records."""
        return self.role in SELLER_ROLES

    @property
    def is_manager(self) -> bool:
        """Managers approve discounts above the sales limit."""
        return self.role == "manager"

    @property
    def is_approver(self) -> bool:
        """Managers and directors approve quotes (a director beyond a manager's limits)."""
        return self.role in APPROVER_ROLES

    @property
    def is_admin(self) -> bool:
        """Admins manage users and catalogs."""
        return self.role == "admin"

    @property
    def can_read_catalogs(self) -> bool:
        """Sellers may look at catalog drafts and releases; catalog managers keep them."""
        return self.is_staff or self.role == "catalog_manager"

    @property
    def can_edit_catalogs(self) -> bool:
        """Catalog managers (and admins, who load versions anyway) edit and release."""
        return self.role in CATALOG_EDITOR_ROLES

    def facts(self) -> dict[str, str]:
        """The customer facts the engine's `customer.KEY` rules read."""
        facts = {"segment": self.segment, "country": self.country, "tier": self.tier}
        facts = {key: value for key, value in facts.items() if value}
        # Rules test `customer.business == yes` without knowing every segment name.
        facts["business"] = "yes" if self.segment == "business" else "no"
        return facts

    # Flask-Login's user protocol, spelled out to keep the store free of Flask.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session."""
        return str(self.id)


class CatalogVersion(Base):
    """One loaded text of a catalog file. A changed file becomes a new version;
    configurations and orders keep pointing to the version they were made with."""

    __tablename__ = "catalog_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalog_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    number: Mapped[int]  # our own 1, 2, 3... per catalog, in load order
    declared_version: Mapped[int]  # the `version:` written in the file
    name: Mapped[str] = mapped_column(sa.String(200))
    currency: Mapped[str] = mapped_column(sa.String(3))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    source_path: Mapped[str] = mapped_column(sa.String(500))
    source_text: Mapped[str] = mapped_column(sa.Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by a rollback: the version before it is current again. Records made
    # with a withdrawn version keep pointing to it.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("catalog_id", "number"),)

    def __repr__(self) -> str:
        return f"<CatalogVersion {self.catalog_id} #{self.number}>"


class Configuration(Base):
    """A customer's named configuration of one product line; its content lives
    in the revisions, the newest one being `revision_count`."""

    __tablename__ = "configurations"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    catalog_id: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(120))
    derived_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("configurations.id", ondelete="SET NULL")
    )
    revision_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship(back_populates="configurations")
    revisions: WriteOnlyMapped[Revision] = relationship(
        back_populates="configuration", passive_deletes=True
    )

    # The trailing id makes the keyset pages of "My configurations" one index range.
    __table_args__ = (
        sa.Index("ix_configurations_owner_updated_id", "owner_id", "updated_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<Configuration {self.id} {self.name!r} r{self.revision_count}>"


class Revision(Base):
    """One saved state of a configuration. Never changed once written."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    configuration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("configurations.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    catalog_version_id: Mapped[int] = mapped_column(sa.ForeignKey("catalog_versions.id"))
    selection: Mapped[dict[str, Any]] = mapped_column(JSONType)
    price: Mapped[Decimal] = mapped_column(Money)
    complete: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    configuration: Mapped[Configuration] = relationship(back_populates="revisions")
    catalog_version: Mapped[CatalogVersion] = relationship()

    __table_args__ = (sa.UniqueConstraint("configuration_id", "number"),)

    def __repr__(self) -> str:
        return f"<Revision {self.configuration_id}/{self.number}>"


class OrderSequence(Base):
    """The last order number handed out per year: `ORD-2026-000123` is the 123rd
    order of 2026. Incremented in the unit of work that places the order, so a
    rolled-back order gives its number back and two never share one."""

    __tablename__ = "order_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Order(Base):
    """A placed order. `snapshot` keeps the choices, names and prices as they
    were, so no later catalog or price change alters it."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(16), unique=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    configuration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("configurations.id", ondelete="SET NULL")
    )
    # Unique: one order per revision, so a form posted twice orders once.
    revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("revisions.id", ondelete="SET NULL"), unique=True
    )
    catalog_version_id: Mapped[int] = mapped_column(sa.ForeignKey("catalog_versions.id"))
    reorder_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="SET NULL")
    )
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    total: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16), default="placed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship(back_populates="orders")
    configuration: Mapped[Configuration | None] = relationship()
    revision: Mapped[Revision | None] = relationship()
    catalog_version: Mapped[CatalogVersion] = relationship()

    __table_args__ = (sa.Index("ix_orders_owner_created_id", "owner_id", "created_at", "id"),)

    def __repr__(self) -> str:
        return f"<Order {self.number}>"

    @property
    def items(self) -> list[dict[str, Any]]:
        """The configured items as ordered (see `snapshot_items`)."""
        return snapshot_items(self.snapshot)

    @property
    def from_quote(self) -> bool:
        """True for an order converted from an accepted quote (its snapshot keeps the quote)."""
        return "quote" in self.snapshot


def snapshot_items(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The configured items of an order's snapshot, each in the shape of a
    single-configuration order (catalog, selection, lines, total, quantity): an
    order from the cart keeps several under `items`, any other order is one."""
    return list(snapshot["items"]) if "items" in snapshot else [snapshot]


def snapshot_configurations(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Every configuration an order's snapshot holds, each with its product line
    (`catalog.id`) and picks (`selection`): the items of a shop or cart order
    (`snapshot_items`), or the configured lines of an order from a quote, each of
    its own line (the quote order's own `selection` is empty and its `lines` are the
    quote's rows, not options). A quote order converted before its configured lines
    were kept holds none."""
    if "quote" not in snapshot:
        return snapshot_items(snapshot)
    return [
        {"catalog": {"id": line["catalog_id"]}, "selection": line["selection"],
         "quantity": line.get("quantity", 1), "catalog_version_id": line["catalog_version_id"],
         "lines": []}
        for line in snapshot.get("configured_lines", [])
    ]


def snapshot_items_of_line(snapshot: dict[str, Any], catalog_id: str) -> list[dict[str, Any]]:
    """The items of an order's snapshot that are of the product line `catalog_id` (a cart
    order's items may be of several lines; each keeps its own catalog and version)."""
    return [item for item in snapshot_items(snapshot)
            if (item.get("catalog") or {}).get("id") == catalog_id]


class Interaction(Base):
    """One event on a customer's timeline: viewed, saved, changed, ordered..."""

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    channel: Mapped[str] = mapped_column(sa.String(16), default="web")
    subject: Mapped[str] = mapped_column(sa.String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(f"channel IN {CHANNELS}", name="channel"),
        sa.Index("ix_interactions_customer_created_id", "customer_id", "created_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<Interaction {self.customer_id} {self.kind}>"


# Revisions and order snapshots are history: refuse to rewrite them.
_FROZEN_ORDER_FIELDS = ("number", "owner_id", "snapshot", "total", "currency", "created_at")


@event.listens_for(Revision, "before_update")
def _refuse_revision_update(_mapper: Any, _connection: Any, target: Revision) -> None:
    raise ImmutableRecordError(f"revision {target.number} is history and cannot change")


@event.listens_for(Order, "before_update")
def _refuse_snapshot_update(_mapper: Any, _connection: Any, target: Order) -> None:
    state = sa.inspect(target)
    for field in _FROZEN_ORDER_FIELDS:
        if state.attrs[field].history.has_changes():
            raise ImmutableRecordError(f"order {target.number}: {field} cannot change")


class Address(Base):
    """A delivery address in a customer's address book; an order keeps a copy of
    the one it was sent to, so editing the book never changes a placed order."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    street: Mapped[str] = mapped_column(sa.String(200))
    postcode: Mapped[str] = mapped_column(sa.String(20))
    city: Mapped[str] = mapped_column(sa.String(120))
    country: Mapped[str] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_addresses_owner_id", "owner_id"),)

    def lines(self) -> list[str]:
        """The address as printed on a label."""
        return [self.name, self.street, f"{self.postcode} {self.city}", self.country.upper()]


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anybody's password", method=method)


def check_no_password(password: str, method: str = "scrypt") -> bool:
    """Spend the time of a real password check, for an e-mail without an account,
    so the answer's timing does not tell which e-mails have one; always False."""
    check_password_hash(_dummy_hash(method), password)
    return False
