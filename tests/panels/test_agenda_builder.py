"""The agenda builder's pages: adding in one click, adding anyone on the cohort with a
reason, reordering, changing reasons, removing, sharing, and who may do each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccessLog, AuditEvent, Purpose, Verb
from meetings.models import AgendaItem
from meetings.services.agenda import agenda_item_remove
from panels.models import CohortMembership
from tests.factories import make_nominal
from tests.panels.agenda_helpers import meeting_on, member, on_agenda, review, today


@pytest.fixture
def meeting(partnership):
    return meeting_on(partnership.panel, today() + timedelta(days=14))


def agenda(meeting) -> list[tuple[int, str, str]]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("position", "nominal__family_name", "reason")
    )


def url(meeting, action: str = "") -> str:
    return f"/panels/meetings/{meeting.pk}/agenda/{action}"


def test_coordinator_adds_a_suggestion_in_one_click(partnership, client_for, meeting):
    p = partnership
    red = member(p.coordinator, p.panel, "Redman")
    review(red, p.panel, "red", today() - timedelta(days=3), p.coordinator)
    client = client_for(p.coordinator)

    page = client.get(url(meeting)).content.decode()
    assert 'Add<span class="govuk-visually-hidden"> Sam REDMAN: Red RAG</span>' in page
    response = client.post(
        url(meeting, "add/"),
        {"nominal": red.pk, "reason": "red_rag", "reason_detail": "Red at the review"},
        follow=True,
    )

    assert "Sam REDMAN added to the agenda" in response.content.decode()
    assert agenda(meeting) == [(1, "Redman", "red_rag")]
    item = AgendaItem.objects.get()
    assert (item.reason_detail, item.added_by) == ("Red at the review", p.coordinator)
    event = AuditEvent.objects.get(verb=Verb.AGENDA_ITEM_ADDED)
    assert event.detail["nominal"] == red.pk
    # Added, the person is no longer suggested for any reason.
    page = client.get(url(meeting)).content.decode()
    assert 'Add<span class="govuk-visually-hidden"> Sam REDMAN' not in page


def test_with_htmx_a_click_returns_the_builder_with_what_happened_said_in_place(
    partnership, client_for, meeting
):
    p = partnership
    red = member(p.coordinator, p.panel, "Redman")
    review(red, p.panel, "red", today() - timedelta(days=3), p.coordinator)
    client = client_for(p.coordinator)
    page = client.get(url(meeting)).content.decode()
    # The one-click forms are boosted; without JavaScript they post as plain forms.
    assert 'id="agenda-builder" hx-target="#agenda-builder" hx-select="#agenda-builder"' in page
    assert f'action="{url(meeting, "add/")}" hx-boost="true"' in page
    assert "data-agenda-status" not in page

    response = client.post(
        url(meeting, "add/"),
        {"nominal": red.pk, "reason": "red_rag", "reason_detail": "Red at the review"},
        headers={"HX-Request": "true"},
        follow=True,
    )
    text = response.content.decode()
    builder = text[text.index('id="agenda-builder"') :]
    # The message htmx swaps in with the builder, where the coordinator's focus goes.
    assert 'role="status" tabindex="-1" data-agenda-status>Sam REDMAN added to the agenda' in (
        builder
    )
    assert agenda(meeting) == [(1, "Redman", "red_rag")]


def test_add_all_adds_everyone_suggested_for_one_reason_in_order(partnership, client_for, meeting):
    p = partnership
    for name in ("Carter", "Abbott", "Bishop"):
        member(p.coordinator, p.panel, name, status="referred")
    response = client_for(p.coordinator).post(url(meeting, "add-all/"), {"reason": "new_referral"})
    assert response.status_code == 302
    assert agenda(meeting) == [
        (1, "Abbott", "new_referral"),
        (2, "Bishop", "new_referral"),
        (3, "Carter", "new_referral"),
    ]
    assert AuditEvent.objects.filter(verb=Verb.AGENDA_ITEM_ADDED).count() == 3
    assert client_for(p.coordinator).post(url(meeting, "add-all/"), {}).status_code == 400


def test_coordinator_adds_anyone_on_the_cohort_with_a_reason_of_their_own(
    partnership, client_for, meeting
):
    p = partnership
    person = member(p.coordinator, p.panel, "Quiet")
    review(person, p.panel, "green", today(), p.coordinator)
    client = client_for(p.coordinator)

    missing_reason = client.post(url(meeting, "add/"), {"nominal": person.pk, "reason": "other"})
    assert missing_reason.status_code == 200
    assert "Enter why they are on the agenda" in missing_reason.content.decode()
    assert agenda(meeting) == []

    client.post(
        url(meeting, "add/"),
        {"nominal": person.pk, "reason": "other", "reason_detail": "Police intelligence"},
    )
    assert agenda(meeting) == [(1, "Quiet", "other")]
    assert AgendaItem.objects.get().reason_detail == "Police intelligence"


def test_someone_not_on_the_cohort_cannot_be_added(partnership, client_for, meeting):
    p = partnership
    stranger = make_nominal(p.coordinator, given_names="Not", family_name="Onpanel")
    declined = member(p.coordinator, p.panel, "Declined", status="declined")
    client = client_for(p.coordinator)
    for person in (stranger, declined):
        response = client.post(
            url(meeting, "add/"),
            {"nominal": person.pk, "reason": "other", "reason_detail": "Try"},
        )
        assert response.status_code == 200
        assert "Select someone on the panel" in response.content.decode()
    assert agenda(meeting) == []


def test_reorder_moves_one_place_and_stops_at_the_ends(partnership, client_for, meeting):
    p = partnership
    people = [member(p.coordinator, p.panel, name) for name in ("Ash", "Birch", "Cedar")]
    items = [on_agenda(meeting, person, position=i + 1) for i, person in enumerate(people)]
    client = client_for(p.coordinator)

    client.post(f"/panels/agenda-items/{items[2].pk}/move/", {"direction": "up"})
    assert [name for _, name, _ in agenda(meeting)] == ["Ash", "Cedar", "Birch"]
    client.post(f"/panels/agenda-items/{items[0].pk}/move/", {"direction": "down"})
    assert [name for _, name, _ in agenda(meeting)] == ["Cedar", "Ash", "Birch"]
    assert [position for position, _, _ in agenda(meeting)] == [1, 2, 3]

    client.post(f"/panels/agenda-items/{items[2].pk}/move/", {"direction": "up"})  # first already
    assert [name for _, name, _ in agenda(meeting)] == ["Cedar", "Ash", "Birch"]
    events = AuditEvent.objects.filter(verb=Verb.AGENDA_REORDERED).order_by("pk")
    assert [e.detail["order"] for e in events] == [
        [people[0].pk, people[2].pk, people[1].pk],
        [people[2].pk, people[0].pk, people[1].pk],
    ]
    bad = client.post(f"/panels/agenda-items/{items[0].pk}/move/", {"direction": "sideways"})
    assert bad.status_code == 400


def test_the_builder_offers_move_buttons_that_work_without_javascript(
    partnership, client_for, meeting
):
    p = partnership
    for i, name in enumerate(("Ash", "Birch")):
        on_agenda(meeting, member(p.coordinator, p.panel, name), position=i + 1)
    page = client_for(p.coordinator).get(url(meeting)).content.decode()
    assert page.count('name="direction" value="down"') == 1
    assert page.count('name="direction" value="up"') == 1
    assert 'Move<span class="govuk-visually-hidden"> Sam BIRCH</span> up' in page


def test_coordinator_changes_an_items_reason(partnership, client_for, meeting):
    p = partnership
    item = on_agenda(meeting, member(p.coordinator, p.panel, "Ash"))
    client = client_for(p.coordinator)
    edit = f"/panels/agenda-items/{item.pk}/reason/"
    assert b"Why is Sam ASH on the agenda?" in client.get(edit).content
    assert b"Enter why they are on the agenda" in client.post(edit, {"reason": "other"}).content
    response = client.post(edit, {"reason": "review_due", "reason_detail": "Overdue since May"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.reason, item.reason_detail) == ("review_due", "Overdue since May")
    event = AuditEvent.objects.filter(verb=Verb.AGENDA_ITEM_CHANGED).get()
    assert event.detail["changed_from"] == {"reason": "red_rag"}
    assert event.detail["reason_detail_changed"] is True
    assert "Overdue since May" not in str(event.detail)


def test_coordinator_removes_an_item_and_the_rest_close_up(partnership, client_for, meeting):
    p = partnership
    items = [
        on_agenda(meeting, member(p.coordinator, p.panel, name), position=i + 1)
        for i, name in enumerate(("Ash", "Birch", "Cedar"))
    ]
    client = client_for(p.coordinator)
    assert client.post(f"/panels/agenda-items/{items[0].pk}/remove/").status_code == 400
    assert len(agenda(meeting)) == 3
    client.post(f"/panels/agenda-items/{items[0].pk}/remove/", {"remove": "yes"})
    assert agenda(meeting) == [(1, "Birch", "red_rag"), (2, "Cedar", "red_rag")]
    event = AuditEvent.objects.get(verb=Verb.AGENDA_ITEM_REMOVED)
    assert event.object_id == str(items[0].pk)


def test_a_discussed_item_stays_on_the_agenda(partnership, meeting):
    p = partnership
    item = on_agenda(meeting, member(p.coordinator, p.panel, "Ash"), notes="Discussed at length")
    with pytest.raises(ValidationError, match="has been discussed"):
        agenda_item_remove(actor=p.coordinator, item=item)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_a_cancelled_meetings_agenda_cannot_change(partnership, client_for, meeting):
    p = partnership
    person = member(p.coordinator, p.panel, "Ash", status="referred")
    meeting.status, meeting.status_reason = "cancelled", "No quorum"
    meeting.save()
    client = client_for(p.coordinator)
    page = client.get(url(meeting)).content.decode()
    assert "its agenda can no longer change" in page
    assert "Suggested" not in page
    client.post(url(meeting, "add/"), {"nominal": person.pk, "reason": "new_referral"})
    assert agenda(meeting) == []


def test_the_builder_page_takes_the_same_queries_for_5_or_60_members(
    partnership, client_for, meeting
):
    p = partnership
    client = client_for(p.coordinator)
    mid = meeting_on(p.panel, today() - timedelta(days=7), kind="mid_month", status="held")

    def add_people(count: int, prefix: str) -> None:
        for i in range(count):
            person = member(p.coordinator, p.panel, f"{prefix}{i}")
            review(person, p.panel, "red", today() - timedelta(days=40), p.coordinator)
            on_agenda(mid, person, escalate=True, position=i)
            member(p.coordinator, p.panel, f"{prefix}Referral{i}", status="referred")
        on_agenda(meeting, person, position=count)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(meeting)).status_code == 200
        return len(captured)

    add_people(5, "Few")
    few = queries()
    add_people(55, "Many")
    many = queries()
    assert few == many
    assert many <= 25


def test_the_builder_logs_each_person_it_names(partnership, client_for, meeting):
    p = partnership
    on = member(p.coordinator, p.panel, "Onagenda")
    on_agenda(meeting, on)
    waiting = member(p.coordinator, p.panel, "Waiting", status="referred")
    client_for(p.coordinator).get(url(meeting))
    logged = set(
        AccessLog.objects.filter(
            user=p.coordinator, object_type="offenders.nominal", purpose=Purpose.PANEL_PREPARATION
        ).values_list("object_id", flat=True)
    )
    assert logged == {str(on.pk), str(waiting.pk)}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("partner", 403),
        ("member_partner", 403),
        ("agency_admin", 404),  # no casework: the panel is not theirs to see
        ("governance_lead", 404),
        ("unsigned_partner", 404),
        ("outsider_partner", 404),
        ("outsider_coordinator", 404),
        ("committee", 404),
    ],
)
def test_only_the_coordinator_builds_the_agenda(partnership, client_for, meeting, persona, status):
    p = partnership
    person = member(p.coordinator, p.panel, "Ash", status="referred")
    item = on_agenda(meeting, member(p.coordinator, p.panel, "Birch"))
    client = client_for(getattr(p, persona))
    answers = [
        client.get(url(meeting)).status_code,
        client.post(url(meeting, "add/"), {"nominal": person.pk, "reason": "new_referral"}),
        client.post(url(meeting, "add-all/"), {"reason": "new_referral"}),
        client.post(url(meeting, "share/"), {"share": "yes"}),
        client.post(f"/panels/agenda-items/{item.pk}/remove/", {"remove": "yes"}),
        client.post(f"/panels/agenda-items/{item.pk}/move/", {"direction": "up"}),
    ]
    codes = [a if isinstance(a, int) else a.status_code for a in answers]
    # Before sharing, a member agency does not see the agenda's items at all.
    if persona == "member_partner":
        assert codes == [403, 403, 403, 403, 404, 404]
    else:
        assert codes == [status] * 6
    assert agenda(meeting) == [(1, "Birch", "red_rag")]
    meeting.refresh_from_db()
    assert meeting.agenda_shared_on is None


# --- Sharing -----------------------------------------------------------------------------


def test_sharing_shows_the_agenda_to_member_agencies_and_emails_nobody(
    partnership, client_for, meeting
):
    p = partnership
    person = member(p.coordinator, p.panel, "Ashdown")
    on_agenda(meeting, person, reason="review_due", reason_detail="Last reviewed in March")
    page_url = f"/panels/meetings/{meeting.pk}/"
    member_client = client_for(p.member_partner)

    before = member_client.get(page_url).content.decode()
    assert "The agenda has not been shared yet" in before
    assert "ASHDOWN" not in before and "Last reviewed in March" not in before
    # The coordinating agency's own staff see the agenda while it is built.
    assert "Sam ASHDOWN" in client_for(p.partner).get(page_url).content.decode()

    coordinator = client_for(p.coordinator)
    assert coordinator.post(url(meeting, "share/")).status_code == 400
    response = coordinator.post(url(meeting, "share/"), {"share": "yes"}, follow=True)
    assert "Agenda shared" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.agenda_shared_on is not None
    assert AuditEvent.objects.get(verb=Verb.AGENDA_SHARED).detail == {"items": 1}
    assert mail.outbox == []

    after = member_client.get(page_url).content.decode()
    assert "Sam ASHDOWN" in after
    assert "Review due" in after and "Last reviewed in March" in after
    assert "Build the agenda" not in after
    assert AccessLog.objects.filter(
        user=p.member_partner, object_type="offenders.nominal", object_id=str(person.pk)
    ).exists()
    assert client_for(p.unsigned_partner).get(page_url).status_code == 404


def test_an_empty_agenda_is_not_shared(partnership, client_for, meeting):
    response = client_for(partnership.coordinator).post(
        url(meeting, "share/"), {"share": "yes"}, follow=True
    )
    assert "Add at least one person to the agenda before sharing it" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.agenda_shared_on is None


def test_someone_the_coordinator_can_no_longer_see_is_not_named_on_the_agenda(
    partnership, client_for, meeting
):
    p = partnership
    # Probation's referral, put on the agenda, then declined: the council no longer sees it.
    theirs = member(p.member_partner, p.panel, "Probationcase")
    on_agenda(meeting, theirs, reason="new_referral")
    CohortMembership.objects.filter(nominal=theirs).update(status="declined")
    client = client_for(p.coordinator)
    page = client.get(url(meeting)).content.decode()
    assert "PROBATIONCASE" not in page
    assert "A person known to this panel, whose record you cannot see" in page
    item = AgendaItem.objects.get(nominal=theirs)
    edit = client.get(f"/panels/agenda-items/{item.pk}/reason/").content.decode()
    assert "PROBATIONCASE" not in edit
    moved = client.post(
        f"/panels/agenda-items/{item.pk}/remove/", {"remove": "yes"}, follow=True
    ).content.decode()
    assert "A person known to this panel removed from the agenda" in moved
    assert not AccessLog.objects.filter(
        user=p.coordinator, object_type="offenders.nominal", object_id=str(theirs.pk)
    ).exists()


def test_someone_who_left_the_cohort_after_being_added_is_flagged_on_the_agenda(
    partnership, client_for, meeting
):
    p = partnership
    staying = member(p.coordinator, p.panel, "Staying")
    leaving = member(p.coordinator, p.panel, "Leaving")
    on_agenda(meeting, staying, position=1)
    on_agenda(meeting, leaving, position=2)
    CohortMembership.objects.filter(nominal=leaving, panel=p.panel).update(
        status="exited", end=today()
    )
    page = client_for(p.coordinator).get(f"/panels/meetings/{meeting.pk}/agenda/").content.decode()
    rows = page.split('id="item-')
    flagged = [row for row in rows if "Left the cohort" in row]
    assert len(flagged) == 1 and "LEAVING" in flagged[0]
