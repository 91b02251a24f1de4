"""The life of a quote: approval, sending, the client's answer, order, revisions.

    draft ──submit──> pending_approval ──approve──> approved ──send──> sent
      │  └──────────────── send (no approval needed) ─────────────────┘ │
      │        pending_approval / approved ──price edit──> draft        │
      │                                                                  ├─accept──> accepted ──order──> ordered
      │                                                                  ├─decline (reason)──> declined
      │                                                                  ├─expire──> expired
      │                                                                  └─revise──> new draft -R2; sending -R2 ──> superseded
      └─ cancel (from any open status, reason) ──> cancelled

Every step is a function taking the quote, who does it (`by`) and when (`at`,
timezone-aware UTC); it checks `TRANSITIONS` and raises a `QuoteError`
subclass whose message says what is allowed instead. Approval: a discount
(line or quote, in percent of what it applies to) above the sender's limit in
the `ApprovalPolicy` needs approval by a role whose limit covers it, and an
approver may not approve a request they made themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from .errors import (
    ApprovalRequired,
    IllegalTransition,
    NotAllowedToApprove,
    QuoteError,
    QuoteExpired,
)
from .model import STATUS_WORDS, Actor, Approval, Quote, Status, require_utc
from .money import ZERO, format_percent
from .numbering import QuoteNumber
from .phrases import N_, Moment, Percent

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.PENDING_APPROVAL, Status.SENT, Status.CANCELLED}),
    Status.PENDING_APPROVAL: frozenset({Status.APPROVED, Status.DRAFT, Status.CANCELLED}),
    Status.APPROVED: frozenset({Status.SENT, Status.DRAFT, Status.CANCELLED}),
    Status.SENT: frozenset({Status.ACCEPTED, Status.DECLINED, Status.EXPIRED, Status.SUPERSEDED,
                            Status.CANCELLED}),
    Status.ACCEPTED: frozenset({Status.ORDERED, Status.CANCELLED}),
    # A declined or expired quote can still be revised into a new offer.
    Status.DECLINED: frozenset({Status.SUPERSEDED}),
    Status.EXPIRED: frozenset({Status.SUPERSEDED}),
    Status.ORDERED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.SUPERSEDED: frozenset(),
}

_VERBS = {
    Status.PENDING_APPROVAL: "submitted for approval",
    Status.APPROVED: "approved",
    Status.DRAFT: "returned to draft",
    Status.SENT: "sent",
    Status.ACCEPTED: "accepted",
    Status.DECLINED: "declined",
    Status.EXPIRED: "expired",
    Status.ORDERED: "turned into an order",
    Status.CANCELLED: "cancelled",
    Status.SUPERSEDED: "revised",
}


# What a transition does, in the refusals' sentences ("cannot be sent").
_DONE = {
    Status.PENDING_APPROVAL: N_("submitted for approval"),
    Status.APPROVED: N_("approved"),
    Status.DRAFT: N_("returned to draft"),
    Status.SENT: N_("sent"),
    Status.ACCEPTED: N_("accepted"),
    Status.DECLINED: N_("declined"),
    Status.EXPIRED: N_("expired"),
    Status.ORDERED: N_("turned into an order"),
    Status.CANCELLED: N_("cancelled"),
    Status.SUPERSEDED: N_("revised"),
}


@dataclass(frozen=True)
class ApprovalPolicy:
    """How far each role may go without approval, and may approve.

    `limits`: the largest discount (percent) per role; None is no limit, and a
    role not listed may give no discount at all without approval (clients,
    admins). `margin_floors`: the lowest margin (percent of the net) per role;
    a role not listed, or a quote whose margin is unknown (no costs), has no
    floor. `steps`: approvers in order (manager, then director): a quote
    beyond the sender's limits needs the first step whose limits cover it and
    every step before it, each by that role, in order. Without steps, any one
    role whose limits cover it approves.
    """

    limits: Mapping[str, Decimal | None] = field(default_factory=lambda: {
        "sales": Decimal(10), "manager": None})
    margin_floors: Mapping[str, Decimal | None] = field(default_factory=dict)
    steps: tuple[str, ...] = ()

    def limit(self, role: str) -> Decimal | None:
        """The role's discount limit in percent, None for unlimited."""
        return self.limits.get(role, ZERO)

    def covers(self, role: str, percent: Decimal, margin: Decimal | None = None) -> bool:
        """Whether `role` may give (or approve) a discount of `percent` at a margin of `margin`."""
        limit = self.limit(role)
        if limit is not None and percent > limit:
            return False
        floor = self.margin_floors.get(role)
        return margin is None or floor is None or margin >= floor

    def approver_roles(self, percent: Decimal, margin: Decimal | None = None) -> list[str]:
        """The roles that may approve a discount of `percent` at `margin`."""
        return [role for role in self.limits if self.covers(role, percent, margin)]

    def required_steps(self, percent: Decimal, margin: Decimal | None = None) -> tuple[str, ...]:
        """The approvals needed, in order (empty without `steps`); NotAllowedToApprove when
        no step may approve this much."""
        for index, role in enumerate(self.steps):
            if self.covers(role, percent, margin):
                return self.steps[:index + 1]
        if self.steps:
            raise NotAllowedToApprove(N_(
                "A discount of %(percent)s at a margin of %(margin)s is beyond what anyone may "
                "approve; change the discounts or prices", percent=Percent(percent),
                margin=Percent(_shown(margin)) if margin is not None else "—"))
        return ()


def needs_approval(quote: Quote, policy: ApprovalPolicy, role: str,
                   margin: Decimal | None = None) -> bool:
    """Whether the quote's discounts (or its low `margin`) are beyond what `role` may give."""
    return not policy.covers(role, quote.price().max_discount_percent, margin)


def submit_for_approval(quote: Quote, *, by: Actor, at: datetime, reason: str = "") -> None:
    """Ask a manager to approve the quote's discounts, saying why (the manager reads it)."""
    _move(quote, Status.PENDING_APPROVAL, by, at, " ".join(reason.split())[:300])


def approve(quote: Quote, policy: ApprovalPolicy, *, by: Actor, at: datetime,
            margin: Decimal | None = None) -> None:
    """Approve the discounts (and `margin`) as they are now: the whole approval, or with
    `policy.steps` the next step of it. Refused outside the approver's limits, for the
    wrong step, or on one's own request."""
    _check(quote, Status.APPROVED)
    percent = quote.price().max_discount_percent
    steps = policy.required_steps(percent, margin)
    if steps:
        _approve_step(quote, steps, by, at, percent, margin)
        return
    if not policy.covers(by.role, percent, margin):
        if policy.margin_floors.get(by.role) is None or margin is None:
            raise NotAllowedToApprove(N_(
                "Quote %(number)s has a discount of %(percent)s; a %(role)s may approve up to "
                "%(limit)s. Ask: %(approvers)s", number=str(quote.number),
                percent=Percent(percent), role=by.role,
                limit=Percent(policy.limit(by.role) or ZERO),
                approvers=policy.approver_roles(percent, margin) or N_("nobody may")))
        raise NotAllowedToApprove(N_(
            "Quote %(number)s has a discount of %(percent)s at a margin of %(margin)s; a "
            "%(role)s may approve up to %(limit)s at a margin of at least %(floor)s. "
            "Ask: %(approvers)s", number=str(quote.number), percent=Percent(percent),
            margin=Percent(_shown(margin)), role=by.role,
            limit=Percent(policy.limit(by.role) or ZERO),
            floor=Percent(policy.margin_floors[by.role] or ZERO),
            approvers=policy.approver_roles(percent, margin) or N_("nobody may")))
    _not_own_request(quote, by)
    quote.approval = Approval(by.id, by.role, require_utc(at), percent, margin)
    _move(quote, Status.APPROVED, by, at, f"discounts up to {format_percent(percent)}")


def _approve_step(quote: Quote, steps: tuple[str, ...], by: Actor, at: datetime,
                  percent: Decimal, margin: Decimal | None) -> None:
    done = len(quote.approval_steps)
    step = steps[min(done, len(steps) - 1)]
    if by.role != step:
        raise NotAllowedToApprove(N_(
            "Quote %(number)s waits for a %(step)s's approval (%(steps)s, in this order); a "
            "%(role)s cannot give it", number=str(quote.number), step=step, steps=list(steps),
            role=by.role))
    _not_own_request(quote, by)
    if any(earlier.by == by.id for earlier in quote.approval_steps):
        raise NotAllowedToApprove(N_(
            "Quote %(number)s: you approved an earlier step, so someone else must approve "
            "this one", number=str(quote.number)))
    approval = Approval(by.id, by.role, require_utc(at), percent, margin)
    quote.approval_steps.append(approval)
    if len(quote.approval_steps) < len(steps):
        quote.log(by, at, "approval step",
                  f"{by.role} approved a discount of {format_percent(percent)}"
                  + ("" if margin is None else f" at a margin of {format_percent(_shown(margin))}")
                  + f"; waiting for a {steps[len(quote.approval_steps)]}")
        return
    quote.approval = approval
    _move(quote, Status.APPROVED, by, at,
          f"discounts up to {format_percent(percent)} ({', then '.join(steps)})")


def _shown(margin: Decimal | None) -> Decimal:
    """A margin as the sentences write it: to a hundredth of a percent (24.99 % is
    below a 25 % floor, so it must not read as 25.0 %)."""
    return (margin or ZERO).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _not_own_request(quote: Quote, by: Actor) -> None:
    requested = [e.actor for e in quote.events if e.action == "submitted for approval"]
    if requested and requested[-1] == by.id:
        raise NotAllowedToApprove(N_("Quote %(number)s: you asked for this approval, "
                                     "so someone else must give it", number=str(quote.number)))


def _approval_required(quote: Quote, policy: ApprovalPolicy, role: str, percent: Decimal,
                       margin: Decimal | None) -> str:
    """Why `role` may not send the quote alone, and whose approval it needs."""
    approvers = list(policy.required_steps(percent, margin) or policy.approver_roles(percent))
    if policy.margin_floors.get(role) is None or margin is None:
        return N_(
            "Quote %(number)s has a discount of %(percent)s, above the %(limit)s a %(role)s "
            "may give; submit it for approval by: %(approvers)s", number=str(quote.number),
            percent=Percent(percent), limit=Percent(policy.limit(role) or ZERO),
            role=role, approvers=approvers)
    return N_(
        "Quote %(number)s has a discount of %(percent)s at a margin of %(margin)s; a %(role)s "
        "may give up to %(limit)s at a margin of at least %(floor)s; submit it for approval "
        "by: %(approvers)s", number=str(quote.number), percent=Percent(percent),
        margin=Percent(_shown(margin)), role=role, limit=Percent(policy.limit(role) or ZERO),
        floor=Percent(policy.margin_floors[role] or ZERO), approvers=approvers)


def reject_approval(quote: Quote, reason: str, *, by: Actor, at: datetime) -> None:
    """Send the quote back to draft with the manager's reason."""
    _require_reason(reason, N_("rejecting an approval"))
    _move(quote, Status.DRAFT, by, at, reason)


def send(quote: Quote, policy: ApprovalPolicy, *, by: Actor, at: datetime,
         margin: Decimal | None = None) -> None:
    """Send the quote to the client; it is frozen from now on.

    A draft goes straight out only when `by` may give all its discounts;
    otherwise ApprovalRequired says who must approve. A quote whose validity
    has passed, or without any line in the totals, is refused.
    """
    _check(quote, Status.SENT)
    if quote.status is Status.DRAFT:
        percent = quote.price().max_discount_percent
        if not policy.covers(by.role, percent, margin):
            raise ApprovalRequired(_approval_required(quote, policy, by.role, percent, margin))
    if require_utc(at) >= quote.valid_until:
        raise QuoteExpired(N_("Quote %(number)s was valid until %(until)s; set a later "
                              "valid-until date before sending it", number=str(quote.number),
                              until=Moment(quote.valid_until)))
    if not any(line.price(quote.terms).in_totals for line in quote.lines):
        raise QuoteError(N_("Quote %(number)s has no line to sell; add one before sending",
                            number=str(quote.number)))
    _move(quote, Status.SENT, by, at)


def accept(quote: Quote, *, by: Actor, at: datetime, signature: str = "") -> None:
    """The client accepts the sent quote (before its valid-until date) under `signature`."""
    _check(quote, Status.ACCEPTED)
    if require_utc(at) >= quote.valid_until:
        raise QuoteExpired(N_("Quote %(number)s expired on %(until)s and can no longer be "
                              "accepted; ask for a new revision", number=str(quote.number),
                              until=Moment(quote.valid_until)))
    _move(quote, Status.ACCEPTED, by, at, signature)


def decline(quote: Quote, reason: str, *, by: Actor, at: datetime) -> None:
    """The client declines the sent quote; the reason is required (lost-deal analysis)."""
    _require_reason(reason, N_("declining a quote"))
    _move(quote, Status.DECLINED, by, at, reason)
    quote.decline_reason = reason


def expire(quote: Quote, *, at: datetime) -> None:
    """Mark a sent quote expired; refused before its valid-until date."""
    _check(quote, Status.EXPIRED)
    if require_utc(at) < quote.valid_until:
        raise IllegalTransition(f"Quote {quote.number} is valid until "
                                f"{quote.valid_until:%Y-%m-%d %H:%M} UTC and cannot expire before")
    _move(quote, Status.EXPIRED, "system", at)


def expire_if_due(quote: Quote, *, at: datetime) -> bool:
    """For the daily job: expire a sent quote whose validity has passed; True if it did."""
    if quote.status is Status.SENT and require_utc(at) >= quote.valid_until:
        expire(quote, at=at)
        return True
    return False


def mark_ordered(quote: Quote, *, by: Actor, at: datetime, order_reference: str = "") -> None:
    """The accepted quote became an order (with the quote's frozen prices)."""
    _move(quote, Status.ORDERED, by, at, order_reference)


def cancel(quote: Quote, reason: str, *, by: Actor, at: datetime) -> None:
    """Withdraw the quote (staff), with a reason."""
    _require_reason(reason, "cancelling a quote")
    _move(quote, Status.CANCELLED, by, at, reason)
    quote.cancel_reason = reason


def revise(quote: Quote, *, by: Actor, at: datetime,
           valid_until: datetime | None = None) -> Quote:
    """A new draft revision (-R2, -R3...) of a sent, declined or expired quote.

    A sent revision stays open to the client (they may still accept it) until
    the new one is sent: then `supersede` closes it. A declined or expired one
    has nothing left to answer and is superseded at once. The new one
    copies lines (same line ids, so they can be compared), terms and discount;
    status, approval and history start afresh, and the validity is renewed:
    `valid_until`, or as many days from `at` as the old quote had.
    """
    _check(quote, Status.SUPERSEDED)
    at = require_utc(at)
    renewed = valid_until or at + (quote.valid_until - quote.created_at)
    new = Quote(
        number=quote.number.next_revision(),
        account=quote.account,
        created_by=by,
        created_at=at,
        valid_until=require_utc(renewed, "valid_until"),
        terms=quote.terms,
        lines=[replace(line) for line in quote.lines],
        discount=quote.discount,
        last_line_number=quote.last_line_number,
        services=list(quote.services),
    )
    new.log(by, at, "revision created", f"from {quote.number}")
    if quote.status is Status.SENT:
        quote.log(by, at, "revision started",
                  f"{new.number}; this revision stays open to the client until it is sent")
    else:
        supersede(quote, new.number, by=by, at=at)
    return new


def copy(quote: Quote, number: QuoteNumber, *, account: str, by: Actor, at: datetime,
         valid_until: datetime) -> Quote:
    """A new draft quote, with its own `number`, holding `quote`'s lines and discount.

    Unlike a revision it is a new quote (for the same or another `account`):
    dates, status, approval and history start afresh, and no line keeps a
    locked price. It keeps the old prices and terms, so repricing it right
    after shows what changed since (`Quote.reprice`).
    """
    at = require_utc(at)
    new = Quote(
        number=number,
        account=account,
        created_by=by,
        created_at=at,
        valid_until=require_utc(valid_until, "valid_until"),
        terms=quote.terms,
        lines=[replace(line, locked_terms=None) for line in quote.lines],
        discount=quote.discount,
        last_line_number=quote.last_line_number,
        services=list(quote.services),
    )
    new.log(by, at, "created", f"copied from {quote.number}")
    return new


def supersede(quote: Quote, newer: QuoteNumber, *, by: Actor, at: datetime) -> None:
    """Close `quote` because its newer revision `newer` went to the client (or replaces it)."""
    _move(quote, Status.SUPERSEDED, by, at, f"by {newer}")
    quote.superseded_by = newer


def _check(quote: Quote, target: Status) -> None:
    if quote.status is Status.EXPIRED and target in (Status.ACCEPTED, Status.DECLINED):
        raise QuoteExpired(N_("Quote %(number)s is expired and cannot be %(done)s: it was "
                              "valid until %(until)s; ask for a new revision",
                              number=str(quote.number), done=_DONE[target],
                              until=Moment(quote.valid_until)))
    if target not in TRANSITIONS[quote.status]:
        allowed = sorted(s.value for s, targets in TRANSITIONS.items() if target in targets)
        raise IllegalTransition(N_(
            "Quote %(number)s is %(status)s and cannot be %(done)s; only a quote that is "
            "%(allowed)s can", number=str(quote.number), status=STATUS_WORDS[quote.status],
            done=_DONE[target], allowed=_either([STATUS_WORDS[Status(s)] for s in allowed])))


def _move(quote: Quote, target: Status, by: Actor | str, at: datetime, detail: str = "") -> None:
    _check(quote, target)
    if target is Status.DRAFT:
        quote.approval = None
        quote.approval_steps = []
    quote.status = target
    quote.log(by, at, _VERBS[target], detail)


def _either(words: list[str]) -> str:
    """`a`, `a or b`, `a or b or c`: a phrase each language writes its own way."""
    if len(words) == 1:
        return words[0]
    return N_("%(first)s or %(last)s", first=_either(words[:-1]), last=words[-1])


def _require_reason(reason: str, doing: str) -> None:
    if not reason.strip():
        raise QuoteError(N_("Give a reason when %(doing)s", doing=doing))
