"""The demo partnership's targets and the unit costs of crime its reports use.

Targets follow the committee papers: the IOM cohort is to grow year on year (the board
raised the current year's target once, so the target's history shows), and the DIP panel
works to probation's DRR and ATR targets. Both are set by the coordinator, for the
financial year the history starts in and the two after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from offenders.models import OffenceType
from panels.models import PanelKind
from reporting.models import Measure, Target, UnitCost

# Cohort size by the end of each year, counted from the history's first financial year.
COHORT_TARGETS = [60, 90, 120]
# The current year's cohort target as first agreed, before the board raised it.
FIRST_CURRENT_TARGET = 100
TREATMENT_TARGETS = {
    Measure.DRR_STARTS: 34,
    Measure.DRR_COMPLETIONS: 17,
    Measure.ATR_STARTS: 28,
    Measure.ATR_COMPLETIONS: 16,
}

UNIT_COST_SOURCE = "Home Office, The economic and social costs of crime, second edition (2018)"
UNIT_COST_PRICE_YEAR = 2016
# Illustrative demo values, not figures quoted from the source: burglary, robbery, theft and
# vehicle crime are near the source's per-offence costs (2015/16 prices); the other types
# are rounded, plausible blends of the source's categories so every type has a cost.
UNIT_COSTS = {
    OffenceType.BURGLARY: "5930",
    OffenceType.ROBBERY: "11320",
    OffenceType.THEFT: "1000",
    OffenceType.VEHICLE: "1750",
    OffenceType.VIOLENCE: "9500",
    OffenceType.SEXUAL: "12000",
    OffenceType.DRUGS: "1200",
    OffenceType.WEAPONS: "2500",
    OffenceType.DAMAGE: "1800",
    OffenceType.PUBLIC_ORDER: "700",
    OffenceType.FRAUD: "1100",
    OffenceType.OTHER: "1000",
}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


@transaction.atomic
def ensure_demo_targets(borough, *, first_year: int) -> int:
    """Set the IOM and DIP targets unless the panels have some; returns how many rows."""
    iom, dip = borough.panels[PanelKind.IOM], borough.panels[PanelKind.DIP]
    if Target.objects.filter(panel__in=[iom, dip]).exists():
        return 0
    coordinator = borough.staff["coordinator"]
    rows = []
    for offset, size in enumerate(COHORT_TARGETS):
        year = first_year + offset
        # Each year's targets are agreed the March before it starts.
        agreed = _at(date(year, 3, 15))
        if offset == len(COHORT_TARGETS) - 1:
            rows.append(
                Target(
                    panel=iom,
                    measure=Measure.COHORT_SIZE,
                    year=year,
                    value=FIRST_CURRENT_TARGET,
                    note="Agreed by the Community Safety Partnership board",
                    set_by=coordinator,
                    set_at=agreed,
                )
            )
            agreed = min(_at(date(year, 7, 10)), timezone.now())
            note = "Raised by the board to take in the cases the pan-London IOM scope adds"
        else:
            note = "Agreed by the Community Safety Partnership board"
        rows.append(
            Target(
                panel=iom,
                measure=Measure.COHORT_SIZE,
                year=year,
                value=size,
                note=note,
                set_by=coordinator,
                set_at=agreed,
            )
        )
        for measure, value in TREATMENT_TARGETS.items():
            rows.append(
                Target(
                    panel=dip,
                    measure=measure,
                    year=year,
                    value=value,
                    note="Probation performance framework",
                    set_by=coordinator,
                    set_at=_at(date(year, 3, 15)),
                )
            )
    Target.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def ensure_demo_unit_costs(borough) -> int:
    """Give every offence type a unit cost unless it has one; returns how many were set."""
    have = set(UnitCost.objects.values_list("offence_type", flat=True))
    rows = [
        UnitCost(
            offence_type=offence_type,
            cost=Decimal(cost),
            source=UNIT_COST_SOURCE,
            price_year=UNIT_COST_PRICE_YEAR,
            set_by=borough.staff["coordinator"],
        )
        for offence_type, cost in UNIT_COSTS.items()
        if offence_type not in have
    ]
    UnitCost.objects.bulk_create(rows)
    return len(rows)
