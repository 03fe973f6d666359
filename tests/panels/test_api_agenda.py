"""Agenda items over the API: the panel's coordinator adds people with a reason, changes the
reason, reorders, removes and records each item's decision; partners get 403, other
boroughs 404, bad input 400 with the field; an agenda names only people the reader sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Verb
from meetings.models import AgendaItem, MeetingKind
from panels.models import RagReview
from tests.factories import make_nominal
from tests.panels.meeting_mode_helpers import add_items, make_action, make_meeting, make_people

pytestmark = pytest.mark.django_db


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


def item_url(item: AgendaItem, name: str = "detail") -> str:
    return reverse(f"agenda-item-{name}", args=[item.pk])


def audited(verb: Verb, target) -> bool:
    return AuditEvent.objects.filter(
        verb=verb, object_type=target._meta.label_lower, object_id=str(target.pk)
    ).exists()


def order(meeting) -> list[int]:
    return list(meeting.items.order_by("position").values_list("pk", flat=True))


@pytest.fixture
def upcoming(partnership):
    return make_meeting(partnership.panel, on=timezone.localdate() + timedelta(days=10))


@pytest.fixture
def people(partnership):
    return make_people(partnership.coordinator, partnership.panel, 3)


@pytest.fixture
def items(upcoming, people):
    return add_items(upcoming, people)


@pytest.fixture
def today_items(partnership, people):
    return add_items(make_meeting(partnership.panel), people)


# --- Adding ----------------------------------------------------------------------------------


def test_coordinator_adds_someone_on_the_cohort_with_a_reason(
    partnership, client_for, upcoming, people
):
    response = post(
        client_for(partnership.coordinator),
        reverse("agenda-item-list"),
        {
            "meeting": upcoming.pk,
            "nominal": people[0].pk,
            "reason": "other",
            "reason_detail": "Victim moved nearby",
        },
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["position"], data["reason"], data["nominal"]["id"]) == (1, "other", people[0].pk)
    item = AgendaItem.objects.get(pk=data["id"])
    assert item.added_by == partnership.coordinator
    assert audited(Verb.AGENDA_ITEM_ADDED, item)


def test_someone_not_on_the_cohort_is_refused_with_the_field(partnership, client_for, upcoming):
    stranger = make_nominal(partnership.partner, family_name="Jarvis")

    response = post(
        client_for(partnership.coordinator),
        reverse("agenda-item-list"),
        {"meeting": upcoming.pk, "nominal": stranger.pk, "reason": "red_rag"},
    )

    assert response.status_code == 400
    assert "not on this panel's cohort" in response.json()["nominal"][0]
    assert not upcoming.items.exists()


def test_the_reason_other_needs_its_detail(partnership, client_for, upcoming, people):
    response = post(
        client_for(partnership.coordinator),
        reverse("agenda-item-list"),
        {"meeting": upcoming.pk, "nominal": people[0].pk, "reason": "other"},
    )

    assert response.status_code == 400
    assert list(response.json()) == ["reason_detail"]


def test_another_boroughs_meeting_and_people_are_refused_like_missing_ones(
    partnership, client_for, upcoming, people
):
    p = partnership
    client = client_for(p.outsider_coordinator)
    body = {"meeting": upcoming.pk, "nominal": people[0].pk, "reason": "red_rag"}

    foreign = post(client, reverse("agenda-item-list"), body)
    missing = post(
        client,
        reverse("agenda-item-list"),
        body | {"meeting": 2_000_000_000, "nominal": 2_000_000_001},
    )

    assert foreign.status_code == missing.status_code == 400
    assert (
        foreign.json()
        == missing.json()
        == {
            "meeting": ["Select a meeting you can see."],
            "nominal": ["Select someone on the panel's cohort."],
        }
    )


def test_partners_may_not_add_to_the_agenda(partnership, client_for, upcoming, people):
    body = {"meeting": upcoming.pk, "nominal": people[0].pk, "reason": "red_rag"}
    response = post(client_for(partnership.partner), reverse("agenda-item-list"), body)

    assert response.status_code == 403
    assert not upcoming.items.exists()


# --- Changing, reordering, removing ------------------------------------------------------------


def test_coordinator_changes_the_reason(partnership, client_for, items):
    response = patch(
        client_for(partnership.coordinator),
        item_url(items[1]),
        {"reason": "other", "reason_detail": "Asked for by the police"},
    )

    assert response.status_code == 200, response.content
    items[1].refresh_from_db()
    assert (items[1].reason, items[1].reason_detail) == ("other", "Asked for by the police")
    assert audited(Verb.AGENDA_ITEM_CHANGED, items[1])


def test_an_empty_change_is_refused_and_changes_nothing(partnership, client_for, items):
    response = patch(client_for(partnership.coordinator), item_url(items[0]), {})

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(verb=Verb.AGENDA_ITEM_CHANGED).exists()


def test_partner_gets_403_and_another_borough_404_for_changing_the_reason(
    partnership, client_for, items
):
    p = partnership
    body = {"reason": "red_rag"}
    assert patch(client_for(p.partner), item_url(items[0]), body).status_code == 403
    assert patch(client_for(p.outsider_coordinator), item_url(items[0]), body).status_code == 404
    items[0].refresh_from_db()
    assert items[0].reason == "review_due"


def test_coordinator_moves_an_item_up_and_down(partnership, client_for, upcoming, items):
    client = client_for(partnership.coordinator)

    response = post(client, item_url(items[2], "move"), {"direction": "up"})

    assert response.status_code == 200, response.content
    assert response.json()["position"] == 2
    assert order(upcoming) == [items[0].pk, items[2].pk, items[1].pk]
    assert audited(Verb.AGENDA_REORDERED, upcoming)
    assert post(client, item_url(items[0], "move"), {"direction": "up"}).status_code == 200
    assert order(upcoming) == [items[0].pk, items[2].pk, items[1].pk]
    assert post(client, item_url(items[0], "move"), {"direction": "sideways"}).status_code == 400


def test_coordinator_removes_someone_not_yet_discussed(partnership, client_for, upcoming, items):
    response = client_for(partnership.coordinator).delete(item_url(items[0]))

    assert response.status_code == 204
    assert order(upcoming) == [items[1].pk, items[2].pk]
    assert list(upcoming.items.order_by("position").values_list("position", flat=True)) == [1, 2]
    assert AuditEvent.objects.filter(
        verb=Verb.AGENDA_ITEM_REMOVED, object_id=str(items[0].pk)
    ).exists()


def test_someone_with_an_action_set_stays_on_the_agenda(partnership, client_for, items):
    make_action(
        items[0],
        partnership.probation,
        due=timezone.localdate() + timedelta(days=5),
        created_by=partnership.coordinator,
    )

    response = client_for(partnership.coordinator).delete(item_url(items[0]))

    assert response.status_code == 400
    assert "stays on its agenda" in response.json()["non_field_errors"][0]
    assert AgendaItem.objects.filter(pk=items[0].pk).exists()


# --- Decisions ---------------------------------------------------------------------------------


def test_coordinator_records_a_decision_kept_as_the_persons_rag_review(
    partnership, client_for, today_items
):
    item = today_items[0]

    response = post(
        client_for(partnership.coordinator),
        item_url(item, "decision"),
        {"discussed": True, "notes": "Re-offended twice; back to weekly visits", "rag": "red"},
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["discussed"], data["rag_decided"]) == (True, "red")
    review = RagReview.objects.get(nominal=item.nominal, meeting=item.meeting)
    assert (review.rag, review.author) == ("red", partnership.coordinator)
    item.refresh_from_db()
    assert item.notes == "Re-offended twice; back to weekly visits"
    assert audited(Verb.ITEM_DISCUSSED, item)
    assert audited(Verb.RAG_RECORDED, review)


def test_a_changed_decision_changes_the_review_in_place_and_keeps_the_notes(
    partnership, client_for, today_items
):
    client = client_for(partnership.coordinator)
    item = today_items[0]
    post(client, item_url(item, "decision"), {"discussed": True, "notes": "Kept", "rag": "red"})

    response = post(client, item_url(item, "decision"), {"discussed": True, "rag": "amber"})

    assert response.status_code == 200
    assert RagReview.objects.filter(nominal=item.nominal).values_list("rag", flat=True).get() == (
        "amber"
    )
    item.refresh_from_db()
    assert item.notes == "Kept"


def test_a_decision_with_bad_input_is_refused_with_the_fields(partnership, client_for, today_items):
    client = client_for(partnership.coordinator)
    item = today_items[0]

    missing = post(client, item_url(item, "decision"), {"notes": "No answer"})
    blue = post(client, item_url(item, "decision"), {"discussed": True, "rag": "blue"})
    escalate = post(client, item_url(item, "decision"), {"discussed": True, "escalate": True})

    assert (missing.status_code, list(missing.json())) == (400, ["discussed"])
    assert (blue.status_code, list(blue.json())) == (400, ["rag"])
    assert escalate.json() == {
        "escalate": ["Only a mid-month panel escalates a case to the main panel"]
    }
    assert not RagReview.objects.exists()


def test_a_mid_month_panel_escalates_to_the_main_panel(partnership, client_for, people):
    [item] = add_items(make_meeting(partnership.panel, kind=MeetingKind.MID_MONTH), people[:1])

    response = post(
        client_for(partnership.coordinator),
        item_url(item, "decision"),
        {"discussed": True, "escalate": True},
    )

    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.escalate


def test_decisions_wait_for_the_meetings_day(partnership, client_for, items):
    response = post(
        client_for(partnership.coordinator), item_url(items[0], "decision"), {"discussed": True}
    )

    assert response.status_code == 400
    assert "recorded from that day" in response.json()["non_field_errors"][0]


def test_partner_gets_403_for_a_decision(partnership, client_for, today_items):
    response = post(
        client_for(partnership.partner), item_url(today_items[0], "decision"), {"discussed": True}
    )

    assert response.status_code == 403
    today_items[0].refresh_from_db()
    assert not today_items[0].discussed


# --- Reading -----------------------------------------------------------------------------------


def test_an_agenda_item_about_someone_the_reader_may_not_see_names_nobody(
    partnership, client_for, upcoming, items
):
    """Probation's person, on the agenda while referred, then declined: the council no
    longer sees them, and the agenda keeps only the numbered item."""
    p = partnership
    probations = make_nominal(p.member_partner, family_name="Irving", on_panel=p.panel)
    [hidden] = add_items(upcoming, [probations])
    probations.memberships.update(status="declined")

    listed = client_for(p.coordinator).get(reverse("agenda-item-list"), {"meeting": upcoming.pk})
    rows = {row["id"]: row for row in listed.json()["results"]}

    assert rows[hidden.pk]["person_visible"] is False
    assert rows[hidden.pk]["nominal"] is None and rows[hidden.pk]["reason"] == ""
    assert "Irving" not in listed.content.decode()
    assert all(rows[item.pk]["person_visible"] for item in items)


def test_members_do_not_see_an_agenda_before_it_is_shared(partnership, client_for, items):
    p = partnership
    assert client_for(p.member_partner).get(item_url(items[0])).status_code == 404
    assert client_for(p.partner).get(item_url(items[0])).status_code == 200


def test_the_agenda_list_takes_the_same_queries_however_long(
    partnership, client_for, upcoming, items, django_assert_max_num_queries
):
    add_items(upcoming, make_people(partnership.coordinator, partnership.panel, 10, prefix="M"))
    client = client_for(partnership.coordinator)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("agenda-item-list"), {"meeting": upcoming.pk}).json()

    assert page["count"] == 13
