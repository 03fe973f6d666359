"""The shapes a figure takes before suppression, and the registry of their meanings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Unit = Literal["count", "share", "money", "average", "text", "date"]


@dataclass(frozen=True)
class Definition:
    """A figure's name and what it means, shown beside it on the page and in the notes."""

    key: str
    title: str
    meaning: str
    # Counts of people are suppressed when small; counts of actions or agreements are not.
    about_people: bool = True


DEFINITIONS: dict[str, Definition] = {}


def define(key: str, title: str, meaning: str, *, about_people: bool = True) -> Definition:
    if key in DEFINITIONS:
        raise ValueError(f"The figure {key!r} is defined twice")
    definition = Definition(key, title, " ".join(meaning.split()), about_people)
    DEFINITIONS[key] = definition
    return definition


@dataclass(frozen=True)
class Count:
    value: int


@dataclass(frozen=True)
class Share:
    """A proportion, kept as its two counts so suppression can test both."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if not self.denominator else 100 * self.numerator / self.denominator


@dataclass(frozen=True)
class Money:
    pounds: Decimal
    # How many people's offending the amount is made from.
    people: int


@dataclass(frozen=True)
class Average:
    value: float
    # The count the average is made from: a small count is not shown.
    based_on: int


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Day:
    value: str  # ISO date, or "" when not recorded


Value = Count | Share | Money | Average | Text | Day


@dataclass(frozen=True)
class Column:
    label: str
    unit: Unit = "count"
    # A target column counts no one, so it is never suppressed.
    about_people: bool = True


@dataclass(frozen=True)
class Row:
    label: str
    cells: Sequence[Value | None]


@dataclass(frozen=True)
class Table:
    definition: Definition
    columns: list[Column]
    rows: list[Row]
    # When set, the last row is the total of the others (secondary suppression uses it).
    total_row: bool = False
    # When set, the last column is the total of the others in its row.
    total_column: bool = False
    # The seed's marks on a cell, by (row, column): met, not met, up, down or same.
    marks: dict[tuple[int, int], str] = field(default_factory=dict)
