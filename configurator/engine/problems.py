"""What is wrong with a catalog file, said so that its author can fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem of a catalog file: where it is and what is wrong."""

    file: str
    location: str  # e.g. `features[2] 'frame'`, `constraint #4`, `line 3, column 7`
    message: str

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
