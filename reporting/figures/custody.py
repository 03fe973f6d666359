"""Custody and enforcement while on the cohort: entries to custody, arrests, sentences."""

from __future__ import annotations

from reporting.figures.scope import SPANS, Scope, fetch_all, fetch_one
from reporting.figures.values import Column, Count, Row, Share, Table, define

NOT_ENTERING_CUSTODY = define(
    "not_entering_custody",
    "Did not enter custody",
    """The share of the cohort who did not go into custody (on remand, sentenced or
    recalled) at any time they were on the cohort during the period.""",
)
ARRESTS = define(
    "arrests",
    "Arrests",
    """Arrests recorded on people's timelines while they were on the cohort during the
    period.""",
)
PEOPLE_ARRESTED = define(
    "people_arrested",
    "People arrested",
    """The number of different people in the cohort arrested at least once while on the
    cohort during the period.""",
)
CUSTODY_BY_MONTH = define(
    "custody_by_month",
    "Entries to custody by month",
    """For each month, how many times people on the cohort went into custody (on remand,
    sentenced or recalled).""",
)
CUSTODIAL_OUTCOMES = define(
    "custodial_outcomes",
    "Custodial outcomes by offence",
    """Custodial sentences and recalls to prison that began while people were on the
    cohort during the period, by the offence the sentence was for. Remands are not
    outcomes and are left out.""",
)

# A custody episode counts when it began on a day the person was on the cohort.
_ENTRIES = f"""WITH {SPANS},
    entries AS (
        SELECT DISTINCT c.id, c.nominal_id, c.entered_on, c.reason, c.offence_id
        FROM spans s JOIN offenders_custodyepisode c
          ON c.nominal_id = s.nominal_id AND c.entered_on BETWEEN s.span_start AND s.span_end
    )"""


def not_entering_custody(scope: Scope) -> Share:
    sql = f"""{_ENTRIES}
        SELECT count(DISTINCT s.nominal_id)
                   FILTER (WHERE s.nominal_id NOT IN (SELECT nominal_id FROM entries)),
               count(DISTINCT s.nominal_id)
        FROM spans s"""
    stayed_out, everyone = fetch_one(sql, scope.params())
    return Share(stayed_out, everyone)


def arrests(scope: Scope) -> tuple[Count, Count]:
    """(arrests, different people arrested)."""
    sql = f"""WITH {SPANS},
        arrests AS (
            SELECT DISTINCT e.id, e.nominal_id
            FROM spans s JOIN offenders_caseevent e
              ON e.nominal_id = s.nominal_id AND e.kind = 'arrest'
             AND e.occurred_on BETWEEN s.span_start AND s.span_end
        )
        SELECT count(*), count(DISTINCT nominal_id) FROM arrests"""
    total, people = fetch_one(sql, scope.params())
    return Count(total), Count(people)


def custody_by_month(scope: Scope) -> Table:
    sql = f"""{_ENTRIES}
        SELECT month::date, count(e.id)
        FROM generate_series(date_trunc('month', %(start)s::date), %(end)s::date,
                             interval '1 month') AS month
        LEFT JOIN entries e ON date_trunc('month', e.entered_on) = month
        GROUP BY month ORDER BY month"""
    counts = fetch_all(sql, scope.params())
    rows = [Row(f"{month:%b %Y}", [Count(n)]) for month, n in counts]
    rows.append(Row("Total", [Count(sum(n for _, n in counts))]))
    return Table(CUSTODY_BY_MONTH, [Column("Entries to custody")], rows, total_row=True)


def custodial_outcomes(scope: Scope) -> Table:
    from offenders.models import OffenceType

    sql = f"""{_ENTRIES}
        SELECT CASE WHEN e.reason = 'recall' THEN 'recall'
                    ELSE coalesce(o.offence_type, 'not_recorded') END AS outcome,
               count(*)
        FROM entries e LEFT JOIN offenders_offence o ON o.id = e.offence_id
        WHERE e.reason IN ('sentence', 'recall')
        GROUP BY 1"""
    counts = dict(fetch_all(sql, scope.params()))
    labels = {t.value: t.label for t in OffenceType} | {
        "recall": "Recall on licence or order",
        "not_recorded": "Offence not recorded",
    }
    rows = [
        Row(labels[key], [Count(n)])
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], labels[kv[0]]))
    ]
    rows.append(Row("Total", [Count(sum(counts.values()))]))
    return Table(CUSTODIAL_OUTCOMES, [Column("Sentences and recalls")], rows, total_row=True)
