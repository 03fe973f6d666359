"""Who was on the cohort: its size, its size against target, and its profile."""

from __future__ import annotations

from reporting.figures.scope import SPANS, Scope, fetch_all, fetch_one
from reporting.figures.values import Column, Count, Row, Share, Table, define

COHORT_SIZE = define(
    "cohort_size",
    "Cohort size",
    """The number of different people on the chosen panels' cohorts at any time in the
    period. A person on two of the panels counts once.""",
)
COHORT_AT_END = define(
    "cohort_at_end",
    "Cohort at the end of the period",
    """The number of different people on the cohorts on the period's last day, beside the
    target the panels set for the cohort's size by the end of that financial year.""",
)
FEMALE_SHARE = define(
    "female_share",
    "Women in the cohort",
    """The share of the cohort recorded as female.""",
)
COHORT_BY_MONTH = define(
    "cohort_by_month",
    "Cohort size by month, against target",
    """For each month, the number of different people on the cohorts at any time in that
    month, and the cohort-size target for that month's financial year.""",
)
AGE_PROFILE = define(
    "age_profile",
    "The cohort by age",
    """The cohort by their age on the period's last day. People with no recorded date of
    birth are counted as not known.""",
)
ETHNICITY_PROFILE = define(
    "ethnicity_profile",
    "The cohort by ethnicity",
    """The cohort by the ethnicity recorded on their record, as the recording agency wrote
    it.""",
)
NEED_PROFILE = define(
    "need_profile",
    "The cohort by need",
    """For each reducing-reoffending pathway, how many people in the cohort have a need
    recorded on it (at a low, medium or high level) when the figures are taken. A person
    may have needs on several pathways.""",
)

AGE_BANDS = [
    ("Under 18", 0, 17),
    ("18 to 24", 18, 24),
    ("25 to 34", 25, 34),
    ("35 to 44", 35, 44),
    ("45 to 54", 45, 54),
    ("55 and over", 55, 200),
]


def cohort_size(scope: Scope) -> Count:
    (size,) = fetch_one(
        f"WITH {SPANS} SELECT count(DISTINCT nominal_id) FROM spans", scope.params()
    )
    return Count(size)


def cohort_at_end(scope: Scope) -> Count:
    sql = f"""WITH {SPANS}
        SELECT count(DISTINCT nominal_id) FROM spans WHERE span_end = %(end)s::date"""
    (size,) = fetch_one(sql, scope.params())
    return Count(size)


def female_share(scope: Scope) -> Share:
    sql = f"""WITH {SPANS}
        SELECT count(DISTINCT s.nominal_id) FILTER (WHERE n.gender = 'female'),
               count(DISTINCT s.nominal_id)
        FROM spans s JOIN offenders_nominal n ON n.id = s.nominal_id"""
    women, everyone = fetch_one(sql, scope.params())
    return Share(women, everyone)


def cohort_by_month(scope: Scope, targets: dict[int, int | None]) -> Table:
    """`targets` maps a financial year to the cohort-size target for the chosen panels."""
    from reporting.periods import financial_year_of

    sql = f"""WITH {SPANS}
        SELECT month::date, count(DISTINCT s.nominal_id)
        FROM generate_series(date_trunc('month', %(start)s::date), %(end)s::date,
                             interval '1 month') AS month
        LEFT JOIN spans s
          ON s.span_start < month + interval '1 month' AND s.span_end >= month
        GROUP BY month ORDER BY month"""
    rows = []
    for month, size in fetch_all(sql, scope.params()):
        target = targets.get(financial_year_of(month))
        rows.append(Row(f"{month:%b %Y}", [Count(size), _target_cell(target)]))
    return Table(
        COHORT_BY_MONTH,
        [Column("People on the cohort"), Column("Target", "count", about_people=False)],
        rows,
    )


def _target_cell(target: int | None) -> Count | None:
    return None if target is None else Count(target)


def age_profile(scope: Scope) -> Table:
    sql = f"""WITH {SPANS},
        people AS (SELECT DISTINCT s.nominal_id, n.date_of_birth
                   FROM spans s JOIN offenders_nominal n ON n.id = s.nominal_id)
        SELECT extract(year FROM age(%(end)s::date, date_of_birth))::int AS years, count(*)
        FROM people GROUP BY years"""
    counts = dict(fetch_all(sql, scope.params()))
    rows = [
        Row(
            label,
            [Count(sum(n for age, n in counts.items() if age is not None and low <= age <= high))],
        )
        for label, low, high in AGE_BANDS
    ]
    rows.append(Row("Not known", [Count(counts.get(None, 0))]))
    rows.append(Row("Total", [Count(sum(counts.values()))]))
    return Table(AGE_PROFILE, [Column("People")], rows, total_row=True)


def ethnicity_profile(scope: Scope) -> Table:
    sql = f"""WITH {SPANS},
        people AS (SELECT DISTINCT s.nominal_id, n.ethnicity
                   FROM spans s JOIN offenders_nominal n ON n.id = s.nominal_id)
        SELECT coalesce(nullif(trim(ethnicity), ''), 'Not recorded') AS ethnicity, count(*)
        FROM people GROUP BY 1 ORDER BY count(*) DESC, 1"""
    counts = fetch_all(sql, scope.params())
    rows = [Row(label, [Count(n)]) for label, n in counts]
    rows.append(Row("Total", [Count(sum(n for _, n in counts))]))
    return Table(ETHNICITY_PROFILE, [Column("People")], rows, total_row=True)


def need_profile(scope: Scope) -> Table:
    from offenders.models import Pathway

    sql = f"""WITH {SPANS}
        SELECT need.pathway, count(DISTINCT s.nominal_id)
        FROM spans s JOIN offenders_need need ON need.nominal_id = s.nominal_id
        WHERE need.level IN ('low', 'medium', 'high')
        GROUP BY need.pathway"""
    counts = dict(fetch_all(sql, scope.params()))
    size = cohort_size(scope).value
    rows = [
        Row(
            pathway.label,
            [Count(counts.get(pathway.value, 0)), Share(counts.get(pathway.value, 0), size)],
        )
        for pathway in Pathway
    ]
    return Table(
        NEED_PROFILE,
        [Column("People with this need"), Column("Share of the cohort", "share")],
        rows,
    )
