"""Domain errors the services raise; views map them to 4xx pages or fragments."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: `str(error)` is a message fit for the customer."""


class NotFound(ServiceError, LookupError):
    """No such record, or not one this person may see (we do not say which)."""


class InvalidSelection(ServiceError, ValueError):
    """A selection names a feature or option the catalog does not have."""


class StaleRevision(ServiceError):
    """Someone saved a newer revision since this one was opened (another tab);
    `latest_number` is the newest revision's number."""

    def __init__(self, message: str, latest_number: int) -> None:
        super().__init__(message)
        self.latest_number = latest_number


class NotOrderable(ServiceError):
    """The configuration cannot be ordered as it is (incomplete, outdated...)."""


class QuoteChanged(ServiceError):
    """Someone else changed the quote since it was opened; nothing was saved."""


class EmailTaken(ServiceError, ValueError):
    """Sign-up with an email that already has an account."""


class CatalogProblem(ServiceError):
    """A catalog file that cannot be loaded; `problems` lists what is wrong."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]
