"""The cost of the cohort's crime before, during and after their time on the cohort."""

from __future__ import annotations

from decimal import Decimal

from reporting.figures.scope import SPANS, Scope, fetch_one
from reporting.figures.values import Money, define

COST_OF_CRIME = define(
    "cost_of_crime",
    "Cost of crime before, during and after the cohort",
    """What the offences of the people on the cohort in the period cost, at the unit cost
    of each type of offence: in the year before each person joined, while they were on the
    cohort during the period, and in the year after they left (for those who left by the
    period's end, up to the day the figures were taken). An offence type with no unit cost
    counts as nothing.""",
)
ESTIMATED_SAVING = define(
    "estimated_saving",
    "Estimated saving",
    """What the cohort's offending would have cost over their time on the cohort in the
    period had they gone on offending as they did in the year before joining, less what
    their offending while on the cohort did cost. A negative amount means their offending
    cost more while on the cohort.""",
)

_COSTS = f"""WITH {SPANS},
    people AS (
        SELECT cm.nominal_id, min(cm.start) AS joined,
               CASE WHEN bool_or(cm."end" IS NULL) THEN NULL ELSE max(cm."end") END AS left_on
        FROM panels_cohortmembership cm
        WHERE cm.nominal_id IN (SELECT nominal_id FROM spans)
          AND cm.panel_id = ANY(%(panels)s) AND cm.status = ANY(%(on_cohort)s)
          AND cm.start IS NOT NULL AND cm.start <= %(end)s::date
        GROUP BY cm.nominal_id
    ),
    -- Days on the cohort within the period: overlapping memberships (two panels at once)
    -- are merged first, so each day counts once.
    days AS (
        SELECT nominal_id, sum(upper(on_cohort) - lower(on_cohort)) AS days_on
        FROM (SELECT nominal_id,
                     unnest(range_agg(daterange(span_start, span_end, '[]'))) AS on_cohort
              FROM spans GROUP BY nominal_id) merged
        GROUP BY nominal_id
    ),
    costs AS (
        SELECT DISTINCT ON (offence_type) offence_type, cost FROM reporting_unitcost
        ORDER BY offence_type, set_at DESC, id DESC
    ),
    per_person AS (
        SELECT p.nominal_id, d.days_on,
               coalesce(sum(coalesce(c.cost, 0)) FILTER (
                   WHERE o.committed_on >= p.joined - interval '12 months'
                     AND o.committed_on < p.joined), 0) AS before,
               -- Within one of the person's spans, not in a gap between two of them.
               coalesce(sum(coalesce(c.cost, 0)) FILTER (
                   WHERE EXISTS (SELECT 1 FROM spans s
                                 WHERE s.nominal_id = p.nominal_id
                                   AND o.committed_on BETWEEN s.span_start AND s.span_end)),
                   0) AS during,
               coalesce(sum(coalesce(c.cost, 0)) FILTER (
                   WHERE p.left_on IS NOT NULL AND p.left_on <= %(end)s::date
                     AND o.committed_on > p.left_on
                     AND o.committed_on <= least(p.left_on + interval '12 months', %(as_at)s::date)),
                   0) AS after,
               p.left_on IS NOT NULL AND p.left_on <= %(end)s::date AS left_cohort
        FROM people p
        JOIN days d ON d.nominal_id = p.nominal_id
        LEFT JOIN offenders_offence o ON o.nominal_id = p.nominal_id
        LEFT JOIN costs c ON c.offence_type = o.offence_type
        GROUP BY p.nominal_id, d.days_on, p.left_on
    )"""


def cost_of_crime(scope: Scope) -> tuple[Money, Money, Money, Money]:
    """(before, during, after, estimated saving)."""
    sql = f"""{_COSTS}
        SELECT coalesce(sum(before), 0), coalesce(sum(during), 0), coalesce(sum(after), 0),
               coalesce(sum(before * days_on / 365.0 - during), 0),
               count(*), count(*) FILTER (WHERE left_cohort)
        FROM per_person"""
    before, during, after, saving, people, leavers = fetch_one(sql, scope.params())
    pounds = [Decimal(v).quantize(Decimal("1")) for v in (before, during, after, saving)]
    return (
        Money(pounds[0], people),
        Money(pounds[1], people),
        Money(pounds[2], leavers),
        Money(pounds[3], people),
    )
