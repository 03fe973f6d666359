"""The agenda builder's pages: adding in one click, adding anyone on the cohort with a
reason, reordering, changing reasons, removing, sharing, and who may do each."""

from __future__ import annotations

import re
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
from tests.factories import make_nominal, make_panel
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


def group_url(meeting, reason: str, action: str = "") -> str:
    return url(meeting, f"suggested/{reason}/{action}")


def test_the_builder_counts_each_reason_and_names_nobody_until_a_group_is_opened(
    partnership, client_for, meeting
):
    p = partnership
    for name in ("Redman", "Rudd"):
        review(member(p.coordinator, p.panel, name), p.panel, "red", today(), p.coordinator)
    member(p.coordinator, p.panel, "Waiting", status="referred")
    page = client_for(p.coordinator).get(url(meeting)).content.decode()

    assert "Suggested (3)" in page
    assert "Red RAG (2)</span>" in page
    assert "New referral (1)</span>" in page
    # Each group opens in place with htmx, or on its own page by the link inside it.
    assert f'hx-get="{group_url(meeting, "red_rag")}" hx-trigger="toggle once"' in page
    assert f'href="{group_url(meeting, "red_rag")}">See the 2 people suggested: Red RAG' in page
    for name in ("REDMAN", "RUDD", "WAITING"):
        assert name not in page
    assert page.count("<form") < 10  # the person picker's search, not a form per suggestion


def test_a_group_lists_its_people_25_at_a_time_with_why(partnership, client_for, meeting):
    p = partnership
    for i in range(30):
        person = member(p.coordinator, p.panel, f"Red{i:02}")
        review(person, p.panel, "red", today() - timedelta(days=2), p.coordinator)
    client = client_for(p.coordinator)

    first = client.get(group_url(meeting, "red_rag")).content.decode()
    assert "<h1" in first and "Suggested: Red RAG" in first
    shown = [f"RED{i:02}" for i in range(30) if f"Sam RED{i:02}</a>" in first]
    assert shown == [f"RED{i:02}" for i in range(25)]
    assert "Red at the review on" in first
    assert "Showing 1 to 25 of 30" in first
    assert 'rel="next"' in first  # without JavaScript, pages are links
    assert first.count('name="nominal" type="checkbox"') == 25
    with_boxes = [
        form for form in first.split("<form")[1:] if 'type="checkbox"' in form.split("</form>")[0]
    ]
    assert len(with_boxes) == 1  # one form for the whole group

    second = client.get(group_url(meeting, "red_rag") + "?page=2").content.decode()
    assert [i for i in range(30) if f"Sam RED{i:02}</a>" in second] == list(range(25, 30))
    assert "Showing 26 to 30 of 30" in second


def test_with_htmx_a_group_answers_only_its_part_with_a_show_more_link(
    partnership, client_for, meeting
):
    p = partnership
    for i in range(27):
        review(member(p.coordinator, p.panel, f"Red{i:02}"), p.panel, "red", today(), p.coordinator)
    client = client_for(p.coordinator)
    part = client.get(group_url(meeting, "red_rag"), headers={"HX-Request": "true"})
    text = part.content.decode()
    assert "<html" not in text and "<h1" not in text
    assert 'id="group-red_rag"' in text and 'id="rows-red_rag"' in text
    # "Show more" adds the next page's rows to the same form, and replaces itself.
    more = group_url(meeting, "red_rag") + "?page=2"
    assert f'hx-get="{more}" hx-target="#rows-red_rag" hx-select="#rows-red_rag > tr"' in text
    assert "Show 2 more" in text
    rest = client.get(more, headers={"HX-Request": "true"}).content.decode()
    assert rest.count('type="checkbox"') == 2
    assert "data-first-of-page" in rest  # focus goes to the first row added
    assert "Showing 1 to 27 of 27" in rest
    assert "Show 0 more" not in rest and "hx-get" not in rest


def test_an_unknown_reason_is_not_found(partnership, client_for, meeting):
    client = client_for(partnership.coordinator)
    assert client.get(group_url(meeting, "other")).status_code == 404
    assert client.get(group_url(meeting, "nonsense")).status_code == 404
    assert client.post(group_url(meeting, "other", "add/"), {"add": "all"}).status_code == 404


def test_a_group_lists_only_the_panels_own_cohort(partnership, client_for, meeting):
    p = partnership
    ours = member(p.coordinator, p.panel, "Ours", status="referred")
    elsewhere = make_panel(p.council, [], name="Another panel")
    make_nominal(
        p.coordinator,
        given_names="Sam",
        family_name="Theirs",
        on_panel=elsewhere,
        status="referred",
    )
    member(p.coordinator, p.panel, "Gone", status="declined")
    page = client_for(p.coordinator).get(group_url(meeting, "new_referral")).content.decode()
    assert f'value="{ours.pk}"' in page
    assert "THEIRS" not in page and "GONE" not in page


def test_coordinator_adds_the_people_ticked_in_one_group_with_one_form(
    partnership, client_for, meeting
):
    p = partnership
    people = {name: member(p.coordinator, p.panel, name) for name in ("Ash", "Birch", "Cedar")}
    for person in people.values():
        review(person, p.panel, "red", today() - timedelta(days=3), p.coordinator)
    client = client_for(p.coordinator)

    response = client.post(
        group_url(meeting, "red_rag", "add/"),
        {"add": "selected", "nominal": [people["Cedar"].pk, people["Ash"].pk]},
        follow=True,
    )
    assert "2 people added to the agenda: Red RAG" in response.content.decode()
    # In the order the group lists them, each with the group's reason and its detail.
    assert agenda(meeting) == [(1, "Ash", "red_rag"), (2, "Cedar", "red_rag")]
    assert AgendaItem.objects.get(nominal=people["Ash"]).reason_detail.startswith("Red at the")
    events = AuditEvent.objects.filter(verb=Verb.AGENDA_ITEM_ADDED)
    assert {event.detail["nominal"] for event in events} == {people["Ash"].pk, people["Cedar"].pk}
    # Added, they are no longer suggested; Birch still is.
    page = client.get(url(meeting)).content.decode()
    assert "Red RAG (1)</span>" in page
    group = client.get(group_url(meeting, "red_rag")).content.decode()
    assert "BIRCH" in group and "CEDAR</a>" not in group


def test_ticking_nobody_says_so_on_the_groups_page(partnership, client_for, meeting):
    p = partnership
    review(member(p.coordinator, p.panel, "Ash"), p.panel, "red", today(), p.coordinator)
    client = client_for(p.coordinator)
    response = client.post(group_url(meeting, "red_rag", "add/"), {"add": "selected"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert 'href="#id_nominal">Select at least one person to add to the agenda' in text
    assert 'id="id_nominal"' in text
    assert agenda(meeting) == []
    bad = client.post(group_url(meeting, "red_rag", "add/"), {"nominal": "x"})
    assert "Select people from the list" in bad.content.decode()


def test_someone_ticked_who_is_no_longer_suggested_is_not_added(partnership, client_for, meeting):
    p = partnership
    ash = member(p.coordinator, p.panel, "Ash")
    review(ash, p.panel, "red", today(), p.coordinator)
    green = member(p.coordinator, p.panel, "Green")
    review(green, p.panel, "green", today(), p.coordinator)
    response = client_for(p.coordinator).post(
        group_url(meeting, "red_rag", "add/"), {"nominal": [green.pk]}, follow=True
    )
    assert "Nobody selected is suggested for “Red RAG” now" in response.content.decode()
    assert agenda(meeting) == []


def test_add_all_adds_everyone_suggested_for_one_reason_in_order(partnership, client_for, meeting):
    p = partnership
    for name in ("Carter", "Abbott", "Bishop"):
        member(p.coordinator, p.panel, name, status="referred")
    response = client_for(p.coordinator).post(
        group_url(meeting, "new_referral", "add/"), {"add": "all"}
    )
    assert response.status_code == 302
    assert agenda(meeting) == [
        (1, "Abbott", "new_referral"),
        (2, "Bishop", "new_referral"),
        (3, "Carter", "new_referral"),
    ]
    assert AuditEvent.objects.filter(verb=Verb.AGENDA_ITEM_ADDED).count() == 3


def test_with_htmx_a_move_returns_the_builder_with_what_happened_said_in_place(
    partnership, client_for, meeting
):
    p = partnership
    for i, name in enumerate(("Ash", "Birch")):
        on_agenda(meeting, member(p.coordinator, p.panel, name), position=i + 1)
    item = AgendaItem.objects.get(nominal__family_name="Birch")
    client = client_for(p.coordinator)
    page = client.get(url(meeting)).content.decode()
    # The move and remove buttons are boosted; without JavaScript they post as plain forms.
    assert 'id="agenda-builder" hx-target="#agenda-builder" hx-select="#agenda-builder"' in page
    assert f'action="/panels/agenda-items/{item.pk}/move/" hx-boost="true"' in page
    assert "data-agenda-status" not in page

    response = client.post(
        f"/panels/agenda-items/{item.pk}/move/",
        {"direction": "up"},
        headers={"HX-Request": "true"},
        follow=True,
    )
    text = response.content.decode()
    builder = text[text.index('id="agenda-builder"') :]
    # The message htmx swaps in with the builder, where the coordinator's focus goes.
    assert 'role="status" tabindex="-1" data-agenda-status>Sam BIRCH moved up' in builder
    assert [name for _, name, _ in agenda(meeting)] == ["Birch", "Ash"]


# --- The person picker ---------------------------------------------------------------------


def people_url(meeting) -> str:
    return url(meeting, "people/")


def test_the_picker_finds_cohort_members_by_name_or_identifier(partnership, client_for, meeting):
    p = partnership
    ash = member(p.coordinator, p.panel, "Ashworth", given_names="Kim")
    member(p.coordinator, p.panel, "Ashdown", given_names="Lee")
    tagged = make_nominal(
        p.coordinator,
        given_names="Pat",
        family_name="Quill",
        on_panel=p.panel,
        identifiers=[("local", "LOC-4471")],
    )
    on_agenda(meeting, member(p.coordinator, p.panel, "Ashby", given_names="Kim"))
    make_nominal(p.coordinator, given_names="Kim", family_name="Ashford")  # not on the cohort
    client = client_for(p.coordinator)

    def found(query: str) -> list[str]:
        page = client.get(people_url(meeting), {"q": query}).content.decode()
        return re.findall(r'class="govuk-label govuk-radios__label" for="[^"]+">([^<,]+)', page)

    assert found("ash") == ["Lee ASHDOWN", "Kim ASHWORTH"]  # not Ashby (on it) or Ashford
    assert found("kim ash") == ["Kim ASHWORTH"]  # every word, in either name
    assert found("loc-4471") == ["Pat QUILL"]
    assert found("nobody") == []
    page = client.get(people_url(meeting), {"q": "nobody"}).content.decode()
    assert "Nobody on the cohort who is not on the agenda yet matches “nobody”" in page
    assert ash and tagged


def test_the_picker_lists_at_most_20_and_says_there_are_more(partnership, client_for, meeting):
    p = partnership
    for i in range(22):
        member(p.coordinator, p.panel, f"Smith{i:02}")
    page = client_for(p.coordinator).get(people_url(meeting), {"q": "smith"}).content.decode()
    assert page.count('name="nominal" type="radio"') == 20
    assert "More than 20 people match “smith”" in page


def test_with_htmx_the_picker_answers_only_its_matches(partnership, client_for, meeting):
    p = partnership
    member(p.coordinator, p.panel, "Ashworth")
    client = client_for(p.coordinator)
    builder = client.get(url(meeting)).content.decode()
    assert f'hx-get="{people_url(meeting)}"' in builder
    assert 'id="picker-results"' in builder
    part = client.get(people_url(meeting), {"q": "ash"}, headers={"HX-Request": "true"})
    text = part.content.decode()
    assert "<html" not in text
    assert 'id="picker-status" role="status">1 person matches “ash”.' in text
    assert "Sam ASHWORTH" in text


def test_coordinator_adds_anyone_on_the_cohort_with_a_reason_of_their_own(
    partnership, client_for, meeting
):
    p = partnership
    person = member(p.coordinator, p.panel, "Quiet")
    review(person, p.panel, "green", today(), p.coordinator)
    client = client_for(p.coordinator)

    missing_reason = client.post(
        url(meeting, "add/"), {"nominal": person.pk, "reason": "other", "q": "quiet"}
    )
    assert missing_reason.status_code == 200
    text = missing_reason.content.decode()
    assert "Enter why they are on the agenda" in text
    # The picker again, with the same matches and the person still chosen.
    assert f'value="{person.pk}" checked' in text
    assert agenda(meeting) == []

    response = client.post(
        url(meeting, "add/"),
        {"nominal": person.pk, "reason": "other", "reason_detail": "Police intelligence"},
        follow=True,
    )
    assert "Sam QUIET added to the agenda" in response.content.decode()
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


def test_the_builder_and_a_group_take_the_same_queries_for_5_or_60_members(
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

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    pages = [url(meeting), group_url(meeting, "red_rag"), people_url(meeting) + "?q=few"]
    add_people(5, "Few")
    few = [queries(path) for path in pages]
    add_people(55, "Many")
    many = [queries(path) for path in pages]
    assert few == many
    assert max(many) <= 25


def test_the_builder_logs_only_the_people_it_names(partnership, client_for, meeting):
    p = partnership
    on = member(p.coordinator, p.panel, "Onagenda")
    on_agenda(meeting, on)
    waiting = [
        member(p.coordinator, p.panel, f"Waiting{i:02}", status="referred") for i in range(27)
    ]
    client = client_for(p.coordinator)

    def logged() -> list[str]:
        return list(
            AccessLog.objects.filter(
                user=p.coordinator,
                object_type="offenders.nominal",
                purpose=Purpose.PANEL_PREPARATION,
            )
            .order_by("pk")
            .values_list("object_id", flat=True)
        )

    client.get(url(meeting))
    # The builder names the agenda; the suggestions are counted, not named.
    assert logged() == [str(on.pk)]
    client.get(group_url(meeting, "new_referral") + "?page=2")
    assert sorted(logged()[1:]) == sorted(str(person.pk) for person in waiting[25:])
    client.get(people_url(meeting), {"q": "waiting01"})
    assert logged()[-1:] == [str(waiting[1].pk)]


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
        client.get(url(meeting)),
        client.get(group_url(meeting, "new_referral")),
        client.get(people_url(meeting), {"q": "ash"}),
        client.post(url(meeting, "add/"), {"nominal": person.pk, "reason": "new_referral"}),
        client.post(group_url(meeting, "new_referral", "add/"), {"add": "all"}),
        client.post(url(meeting, "share/"), {"share": "yes"}),
        client.post(f"/panels/agenda-items/{item.pk}/remove/", {"remove": "yes"}),
        client.post(f"/panels/agenda-items/{item.pk}/move/", {"direction": "up"}),
    ]
    codes = [answer.status_code for answer in answers]
    # Before sharing, a member agency does not see the agenda's items at all.
    if persona == "member_partner":
        assert codes == [403] * 6 + [404, 404]
    else:
        assert codes == [status] * 8
    for answer in answers:
        assert b"ASH" not in answer.content
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
