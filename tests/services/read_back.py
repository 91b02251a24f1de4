"""Reading a use case's result back through a second session, as the next
request would: it sees only what the use case committed (a test reading
through the same session would also see what was merely added or flushed).

`@reads_back(use_case, ...)` names the use cases a test reads back;
test_read_back_coverage.py checks that every use case is named by one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T", bound=Callable)
COVERED: set[str] = set()


def reads_back(*use_cases: Callable) -> Callable[[T], T]:
    """Record that the decorated test reads back what these use cases wrote."""
    COVERED.update(f"{case.__module__}.{case.__qualname__}" for case in use_cases)

    def mark(test: T) -> T:
        return test

    return mark
