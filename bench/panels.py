"""The panels' part of `make bench`: cohorts of a known size, a meeting to build an agenda
for, and a monthly list of 5,000 rows to import. Used by bench/runner.py.

The generated boroughs' panels have cohorts of whatever size the generator gave them, so
two panels are added to the first borough with exactly 50 and 1,000 active members drawn
from its people (each with a few RAG reviews, the older ones of them red), coordinated by
the borough's council: the tracker is measured at both sizes in the same run, which is
where a query that grows with the cohort would show.
"""

from __future__ import annotations

import csv
import io
import random
import time
from dataclasses import dataclass, replace
from datetime import timedelta

from django.utils import timezone

from accounts.models import Agency, User
from bench.synthetic import CASE_END, BoroughPlan, borough_people, generated_nominal_ids
from meetings.models import Meeting, MeetingKind
from panels.models import CohortMembership, MembershipStatus, Panel, PanelKind, Rag, RagReview
from sharing.access import recompute_panel_access
from tests.people import Person, corrupt, generate_people

COHORT_SIZES = (50, 1000)
IMPORT_ROWS = 5000


@dataclass(frozen=True)
class PanelTargets:
    cohort_50: int  # panel ids
    cohort_1000: int
    meeting: int  # the 1,000-member panel's next meeting


def _cohort_panel(size: int, people: list[int], council: Agency, author: User) -> Panel:
    panel = Panel.objects.create(
        kind=PanelKind.IOM, name=f"Bench cohort of {size}", coordinating_agency=council
    )
    start = CASE_END - timedelta(days=400)
    CohortMembership.objects.bulk_create(
        CohortMembership(
            nominal_id=pk,
            panel=panel,
            status=MembershipStatus.ACTIVE,
            referred_on=start - timedelta(days=14),
            start=start,
            decided_on=start,
        )
        for pk in people[:size]
    )
    reviews = []
    for index, pk in enumerate(people[:size]):
        for months_ago, rag in ((3, Rag.RED), (2, Rag.AMBER), (1, (Rag.RED, Rag.GREEN)[index % 2])):
            reviews.append(
                RagReview(
                    nominal_id=pk,
                    panel=panel,
                    rag=rag,
                    reviewed_on=CASE_END - timedelta(days=30 * months_ago + index % 20),
                    author=author,
                )
            )
    RagReview.objects.bulk_create(reviews)
    return panel


def prepare_cohorts(plan: BoroughPlan, *, leave_out: set[int]) -> PanelTargets:
    """Two panels of 50 and 1,000 of the first borough's people, and a meeting ahead.

    `leave_out` are the records the profile pages measure: they keep their own panels.
    """
    council = Agency.objects.get(code=f"{plan.code}-council")
    author = User.objects.get(username=f"{plan.code}-coordinator")
    people = [pk for pk in reversed(generated_nominal_ids(plan)) if pk not in leave_out]
    panels = [_cohort_panel(size, people, council, author) for size in COHORT_SIZES]
    meeting = Meeting.objects.create(
        panel=panels[-1], kind=MeetingKind.MAIN, date=timezone.localdate() + timedelta(days=10)
    )
    recompute_panel_access(actor=None)
    return PanelTargets(cohort_50=panels[0].pk, cohort_1000=panels[1].pk, meeting=meeting.pk)


LIST_HEADINGS = ("Surname", "Forename", "DOB", "Gender", "Postcode", "PNC ID", "CRN")


@dataclass(frozen=True)
class MonthlyList:
    data: bytes  # the CSV file
    held: dict[str, int]  # how many rows of each kind it holds
    expected: list[int | None]  # per row, the record it is of (None: a new person)


def monthly_list_csv(plan: BoroughPlan, *, rows: int, seed: int) -> MonthlyList:
    """A source agency's monthly list of `rows` people, as a CSV, and what it holds.

    Half are the borough's known people: most as recorded, with their PNC ID and CRN; some
    typed differently (a typo or a nickname) with no identifiers, as another agency's list
    often has them. The other half are people the borough has never recorded.
    """
    rng = random.Random(f"{seed}:bench-import")  # noqa: S311 (reproducible, not secret)
    known = borough_people(plan, min(rows // 2, plan.nominals))
    expected: list[int | None] = list(generated_nominal_ids(plan)[: len(known)])
    new = generate_people(rows - len(known), seed + 7919)
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(LIST_HEADINGS)
    held = {"known, as recorded": 0, "known, typed differently": 0, "new": 0}
    for person in known:
        if rng.random() < 0.2:
            try:
                person = corrupt(person, rng, rng.choice(("typo", "nickname")))
                person = replace(person, identifiers={})
                held["known, typed differently"] += 1
            except ValueError:
                held["known, as recorded"] += 1
        else:
            held["known, as recorded"] += 1
        writer.writerow(_list_row(person))
    for person in new:
        # No identifiers: another seed's PNC IDs could belong to someone already recorded.
        writer.writerow(_list_row(replace(person, identifiers={})))
        held["new"] += 1
        expected.append(None)
    return MonthlyList(output.getvalue().encode("utf-8"), held, expected)


def _list_row(person: Person) -> list[str]:
    return [
        person.family,
        person.given,
        person.dob.strftime("%d/%m/%Y") if person.dob else "",
        person.gender,
        person.postcode,
        person.identifiers.get("pnc", ""),
        person.identifiers.get("crn", ""),
    ]


@dataclass
class ImportResult:
    rows: int
    seconds: float
    queries: int
    outcomes: dict[str, int]  # rows by outcome after the commit
    held: dict[str, int]
    linked_right: int  # known people linked to their own record
    linked_wrong: int  # rows linked to someone else's record
    known: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def time_import(plan: BoroughPlan, *, seed: int, rows: int = IMPORT_ROWS) -> ImportResult:
    """Import a monthly list of `rows` people onto a new panel of the first borough, from
    upload to commit (rows needing a decision left out), and check every link it made."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cohorts.models import CohortImport, ImportRow
    from cohorts.services.imports import import_run_file

    council = Agency.objects.get(code=f"{plan.code}-council")
    coordinator = User.objects.get(username=f"{plan.code}-coordinator")
    panel = Panel.objects.create(
        kind=PanelKind.IOM, name="Bench monthly list", coordinating_agency=council
    )
    recompute_panel_access(actor=None)
    monthly = monthly_list_csv(plan, rows=rows, seed=seed)
    month = timezone.localdate().replace(day=1)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        import_run_file(
            actor=coordinator,
            panel=panel,
            month=month,
            file_bytes=monthly.data,
            file_name="monthly-list.csv",
        )
        seconds = time.perf_counter() - started
    cohort_import = CohortImport.objects.get(panel=panel)
    outcomes: dict[str, int] = {}
    right = wrong = 0
    for number, outcome, nominal_id in ImportRow.objects.filter(
        cohort_import=cohort_import
    ).values_list("number", "outcome", "nominal_id"):
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        expected = monthly.expected[number - 2]  # row 1 holds the headings
        if outcome == "linked":
            if nominal_id == expected:
                right += 1
            else:
                wrong += 1
    return ImportResult(
        rows=rows,
        seconds=seconds,
        queries=len(captured.captured_queries),
        outcomes=outcomes,
        held=monthly.held,
        linked_right=right,
        linked_wrong=wrong,
        known=sum(1 for pk in monthly.expected if pk is not None),
    )
