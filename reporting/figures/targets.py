"""The targets and unit costs in force: the latest value set for each."""

from __future__ import annotations

from decimal import Decimal

from reporting.figures.scope import fetch_all


def targets_for(panel_ids: tuple[int, ...], years: list[int]) -> dict[tuple[str, int], int]:
    """{(measure, year): target} summed over the panels that set one; a measure no panel
    has a target for is missing."""
    sql = """
        SELECT measure, year, sum(value)::int FROM (
            SELECT DISTINCT ON (panel_id, measure, year) measure, year, value
            FROM reporting_target
            WHERE panel_id = ANY(%(panels)s) AND year = ANY(%(years)s)
            ORDER BY panel_id, measure, year, set_at DESC, id DESC
        ) latest GROUP BY measure, year"""
    rows = fetch_all(sql, {"panels": list(panel_ids), "years": years})
    return {(measure, year): value for measure, year, value in rows}


def unit_costs() -> dict[str, Decimal]:
    """{offence type: cost of one offence}, the latest value for each type."""
    sql = """SELECT DISTINCT ON (offence_type) offence_type, cost FROM reporting_unitcost
             ORDER BY offence_type, set_at DESC, id DESC"""
    return dict(fetch_all(sql, {}))


def unit_cost_table() -> list[dict[str, object]]:
    """The unit costs in force with their sources, for the report's notes."""
    from offenders.models import OffenceType

    sql = """SELECT DISTINCT ON (offence_type) offence_type, cost, source, price_year
             FROM reporting_unitcost ORDER BY offence_type, set_at DESC, id DESC"""
    return [
        {
            "offence_type": OffenceType(key).label,
            "cost": float(cost),
            "source": source,
            "price_year": price_year,
        }
        for key, cost, source, price_year in fetch_all(sql, {})
    ]
