"""The report's charts, drawn with matplotlib from the figures as the committee sees them.

Every chart is drawn from a presented table (after suppression), so a hidden count is a
gap in the chart, never a bar. Each has a caption, alt text that says what it shows, and
the table it came from beside it on the page and in the documents.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402  (the back end is chosen first)

# GOV.UK Frontend's palette, so the charts match the pages' tags.
RED, AMBER, GREEN, BLUE = "#d4351c", "#f47738", "#00703c", "#1d70b8"
GREY, DARK, PURPLE = "#b1b4b6", "#0b0c0c", "#4c2c92"
RAG_COLOURS = {"Red": RED, "Amber": AMBER, "Green": GREEN, "Blue": BLUE}
PLAN_COLOURS = {
    "Red": RED,
    "Amber-Red": AMBER,
    "Amber-Green": "#ffdd00",
    "Green": GREEN,
    "Complete": BLUE,
    "Not started": GREY,
}

CHART_TABLES = (
    "cohort_by_month",
    "rag_by_month",
    "custody_by_month",
    "treatment",
    "cost_table",
    "action_plan",
)


@dataclass(frozen=True)
class Chart:
    key: str
    caption: str
    alt: str
    png: bytes


def _body_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    return table["rows"][:-1] if table["total_row"] else table["rows"]


def _values(rows: list[dict[str, Any]], column: int) -> list[float | None]:
    return [row["cells"][column]["value"] for row in rows]


def _hidden_note(values: list[float | None]) -> str:
    hidden = sum(1 for value in values if value is None)
    return f" {hidden} small or hidden values are left out." if hidden else ""


def _figure(width: float = 8, height: float = 3.6) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    figure.patch.set_facecolor("white")
    return figure


def _finish(figure: Figure) -> bytes:
    for axes in figure.axes:
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(labelsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=130, metadata={"Software": None})
    return buffer.getvalue()


def _gaps(values: list[float | None]) -> list[float]:
    """A hidden value as a gap in a line."""
    return [float("nan") if value is None else float(value) for value in values]


def _month_ticks(axes: Any, months: list[str]) -> None:
    # Label every month up to a year; every third beyond, so the labels stay legible.
    step = 1 if len(months) <= 12 else 3
    positions = list(range(0, len(months), step))
    axes.set_xticks(positions, [months[p] for p in positions], rotation=45, ha="right")


def _zeroed(values: list[float | None]) -> list[float]:
    return [0.0 if value is None else float(value) for value in values]


def cohort_chart(table: dict[str, Any]) -> Chart:
    rows = _body_rows(table)
    months = [row["label"] for row in rows]
    sizes, targets = _values(rows, 0), _values(rows, 1)
    figure = _figure()
    axes = figure.add_subplot()
    x = list(range(len(months)))
    axes.plot(x, _gaps(sizes), color=BLUE, marker="o", label="People on the cohort")
    if any(target is not None for target in targets):
        axes.step(x, _gaps(targets), where="mid", color=DARK, linestyle="--", label="Target")
    _month_ticks(axes, months)
    axes.set_ylabel("People")
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False, fontsize=9, loc="best")
    shown = [v for v in sizes if v is not None]
    trend = f" It went from {shown[0]:,} to {shown[-1]:,}." if len(shown) >= 2 else ""
    target = next((v for v in reversed(targets) if v is not None), None)
    against = f" The target for the end of the year is {target:,}." if target is not None else ""
    return Chart(
        table["key"],
        "People on the cohort each month, against the target",
        f"Line chart of the number of people on the cohort each month from {months[0]} to "
        f"{months[-1]}.{trend}{against}{_hidden_note(sizes)}",
        _finish(figure),
    )


def rag_chart(table: dict[str, Any]) -> Chart:
    rows = _body_rows(table)
    months = [row["label"] for row in rows]
    figure = _figure()
    axes = figure.add_subplot()
    bottom = [0.0] * len(rows)
    hidden: list[float | None] = []
    for index, column in enumerate(table["columns"][:-1]):
        values = _values(rows, index)
        hidden += values
        heights = _zeroed(values)
        axes.bar(
            range(len(months)),
            heights,
            bottom=bottom,
            color=RAG_COLOURS.get(column["label"], GREY),
            label=column["label"],
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_ylabel("Reviews")
    axes.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))
    _month_ticks(axes, months)
    return Chart(
        table["key"],
        "RAG reviews each month, by the RAG given",
        f"Stacked bar chart of the RAG reviews held each month from {months[0]} to {months[-1]}, "
        f"each bar split into Red, Amber, Green and Blue.{_hidden_note(hidden)}",
        _finish(figure),
    )


def custody_chart(table: dict[str, Any]) -> Chart:
    rows = _body_rows(table)
    months = [row["label"] for row in rows]
    values = _values(rows, 0)
    figure = _figure()
    axes = figure.add_subplot()
    axes.bar(range(len(months)), _zeroed(values), color=PURPLE)
    axes.set_ylabel("Entries to custody")
    _month_ticks(axes, months)
    return Chart(
        table["key"],
        "Entries to custody each month",
        f"Bar chart of how many times people on the cohort went into custody each month from "
        f"{months[0]} to {months[-1]}.{_hidden_note(values)}",
        _finish(figure),
    )


def treatment_chart(table: dict[str, Any]) -> Chart:
    rows = table["rows"][:2]
    labels = []
    targets: list[float | None] = []
    results: list[float | None] = []
    for row in rows:
        requirement = row["label"].split(" ")[0]
        labels += [f"{requirement} starts", f"{requirement} completions"]
        targets += [row["cells"][0]["value"], row["cells"][1]["value"]]
        results += [row["cells"][2]["value"], row["cells"][3]["value"]]
    positions = list(range(len(labels)))
    figure = _figure()
    axes = figure.add_subplot()
    axes.bar([p - 0.2 for p in positions], _zeroed(targets), width=0.4, color=GREY, label="Target")
    axes.bar([p + 0.2 for p in positions], _zeroed(results), width=0.4, color=BLUE, label="Result")
    axes.set_xticks(positions, labels)
    axes.legend(frameon=False, fontsize=9)
    period = rows[0]["label"].split("(", 1)[-1].rstrip(")") if rows else ""
    return Chart(
        table["key"],
        "DRR and ATR starts and completions against target",
        f"Bar chart comparing the targets for DRR and ATR starts and completions with the "
        f"results for {period}.{_hidden_note(results)}",
        _finish(figure),
    )


def cost_chart(table: dict[str, Any]) -> Chart:
    rows = table["rows"][:3]
    labels = [row["label"] for row in rows]
    values = _values(rows, 0)
    figure = _figure(7, 3.2)
    axes = figure.add_subplot()
    axes.bar(range(len(labels)), _zeroed(values), color=[GREY, BLUE, GREEN])
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylabel("Cost (£)")
    axes.yaxis.set_major_formatter(lambda value, _: f"£{value:,.0f}")
    return Chart(
        table["key"],
        "Cost of the cohort's crime before, during and after their time on the cohort",
        "Bar chart of the cost of the cohort's offending in the year before joining, while on "
        f"the cohort, and in the year after leaving.{_hidden_note(values)}",
        _finish(figure),
    )


def action_plan_chart(table: dict[str, Any]) -> Chart:
    rows = table["rows"]
    plans = [textwrap.fill(row["label"], 28) for row in rows] or ["No action plan in the period"]
    figure = _figure(8, max(2.4, 1.4 + 0.7 * len(plans)))
    axes = figure.add_subplot()
    left = [0.0] * len(rows)
    for index, column in enumerate(table["columns"][:-1]):
        values = _zeroed(_values(rows, index))
        if rows:
            axes.barh(
                plans,
                values,
                left=left,
                color=PLAN_COLOURS.get(column["label"], GREY),
                label=column["label"],
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("Actions")
    if rows:
        # Below the bars, so it never hides one.
        axes.legend(
            frameon=False, fontsize=8, ncols=6, loc="upper center", bbox_to_anchor=(0.5, -0.35)
        )
    return Chart(
        table["key"],
        "Action plan progress by RAG",
        "Horizontal stacked bar chart of each action plan's actions by RAG: Red, Amber-Red, "
        "Amber-Green, Green, Complete and Not started.",
        _finish(figure),
    )


DRAWERS = {
    "cohort_by_month": cohort_chart,
    "rag_by_month": rag_chart,
    "custody_by_month": custody_chart,
    "treatment": treatment_chart,
    "cost_table": cost_chart,
    "action_plan": action_plan_chart,
}


def charts_for(figures: dict[str, Any]) -> dict[str, Chart]:
    """{table key: chart} for every table that has one."""
    return {
        table["key"]: DRAWERS[table["key"]](table)
        for table in figures["tables"]
        if table["key"] in DRAWERS
    }
