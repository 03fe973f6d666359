"""Cross-referencing over the API: coordinators list the runs and ask for this month's, read
their own panels' open findings (a record they may not see only "known to" its panels, its
words never quoted), and decide them through the same services as the pages; other roles
get 403, another panel's finding 404, bad input 400 with the field to correct, and every
read is in the access log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import psycopg
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Purpose, Role, Verb
from crossref.models import CrossReferenceRun, FindingStatus, MatchFinding, RunStatus
from crossref.services import run as crossref_run
from crossref.services.review import finding_dismiss
from crossref.tasks import cross_reference
from offenders.models import Nominal
from panels.models import LeadPanel
from tests.factories import make_nominal, make_panel, make_user
from tests.panels.test_crossref_review import (
    FEBRUARY,
    make_finding,
    make_mappa,
    make_run,
    put_on,
)

pytestmark = pytest.mark.django_db

JANUARY = date(2026, 1, 1)
CANARY = "Zzyzx-hidden-7Q2X"
RUNS = reverse("crossref-run-list")
FINDINGS = reverse("crossref-finding-list")
NOT_COORDINATORS = (
    "partner",
    "member_partner",
    "committee",
    "agency_admin",
    "system_admin",
)


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def detail_url(finding: MatchFinding) -> str:
    return reverse("crossref-finding-detail", args=[finding.pk])


def action_url(finding: MatchFinding, name: str) -> str:
    return reverse(f"crossref-finding-{name}", args=[finding.pk])


def logged(user, object_type: str = "offenders.nominal", **filters) -> list[str]:
    rows = AccessLog.objects.filter(
        user=user, object_type=object_type, outcome=AccessOutcome.ALLOWED, **filters
    )
    return sorted(rows.values_list("object_id", flat=True))


def denied(user) -> list[AccessLog]:
    return list(AccessLog.objects.filter(user=user, outcome=AccessOutcome.DENIED))


@pytest.fixture
def council_pair(partnership):
    """Two council records of one person on the council's IOM panel."""
    p = partnership
    first = make_nominal(p.coordinator, given_names="Jordan", on_panel=p.panel)
    second = make_nominal(p.partner, given_names="Jordon", on_panel=p.panel)
    finding = make_finding(
        make_run(),
        first,
        second,
        [p.panel],
        score=0.962,
        decision="likely",
        model_version="fs-2026-02",
        explanation=[
            {
                "field": "Given names",
                "level": "similar",
                "weight": 5.3,
                "text": "Jordan and Jordon differ by one letter",
            },
            {"field": "Date of birth", "level": "exact", "weight": 10.5, "text": "Same day"},
        ],
    )
    return first, second, finding


@pytest.fixture
def mappa(partnership):
    """Probation's MAPPA panel: the council neither coordinates nor sees it."""
    return make_mappa(partnership)


@pytest.fixture
def hidden_pair(partnership, mappa):
    """A council record and probation's own record on its MAPPA panel, which the council's
    coordinator may not see; the explanation quotes the hidden record's name."""
    p = partnership
    ours = make_nominal(p.coordinator, on_panel=p.panel)
    theirs = make_nominal(p.member_partner, family_name=f"Ashby {CANARY}", on_panel=mappa)
    finding = make_finding(
        make_run(),
        ours,
        theirs,
        [p.panel, mappa],
        score=0.91,
        explanation=[
            {
                "field": "Family name",
                "level": "similar",
                "weight": 4.2,
                "text": f"Family names Ashby and Ashby {CANARY} are alike",
            }
        ],
    )
    return ours, theirs, mappa, finding


@pytest.fixture
def overlap(partnership, mappa):
    """A council person on the council's IOM panel and probation's MAPPA panel."""
    p = partnership
    person = make_nominal(p.coordinator, family_name="Overlap", on_panel=p.panel)
    put_on(person, mappa)
    finding = make_finding(
        make_run(),
        person,
        None,
        [p.panel, mappa],
        explanation=[{"field": "Panels", "text": f"{person.full_name} is on two panels"}],
    )
    return person, mappa, finding


@pytest.fixture
def elsewhere(partnership):
    """The other borough's possible duplicate, on its own panel."""
    p = partnership
    panel = make_panel(p.outsider, [], name="Elsewhere IOM panel")
    one = make_nominal(p.outsider_partner, family_name="Elsewhere", on_panel=panel)
    two = make_nominal(p.outsider_partner, family_name="Elsewhere", on_panel=panel)
    return make_finding(make_run(), one, two, [panel], score=0.99)


# --- Runs --------------------------------------------------------------------------------------


def test_coordinator_lists_the_runs_newest_first_naming_only_their_own_agencys_staff(
    partnership, client_for
):
    p = partnership
    make_run(JANUARY, counts={"nominals": 4})
    make_run(
        FEBRUARY,
        requested_by=p.coordinator,
        trigger="on_demand",
        counts={"nominals": 6, "candidate_pairs": 9},
        durations={"total": 1.5},
        chunks_total=2,
        chunks_done=2,
    )

    ours = client_for(p.coordinator).get(RUNS).json()["results"]
    theirs = client_for(p.outsider_coordinator).get(RUNS).json()["results"]

    assert [run["month"] for run in ours] == ["2026-02", "2026-01"]
    february = ours[0]
    assert (february["status"], february["trigger"]) == ("complete", "on_demand")
    assert february["counts"] == {"nominals": 6, "candidate_pairs": 9}
    assert (february["chunks_done"], february["progress_percent"]) == (2, 100)
    assert february["requested_by"].endswith(", Council CST")
    assert ours[1]["requested_by"] == "Monthly schedule"
    # Another agency's coordinator is told the agency, not the person.
    assert theirs[0]["requested_by"] == "Council CST"


def test_a_run_is_read_by_its_month_and_a_month_without_one_is_not_found(partnership, client_for):
    make_run(FEBRUARY, status=RunStatus.RUNNING, chunks_total=4, chunks_done=1)
    client = client_for(partnership.coordinator)

    found = client.get(reverse("crossref-run-detail", args=["2026-02"]))
    missing = client.get(reverse("crossref-run-detail", args=["2031-07"]))

    assert found.status_code == 200
    assert (found.json()["status"], found.json()["progress_percent"]) == ("running", 25)
    assert missing.status_code == 404
    [refused] = denied(partnership.coordinator)
    assert (refused.object_type, refused.object_id) == ("crossref.crossreferencerun", "2031-07")


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """The runs handed to the worker (caught where the job table sends them, so they are
    not run here)."""
    runs: list[int] = []
    monkeypatch.setattr(
        cross_reference, "apply_async", lambda args, **options: runs.append(args[0])
    )
    return runs


def test_coordinator_asks_for_this_months_run_and_it_is_sent_to_the_worker(
    partnership, client_for, sent, django_capture_on_commit_callbacks
):
    client = client_for(partnership.coordinator)
    month = timezone.localdate().replace(day=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, RUNS, {"confirm": True})

    assert response.status_code == 201, response.content
    run = CrossReferenceRun.objects.get(month=month)
    assert response.json()["month"] == f"{month:%Y-%m}"
    assert (run.status, run.trigger, run.requested_by) == (
        RunStatus.QUEUED,
        "on_demand",
        partnership.coordinator,
    )
    assert sent == [run.pk]
    assert AuditEvent.objects.filter(verb=Verb.CROSSREF_REQUESTED).count() == 1


def test_asking_for_a_run_without_confirming_starts_nothing(partnership, client_for, sent):
    response = post(client_for(partnership.coordinator), RUNS)

    assert response.status_code == 400
    assert set(response.json()) == {"confirm"}
    assert not CrossReferenceRun.objects.exists() and sent == []


def test_asking_again_the_same_month_keeps_one_run(
    partnership, client_for, sent, django_capture_on_commit_callbacks
):
    client = client_for(partnership.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, RUNS, {"confirm": True})
    with django_capture_on_commit_callbacks(execute=True):
        second = post(client, RUNS, {"confirm": True})

    assert (first.status_code, second.status_code) == (201, 201)
    run = CrossReferenceRun.objects.get()
    assert first.json()["month"] == second.json()["month"]
    # A run still waiting is handed over again; the worker runs a month once at a time.
    assert set(sent) == {run.pk}


@contextmanager
def worker_holding(run: CrossReferenceRun) -> Iterator[None]:
    """Another worker at work on the run: it holds the run's lock on its own connection."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other_worker:
        lock = [crossref_run._RUN_LOCK_CLASS, run.pk]
        other_worker.execute("SELECT pg_advisory_lock(%s, %s)", lock)
        try:
            yield
        finally:
            other_worker.execute("SELECT pg_advisory_unlock(%s, %s)", lock)


def test_asking_for_a_run_a_worker_is_busy_with_leaves_it_running(
    partnership, client_for, sent, django_capture_on_commit_callbacks
):
    run = make_run(timezone.localdate().replace(day=1), status=RunStatus.RUNNING)

    with worker_holding(run), django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(partnership.coordinator), RUNS, {"confirm": True})

    assert response.status_code == 200
    assert response.json()["status"] == "running"
    assert sent == []
    assert not AuditEvent.objects.filter(verb=Verb.CROSSREF_REQUESTED).exists()


# --- Who is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_staff_who_coordinate_no_panel_are_refused_every_endpoint_and_it_is_logged(
    persona, partnership, client_for, council_pair, sent
):
    _, second, finding = council_pair
    user = getattr(partnership, persona)
    client = client_for(user)
    make_run(FEBRUARY)

    answers = [
        client.get(RUNS),
        client.get(reverse("crossref-run-detail", args=["2026-02"])),
        post(client, RUNS, {"confirm": True}),
        client.get(FINDINGS),
        client.get(detail_url(finding)),
        post(client, action_url(finding, "confirm"), {"survivor": second.pk}),
        post(client, action_url(finding, "dismiss"), {"reason": "Twins"}),
        post(client, action_url(finding, "propose-lead"), {"panel": partnership.panel.pk}),
        post(client, action_url(finding, "answer-lead"), {"agree": True}),
    ]

    assert [answer.status_code for answer in answers] == [403] * len(answers)
    assert len(denied(user)) == len(answers)
    assert logged(user) == []
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN and sent == []


def test_another_panels_finding_is_not_found_exactly_like_a_missing_one(
    partnership, client_for, council_pair, elsewhere
):
    _, second, finding = council_pair
    outsider = client_for(partnership.outsider_coordinator)
    missing = MatchFinding.objects.order_by("pk").last().pk + 1000

    for url in (detail_url(finding), reverse("crossref-finding-detail", args=[missing])):
        response = outsider.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    confirm = post(outsider, action_url(finding, "confirm"), {"survivor": second.pk})

    assert confirm.status_code == 404
    refused = [(row.object_type, row.object_id) for row in denied(partnership.outsider_coordinator)]
    assert sorted(refused) == sorted(
        ("crossref.matchfinding", str(pk)) for pk in (finding.pk, missing, finding.pk)
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    # And the council's coordinator does not see the other borough's finding either.
    assert client_for(partnership.coordinator).get(detail_url(elsewhere)).status_code == 404


# --- The inbox ---------------------------------------------------------------------------------


def test_the_inbox_lists_only_open_findings_for_the_coordinators_own_panels(
    partnership, client_for, council_pair, hidden_pair, overlap, elsewhere
):
    p = partnership
    first, second, duplicate = council_pair
    ours, theirs, _, hidden = hidden_pair
    person, _, overlapping = overlap
    decided = make_finding(
        make_run(), make_nominal(p.coordinator), make_nominal(p.coordinator), [p.panel]
    )
    finding_dismiss(actor=p.coordinator, finding=decided, reason="Different people")

    response = client_for(p.coordinator).get(FINDINGS)

    assert response.status_code == 200
    data = response.json()
    # Strongest first; the overlap (scored 1.0) leads.
    assert [row["id"] for row in data["results"]] == [overlapping.pk, duplicate.pk, hidden.pk]
    assert CANARY.casefold() not in response.content.decode().casefold()
    hidden_row = data["results"][2]
    assert hidden_row["records"] == [
        {"id": ours.pk, "visible": True, "name": ours.full_name},
        {"id": theirs.pk, "visible": False, "name": None},
    ]
    assert hidden_row["month"] == "2026-02" and hidden_row["kind"] == "duplicate"
    # The list read, and one row for each person it names.
    assert logged(p.coordinator, "crossref.matchfinding_list") == ["3"]
    named = sorted(str(pk) for pk in (first.pk, second.pk, ours.pk, person.pk))
    assert logged(p.coordinator, purpose=Purpose.DATA_QUALITY) == named


def test_the_inbox_filters_by_kind_and_refuses_an_unknown_one(
    partnership, client_for, council_pair, overlap
):
    client = client_for(partnership.coordinator)
    _, _, overlapping = overlap

    overlaps = client.get(FINDINGS, {"kind": "overlap"})
    wrong = client.get(FINDINGS, {"kind": "everything"})

    assert [row["id"] for row in overlaps.json()["results"]] == [overlapping.pk]
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"kind"}


def test_the_inbox_costs_the_same_number_of_queries_however_long_it_is(
    partnership, client_for, django_assert_max_num_queries
):
    p = partnership
    run = make_run()
    for number in range(12):
        one = make_nominal(p.coordinator, family_name=f"Person{number}", on_panel=p.panel)
        two = make_nominal(p.partner, family_name=f"Person{number}", on_panel=p.panel)
        make_finding(run, one, two, [p.panel], score=0.9)
    client = client_for(p.coordinator)

    # The session, the caller and their roles, their panels, the count and the page with
    # its people, and the two access log writes: none of it per finding.
    with django_assert_max_num_queries(9):
        response = client.get(FINDINGS)

    assert response.json()["count"] == 12


# --- A finding ---------------------------------------------------------------------------------


def test_a_finding_shows_both_records_side_by_side_with_the_explanation_in_words(
    partnership, client_for, council_pair
):
    first, second, finding = council_pair

    response = client_for(partnership.coordinator).get(detail_url(finding))

    assert response.status_code == 200
    data = response.json()
    assert (data["kind"], data["status"], data["score"]) == ("duplicate", "open", 0.962)
    assert (data["decision"], data["model_version"], data["month"]) == (
        "likely",
        "fs-2026-02",
        "2026-02",
    )
    assert data["explanation_quoted"] is True
    assert data["explanation"][0] == {
        "field": "Given names",
        "text": "Jordan and Jordon differ by one letter",
        "band": "Strong evidence for",
        "weight": 5.3,
    }
    records = {record["id"]: record for record in data["records"]}
    assert records[first.pk]["details"]["given_names"] == "Jordan"
    assert records[second.pk]["details"]["given_names"] == "Jordon"
    assert records[first.pk]["panels"][0]["contact"] == "Council CST"
    rows = {row["label"]: row for row in data["comparison"]}
    assert rows["Given names"]["same"] is False and rows["Date of birth"]["same"] is True
    assert data["person"] is None and data["lead_panel"] is None
    assert logged(partnership.coordinator, "crossref.matchfinding") == [str(finding.pk)]
    assert logged(partnership.coordinator, purpose=Purpose.DATA_QUALITY) == sorted(
        [str(first.pk), str(second.pk)]
    )


def test_a_record_the_coordinator_may_not_see_is_only_known_to_its_panel_with_a_contact(
    partnership, client_for, hidden_pair
):
    ours, theirs, _, finding = hidden_pair

    response = client_for(partnership.coordinator).get(detail_url(finding))

    assert response.status_code == 200
    assert CANARY.casefold() not in response.content.decode().casefold()
    data = response.json()
    hidden = next(record for record in data["records"] if record["id"] == theirs.pk)
    assert hidden["visible"] is False and hidden["details"] is None
    assert hidden["known_to"] == "Known to MAPPA panel; contact Probation"
    assert hidden["identifiers"] == [] and hidden["aliases"] == []
    # The explanation names the field compared, not the hidden record's values.
    assert data["explanation_quoted"] is False
    assert data["explanation"][0]["text"] == "Family name"
    assert all(row["same"] is None for row in data["comparison"])
    assert logged(partnership.coordinator) == [str(ours.pk)]


def test_an_overlap_names_the_person_their_panels_and_whom_to_contact(
    partnership, client_for, overlap
):
    person, mappa, finding = overlap

    data = client_for(partnership.coordinator).get(detail_url(finding)).json()

    assert data["person"] == {
        "id": person.pk,
        "visible": True,
        "known_to": "",
        "details": {
            "id": person.pk,
            "given_names": person.given_names,
            "family_name": person.family_name,
            "date_of_birth": "1990-05-17",
        },
    }
    contacts = {panel["id"]: panel["contact"] for panel in data["panel_contacts"]}
    assert contacts == {partnership.panel.pk: "Council CST", mappa.pk: "Probation"}
    assert data["records"] is None and data["explanation_quoted"] is True
    assert logged(partnership.coordinator, purpose=Purpose.PANEL_PREPARATION) == [str(person.pk)]


# --- Decisions ---------------------------------------------------------------------------------


def test_confirming_merges_into_the_record_chosen(partnership, client_for, council_pair):
    first, second, finding = council_pair

    response = post(
        client_for(partnership.coordinator),
        action_url(finding, "confirm"),
        {"survivor": second.pk},
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "merged"
    assert data["resolution_note"] == f"Record {first.pk} was merged into record {second.pk}."
    assert data["resolved_by"].endswith(", Council CST")
    first.refresh_from_db()
    assert first.merged_into_id == second.pk
    assert AuditEvent.objects.filter(verb=Verb.FINDING_CONFIRMED).count() == 1


def test_confirming_a_record_held_elsewhere_names_the_agency_that_must_merge(
    partnership, client_for, hidden_pair
):
    ours, theirs, _, finding = hidden_pair

    response = post(
        client_for(partnership.coordinator), action_url(finding, "confirm"), {"survivor": ours.pk}
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "confirmed"
    assert "so Probation has been asked to agree to the merge" in data["resolution_note"]
    assert not Nominal.objects.filter(merged_into__isnull=False).exists()


def test_a_record_outside_the_pair_cannot_be_kept(partnership, client_for, council_pair):
    _, _, finding = council_pair
    stranger = make_nominal(partnership.coordinator, family_name="Stranger")
    client = client_for(partnership.coordinator)

    for body in ({"survivor": stranger.pk}, {}, {"survivor": "first"}):
        response = post(client, action_url(finding, "confirm"), body)
        assert response.status_code == 400, body
        assert response.json() == {"survivor": ["Choose which of the two records to keep"]}
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_dismissing_without_a_reason_is_refused_and_the_finding_stays_open(
    body, partnership, client_for, council_pair
):
    _, _, finding = council_pair

    response = post(client_for(partnership.coordinator), action_url(finding, "dismiss"), body)

    assert response.status_code == 400
    assert response.json() == {"reason": ["Enter why these are different people"]}
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not AuditEvent.objects.filter(verb=Verb.FINDING_DISMISSED).exists()


def test_dismissing_keeps_the_reason(partnership, client_for, council_pair):
    _, _, finding = council_pair

    response = post(
        client_for(partnership.coordinator),
        action_url(finding, "dismiss"),
        {"reason": "Twins, same address"},
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resolution_note"]) == (
        "dismissed",
        "Twins, same address",
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED


def test_deciding_a_finding_already_decided_changes_nothing(partnership, client_for, council_pair):
    first, _, finding = council_pair
    client = client_for(partnership.coordinator)
    assert post(client, action_url(finding, "dismiss"), {"reason": "Twins"}).status_code == 200

    again = post(client, action_url(finding, "dismiss"), {"reason": "Brothers"})
    confirm = post(client, action_url(finding, "confirm"), {"survivor": first.pk})

    for response in (again, confirm):
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["This finding has already been decided (dismissed)."]
        }
    finding.refresh_from_db()
    assert finding.resolution_note == "Twins"
    first.refresh_from_db()
    assert first.merged_into_id is None
    assert AuditEvent.objects.filter(verb=Verb.FINDING_DISMISSED).count() == 1


def test_a_lead_panel_is_proposed_and_agreed_by_the_other_panels_coordinator(
    partnership, client_for, overlap
):
    person, mappa, finding = overlap

    response = post(
        client_for(partnership.coordinator),
        action_url(finding, "propose-lead"),
        {"panel": mappa.pk},
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "open" and data["lead_panel"] is None
    [proposal] = data["lead_proposals"]
    assert proposal["panel"] == "MAPPA panel" and proposal["status"] == "Waiting for agreement"
    assert {a["panel"]: a["decision"] for a in proposal["answers"]} == {
        partnership.panel.name: "Agreed",
        "MAPPA panel": "Not yet decided",
    }

    mo = make_user(partnership.probation, Role.COORDINATOR, Role.PARTNER, username="mo")
    theirs = client_for(mo)
    without_reason = post(theirs, action_url(finding, "answer-lead"), {"agree": False})
    assert without_reason.status_code == 400
    assert without_reason.json() == {"reason": ["Enter why this panel should not lead"]}

    agreed = post(theirs, action_url(finding, "answer-lead"), {"agree": True})
    assert agreed.status_code == 200, agreed.content
    data = agreed.json()
    assert data["status"] == "lead_agreed"
    assert (data["lead_panel"]["panel"], data["lead_panel"]["name"]) == (mappa.pk, "MAPPA panel")
    assert LeadPanel.objects.get(nominal=person).panel == mappa


def test_answering_with_no_proposal_waiting_is_refused(partnership, client_for, overlap):
    _, _, finding = overlap

    response = post(
        client_for(partnership.coordinator), action_url(finding, "answer-lead"), {"agree": True}
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["There is no lead panel proposal waiting for an answer."]
    }


def test_a_lead_panel_the_person_is_not_on_is_refused(partnership, client_for, overlap):
    person, _, finding = overlap
    other = make_panel(partnership.council, [], name="SGV panel")

    response = post(
        client_for(partnership.coordinator),
        action_url(finding, "propose-lead"),
        {"panel": other.pk},
    )

    assert response.status_code == 400
    assert response.json() == {"panel": ["Choose one of the panels the person is on"]}
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not LeadPanel.objects.filter(nominal=person).exists()


def test_a_decision_for_the_other_kind_of_finding_is_refused(
    partnership, client_for, council_pair, overlap
):
    first, _, duplicate = council_pair
    person, _, overlapping = overlap
    client = client_for(partnership.coordinator)

    answers = [
        post(client, action_url(duplicate, "propose-lead"), {"panel": partnership.panel.pk}),
        post(client, action_url(overlapping, "confirm"), {"survivor": person.pk}),
        post(client, action_url(overlapping, "dismiss"), {"reason": "Different"}),
    ]

    for response in answers:
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["That decision does not apply to this finding."]
        }
    assert MatchFinding.objects.filter(status=FindingStatus.OPEN).count() == 2


# --- The schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_describes_cross_referencing(partnership, client_for):
    response = client_for(partnership.partner).get("/api/v1/schema/")

    assert response.status_code == 200
    for path in (
        b"/api/v1/crossref-runs/",
        b"/api/v1/crossref-runs/{month}/",
        b"/api/v1/crossref-findings/{id}/confirm/",
        b"/api/v1/crossref-findings/{id}/dismiss/",
        b"/api/v1/crossref-findings/{id}/propose-lead/",
        b"/api/v1/crossref-findings/{id}/answer-lead/",
    ):
        assert path in response.content, path
