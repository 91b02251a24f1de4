"""The unit of work: one transaction per use case, committed once at its end.

cosmicpython's `unit_of_work.py` (chapter 6) over a plain SQLAlchemy session.
Every public service function that writes is a *use case* and runs inside
`unit_of_work(session)`, usually through the `@use_case` decorator:

- The outermost unit of work owns the transaction. It commits when its block
  ends normally and rolls back when anything in it raises, so a use case is
  saved whole or not at all, and a refused save leaves the previous state.
- A use case called from inside another one *joins* it: it neither commits
  nor rolls back, and the outer one commits once, at its end. So
  `orders.place` is one use case on its own, and part of
  `orders.save_and_place` without committing half of it.
- The nesting depth lives in `session.info`, so joining needs no extra
  argument: services keep taking a plain `session` first.

Inside a use case, flush where a database refusal must become a domain error
(a taken number, a stale version): the final commit then has nothing left to
refuse. After such a refusal the session must roll back before it can be used
again, so the error has to leave the use case; only the outermost one can then
try again (see `catalogs.load_text`).

Views and command-line commands never commit or roll back: they call one use
case (tests/test_architecture.py checks it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

DEPTH = "configurator.unit_of_work.depth"  # the key in `Session.info`
P = ParamSpec("P")
R = TypeVar("R")
USE_CASES: dict[str, Callable] = {}
"""Every function decorated with `@use_case`, by `module.name` (tests check each one)."""


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Run a block as one unit of work: commit at its end, roll back on an exception.

    Nested in another unit of work on the same session, it joins that one:
    the outermost decides, once.
    """
    depth = session.info.get(DEPTH, 0)
    session.info[DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[DEPTH] = depth


def in_unit_of_work(session: Session) -> bool:
    """Whether a unit of work is open on this session (a use case is running)."""
    return session.info.get(DEPTH, 0) > 0


def use_case(function: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Make a service function taking a session first a use case (see the module docstring)."""

    @functools.wraps(function)
    def run(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work(session):
            return function(session, *args, **kwargs)

    USE_CASES[f"{function.__module__}.{function.__qualname__}"] = run
    return run
