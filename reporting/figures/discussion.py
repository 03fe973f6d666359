"""Cases discussed at the panels' meetings, and escalations to the main panel."""

from __future__ import annotations

from reporting.figures.scope import Scope, fetch_one
from reporting.figures.values import Average, Count, define
from reporting.periods import Period

CASES_DISCUSSED = define(
    "cases_discussed",
    "Cases discussed",
    """Every time a person was discussed at one of the chosen panels' meetings held in the
    period. A person discussed at three meetings counts three times.""",
)
PEOPLE_DISCUSSED = define(
    "people_discussed",
    "Different people discussed",
    """The number of different people discussed at those meetings.""",
)
CASES_PER_MONTH = define(
    "cases_per_month",
    "Cases discussed each month, on average",
    """The cases discussed divided by the number of months in the period.""",
)
ESCALATIONS = define(
    "escalations",
    "Escalations to the main panel",
    """Cases discussed at a mid-month meeting that the meeting sent on to the main panel
    for further discussion.""",
)

_ITEMS = """
    FROM meetings_agendaitem i
    JOIN meetings_meeting m ON m.id = i.meeting_id
    JOIN offenders_nominal n ON n.id = i.nominal_id AND n.merged_into_id IS NULL
    WHERE m.panel_id = ANY(%(panels)s) AND m.date BETWEEN %(start)s AND %(end)s
      AND m.status <> 'cancelled' AND i.discussed"""


def discussion(scope: Scope) -> tuple[Count, Count, Average, Count]:
    """(cases discussed, different people, monthly average, escalations)."""
    cases, people, escalations = fetch_one(
        f"""SELECT count(*), count(DISTINCT i.nominal_id),
                   count(*) FILTER (WHERE m.kind = 'mid_month' AND i.escalate)
            {_ITEMS}""",
        scope.params(),
    )
    return Count(cases), Count(people), _monthly(cases, scope.period), Count(escalations)


def _monthly(cases: int, period: Period) -> Average:
    return Average(round(cases / period.month_count, 1), cases)
