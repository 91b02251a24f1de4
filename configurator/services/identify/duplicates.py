"""Likely duplicate customers: the same mailbox written differently
(`Anna.Berg+shop@gmail.com` and `annaberg@googlemail.com`; a guest record's
address, `anna@example.com@guest.invalid`, is the mailbox it was typed as), or the same name
among the contacts of one business account, or the same phone number (kept
as E.164, so "0170 1234567" in Germany and "+49 170 1234567" are one). Staff
decide; nothing is merged here.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import users
from configurator.services.errors import NotFound
from configurator.store.identity import CustomerMerge
from configurator.store.models import Order, User
from configurator.store.quotes import AccountContact

# Mail providers that ignore dots in the local part, and their one domain.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


@dataclass
class DuplicatePair:
    """Two customers who are likely one person, and why we think so."""

    first: User
    second: User
    reasons: list[str] = field(default_factory=list)


def normalized_email(email: str) -> str:
    """The mailbox an address reaches: no case, no +tag, no dots where the provider ignores them."""
    email = email.strip().lower().removesuffix(users.GUEST_DOMAIN)  # a guest order's address
    local, _, domain = email.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def normalized_name(name: str) -> str:
    """A name without case or extra blanks."""
    return re.sub(r"\s+", " ", name).strip().casefold()


def find(session: Session, viewer: User) -> list[DuplicatePair]:
    """Every likely duplicate pair among active customers, for staff."""
    if not viewer.is_staff:
        raise NotFound("There is nothing here, or it is not yours to see.")
    # A guest record whose orders were all claimed is an empty shell, nobody to merge.
    ordered = sa.select(Order.owner_id)
    customers = list(session.scalars(
        sa.select(User).where(*active_customer()).where(
            sa.or_(~User.email.endswith(users.GUEST_DOMAIN), User.id.in_(ordered))
        ).order_by(User.id)
    ))
    pairs: dict[tuple[int, int], DuplicatePair] = {}
    by_email: dict[str, list[User]] = defaultdict(list)
    for customer in customers:
        by_email[normalized_email(customer.email)].append(customer)
    _pair_up(pairs, by_email.values(), N_("same e-mail address"))
    _pair_up(pairs, _same_name_per_account(session), N_("same name at the same company"))
    by_phone: dict[str, list[User]] = defaultdict(list)
    for customer in customers:
        if customer.phone:
            by_phone[customer.phone].append(customer)
    _pair_up(pairs, by_phone.values(), N_("same phone number"))
    return sorted(pairs.values(), key=lambda pair: (pair.first.id, pair.second.id))


def active_customer() -> tuple:
    """Conditions on User: a customer, not erased, not merged into someone else."""
    merged = sa.select(CustomerMerge.merged_id).where(CustomerMerge.undone_at.is_(None))
    return (User.role == "customer", User.erased_at.is_(None), User.id.not_in(merged))


def _same_name_per_account(session: Session) -> list[list[User]]:
    groups: dict[tuple[int, str], list[User]] = defaultdict(list)
    query = (
        sa.select(AccountContact.account_id, User)
        .join(User, User.id == AccountContact.user_id)
        .where(*active_customer())
        .order_by(User.id)
    )
    for account_id, user in session.execute(query):
        groups[(account_id, normalized_name(user.name))].append(user)
    return list(groups.values())


def _pair_up(pairs: dict, groups, reason: str) -> None:
    for group in groups:
        for first, second in itertools.combinations(group, 2):
            pair = pairs.setdefault((first.id, second.id), DuplicatePair(first, second))
            pair.reasons.append(reason)
