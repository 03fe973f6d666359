"""What a set of figures is about: a period, the panels, and the moment they were taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from reporting.periods import Period

# Memberships that were really on the cohort: a referral not yet accepted, or declined,
# never was.
ON_COHORT = ("active", "exited")


@dataclass(frozen=True)
class Scope:
    period: Period
    panel_ids: tuple[int, ...]
    # The day the figures are taken: six-month checks and the time after leaving stop here.
    as_at: date

    def params(self, **extra: Any) -> dict[str, Any]:
        return {
            "start": self.period.start,
            "end": self.period.end,
            "panels": list(self.panel_ids),
            "on_cohort": list(ON_COHORT),
            "as_at": self.as_at,
            **extra,
        }


# Each cohort member's time on the chosen panels within the period, one row per membership,
# people whose records were merged into another left out (their memberships moved with them).
SPANS = """
spans AS (
    SELECT cm.nominal_id,
           greatest(cm.start, %(start)s::date) AS span_start,
           least(coalesce(cm."end", %(end)s::date), %(end)s::date) AS span_end
    FROM panels_cohortmembership cm
    JOIN offenders_nominal n ON n.id = cm.nominal_id AND n.merged_into_id IS NULL
    WHERE cm.panel_id = ANY(%(panels)s)
      AND cm.status = ANY(%(on_cohort)s)
      AND cm.start IS NOT NULL
      AND cm.start <= %(end)s::date
      AND (cm."end" IS NULL OR cm."end" >= %(start)s::date)
)"""


def fetch_one(sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise LookupError("An aggregate query answered no row")
    return tuple(row)


def fetch_all(sql: str, params: dict[str, Any]) -> Sequence[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
