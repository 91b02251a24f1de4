"""Text that may be stored and shown: no control characters.

PostgreSQL refuses NUL in text and in JSONB (`\\u0000`), so a NUL that reaches
a query is a database error instead of a clear refusal; the other control
characters (escape, backspace, bell...) are never meant in a name, a reason or
an e-mail address and can garble terminals and logs. Tab, line feed and
carriage return are ordinary in multi-line text and stay allowed.
"""

from __future__ import annotations

import re

# C0 controls except tab, line feed and carriage return; DEL; the C1 controls.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a URL path, no control character at all is meaningful.
PATH_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_character_at(text: str) -> int | None:
    """The index of the first forbidden control character in `text`, or None."""
    found = CONTROL_CHARACTER.search(text)
    return found.start() if found else None


def describe_character(text: str, index: int) -> str:
    """`U+0000` for the character at `index`, as a message names it."""
    return f"U+{ord(text[index]):04X}"
