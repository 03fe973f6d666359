"""The monthly cross-reference job, run eagerly on a small partnership with people planted
the way agencies really record one person twice, and one person on two panels."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent, Role, Verb
from crossref.models import (
    CrossReferenceChunk,
    CrossReferenceRun,
    FindingKind,
    FindingStatus,
    LinkageModel,
    MatchFinding,
    OverlapEntry,
    RunStatus,
    RunTrigger,
)
from crossref.selectors.records import load_people, people_on_several_panels
from crossref.services import run as crossref_run
from crossref.services.run import request_run, run_crossref
from crossref.tasks import cross_reference, monthly_cross_reference
from offenders.models import Address, Identifier, Nominal
from offenders.services import alias_add, nominal_update
from panels.models import CohortMembership, LeadPanel, MembershipStatus, Panel, PanelKind
from tests.factories import make_nominal, make_panel, make_user
from tests.people import generate_people

pytestmark = pytest.mark.django_db

MONTH = date(2026, 3, 1)


@dataclass
class Planted:
    robert: Nominal  # police: Robert Kinsella, born 9 May 1986
    bob: Nominal  # probation: "Bob" Kinsella, day and month of birth swapped
    nathaniel: Nominal  # Nathaniel Osei
    osei: Nominal  # the same man with given and family names swapped
    catherine: Nominal  # Catherine Mulvaney with a CRN and a PNC ID
    kathryn: Nominal  # Kathryn Mulvaney, no identifiers at all
    darren: Nominal  # twins: same family name, birthday and address
    lee: Nominal
    priya: Nominal  # one person, on the IOM and MAPPA panels
    iom: Panel
    mappa: Panel
    sgv: Panel

    def pair(self, one: Nominal, other: Nominal) -> tuple[int, int]:
        return (min(one.pk, other.pk), max(one.pk, other.pk))


@pytest.fixture
def planted(partnership) -> Planted:
    council, police, probation = partnership.council, partnership.police, partnership.probation
    mappa = make_panel(probation, [council, police], name="Test MAPPA panel", kind=PanelKind.MAPPA)
    sgv = make_panel(council, [police], name="Test SGV panel", kind=PanelKind.SGV)
    officer = make_user(police, Role.PARTNER, username="pete")
    probation_officer = partnership.member_partner
    iom = partnership.panel
    # Other people, so the model has a population to learn from.
    for person in generate_people(40, seed=11):
        make_nominal(
            officer,
            given_names=person.given,
            family_name=person.family,
            date_of_birth=person.dob,
            gender=person.gender,
            postcode=person.postcode,
            identifiers=[(k, v) for k, v in person.identifiers.items() if k in ("pnc", "crn")],
        )
    robert = make_nominal(
        officer,
        given_names="Robert",
        family_name="Kinsella",
        date_of_birth=date(1986, 5, 9),
        gender="male",
        postcode="QA1 2BC",
        on_panel=iom,
    )
    bob = make_nominal(
        probation_officer,
        given_names="Bob",
        family_name="Kinsella",
        date_of_birth=date(1986, 9, 5),
        gender="male",
        postcode="QA1 2BC",
    )
    for nominal, agency in ((robert, police), (bob, probation)):
        Address.objects.create(
            nominal=nominal, line="14 Marsh Lane", postcode="QA1 2BC", recorded_by_agency=agency
        )
    nathaniel = make_nominal(
        officer,
        given_names="Nathaniel",
        family_name="Osei",
        date_of_birth=date(1992, 11, 23),
        gender="male",
        postcode="QB3 4DE",
    )
    osei = make_nominal(
        probation_officer,
        given_names="Osei",
        family_name="Nathaniel",
        date_of_birth=date(1992, 11, 23),
        gender="male",
        postcode="QB3 4DE",
    )
    catherine = make_nominal(
        probation_officer,
        given_names="Catherine",
        family_name="Mulvaney",
        date_of_birth=date(1979, 2, 17),
        gender="female",
        postcode="QC5 6FG",
        identifiers=[("crn", "X123456"), ("pnc", "97/0123456R")],
    )
    kathryn = make_nominal(
        officer,
        given_names="Kathryn",
        family_name="Mulvaney",
        date_of_birth=date(1979, 2, 17),
        gender="female",
        postcode="QC5 6FG",
    )
    darren = make_nominal(
        officer,
        given_names="Darren",
        family_name="Pike",
        date_of_birth=date(1995, 7, 30),
        gender="male",
        postcode="QD7 8HJ",
    )
    lee = make_nominal(
        officer,
        given_names="Lee",
        family_name="Pike",
        date_of_birth=date(1995, 7, 30),
        gender="male",
        postcode="QD7 8HJ",
    )
    priya = make_nominal(
        officer,
        given_names="Priya",
        family_name="Lakhani",
        date_of_birth=date(1988, 1, 4),
        gender="female",
        on_panel=iom,
    )
    _join(priya, mappa)
    return Planted(
        robert, bob, nathaniel, osei, catherine, kathryn, darren, lee, priya, iom, mappa, sgv
    )


def _join(nominal: Nominal, panel: Panel) -> None:
    CohortMembership.objects.create(
        nominal=nominal,
        panel=panel,
        status="active",
        referred_on=date(2026, 1, 5),
        start=date(2026, 1, 12),
    )


def _run(month: date = MONTH) -> CrossReferenceRun:
    """A new month's run, done the way the worker does it."""
    return run_crossref(CrossReferenceRun.objects.create(month=month).pk)


def _again(actor, django_capture_on_commit_callbacks) -> CrossReferenceRun:
    """Ask for the month again on demand; the task runs eagerly when the request commits."""
    with django_capture_on_commit_callbacks(execute=True):
        run = request_run(actor=actor, month=MONTH)
    run.refresh_from_db()
    return run


def _open_pairs(kind: str = FindingKind.DUPLICATE) -> set[tuple[int, int | None]]:
    return set(
        MatchFinding.objects.open().filter(kind=kind).values_list("nominal_a_id", "nominal_b_id")
    )


def _finding(planted: Planted, one: Nominal, other: Nominal) -> MatchFinding:
    a, b = planted.pair(one, other)
    return MatchFinding.objects.open().get(kind=FindingKind.DUPLICATE, nominal_a=a, nominal_b=b)


def _texts(finding: MatchFinding) -> str:
    return " | ".join(item["text"] for item in finding.explanation)


# --- The first run ---------------------------------------------------------------------------


def test_a_coordinators_run_finds_people_recorded_twice_and_explains_why(
    planted, partnership, django_capture_on_commit_callbacks
):
    run = _again(partnership.coordinator, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.COMPLETE
    assert run.trigger == RunTrigger.ON_DEMAND and run.requested_by == partnership.coordinator
    likely = {
        (a, b)
        for a, b, decision in MatchFinding.objects.filter(kind=FindingKind.DUPLICATE).values_list(
            "nominal_a_id", "nominal_b_id", "decision"
        )
        if decision in ("likely", "definite")
    }
    assert likely == {
        planted.pair(planted.robert, planted.bob),
        planted.pair(planted.nathaniel, planted.osei),
        planted.pair(planted.catherine, planted.kathryn),
    }

    kinsella = _finding(planted, planted.robert, planted.bob)
    assert "Bob is a short form of Robert" in _texts(kinsella)
    assert "day and month swapped" in _texts(kinsella)
    assert "Address: same (14 Marsh Lane)" in _texts(kinsella)
    assert kinsella.panels == [planted.iom.pk]  # Robert's panel; Bob is on none
    assert kinsella.run == run and kinsella.last_seen_run == run
    for item in kinsella.explanation:
        assert set(item) == {"field", "level", "weight", "text"}
    assert sum(item["weight"] for item in kinsella.explanation) > 10
    assert "given and family names swapped" in _texts(
        _finding(planted, planted.nathaniel, planted.osei)
    )
    # Kathryn's record carries no identifiers: the names and date still find her.
    mulvaney = _finding(planted, planted.catherine, planted.kathryn)
    assert "spellings of the same name" in _texts(mulvaney)
    assert mulvaney.rule == ""

    # The twins share everything but a given name: never more than a "possible".
    twins = MatchFinding.objects.filter(
        nominal_a=min(planted.darren.pk, planted.lee.pk),
        nominal_b=max(planted.darren.pk, planted.lee.pk),
    ).first()
    if twins is not None:
        assert twins.decision == "possible"
        assert "twins and siblings" in _texts(twins)

    for finding in MatchFinding.objects.filter(kind=FindingKind.DUPLICATE):
        assert finding.model_version == run.model.version
        assert finding.score >= crossref_run.POSSIBLE_THRESHOLD
        assert finding.a_version == finding.nominal_a.version
        assert finding.b_version == finding.nominal_b.version


def test_a_person_on_two_panels_is_an_overlap_with_the_panels_named(planted, partnership):
    run = _run()

    entry = OverlapEntry.objects.get(run=run)
    assert entry.nominal == planted.priya
    assert entry.panels == sorted([planted.iom.pk, planted.mappa.pk])
    assert entry.lead_panel is None
    finding = MatchFinding.objects.open().get(kind=FindingKind.OVERLAP)
    assert finding.nominal_a == planted.priya and finding.nominal_b is None
    assert finding.panels == entry.panels
    assert (finding.score, finding.decision) == (1.0, "definite")
    assert _texts(finding) == "Active on 2 panels: Test IOM panel and Test MAPPA panel"


def test_the_run_records_its_counts_durations_model_and_audit(planted, partnership):
    run = _run()

    duplicates = MatchFinding.objects.filter(kind=FindingKind.DUPLICATE).count()
    assert run.counts == {
        "nominals": Nominal.objects.count(),
        "active_memberships": 3,  # Robert on IOM, Priya on IOM and MAPPA
        "candidate_pairs": run.counts["candidate_pairs"],
        "common_name_blocks_split": 0,
        "common_name_blocks_skipped": 0,
        "records_in_skipped_blocks": 0,
        "duplicates_raised": duplicates,
        "duplicates_still_open": 0,
        "duplicates_left_dismissed": 0,
        "duplicates_awaiting_merge": 0,
        "people_on_several_panels": 1,
        "overlaps_raised": 1,
        "overlaps_still_open": 0,
        "overlaps_with_lead": 0,
        "overlaps_closed": 0,
        "duplicates_found_merged": 0,
        "people_recorded_three_times_or_more": run.counts["people_recorded_three_times_or_more"],
    }
    assert run.counts["candidate_pairs"] >= duplicates >= 3
    assert set(run.durations) == {
        "load",
        "block",
        "estimate",
        "score",
        "group",
        "overlaps",
        "total",
    }
    assert all(seconds >= 0 for seconds in run.durations.values())
    assert run.durations["total"] >= run.durations["score"] + run.durations["estimate"]
    assert run.chunks_total == run.chunks_done == 1
    chunk = CrossReferenceChunk.objects.get(run=run)
    assert (chunk.pairs, chunk.findings) == (run.counts["candidate_pairs"], duplicates)
    assert chunk.done_at is not None
    assert run.started_at <= run.finished_at and run.attempts == 1 and run.error == ""
    assert run.progress_percent == 100

    # The fitted model is kept, so each finding can be explained later by what made it.
    model = LinkageModel.objects.get()
    assert run.model == model and model.engine == "tandem-fs"
    assert model.parameters["version"] == model.version
    assert model.trained_on_pairs == run.counts["candidate_pairs"]
    completed = AuditEvent.objects.get(verb=Verb.CROSSREF_COMPLETED)
    assert completed.actor is None and completed.object_id == str(run.pk)
    assert completed.detail["counts"]["duplicates_raised"] == duplicates


def test_people_merged_away_are_left_out(planted, partnership):
    Nominal.objects.filter(pk=planted.bob.pk).update(merged_into=planted.robert)

    _run()

    assert planted.pair(planted.robert, planted.bob) not in _open_pairs()
    assert planted.pair(planted.nathaniel, planted.osei) in _open_pairs()


# --- Running again ---------------------------------------------------------------------------


def test_running_the_month_again_raises_no_finding_twice(
    planted, partnership, django_capture_on_commit_callbacks
):
    first = _again(partnership.coordinator, django_capture_on_commit_callbacks)
    raised = {
        (kind, a, b): pk
        for pk, kind, a, b in MatchFinding.objects.values_list(
            "pk", "kind", "nominal_a_id", "nominal_b_id"
        )
    }

    again = _again(partnership.coordinator, django_capture_on_commit_callbacks)

    assert again.pk == first.pk and again.status == RunStatus.COMPLETE
    now = {
        (kind, a, b): pk
        for pk, kind, a, b in MatchFinding.objects.values_list(
            "pk", "kind", "nominal_a_id", "nominal_b_id"
        )
    }
    assert now == raised
    assert again.counts["duplicates_raised"] == 0
    assert again.counts["duplicates_still_open"] == first.counts["duplicates_raised"]
    assert (again.counts["overlaps_raised"], again.counts["overlaps_still_open"]) == (0, 1)
    assert OverlapEntry.objects.filter(run=again).count() == 1
    assert again.attempts == 1 and again.chunks_done == again.chunks_total
    assert AuditEvent.objects.filter(verb=Verb.CROSSREF_REQUESTED).count() == 2


def test_next_months_run_marks_open_findings_as_seen_again(planted, partnership):
    march = _run(MONTH)
    april = _run(date(2026, 4, 1))

    finding = _finding(planted, planted.robert, planted.bob)
    assert finding.run == march and finding.last_seen_run == april
    assert april.counts["duplicates_raised"] == 0


def test_a_dismissed_pair_is_not_raised_again_unless_a_record_changes(planted, partnership):
    _run(MONTH)
    finding = _finding(planted, planted.robert, planted.bob)
    finding.status = FindingStatus.DISMISSED
    finding.resolved_by, finding.resolved_at = partnership.coordinator, timezone.now()
    finding.save()

    april = _run(date(2026, 4, 1))

    assert planted.pair(planted.robert, planted.bob) not in _open_pairs()
    assert april.counts["duplicates_left_dismissed"] == 1

    # Probation records Bob's ward: the records are not what was dismissed any more.
    bob = nominal_update(
        actor=partnership.member_partner,
        nominal=planted.bob,
        version=1,
        changes={"ward": "Marsh Ward"},
    )
    may = _run(date(2026, 5, 1))

    raised = _finding(planted, planted.robert, planted.bob)
    assert raised.pk != finding.pk and raised.run == may
    assert (raised.a_version, raised.b_version) == (1, bob.version) == (1, 2)
    assert may.counts["duplicates_left_dismissed"] == 0


def test_a_pair_confirmed_and_waiting_for_the_merge_is_not_raised_again(planted, partnership):
    _run(MONTH)
    finding = _finding(planted, planted.nathaniel, planted.osei)
    finding.status = FindingStatus.CONFIRMED
    finding.save()

    april = _run(date(2026, 4, 1))

    assert planted.pair(planted.nathaniel, planted.osei) not in _open_pairs()
    assert april.counts["duplicates_awaiting_merge"] == 1


def test_an_agreed_lead_panel_stands_until_the_persons_panels_change(planted, partnership):
    _run(MONTH)
    overlap = MatchFinding.objects.open().get(kind=FindingKind.OVERLAP)
    overlap.status, overlap.lead_panel = FindingStatus.LEAD_AGREED, planted.iom
    overlap.save()
    LeadPanel.objects.create(
        nominal=planted.priya, panel=planted.iom, agreed_by=partnership.coordinator, finding=overlap
    )

    april = _run(date(2026, 4, 1))

    assert not MatchFinding.objects.open().filter(kind=FindingKind.OVERLAP).exists()
    assert april.counts["overlaps_with_lead"] == 1 and april.counts["overlaps_raised"] == 0
    assert OverlapEntry.objects.get(run=april).lead_panel == planted.iom

    # Priya is taken on by the SGV panel too: the panels must agree again.
    _join(planted.priya, planted.sgv)
    may = _run(date(2026, 5, 1))

    raised = MatchFinding.objects.open().get(kind=FindingKind.OVERLAP)
    assert raised.panels == sorted([planted.iom.pk, planted.mappa.pk, planted.sgv.pk])
    assert "Test IOM panel was agreed as lead panel when they were on Test IOM panel and " in (
        _texts(raised)
    )
    assert may.counts["overlaps_with_lead"] == 0 and may.counts["overlaps_raised"] == 1
    assert OverlapEntry.objects.get(run=may).lead_panel == planted.iom


def test_an_open_overlap_closes_when_the_person_leaves_all_but_one_panel(planted, partnership):
    _run(MONTH)
    overlap = MatchFinding.objects.open().get(kind=FindingKind.OVERLAP)
    CohortMembership.objects.filter(nominal=planted.priya, panel=planted.mappa).update(
        status=MembershipStatus.EXITED, end=date(2026, 3, 20)
    )

    april = _run(date(2026, 4, 1))

    overlap.refresh_from_db()
    assert overlap.status == FindingStatus.DISMISSED
    assert "no longer on more than one panel" in overlap.resolution_note
    assert april.counts["overlaps_closed"] == 1
    assert not OverlapEntry.objects.filter(run=april).exists()


def test_a_confirmed_pair_merged_later_on_the_persons_record_is_marked_merged(planted, partnership):
    _run(MONTH)
    finding = _finding(planted, planted.robert, planted.bob)
    finding.status = FindingStatus.CONFIRMED
    finding.save()
    # Merged by the agency that owns the records, from the person's record.
    Nominal.objects.filter(pk=planted.bob.pk).update(merged_into=planted.robert)

    april = _run(date(2026, 4, 1))

    finding.refresh_from_db()
    assert finding.status == FindingStatus.MERGED
    assert "merged" in finding.resolution_note
    assert april.counts["duplicates_found_merged"] == 1


# --- Interrupted runs ------------------------------------------------------------------------


class WorkerLost(BaseException):
    """What a killed worker looks like from inside: the run stops where it is."""


def _findings() -> set[tuple]:
    return {
        (kind, a, b, round(score, 9), decision, rule, str(explanation), tuple(panels))
        for kind, a, b, score, decision, rule, explanation, panels in MatchFinding.objects.values_list(
            "kind",
            "nominal_a_id",
            "nominal_b_id",
            "score",
            "decision",
            "rule",
            "explanation",
            "panels",
        )
    }


def test_a_run_interrupted_after_some_chunks_resumes_to_the_same_findings(
    planted, partnership, monkeypatch
):
    monkeypatch.setattr(settings, "CROSSREF_CHUNK_PAIRS", 1)
    estimated = []
    real_estimate, real_chunk = crossref_run.estimate_parameters, crossref_run._score_chunk
    monkeypatch.setattr(
        crossref_run,
        "estimate_parameters",
        lambda *args, **kwargs: estimated.append(1) or real_estimate(*args, **kwargs),
    )
    scored = []

    def dies_after_two_chunks(*args, **kwargs):
        if len(scored) == 2:
            raise WorkerLost
        scored.append(1)
        real_chunk(*args, **kwargs)

    monkeypatch.setattr(crossref_run, "_score_chunk", dies_after_two_chunks)
    run = CrossReferenceRun.objects.create(month=MONTH)
    with pytest.raises(WorkerLost):
        run_crossref(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.chunks_done == 2
    assert run.chunks_total == run.counts["candidate_pairs"] > 2  # chunks remain to do
    assert run.model is not None
    part = _findings()

    # Delivered again to another worker.
    monkeypatch.setattr(crossref_run, "_score_chunk", real_chunk)
    run = run_crossref(run.pk)

    assert run.status == RunStatus.COMPLETE and run.attempts == 2
    assert run.chunks_done == run.chunks_total
    assert len(estimated) == 1  # the second attempt scored with the stored model
    resumed = _findings()
    assert part <= resumed and len(resumed) >= 4
    assert run.counts["duplicates_raised"] == MatchFinding.objects.filter(kind="duplicate").count()

    # The same month run without interruption, from nothing, finds exactly the same.
    MatchFinding.objects.all().delete()
    CrossReferenceRun.objects.all().delete()
    whole = _run()
    assert _findings() == resumed
    assert whole.counts["duplicates_raised"] == run.counts["duplicates_raised"]


def test_a_second_delivery_while_a_worker_holds_the_run_does_nothing(planted, partnership):
    run = CrossReferenceRun.objects.create(month=MONTH)
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other_worker:
        other_worker.execute(
            "SELECT pg_advisory_lock(%s, %s)", [crossref_run._RUN_LOCK_CLASS, run.pk]
        )
        held = run_crossref(run.pk)
        assert held.status == RunStatus.QUEUED and held.attempts == 0
        assert not CrossReferenceChunk.objects.filter(run=run).exists()
        # And asking for the month again while it runs leaves it be.
        run.status = RunStatus.RUNNING
        run.save()
        assert request_run(actor=partnership.coordinator, month=MONTH).status == "running"
        assert not AuditEvent.objects.filter(verb=Verb.CROSSREF_REQUESTED).exists()
        # The other worker finishes; unlocking here rather than by closing the connection,
        # whose end the server may not have processed by the next statement.
        other_worker.execute(
            "SELECT pg_advisory_unlock(%s, %s)", [crossref_run._RUN_LOCK_CLASS, run.pk]
        )

    assert run_crossref(run.pk).status == RunStatus.COMPLETE


def test_a_failed_run_says_where_without_personal_data_and_can_be_run_again(
    planted, partnership, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(records, **kwargs):
        raise ValueError(f"cannot block {records[-1].given} {records[-1].family}")

    monkeypatch.setattr(crossref_run, "block", broken)
    run = CrossReferenceRun.objects.create(month=MONTH)
    with pytest.raises(ValueError):
        run_crossref(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("ValueError in the block step at test_crossref_job.py line ")
    assert "Lakhani" not in run.error and "Priya" not in run.error
    assert run_crossref(run.pk).status == RunStatus.FAILED  # a stale delivery leaves it

    monkeypatch.undo()
    run = _again(partnership.coordinator, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.COMPLETE and run.error == ""


# --- Asking for a run, and the schedule ------------------------------------------------------


def test_beat_queues_the_cross_reference_on_the_first_of_each_month():
    entry = settings.CELERY_BEAT_SCHEDULE["cross-reference-monthly"]
    assert entry["task"] == "crossref.tasks.monthly_cross_reference"
    assert entry["schedule"].day_of_month == {1}
    assert entry["schedule"].hour == {2}
    assert cross_reference.acks_late is True and cross_reference.reject_on_worker_lost is True


def test_the_monthly_task_runs_this_month_once(planted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = monthly_cross_reference.delay().get()
    run = CrossReferenceRun.objects.get(pk=run_id)
    assert run.month == timezone.localdate().replace(day=1)
    assert (run.status, run.trigger, run.requested_by) == ("complete", "scheduled", None)
    requested = AuditEvent.objects.get(verb=Verb.CROSSREF_REQUESTED)
    assert requested.actor is None and requested.detail["trigger"] == "scheduled"

    # Beat firing twice (or a redelivered message) does not run the month again.
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_cross_reference.delay().get() == run_id
    run.refresh_from_db()
    assert run.attempts == 1
    assert CrossReferenceRun.objects.count() == 1


def test_the_task_does_the_run_and_is_safe_to_deliver_twice(planted):
    run = CrossReferenceRun.objects.create(month=MONTH)
    assert cross_reference.delay(run.pk).get()["status"] == "complete"
    findings = MatchFinding.objects.count()
    assert cross_reference.delay(run.pk).get()["status"] == "complete"
    run.refresh_from_db()
    assert run.attempts == 1 and MatchFinding.objects.count() == findings


def test_only_coordinators_and_system_admins_may_ask_for_a_run(partnership):
    for user in (partnership.partner, partnership.member_partner, partnership.committee):
        with pytest.raises(PermissionDenied):
            request_run(actor=user, month=MONTH)
    assert not CrossReferenceRun.objects.exists()
    assert request_run(actor=partnership.system_admin, month=MONTH).status == "queued"


# --- Loading the records ---------------------------------------------------------------------


def test_people_are_loaded_with_identifiers_aliases_and_current_address_in_few_queries(
    planted, partnership, django_assert_num_queries
):
    police = partnership.police
    Identifier.objects.create(
        nominal=planted.priya, kind="local", value="KM-1", recorded_by_agency=police
    )
    alias_add(
        actor=partnership.coordinator,
        nominal=planted.priya,
        given_names="Pri",
        family_name="Shah",
        date_of_birth=date(1988, 4, 1),
    )
    Address.objects.create(
        nominal=planted.priya,
        line="3 Old Road",
        from_date=date(2020, 1, 1),
        to_date=date(2024, 1, 1),
        recorded_by_agency=police,
    )
    Address.objects.create(
        nominal=planted.priya, line="", no_fixed_abode=True, recorded_by_agency=police
    )
    Address.objects.create(
        nominal=planted.priya,
        line="22 Canal Street",
        from_date=date(2024, 1, 2),
        recorded_by_agency=police,
    )
    Address.objects.create(
        nominal=planted.priya,
        line="Hostel, 1 Quay Road",
        from_date=date(2025, 6, 1),
        recorded_by_agency=police,
    )

    with django_assert_num_queries(5):
        people = load_people()

    assert people.ids == sorted(Nominal.objects.values_list("pk", flat=True))
    priya = people.records[people.ids.index(planted.priya.pk)]
    assert (priya.given, priya.family, priya.dob, priya.gender) == (
        "Priya",
        "Lakhani",
        date(1988, 1, 4),
        "female",
    )
    assert priya.aliases == (("Pri", "Shah", date(1988, 4, 1)),)
    assert priya.extra == {"address": "Hostel, 1 Quay Road"}
    assert dict(priya.identifiers) == {}  # a local reference is no one else's business
    index = people.ids.index(planted.catherine.pk)
    assert dict(people.records[index].identifiers) == {"crn": "X123456", "pnc": "97/0123456R"}
    assert people.records[index].extra == {}
    assert people.panels[people.ids.index(planted.priya.pk)] == tuple(
        sorted([planted.iom.pk, planted.mappa.pk])
    )
    planted.priya.refresh_from_db()
    assert people.versions[people.ids.index(planted.priya.pk)] == planted.priya.version
    assert people.active_memberships == 3


def test_only_active_memberships_of_running_panels_make_an_overlap(planted, partnership):
    assert people_on_several_panels() == [
        (planted.priya.pk, 1, sorted([planted.iom.pk, planted.mappa.pk]))
    ]
    # Robert referred to MAPPA but not yet accepted; Priya's MAPPA panel wound up.
    CohortMembership.objects.create(
        nominal=planted.robert, panel=planted.mappa, status="referred", referred_on=MONTH
    )
    Panel.objects.filter(pk=planted.mappa.pk).update(active=False)
    assert people_on_several_panels() == []


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_shows_a_man_recorded_twice_and_people_on_two_panels():
    call_command("seed_demo", stdout=io.StringIO())

    run = CrossReferenceRun.objects.get()
    assert run.status == RunStatus.COMPLETE
    garvey = MatchFinding.objects.open().get(kind=FindingKind.DUPLICATE)
    assert {garvey.nominal_a.given_names, garvey.nominal_b.given_names} == {"Tom", "Thomas"}
    assert garvey.decision in ("likely", "definite")
    assert "Tom is a short form of Thomas" in _texts(garvey)
    overlaps = MatchFinding.objects.open().filter(kind=FindingKind.OVERLAP)
    # Gary Fenwick is on IOM and MAPPA in the demo, for the lead panel journey.
    assert {f.nominal_a.family_name for f in overlaps} == {
        "Okoro",
        "Brennan",
        "Siddiqui",
        "Fenwick",
    }

    findings = MatchFinding.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert MatchFinding.objects.count() == findings
    assert Nominal.objects.filter(family_name="Garvey").count() == 2
    assert CrossReferenceRun.objects.get().attempts == 1


def test_no_action_needed_stands_until_the_persons_panels_change(planted, partnership):
    from crossref.services.review import overlap_close

    _run(MONTH)
    overlap = MatchFinding.objects.open().get(kind=FindingKind.OVERLAP)
    overlap_close(actor=partnership.coordinator, finding=overlap, reason="One shared plan already")

    april = _run(date(2026, 4, 1))
    # Not raised again while Priya is on the same panels, though still on the report.
    assert not MatchFinding.objects.open().filter(kind=FindingKind.OVERLAP).exists()
    assert april.counts["overlaps_raised"] == 0
    assert OverlapEntry.objects.filter(run=april, nominal=planted.priya).exists()

    # Taken on by the SGV panel too: the panels are asked again.
    _join(planted.priya, planted.sgv)
    _run(date(2026, 5, 1))
    raised = MatchFinding.objects.open().get(kind=FindingKind.OVERLAP)
    assert raised.panels == sorted([planted.iom.pk, planted.mappa.pk, planted.sgv.pk])
