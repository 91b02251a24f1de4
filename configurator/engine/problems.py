"""What is wrong with a catalog file, said so that its author can fix it.

The engine says it in English: the command line prints it and the catalog
format's spec defines it, word for word. A message made with `said(...)` is
that English text and also keeps its code (the English template) and its
values, so the web pages can write it in the reader's language (the services
turn it into a translatable phrase). Pure Python: no Babel, no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_ID_RULE = "use lowercase letters, digits, '-' and '_', starting with a letter or a digit"


class Said(str):
    """An English message (a `str`, word for word what the CLI prints) that keeps its
    code, the template it was made from (`"unknown feature '%(feature)s'"`), and the
    values put into it, for a reader in another language."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, params: dict[str, Any] | None = None) -> Said:
        params = dict(params or {})
        text = code % {k: _english(v) for k, v in params.items()} if params else code
        message = super().__new__(cls, text)
        message.code = code
        message.params = params
        return message

    def __reduce__(self):  # pickled (to and from the check's worker process) as what it is
        return (Said, (self.code, self.params))


class Number(int):
    """A whole number in a message: English writes it `2,692,256`; the pages write it for the
    reader's locale (Persian digits), as they write every int of a phrase."""

    def __str__(self) -> str:
        return f"{int(self):,}"


def said(code: str, /, **params: Any) -> Said:
    """A message with its code and values: `said("unknown feature '%(feature)s'", feature="x")`."""
    return Said(code, params)


def said_to_json(text: str) -> Any:
    """A message as JSON (kept on disk by compiled.py): a `Said` as {"code", "params"}, other text as it is."""
    if isinstance(text, Said):
        return {"code": text.code, "params": {name: said_to_json(value) for name, value in text.params.items()}}
    if isinstance(text, (list, tuple)):
        return [said_to_json(item) for item in text]
    if isinstance(text, Number):
        return {"number": int(text)}
    return text


def said_from_json(data: Any) -> Any:
    """The message `said_to_json` wrote; ValueError for anything it cannot have written."""
    if isinstance(data, dict) and set(data) == {"number"}:
        if not isinstance(data["number"], int) or isinstance(data["number"], bool):
            raise ValueError("not a kept message")
        return Number(data["number"])
    if isinstance(data, dict):
        code, params = data.get("code"), data.get("params")
        if set(data) != {"code", "params"} or not isinstance(code, str) or not isinstance(params, dict):
            raise ValueError("not a kept message")
        try:
            return Said(code, {str(name): said_from_json(value) for name, value in params.items()})
        except (KeyError, TypeError, ValueError):  # a template its values do not fill
            raise ValueError("not a kept message") from None
    if isinstance(data, list):
        return [said_from_json(item) for item in data]
    if isinstance(data, (str, int, float)) and not isinstance(data, bool):
        return data
    raise ValueError("not a kept message")


def _english(value: Any) -> str:
    """A value as the English message writes it (a list joined with commas)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


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

    @property
    def code(self) -> str:
        """The message's code (its English template), or the message when it has none."""
        return self.message.code if isinstance(self.message, Said) else self.message

    @property
    def params(self) -> dict[str, Any]:
        """The values in the message (empty when it has no code)."""
        return dict(self.message.params) if isinstance(self.message, Said) else {}


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
        # `message` is best a `said(...)`: the web pages then write it in the reader's language.
        """Note one problem; reading goes on."""
        self.problems.append(Problem(self.file, location, message, syntax))

    def unknown_keys(self, location: str, item: dict, known: set[str], what: str = "") -> None:
        """Report the keys of `item` that are not in `known`, all in one problem."""
        unknown = [key for key in item if key not in known]
        if unknown:
            names = ", ".join(describe(key) for key in unknown)
            allowed = ", ".join(sorted(known))
            plural = len(unknown) > 1
            if what:
                code = ("%(what)s has unknown keys %(names)s (allowed: %(allowed)s)" if plural
                        else "%(what)s has unknown key %(names)s (allowed: %(allowed)s)")
                self.report(location, said(code, what=what, names=names, allowed=allowed))
            else:
                code = ("unknown keys %(names)s (allowed: %(allowed)s)" if plural
                        else "unknown key %(names)s (allowed: %(allowed)s)")
                self.report(location, said(code, names=names, allowed=allowed))

    def identifier(self, location: str, key: str, value: Any, what: str) -> str | None:
        """The id in `value`, or None after reporting why it is not a valid id."""
        if value is None:
            self.report(location, said("'%(key)s' is missing: every %(what)s needs an id",
                                       key=key, what=said(what.split()[0])))
            return None
        text = as_id(value)
        if isinstance(value, bool):
            self.report(location, said("%(what)s %(value)s is not text; YAML reads yes, no, "
                                       "on, off, true and false as truth values, so quote it",
                                       what=said(what), value=describe(value)))
        elif text is None or not ID.match(text):
            self.report(location, said("%(what)s %(value)s is not valid: %(rule)s",
                                       what=said(what), value=describe(value), rule=said(_ID_RULE)))
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
            self.report(location, said("'%(key)s' must be text, not %(value)s", key=key, value=describe(value)))
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
        return said("nothing (null)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = str(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, str):
        value = value.replace("\n", "\\n")  # a problem stays on one line
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, dict):
        return said("a mapping")
    if isinstance(value, list):
        return said("a list")
    return said("a %(type)s value", type=type(value).__name__)
