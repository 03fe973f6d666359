"""Two years and more of Kingsmere's panel work, so last financial year's scrutiny report,
and the year before it to compare with, have believable figures: the IOM cohort growing
with joiners and leavers, its meetings held with RAG reviews and escalations, offending,
arrests and custody before, during and after people's time on it, and the DIP panel's
drug and alcohol treatment requirements.

The history starts on 1 April two financial years before the current one, whenever the demo
is seeded, and runs to yesterday. Everything is drawn from fixed random seeds, planned in
memory (`iom`, `dip`) and written in bulk (`write`). It is added once: its people carry a
local reference starting `KMH-`, and a database that has them gets nothing more.
"""

# The random streams are seeded on purpose, for the same demo every time; none makes a secret.
# ruff: noqa: S311

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from demo.history.dip import plan_dip
from demo.history.iom import IomCalendar, plan_iom
from demo.history.people import PeopleMaker
from demo.history.records import History
from demo.history.write import write_history
from meetings.models import Meeting, MeetingKind, MeetingRule
from meetings.schedule import occurrences
from offenders.models import IdentifierKind, Nominal
from panels.models import Panel, PanelKind, RagScheme
from reporting.periods import financial_year, financial_year_of

REFERENCE_PREFIX = "KMH"
SEED = "kingsmere-history"


@dataclass(frozen=True)
class HistoryAdded:
    since: date
    people: int
    meetings: int
    reviews: int


def history_nominals() -> QuerySet[Nominal]:
    """The people the history added (not the demo's named people)."""
    return Nominal.objects.filter(
        identifiers__kind=IdentifierKind.LOCAL,
        identifiers__value__startswith=f"{REFERENCE_PREFIX}-",
    )


def history_start(today: date) -> date:
    """1 April two financial years back: last year's report has the year before to compare."""
    return financial_year(financial_year_of(today) - 2).start


@transaction.atomic
def ensure_demo_history(borough) -> HistoryAdded | None:
    """Add the history unless it is there already; None when it was."""
    if history_nominals().exists():
        return None
    today = timezone.localdate()
    start = history_start(today)
    yesterday = today - timedelta(days=1)
    panels: dict[str, Panel] = {
        kind.value: borough.panels[kind] for kind in (PanelKind.IOM, PanelKind.DIP)
    }
    rules = {
        (rule.panel.kind, rule.kind): rule
        for rule in MeetingRule.objects.filter(panel__in=panels.values()).select_related("panel")
    }
    # A day that already has the panel's meeting (the demo's minuted IOM main panel of last
    # month) is left as it is.
    taken = set(
        Meeting.objects.filter(panel__in=panels.values(), date__gte=start).values_list(
            "panel__kind", "kind", "date"
        )
    )

    def days(panel: str, kind: str) -> list[date]:
        rule = rules[(panel, kind)]
        return [d for d in occurrences(rule, start, yesterday) if (panel, kind, d) not in taken]

    calendar = IomCalendar(
        main={d.replace(day=1): d for d in days(PanelKind.IOM, MeetingKind.MAIN)},
        mid={d.replace(day=1): d for d in days(PanelKind.IOM, MeetingKind.MID_MONTH)},
        custody_rag=panels[PanelKind.IOM].rag_scheme == RagScheme.RAG_CUSTODY,
    )
    history = History()
    maker = PeopleMaker(random.Random(f"{SEED}-people"), prefix=REFERENCE_PREFIX, as_at=today)
    followed = plan_iom(
        history, random.Random(f"{SEED}-iom"), maker, calendar, start=start, today=today
    )
    plan_dip(
        history,
        random.Random(f"{SEED}-dip"),
        maker,
        [stay for stay, _ in followed],
        days(PanelKind.DIP, MeetingKind.MAIN),
        start=start,
        today=today,
    )
    meetings = write_history(
        history, maker.made, panels=panels, rules=rules, staff=borough.staff, today=today
    )
    return HistoryAdded(start, len(maker.made), meetings, len(history.discussions))
