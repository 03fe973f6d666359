"""RAG reviews: how many, how many Green, by month, and whose risk fell or rose."""

from __future__ import annotations

from reporting.figures.scope import Scope, fetch_all, fetch_one
from reporting.figures.values import Column, Count, Row, Share, Table, define

RAG_REVIEWS = define(
    "rag_reviews",
    "RAG reviews held",
    """The number of times the chosen panels decided a person's RAG (Red, Amber or Green
    risk rating) in the period, each review counted once.""",
)
RAG_GREEN = define(
    "rag_green",
    "Reviews ending Green",
    """How many of those reviews gave, or kept, a RAG of Green.""",
)
RAG_BY_MONTH = define(
    "rag_by_month",
    "RAG reviews by month",
    """For each month, the reviews held and the RAG each gave. Blue means the person was in
    custody at the review.""",
)
RAG_FELL = define(
    "rag_fell",
    "Risk fell consistently",
    """Of the people whose RAG was reviewed at least twice in the period, the share whose
    RAG never went up from one review to the next and ended lower than it started (for
    example Red, Red, Amber). Reviews made while the person was in custody (Blue) are left
    out; reviews from all the chosen panels are taken together in date order.""",
)
RAG_ROSE = define(
    "rag_rose",
    "Risk rose consistently",
    """Of the same people, the share whose RAG never went down from one review to the next
    and ended higher than it started (for example Green, Amber, Amber).""",
)

_REVIEWS = """
    FROM panels_ragreview r
    JOIN offenders_nominal n ON n.id = r.nominal_id AND n.merged_into_id IS NULL
    WHERE r.panel_id = ANY(%(panels)s) AND r.reviewed_on BETWEEN %(start)s AND %(end)s"""


def rag_reviews(scope: Scope) -> tuple[Count, Count]:
    """(reviews held, of which Green)."""
    total, green = fetch_one(
        f"SELECT count(*), count(*) FILTER (WHERE r.rag = 'green') {_REVIEWS}", scope.params()
    )
    return Count(total), Count(green)


def rag_by_month(scope: Scope) -> Table:
    from panels.models import Rag

    sql = f"""
        SELECT month::date,
               count(r.id) FILTER (WHERE r.rag = 'red'),
               count(r.id) FILTER (WHERE r.rag = 'amber'),
               count(r.id) FILTER (WHERE r.rag = 'green'),
               count(r.id) FILTER (WHERE r.rag = 'blue'),
               count(r.id)
        FROM generate_series(date_trunc('month', %(start)s::date), %(end)s::date,
                             interval '1 month') AS month
        LEFT JOIN (SELECT r.id, r.rag, r.reviewed_on {_REVIEWS}) r
          ON date_trunc('month', r.reviewed_on) = month
        GROUP BY month ORDER BY month"""
    counts = [(month, counts) for month, *counts in fetch_all(sql, scope.params())]
    rows = [Row(f"{month:%b %Y}", [Count(n) for n in row]) for month, row in counts]
    totals = [Count(sum(row[i] for _, row in counts)) for i in range(5)]
    rows.append(Row("Total", totals))
    columns = [Column(rag.label.split(" ")[0]) for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE)]
    return Table(
        RAG_BY_MONTH, [*columns, Column("All reviews")], rows, total_row=True, total_column=True
    )


def rag_trends(scope: Scope) -> tuple[Share, Share]:
    """(share whose RAG fell consistently, share whose RAG rose consistently)."""
    sql = f"""
        WITH levels AS (
            SELECT r.nominal_id, r.reviewed_on, r.id,
                   CASE r.rag WHEN 'red' THEN 3 WHEN 'amber' THEN 2 WHEN 'green' THEN 1 END AS level
            {_REVIEWS} AND r.rag <> 'blue'
        ),
        steps AS (
            SELECT nominal_id,
                   level - lag(level) OVER (PARTITION BY nominal_id ORDER BY reviewed_on, id) AS change
            FROM levels
        ),
        people AS (
            SELECT nominal_id, count(*) AS reviews,
                   bool_and(change IS NULL OR change <= 0) AND bool_or(change < 0) AS fell,
                   bool_and(change IS NULL OR change >= 0) AND bool_or(change > 0) AS rose
            FROM steps GROUP BY nominal_id
        )
        SELECT count(*) FILTER (WHERE fell), count(*) FILTER (WHERE rose), count(*)
        FROM people WHERE reviews >= 2"""
    fell, rose, reviewed = fetch_one(sql, scope.params())
    return Share(fell, reviewed), Share(rose, reviewed)
