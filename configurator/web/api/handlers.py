"""Map errors raised while answering an API request to problem responses.

The problem `type` stays a machine-readable id; the human `detail` follows the
language (a service's Phrase is translated, see web/i18n.error_text)."""

from __future__ import annotations

from flask import Response
from flask_limiter import RateLimitExceeded

from configurator.quoting import PricingError, QuoteError
from configurator.quoting.errors import LineNotFound
from configurator.services.errors import (
    InvalidSelection,
    NotFound,
    NotOrderable,
    QuoteChanged,
    ServiceError,
    StaleRevision,
)
from configurator.services.paging import InvalidCursor
from configurator.web.api import bp
from configurator.web.api.problems import ApiProblem, from_problem, problem_response
from configurator.web.i18n import error_text


@bp.errorhandler(ApiProblem)
def api_problem(error: ApiProblem) -> Response:
    """A problem the API code raised on purpose."""
    return from_problem(error)


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> Response:
    """Missing, or someone else's: the same 404, no hint which."""
    return problem_response(404, error_text(error))


@bp.errorhandler(StaleRevision)
def stale_revision(error: StaleRevision) -> Response:
    """Another client saved a newer revision first; nothing was overwritten."""
    return problem_response(409, error_text(error), kind="stale-revision")


@bp.errorhandler(NotOrderable)
def not_orderable(error: NotOrderable) -> Response:
    """Incomplete, outdated or no longer fitting: the client must revise first."""
    return problem_response(409, error_text(error), kind="not-orderable")


@bp.errorhandler(QuoteError)
@bp.errorhandler(QuoteChanged)
def quote_conflict(error: Exception) -> Response:
    """The quote is not open for that (expired, answered, changed meanwhile)."""
    return problem_response(409, error_text(error))


@bp.errorhandler(LineNotFound)
def line_not_found(error: LineNotFound) -> Response:
    """A quote line the quote does not have: a 404 like any missing record."""
    return problem_response(404, error_text(error))


@bp.errorhandler(PricingError)
def pricing_refused(error: PricingError) -> Response:
    """An amount or quantity a quote cannot take (more than two decimals, too large)."""
    return problem_response(422, error_text(error))


@bp.errorhandler(InvalidSelection)
def invalid_selection(error: InvalidSelection) -> Response:
    """The selection names features or options the product line lacks."""
    return problem_response(
        422, error_text(error), kind="invalid-selection", errors={"selection": [error_text(error)]}
    )


@bp.errorhandler(InvalidCursor)
def invalid_cursor(error: InvalidCursor) -> Response:
    """A `cursor` we did not make."""
    return problem_response(422, error_text(error), errors={"cursor": [error_text(error)]})


@bp.errorhandler(ServiceError)
def other_service_error(error: ServiceError) -> Response:
    """Any other refusal of a service: its message says what to change."""
    return problem_response(422, error_text(error))


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded) -> Response:
    """Too many requests for this token (or, without one, this address)."""
    detail = f"Too many requests ({error.description}). Wait a little and try again."
    return problem_response(429, detail)
