"""Reads for the columns page of a monthly list: each column's first values and how well
they fit the detail chosen for it, and how a whole-name column's names are split in
either order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from cohorts.column_checks import SAMPLES, ColumnFit, column_fit, filled_values
from cohorts.importing import FIELDS, NAME_ORDER
from cohorts.models import CohortImport
from cohorts.names import NameOrder, SplitName, read_order, split_full_name

# Rows read for the checks (a column's first filled values are among them).
ROWS_READ = 2000
NAMES_SHOWN = 5


@dataclass(frozen=True)
class ColumnShown:
    heading: str
    samples: list[str]
    chosen_for: str  # the detail's label, or ""
    fit: ColumnFit | None  # for the detail chosen


@dataclass(frozen=True)
class NameShown:
    """One whole name as written, and how each order reads it (None: it cannot be split,
    with the reason)."""

    written: str
    given_first: SplitName | None
    family_first: SplitName | None
    problem: str


@dataclass(frozen=True)
class NameSplitting:
    heading: str
    order: NameOrder
    names: list[NameShown]


def _rows(cohort_import: CohortImport) -> list[dict]:
    return list(cohort_import.rows.order_by("number").values_list("values", flat=True)[:ROWS_READ])


def _split(text: str, order: NameOrder) -> SplitName | None:
    try:
        return split_full_name(text, order)
    except ValueError:
        return None


def columns_page(
    cohort_import: CohortImport, chosen: Mapping[str, str], *, today: date
) -> tuple[list[ColumnShown], NameSplitting | None]:
    """Every column with its first values and, where chosen for a detail, how many of its
    values look like that detail; and how the whole-name column, if chosen, is split."""
    rows = _rows(cohort_import)
    detail_of = {heading: item for item in FIELDS if (heading := chosen.get(item.key))}
    shown = []
    for heading in cohort_import.headers:
        values = filled_values(rows, heading)
        item = detail_of.get(heading)
        shown.append(
            ColumnShown(
                heading=heading,
                samples=values[:SAMPLES],
                chosen_for=item.label if item else "",
                fit=column_fit(item.key, heading, values, today=today) if item else None,
            )
        )
    splitting = None
    whole = chosen.get("full_name")
    if whole and whole in cohort_import.headers:
        names = []
        for text in filled_values(rows, whole)[:NAMES_SHOWN]:
            problem = ""
            try:
                split_full_name(text, NameOrder.GIVEN_FIRST)
            except ValueError as error:
                problem = str(error)
            names.append(
                NameShown(
                    text,
                    _split(text, NameOrder.GIVEN_FIRST),
                    _split(text, NameOrder.FAMILY_FIRST),
                    problem,
                )
            )
        splitting = NameSplitting(whole, read_order(chosen.get(NAME_ORDER)), names)
    return shown, splitting
