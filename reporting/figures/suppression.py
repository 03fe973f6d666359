"""What a committee may be shown: small numbers hidden, so no one can be picked out.

Primary suppression: a count of people below the threshold (5 unless
`REPORT_SUPPRESSION_THRESHOLD` says otherwise) is shown as "fewer than 5". A share is not
shown when its denominator is below the threshold, or when either the people it counts or
the people it leaves out are (a share of 92 out of 95 would give away the other 3).

Secondary suppression: in a table with totals, a line (a row or column with its total)
holding exactly one hidden count would let anyone work it out by subtraction, so the
smallest other count in that line is hidden too, and so on until no line gives one away.

`present` turns a `FigureSet` into the plain data every output renders (page, API, DOCX,
PDF, XLSX); with `threshold=None` nothing is hidden, for coordinators' own panels.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reporting.figures.compute import FigureSet, Headline
from reporting.figures.values import (
    DEFINITIONS,
    Average,
    Count,
    Day,
    Money,
    Share,
    Table,
    Text,
    Value,
)

Cell = dict[str, Any]


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def not_shown(threshold: int) -> str:
    return f"not shown (fewer than {threshold} people)"


def present_value(value: Value | None, threshold: int | None, *, about_people: bool = True) -> Cell:
    """One value as {"value": number or text or None, "display": text, "suppressed": bool}."""
    if value is None:
        return {"value": None, "display": "no target set", "suppressed": False}
    hide = threshold is not None and about_people
    match value:
        case Count(n):
            if hide and n < threshold:  # type: ignore[operator]
                return _hidden(fewer_than(threshold))  # type: ignore[arg-type]
            return {"value": n, "display": f"{n:,}", "suppressed": False}
        case Share(numerator, denominator):
            if hide and min(numerator, denominator - numerator, denominator) < threshold:  # type: ignore[operator]
                return _hidden(not_shown(threshold))  # type: ignore[arg-type]
            if not denominator:
                return {"value": None, "display": "none to count", "suppressed": False}
            percent = round(100 * numerator / denominator)
            return {
                "value": percent,
                "display": f"{percent}% ({numerator:,} of {denominator:,})",
                "suppressed": False,
            }
        case Money(pounds, people):
            if hide and people < threshold:  # type: ignore[operator]
                return _hidden(not_shown(threshold))  # type: ignore[arg-type]
            return {"value": float(pounds), "display": _pounds(pounds), "suppressed": False}
        case Average(average, based_on):
            if hide and based_on < threshold:  # type: ignore[operator]
                return _hidden(not_shown(threshold))  # type: ignore[arg-type]
            return {"value": average, "display": f"{average:,.1f}", "suppressed": False}
        case Text(text):
            return {"value": text, "display": text, "suppressed": False}
        case Day(iso):
            return {"value": iso or None, "display": _day(iso), "suppressed": False}
    raise TypeError(f"Unknown figure value {value!r}")


def _hidden(display: str) -> Cell:
    return {"value": None, "display": display, "suppressed": True}


def _pounds(pounds: Decimal) -> str:
    sign = "-" if pounds < 0 else ""
    return f"{sign}£{abs(pounds):,.0f}"


def _day(iso: str) -> str:
    if not iso:
        return "not recorded"
    from datetime import date

    return f"{date.fromisoformat(iso):%-d %B %Y}"


def present_table(table: Table, threshold: int | None) -> dict[str, Any]:
    cells = [
        [
            present_value(
                value, threshold, about_people=table.definition.about_people and column.about_people
            )
            for value, column in zip(row.cells, table.columns, strict=True)
        ]
        for row in table.rows
    ]
    if threshold is not None and table.definition.about_people:
        _secondary(table, cells, threshold)
    for (r, c), mark in table.marks.items():
        if not cells[r][c]["suppressed"]:
            cells[r][c]["mark"] = mark
    return {
        "key": table.definition.key,
        "title": table.definition.title,
        "meaning": table.definition.meaning,
        "columns": [{"label": c.label, "unit": c.unit} for c in table.columns],
        "rows": [
            {"label": row.label, "cells": row_cells}
            for row, row_cells in zip(table.rows, cells, strict=True)
        ],
        "total_row": table.total_row,
        "total_column": table.total_column,
    }


def _secondary(table: Table, cells: list[list[Cell]], threshold: int) -> None:
    """Hide more counts until no row or column with a total gives a hidden one away."""
    lines: list[list[tuple[int, int]]] = []
    people_columns = [
        c
        for c, column in enumerate(table.columns)
        if column.about_people and column.unit == "count"
    ]
    if table.total_row:
        for c in people_columns:
            lines.append([(r, c) for r in range(len(table.rows))])
    if table.total_column:
        members = people_columns
        for r in range(len(table.rows)):
            lines.append([(r, c) for c in members])
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [rc for rc in line if cells[rc[0]][rc[1]]["suppressed"]]
            if len(hidden) != 1:
                continue
            shown = [rc for rc in line if not cells[rc[0]][rc[1]]["suppressed"]]
            if not shown:
                continue
            # The smallest count first: it says least about anyone; the total goes last.
            shown.sort(key=lambda rc: (rc == line[-1], cells[rc[0]][rc[1]]["value"]))
            r, c = shown[0]
            cells[r][c] = _hidden(
                fewer_than(threshold)
                if cells[r][c]["value"] < threshold
                else "hidden so a small number cannot be worked out"
            )
            changed = True


def present_headline(item: Headline, threshold: int | None) -> dict[str, Any]:
    return {
        "key": item.definition.key,
        "title": item.definition.title,
        "meaning": item.definition.meaning,
        **present_value(item.value, threshold),
        "previous": None if item.previous is None else present_value(item.previous, threshold),
        "target": None
        if item.target is None
        else {"value": item.target, "display": f"{item.target:,}"},
    }


def present(figures: FigureSet, threshold: int | None) -> dict[str, Any]:
    """The figures as every output shows them, with their definitions and sources."""
    scope = figures.scope
    return {
        "period": scope.period.as_dict(),
        "compare": figures.compare.period.as_dict() if figures.compare else None,
        "as_at": scope.as_at.isoformat(),
        "threshold": threshold,
        "headline": [present_headline(item, threshold) for item in figures.headline],
        "tables": [present_table(table, threshold) for table in figures.tables],
        "unit_costs": figures.unit_costs,
        "definitions": [
            {"key": d.key, "title": d.title, "meaning": d.meaning} for d in DEFINITIONS.values()
        ],
    }
