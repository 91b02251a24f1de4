"""What is wrong with a catalog file, said so that its author can fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_ID_RULE = "use lowercase letters, digits, '-' and '_', starting with a letter or a digit"


@dataclass(frozen=True)
class Problem:
    """One problem of a catalog file: where it is and what is wrong."""

    file: str
    location: str  # e.g. `features[2] 'frame'`, `constraint #4`, `line 3, column 7`
    message: str
    # True when the text cannot be read at all (not YAML/JSON, a malformed rule):
    # the command line treats that as bad input (exit 2), not as a catalog to check.
    syntax: bool = False

    def __str__(self) -> str:
        if self.location:
            return f"{self.file}: {self.location}: {self.message}"
        return f"{self.file}: {self.message}"


class CatalogError(ValueError):
    """A catalog file that cannot be used; `problems` lists every reason at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class ProblemLog:
    """Collects the problems of one file while reading goes on."""

    def __init__(self, file: str, problems: list[Problem] | None = None) -> None:
        self.file = file
        self.problems = list(problems or [])

    def report(self, location: str, message: str, *, syntax: bool = False) -> None:
        """Note one problem; reading goes on."""
        self.problems.append(Problem(self.file, location, message, syntax))

    def unknown_keys(self, location: str, item: dict, known: set[str], what: str = "") -> None:
        """Report the keys of `item` that are not in `known`, all in one problem."""
        unknown = [key for key in item if key not in known]
        if unknown:
            names = ", ".join(describe(key) for key in unknown)
            allowed = ", ".join(sorted(known))
            subject = f"{what} has unknown" if what else "unknown"
            self.report(location, f"{subject} key{'s' if len(unknown) > 1 else ''} {names} "
                                  f"(allowed: {allowed})")

    def identifier(self, location: str, key: str, value: Any, what: str) -> str | None:
        """The id in `value`, or None after reporting why it is not a valid id."""
        if value is None:
            self.report(location, f"'{key}' is missing: every {what.split()[0]} needs an id")
            return None
        text = as_id(value)
        if isinstance(value, bool):
            self.report(location, f"{what} {describe(value)} is not text; YAML reads yes, no, "
                                  "on, off, true and false as truth values, so quote it")
        elif text is None or not ID.match(text):
            self.report(location, f"{what} {describe(value)} is not valid: {_ID_RULE}")
        else:
            return text
        return None

    def text(self, location: str, key: str, value: Any, *, default: str) -> str:
        """`value` as text (`default` when absent), reporting anything else."""
        if value is None:
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # `name: 2024` is meant as text
        if not isinstance(value, str):
            self.report(location, f"'{key}' must be text, not {describe(value)}")
            return default
        return value


def as_id(value: Any) -> str | None:
    """Ids are text; a YAML whole number such as `id: 28` is taken as its digits."""
    if isinstance(value, str):
        return value
    if type(value) is int and value >= 0:
        return str(value)
    return None


def describe(value: Any) -> str:
    """A short description of a value for a message, never a huge or nested dump."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = str(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, str):
        value = value.replace("\n", "\\n")  # a problem stays on one line
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} value"
