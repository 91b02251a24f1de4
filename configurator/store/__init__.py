"""Persistence: SQLAlchemy models, engines and sessions, Alembic migrations (no Flask)."""

from configurator.store.cart import CartLine  # noqa: F401  (its table joins Base.metadata)
from configurator.store.database import make_engine, session_factory
from configurator.store.deliveries import Delivery  # noqa: F401  (its table joins Base.metadata)
from configurator.store.guest_carts import GuestCart  # noqa: F401  (guest carts and their items)
from configurator.store.identity import CustomerMerge  # noqa: F401  (its table joins Base.metadata)
from configurator.store.messages import Message  # noqa: F401  (its table joins Base.metadata)
from configurator.store.models import (
    Base,
    CatalogVersion,
    Configuration,
    ImmutableRecordError,
    Interaction,
    Order,
    Revision,
    User,
)
from configurator.store.offers import OfferCampaign, OfferEvent  # noqa: F401  (offer tables)
from configurator.store.privacy import Consent  # noqa: F401  (its table joins Base.metadata)
from configurator.store.quotes import (  # noqa: F401  (business accounts and quotes tables)
    BusinessAccount,
    QuoteRecord,
)
from configurator.store.releases import (  # noqa: F401  (the workbench's tables)
    CatalogDraft,
    CatalogRelease,
)
from configurator.store.security import (  # noqa: F401  (their tables join Base.metadata)
    IdempotentReply,
    OneTimeLink,
    SignedInSession,
)
from configurator.store.tokens import ApiToken  # noqa: F401  (its table joins Base.metadata)
from configurator.store.value import CustomerValue  # noqa: F401  (its table joins Base.metadata)

__all__ = [
    "Base",
    "CatalogVersion",
    "Configuration",
    "ImmutableRecordError",
    "Interaction",
    "Order",
    "Revision",
    "User",
    "make_engine",
    "session_factory",
]
