"""What a trigger proposes: a message to one customer, once per moment."""

from __future__ import annotations

from dataclasses import dataclass

from configurator.services.messages.outbox import Draft
from configurator.store.models import User


@dataclass(frozen=True)
class Candidate:
    """A message a trigger would send; `dedupe_key` names the moment, so it is sent once."""

    recipient: User
    draft: Draft
    dedupe_key: str

