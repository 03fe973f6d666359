"""The report's figures as a workbook: numbers as numbers, one sheet per table."""

from __future__ import annotations

from typing import Any

from core.exports import Cell, Sheet, write_workbook
from reporting.documents.outline import as_at_text, suppression_text


def _cells(row: dict[str, Any]) -> list[Cell]:
    """A shown value as a number (a share as its percentage); a hidden one as its words."""
    values: list[Cell] = [row["label"]]
    for cell in row["cells"]:
        value = cell["value"]
        values.append(cell["display"] if value is None or isinstance(value, str) else value)
    return values


def render_xlsx(report: dict[str, Any], figures: dict[str, Any]) -> bytes:
    compare = figures.get("compare")
    headline_headers = ["Figure", figures["period"]["label"]]
    if compare:
        headline_headers.append(compare["label"])
    headline_headers += ["Target", "What it means"]
    headline_rows: list[list[Cell]] = []
    for item in figures["headline"]:
        row: list[Cell] = [item["title"], _number_or_words(item)]
        if compare:
            row.append(_number_or_words(item["previous"]) if item["previous"] else None)
        row += [item["target"]["value"] if item["target"] else None, item["meaning"]]
        headline_rows.append(row)

    sheets = [
        Sheet(
            "About",
            ["", ""],
            [
                ["Report", report["title"]],
                ["Period", figures["period"]["label"]],
                ["Compared with", compare["label"] if compare else "none"],
                ["Panels", ", ".join(report["panels"])],
                ["Figures", as_at_text(figures)],
                ["Small numbers", suppression_text(figures)],
                ["Shares", "Shares are percentages of the people counted."],
            ],
        ),
        Sheet("Headline figures", headline_headers, headline_rows),
    ]
    for table in figures["tables"]:
        headers = [""] + [
            f"{column['label']} (%)" if column["unit"] == "share" else column["label"]
            for column in table["columns"]
        ]
        sheets.append(Sheet(table["title"], headers, [_cells(row) for row in table["rows"]]))
        if any("mark" in cell for row in table["rows"] for cell in row["cells"]):
            marks = [
                [row["label"], table["columns"][index]["label"], cell["mark"]]
                for row in table["rows"]
                for index, cell in enumerate(row["cells"])
                if cell.get("mark")
            ]
            sheets.append(Sheet(f"{table['title'][:24]} marks", ["Row", "Column", "Mark"], marks))
    sheets.append(
        Sheet(
            "Definitions",
            ["Figure", "What it means"],
            [[d["title"], d["meaning"]] for d in figures["definitions"]],
        )
    )
    sheets.append(
        Sheet(
            "Unit costs",
            ["Offence type", "Cost per offence (£)", "Source", "Prices as at"],
            [
                [c["offence_type"], c["cost"], c["source"], c["price_year"]]
                for c in figures["unit_costs"]
            ],
        )
    )
    return write_workbook(sheets)


def _number_or_words(cell: dict[str, Any]) -> Cell:
    value = cell["value"]
    return cell["display"] if value is None else value
