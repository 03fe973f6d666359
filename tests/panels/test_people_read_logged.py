"""Every panel page, download and API read that shows people names each of them in the
access log, all in one insert, so each person's "who has viewed" page lists the reader:
one test per kind of route (agendas, meeting mode and minutes, exports, the cohort pages,
cross-referencing, the monthly list import, case actions, the dashboard, the API)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, User
from cohorts.models import ImportStatus, RowOutcome
from cohorts.services.imports import import_commit, import_map_columns, import_upload
from crossref.models import OverlapEntry
from meetings.models import CaseAction, Meeting
from meetings.services.meeting_mode import minutes_publish
from offenders.models import Nominal
from panels.models import CohortMembership, MembershipStatus
from tests.factories import make_nominal
from tests.panels.import_samples import MAPPING, csv_bytes
from tests.panels.meeting_mode_helpers import add_items, make_meeting, make_people
from tests.panels.test_crossref_review import make_finding, make_mappa, make_run
from tests.panels.test_meeting_mode_minutes import take_register

pytestmark = pytest.mark.django_db

NOMINAL = "offenders.nominal"


def _reads(reader: User, nominal: Nominal) -> list[str]:
    return list(
        AccessLog.objects.filter(
            user=reader, object_type=NOMINAL, object_id=str(nominal.pk)
        ).values_list("endpoint", flat=True)
    )


def read_names_everyone(
    p,
    client_for,
    reader: User,
    people: list[Nominal],
    read: Callable,
    *,
    endpoint: str,
    status: int = 200,
):
    """`read` as `reader` logs each of `people` once, at `endpoint`, in one INSERT with
    all of them; and a governance lead opening each one's "who has viewed" page finds the
    reader there, at that address."""
    for person in people:
        assert endpoint not in _reads(reader, person)
    with CaptureQueriesContext(connection) as captured:
        response = read(client_for(reader))
    assert response.status_code == status
    inserts = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('INSERT INTO "accounts_accesslog"') and NOMINAL in query["sql"]
    ]
    assert len(inserts) == 1, "one insert for everyone the page names"
    lead = client_for(p.governance_lead)
    for person in people:
        assert _reads(reader, person).count(endpoint) == 1
        viewers = lead.get(reverse("offenders:viewers", args=[person.pk])).content.decode()
        assert reader.get_full_name() in viewers
        assert f"<code>{endpoint}</code>" in viewers
    return response


# --- Agendas, meeting mode and minutes ---------------------------------------------------------


@pytest.fixture
def agenda(partnership):
    """A meeting with two people on its agenda, shared with the panel's member agencies,
    and one more person on the cohort not on it."""
    p = partnership
    meeting = make_meeting(p.panel, on=timezone.localdate() + timedelta(days=7))
    on_it = make_people(p.coordinator, p.panel, 2)
    add_items(meeting, on_it)
    Meeting.objects.filter(pk=meeting.pk).update(agenda_shared_on=timezone.now())
    meeting.refresh_from_db()
    other = make_nominal(p.coordinator, given_names="Noton", family_name="Agenda", on_panel=p.panel)
    return meeting, on_it, other


def test_the_agenda_builder_names_the_agenda_and_counts_the_suggestions(
    partnership, client_for, agenda
):
    meeting, on_it, other = agenda
    url = reverse("meetings:agenda", args=[meeting.pk])
    response = read_names_everyone(
        partnership, client_for, partnership.coordinator, on_it, lambda c: c.get(url), endpoint=url
    )
    # The person not on the agenda is counted among the suggestions, not named, so their
    # record is not read here.
    assert other.family_name.upper() not in response.content.decode()
    assert url not in _reads(partnership.coordinator, other)


def test_a_group_of_suggestions_names_the_people_on_its_page(partnership, client_for, agenda):
    meeting, _, other = agenda
    url = reverse("meetings:agenda-group", args=[meeting.pk, "review_due"])
    read_names_everyone(
        partnership,
        client_for,
        partnership.coordinator,
        [other],
        lambda c: c.get(url),
        endpoint=url,
    )


def test_the_person_picker_names_the_people_it_finds(partnership, client_for, agenda):
    meeting, _, other = agenda
    url = reverse("meetings:agenda-people", args=[meeting.pk])
    read_names_everyone(
        partnership,
        client_for,
        partnership.coordinator,
        [other],
        lambda c: c.get(url, {"q": other.family_name}),
        endpoint=url,
    )


@pytest.mark.parametrize("route", ["meetings:meeting", "meetings:agenda-pack"])
def test_a_shared_agenda_and_its_pack_name_everyone_on_them(partnership, client_for, agenda, route):
    meeting, on_it, _ = agenda
    url = reverse(route, args=[meeting.pk])
    read_names_everyone(
        partnership,
        client_for,
        partnership.member_partner,
        on_it,
        lambda c: c.get(url),
        endpoint=url,
    )


def test_meeting_mode_names_everyone_on_the_agenda(partnership, client_for):
    p = partnership
    meeting = make_meeting(p.panel)
    people = make_people(p.coordinator, p.panel, 3)
    add_items(meeting, people)
    url = reverse("meetings:meeting-mode", args=[meeting.pk])
    read_names_everyone(p, client_for, p.coordinator, people, lambda c: c.get(url), endpoint=url)


def test_published_minutes_name_everyone_discussed(partnership, client_for):
    p = partnership
    meeting = make_meeting(p.panel)
    people = make_people(p.coordinator, p.panel, 2)
    add_items(meeting, people)
    take_register(p, meeting)
    minutes_publish(actor=p.coordinator, meeting=meeting)
    url = reverse("meetings:meeting-minutes", args=[meeting.pk])
    read_names_everyone(p, client_for, p.member_partner, people, lambda c: c.get(url), endpoint=url)


# --- The cohort pages and their exports ----------------------------------------------------


def test_the_tracker_names_its_rows_its_referrals_and_its_leavers(partnership, client_for):
    p = partnership
    today = timezone.localdate()
    active = make_nominal(p.coordinator, family_name="Member", on_panel=p.panel)
    referred = make_nominal(
        p.coordinator, family_name="Referred", on_panel=p.panel, status=MembershipStatus.REFERRED
    )
    leaver = make_nominal(p.coordinator, family_name="Leaver", on_panel=p.panel)
    CohortMembership.objects.filter(nominal=leaver).update(
        status=MembershipStatus.EXITED, start=today - timedelta(days=90), end=today
    )
    url = reverse("cohorts:cohort", args=[p.panel.pk])
    response = read_names_everyone(
        p, client_for, p.coordinator, [active, referred, leaver], lambda c: c.get(url), endpoint=url
    )
    body = response.content.decode()
    assert "REFERRED" in body and "LEAVER" in body


@pytest.mark.parametrize("route", ["cohorts:cohort-csv", "cohorts:cohort-xlsx"])
def test_the_cohort_exports_name_everyone_in_the_file(partnership, client_for, route):
    p = partnership
    people = make_people(p.coordinator, p.panel, 3)
    url = reverse(route, args=[p.panel.pk])
    read_names_everyone(p, client_for, p.member_partner, people, lambda c: c.get(url), endpoint=url)


def test_the_refer_page_names_the_recent_people_it_offers(partnership, client_for):
    p = partnership
    people = make_people(p.coordinator, p.panel, 2)
    first = make_nominal(p.coordinator, given_names="Earlier", family_name="Opened")
    then = make_nominal(p.coordinator, given_names="Later", family_name="Opened")
    # Opened lately (their profiles), so the page offers them, latest first; those on the
    # panel already are not offered.
    for person in (first, then):
        AccessLog.objects.create(
            user=p.coordinator,
            agency=p.council,
            outcome=AccessOutcome.ALLOWED,
            object_type=NOMINAL,
            object_id=str(person.pk),
            endpoint=f"/nominals/{person.pk}/",
        )
    url = reverse("cohorts:refer", args=[p.panel.pk])
    response = read_names_everyone(
        p, client_for, p.coordinator, [first, then], lambda c: c.get(url), endpoint=url
    )
    body = response.content.decode()
    assert body.index(then.full_name) < body.index(first.full_name)
    assert all(_reads(p.coordinator, person) == [] for person in people)
    # Offering someone is not opening their record: the next visit offers them in the
    # same order.
    again = client_for(p.coordinator).get(url).content.decode()
    assert again.index(then.full_name) < again.index(first.full_name)


# --- Cross-referencing ---------------------------------------------------------------------------


def test_the_findings_inbox_names_both_records_of_a_finding(partnership, client_for):
    p = partnership
    first = make_nominal(p.coordinator, given_names="Jordan", on_panel=p.panel)
    second = make_nominal(p.partner, given_names="Jordon", on_panel=p.panel)
    make_finding(make_run(), first, second, [p.panel], score=0.96, decision="likely")
    url = reverse("crossref:inbox")
    read_names_everyone(
        p, client_for, p.coordinator, [first, second], lambda c: c.get(url), endpoint=url
    )


@pytest.mark.parametrize("route", ["crossref:overlaps-csv", "crossref:overlaps-xlsx"])
def test_the_overlap_exports_name_everyone_in_the_file(partnership, client_for, route):
    p = partnership
    mappa = make_mappa(p)
    people = make_people(p.coordinator, p.panel, 2)
    for person in people:
        OverlapEntry.objects.create(run=make_run(), nominal=person, panels=[p.panel.pk, mappa.pk])
    url = reverse(route)
    read_names_everyone(p, client_for, p.coordinator, people, lambda c: c.get(url), endpoint=url)


# --- The monthly list import -----------------------------------------------------------------------

MAY = date(2026, 5, 1)


@pytest.fixture
def may_list(partnership, monkeypatch):
    """The May list: one person already recorded but not on the cohort (who joins), one
    new person, and a cohort member who is not on it (who leaves)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 20))
    p = partnership
    joiner = make_nominal(
        p.coordinator,
        given_names="Priya",
        family_name="Shah",
        date_of_birth=date(1985, 3, 2),
    )
    leaver = make_nominal(
        p.coordinator, given_names="Casey", family_name="Leaver", on_panel=p.panel
    )
    rows = [["Shah", "Priya", "02/03/1985", "", ""], ["Newman", "Ashley", "04/04/1994", "", ""]]
    cohort_import = import_upload(
        actor=p.coordinator, panel=p.panel, month=MAY, file_name="may.csv", data=csv_bytes(rows)
    )
    cohort_import = import_map_columns(
        actor=p.coordinator, cohort_import=cohort_import, mapping=MAPPING
    )
    linked = cohort_import.rows.get(number=2)  # the file's line: 1 is its header
    assert linked.outcome == RowOutcome.LINKED and linked.nominal_id == joiner.pk
    return cohort_import, joiner, leaver


def test_the_check_before_import_names_joiners_and_leavers(partnership, client_for, may_list):
    cohort_import, joiner, leaver = may_list
    assert cohort_import.status == ImportStatus.PREVIEW
    url = reverse("cohorts:import", args=[cohort_import.pk])
    read_names_everyone(
        partnership,
        client_for,
        partnership.coordinator,
        [joiner, leaver],
        lambda c: c.get(url),
        endpoint=url,
    )


def test_the_outcome_file_names_every_matched_person(partnership, client_for, may_list):
    cohort_import, joiner, _ = may_list
    url = reverse("cohorts:import-outcome", args=[cohort_import.pk])
    response = read_names_everyone(
        partnership,
        client_for,
        partnership.coordinator,
        [joiner],
        lambda c: c.get(url),
        endpoint=url,
    )
    assert str(joiner.pk) in response.content.decode("utf-8-sig")


def test_the_report_after_import_names_the_people_of_its_rows(partnership, client_for, may_list):
    cohort_import, joiner, _ = may_list
    import_commit(actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=False)
    created = cohort_import.rows.get(number=3).nominal
    url = reverse("cohorts:import", args=[cohort_import.pk])
    read_names_everyone(
        partnership,
        client_for,
        partnership.coordinator,
        [joiner, created],
        lambda c: c.get(url),
        endpoint=url,
    )


# --- Case actions and the dashboard ----------------------------------------------------------------


@pytest.fixture
def probation_actions(partnership):
    p = partnership
    people = make_people(p.coordinator, p.panel, 2)
    for person in people:
        CaseAction.objects.create(
            panel=p.panel,
            nominal=person,
            description="Check in",
            owner_agency=p.probation,
            due=timezone.localdate() + timedelta(days=7),
            created_by=p.coordinator,
        )
    return people


@pytest.mark.parametrize(
    "url",
    [reverse("meetings:case-actions"), reverse("dashboard"), "/api/v1/case-actions/"],
    ids=["action-list", "dashboard", "api-case-actions"],
)
def test_lists_of_actions_name_the_people_they_are_about(
    partnership, client_for, probation_actions, url
):
    read_names_everyone(
        partnership,
        client_for,
        partnership.member_partner,
        probation_actions,
        lambda c: c.get(url),
        endpoint=url,
    )


# --- The API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["agenda-items", "meetings", "crossref-findings"])
def test_api_reads_name_everyone_they_return(partnership, client_for, agenda, kind):
    p = partnership
    meeting, on_it, _ = agenda
    reader, people = p.member_partner, on_it
    url = {"agenda-items": "/api/v1/agenda-items/", "meetings": f"/api/v1/meetings/{meeting.pk}/"}
    if kind == "crossref-findings":
        reader = p.coordinator
        make_finding(make_run(), on_it[0], on_it[1], [p.panel], score=0.96, decision="likely")
        url[kind] = "/api/v1/crossref-findings/"
    read_names_everyone(
        p, client_for, reader, people, lambda c: c.get(url[kind]), endpoint=url[kind]
    )


def test_api_single_reads_name_the_person(partnership, client_for, probation_actions):
    """A membership or a case action read on its own names its person too."""
    p = partnership
    membership = CohortMembership.objects.get(nominal=probation_actions[0], panel=p.panel)
    action = CaseAction.objects.get(nominal=probation_actions[1])
    for url, person in [
        (f"/api/v1/memberships/{membership.pk}/", probation_actions[0]),
        (f"/api/v1/case-actions/{action.pk}/", probation_actions[1]),
    ]:
        response = client_for(p.member_partner).get(url)
        assert response.status_code == 200
        assert _reads(p.member_partner, person) == [url]
