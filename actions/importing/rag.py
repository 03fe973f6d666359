"""A RAG rating as plans write it: in a column of its own ("Amber/Green", "AG", "R"), or at
the start of a progress comment ("Green - meeting held", "Amber/Red: delayed", "AR: ...").

The plan's scale has four colours (Green, Amber-Green, Amber-Red, Red) and Complete. A plain
"Amber" sits between Amber-Green and Amber-Red: it is read as Amber-Red, the level that asks
for attention, and the preview says so, so the coordinator can change it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from actions.models import Rag

_WORDS = {
    "green": Rag.GREEN,
    "g": Rag.GREEN,
    "amber green": Rag.AMBER_GREEN,
    "green amber": Rag.AMBER_GREEN,
    "ag": Rag.AMBER_GREEN,
    "ga": Rag.AMBER_GREEN,
    "amber red": Rag.AMBER_RED,
    "red amber": Rag.AMBER_RED,
    "ar": Rag.AMBER_RED,
    "ra": Rag.AMBER_RED,
    "amber": Rag.AMBER_RED,
    "a": Rag.AMBER_RED,
    "red": Rag.RED,
    "r": Rag.RED,
    "complete": Rag.COMPLETE,
    "completed": Rag.COMPLETE,
    "blue": Rag.COMPLETE,
    "b": Rag.COMPLETE,
    "not started": Rag.NOT_STARTED,
}
_PLAIN_AMBER = {"amber", "a"}
_COLOUR = r"(?:amber|green|red|blue|completed|complete|not\s+started)"
_LETTERS = r"(?:ag|ga|ar|ra|g|a|r|b)"
# A rating at the start of a comment, followed by a separator: "Green -", "Amber/Red:",
# "(AG)", "AR:", "RAG: Amber". Colour words may stand before plain text ("Green meeting
# held" is not taken: a word alone needs a separator, so "Red tape..." stays text).
_LEADING = re.compile(
    rf"^\W{{0,3}}(?:rag(?:\s+rating|\s+status)?\s*[:=-]\s*)?\(?"
    rf"(?P<rating>{_COLOUR}(?:\s*[/&-]\s*{_COLOUR})?|{_LETTERS})\)?"
    r"\s*(?:[-–—:.;,)]|$)\s*",
    re.I,
)


@dataclass(frozen=True)
class RagRead:
    rag: str
    plain_amber: bool  # "Amber" alone, read as Amber-Red
    rest: str  # the comment without the rating


def _key(rating: str) -> str:
    return " ".join(re.split(r"[\s/&-]+", rating.casefold())).strip()


def read_rating(text: str) -> RagRead | None:
    """A RAG column's value ("Amber/Green", "AG", "Red"), or None where it is not one."""
    key = _key(text.strip().strip("()"))
    if key in _WORDS:
        return RagRead(_WORDS[key], key in _PLAIN_AMBER, "")
    return None


def leading_rating(comment: str) -> RagRead | None:
    """The rating a comment starts with, and the rest of the comment; None where it starts
    with none."""
    match = _LEADING.match(comment)
    if not match:
        return None
    key = _key(match.group("rating"))
    if key not in _WORDS:
        return None
    return RagRead(_WORDS[key], key in _PLAIN_AMBER, comment[match.end() :].strip())
