"""Drug and alcohol treatment requirements (DRR and ATR): starts, completions, targets."""

from __future__ import annotations

from dataclasses import dataclass

from reporting.figures.scope import Scope, fetch_one
from reporting.figures.values import Count, Share, define

TREATMENT = define(
    "treatment",
    "Drug and alcohol treatment requirements",
    """For each court requirement, Drug Rehabilitation (DRR) and Alcohol Treatment (ATR):
    how many started and how many were completed in the period on the chosen panels,
    against the year's targets; and, of the people who completed one in the period at least
    six months before the figures were taken, the share with no offence recorded in the six
    months after completing. A result is marked met when it reaches the year's target;
    otherwise, for a whole financial year, not met, and for a shorter period, up, down or
    the same as the period it is compared with.""",
)

MET, NOT_MET, UP, DOWN, SAME = "met", "not met", "up", "down", "same"


@dataclass(frozen=True)
class TreatmentResult:
    starts: Count
    completions: Count
    not_reoffending: Share


def treatment_results(scope: Scope, requirement: str) -> TreatmentResult:
    sql = """
        WITH cm AS (
            SELECT cm.nominal_id, cm.treatment_start, cm.treatment_completed
            FROM panels_cohortmembership cm
            JOIN offenders_nominal n ON n.id = cm.nominal_id AND n.merged_into_id IS NULL
            WHERE cm.panel_id = ANY(%(panels)s) AND cm.treatment_requirement = %(requirement)s
              AND cm.status = ANY(%(on_cohort)s)
        ),
        checked AS (
            SELECT cm.nominal_id, cm.treatment_completed,
                   EXISTS (SELECT 1 FROM offenders_offence o
                           WHERE o.nominal_id = cm.nominal_id
                             AND o.committed_on > cm.treatment_completed
                             AND o.committed_on <= cm.treatment_completed + interval '6 months'
                   ) AS reoffended
            FROM cm
            WHERE cm.treatment_completed BETWEEN %(start)s AND %(end)s
              AND cm.treatment_completed + interval '6 months' <= %(as_at)s::date
        )
        SELECT (SELECT count(*) FROM cm WHERE treatment_start BETWEEN %(start)s AND %(end)s),
               (SELECT count(*) FROM cm WHERE treatment_completed BETWEEN %(start)s AND %(end)s),
               (SELECT count(*) FILTER (WHERE NOT reoffended) FROM checked),
               (SELECT count(*) FROM checked)"""
    starts, completions, clean, checked = fetch_one(sql, scope.params(requirement=requirement))
    return TreatmentResult(Count(starts), Count(completions), Share(clean, checked))


def mark(result: int, target: int | None, previous: int | None, *, whole_year: bool) -> str:
    """The seed report's marks: met when the target is reached; for a whole year, not met
    otherwise; for part of a year, whether the result is up or down on the comparison."""
    if target is not None and result >= target:
        return MET
    if whole_year and target is not None:
        return NOT_MET
    if previous is None:
        return ""
    if result > previous:
        return UP
    if result < previous:
        return DOWN
    return SAME
