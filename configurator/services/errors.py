"""Domain errors the services raise; views map them to 4xx pages or fragments."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base class: `str(error)` is a message fit for the customer."""


class NotFound(ServiceError, LookupError):
    """No such record, or not one this person may see (we do not say which)."""


class InvalidSelection(ServiceError, ValueError):
    """A selection names a feature or option the catalog does not have."""


class StaleRevision(ServiceError):
    """Someone saved a newer revision since this one was opened (another tab)."""

    def __init__(self, message: str, latest: Any) -> None:
        super().__init__(message)
        self.latest = latest


class NotOrderable(ServiceError):
    """The configuration cannot be ordered as it is (incomplete, outdated...)."""


class EmailTaken(ServiceError, ValueError):
    """Sign-up with an email that already has an account."""


class CatalogProblem(ServiceError):
    """A catalog file that cannot be loaded; `problems` lists what is wrong."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]
