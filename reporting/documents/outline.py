"""The report's content in order, as simple blocks that the DOCX and PDF writers draw.

Both documents walk the same outline, so they carry the same headings, text, tables and
charts; the house format follows the committee report the partnership already writes:
subject heading, lead officer, author, policy context, summary, recommendations, the
detail with its figures, implications and risks, background papers, and notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reporting.charts import charts_for


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class TableBlock:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass(frozen=True)
class Image:
    png: bytes
    caption: str
    alt: str


Block = Heading | Paragraph | TableBlock | Image

TEXT_SECTIONS = [
    ("policy_context", "Policy context"),
    ("summary", "Summary"),
    ("recommendations", "Recommendations"),
]


def _paragraphs(text: str) -> Iterator[Paragraph]:
    for part in text.replace("\r\n", "\n").split("\n\n"):
        if part.strip():
            yield Paragraph(part.strip())


def _cell_text(cell: dict[str, Any]) -> str:
    mark = cell.get("mark")
    return f"{cell['display']} ({mark})" if mark else cell["display"]


def table_block(table: dict[str, Any]) -> TableBlock:
    headers = [""] + [column["label"] for column in table["columns"]]
    rows = [[row["label"]] + [_cell_text(cell) for cell in row["cells"]] for row in table["rows"]]
    return TableBlock(headers, rows, table["title"])


def headline_block(figures: dict[str, Any]) -> TableBlock:
    compare = figures.get("compare")
    headers = ["Figure", figures["period"]["label"]]
    if compare:
        headers.append(compare["label"])
    headers.append("Target")
    rows = []
    for item in figures["headline"]:
        row = [item["title"], item["display"]]
        if compare:
            row.append(item["previous"]["display"] if item["previous"] else "")
        row.append(item["target"]["display"] if item["target"] else "")
        rows.append(row)
    return TableBlock(headers, rows, "Headline figures")


def as_at_text(figures: dict[str, Any]) -> str:
    taken = datetime.fromisoformat(figures["taken_at"]) if figures.get("taken_at") else None
    when = (
        f"{taken:%-d %B %Y at %H:%M}"
        if taken
        else date.fromisoformat(figures["as_at"]).strftime("%-d %B %Y")
    )
    return f"Figures as at {when}."


def suppression_text(figures: dict[str, Any]) -> str:
    threshold = figures.get("threshold")
    if threshold is None:
        return "No figures are hidden."
    return (
        f"To protect the people counted, numbers of people below {threshold} are shown as "
        f'"fewer than {threshold}", a share is not shown when it is based on fewer than '
        f"{threshold} people or would give away fewer than {threshold}, and where a hidden "
        "number could be worked out from a total, another number is hidden too."
    )


def outline(report: dict[str, Any], figures: dict[str, Any]) -> Iterator[Block]:
    charts = charts_for(figures)
    if report.get("committee"):
        committee = report["committee"]
        if report.get("meeting_date"):
            committee += f", {date.fromisoformat(report['meeting_date']):%-d %B %Y}"
        yield Paragraph(committee, bold=True)
    yield Heading(report["title"], 0)
    for key, label in (
        ("lead_officer", "Lead officer"),
        ("author", "Report author and contact details"),
    ):
        if report.get(key):
            yield Heading(label, 2)
            yield from _paragraphs(report[key])
    for key, label in TEXT_SECTIONS:
        if report.get(key):
            yield Heading(label, 1)
            yield from _paragraphs(report[key])

    yield Heading("Report detail", 1)
    compare = figures.get("compare")
    scope = f"This report covers {figures['period']['label']} for {', '.join(report['panels'])}"
    scope += f", compared with {compare['label']}." if compare else "."
    yield Paragraph(scope)
    yield Paragraph(as_at_text(figures))
    yield headline_block(figures)
    for table in figures["tables"]:
        yield Heading(table["title"], 2)
        yield Paragraph(table["meaning"])
        if table["rows"]:
            yield table_block(table)
        else:
            yield Paragraph("There is nothing to show for this period.")
        chart = charts.get(table["key"])
        if chart is not None:
            yield Image(chart.png, chart.caption, chart.alt)
            yield Paragraph(f"{chart.caption}. The figures are in the table above.")

    if report.get("implications"):
        yield Heading("Implications and risks", 1)
        yield from _paragraphs(report["implications"])
    if report.get("background_papers"):
        yield Heading("Background papers", 1)
        yield from _paragraphs(report["background_papers"])

    yield Heading("Notes", 1)
    yield Paragraph(suppression_text(figures))
    for definition in figures["definitions"]:
        yield Paragraph(f"{definition['title']}: {definition['meaning']}")
    if figures.get("unit_costs"):
        yield TableBlock(
            ["Offence type", "Cost per offence"],
            [[cost["offence_type"], f"£{cost['cost']:,.0f}"] for cost in figures["unit_costs"]],
            "Unit costs used for the cost of crime",
        )
        sources = sorted({cost.get("source", "") for cost in figures["unit_costs"]} - {""})
        for source in sources:
            yield Paragraph(f"Source: {source}")
