"""In-app notifications: sent once per key, read and marked read by their own person only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, Notification
from accounts.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_unread_count,
    notify,
)

LIST = "/sharing/notifications/"


def send(user, key: str, *, text: str | None = None, minutes_ago: int = 0) -> Notification:
    notification = notify(
        user=user,
        kind="test",
        key=key,
        text=text or f"Notification {key}",
        url=f"/action-plan/?n={key}",
    )
    if minutes_ago:
        notification.created_at = timezone.now() - timedelta(minutes=minutes_ago)
        notification.save(update_fields=["created_at"])
    return notification


# --- Services ------------------------------------------------------------------------------


def test_notify_sends_once_per_kind_and_key(partnership):
    bob = partnership.member_partner
    first = send(bob, "1")

    assert notify(user=bob, kind="test", key="1", text="Again", url="/") is None
    assert notify(user=bob, kind="other", key="1", text="Other kind", url="/") is not None
    assert notify(user=partnership.partner, kind="test", key="1", text="Carol", url="/")
    assert Notification.objects.get(user=bob, kind="test").text == first.text


@pytest.mark.parametrize(
    "url", ["https://example.org/", "//example.org/", "/\\example.org", "javascript:alert(1)", ""]
)
def test_notify_refuses_links_that_leave_the_service(partnership, url):
    with pytest.raises(ValidationError):
        notify(user=partnership.partner, kind="test", key="1", text="Hello", url=url)
    assert not Notification.objects.exists()


def test_notify_refuses_text_longer_than_the_field(partnership):
    with pytest.raises(ValidationError):
        notify(user=partnership.partner, kind="test", key="1", text="x" * 301, url="/")


def test_marking_read_keeps_the_first_time_and_refuses_anyone_elses(partnership):
    notification = send(partnership.partner, "1")
    notification_mark_read(actor=partnership.partner, notification=notification)
    first = notification.read_at

    notification_mark_read(actor=partnership.partner, notification=notification)
    assert notification.read_at == first is not None
    with pytest.raises(PermissionDenied):
        notification_mark_read(actor=partnership.coordinator, notification=notification)


def test_mark_all_read_touches_only_the_actors_unread(partnership):
    carol, alice = partnership.partner, partnership.coordinator
    send(carol, "1")
    send(carol, "2")
    send(alice, "3")

    assert notifications_mark_all_read(actor=carol) == 2
    assert notifications_mark_all_read(actor=carol) == 0
    assert notifications_unread_count(carol) == 0
    assert notifications_unread_count(alice) == 1


def test_the_unread_count_is_one_query(partnership, django_assert_num_queries):
    send(partnership.partner, "1")
    with django_assert_num_queries(1):
        assert notifications_unread_count(partnership.partner) == 1


# --- The page ------------------------------------------------------------------------------


def test_the_page_lists_only_my_notifications_newest_first_with_unread_marked(
    partnership, client_for
):
    carol = partnership.partner
    send(carol, "old", text="Older message", minutes_ago=60)
    newer = send(carol, "new", text="Newer message", minutes_ago=5)
    send(partnership.coordinator, "alice", text="Alice's message")
    notification_mark_read(actor=carol, notification=newer)

    page = client_for(carol).get(LIST).content.decode()

    assert page.index("Newer message") < page.index("Older message")
    assert "Alice&#x27;s message" not in page and "Alice's message" not in page
    assert 'href="/action-plan/?n=old"' in page
    assert page.count("Unread</strong>") == 1 and page.count("Read</strong>") == 1
    assert "You have 1 unread notification." in page


def test_the_header_shows_the_unread_count_on_every_page(partnership, client_for):
    carol = partnership.partner
    send(carol, "1")
    send(carol, "2")

    page = client_for(carol).get("/").content.decode()

    assert 'href="/sharing/notifications/"' in page
    assert 'Notifications (2<span class="govuk-visually-hidden"> unread</span>)' in page


def test_an_empty_list_says_so(partnership, client_for):
    page = client_for(partnership.partner).get(LIST).content.decode()
    assert "You have no notifications." in page


def test_the_list_is_paginated(partnership, client_for):
    carol = partnership.partner
    for n in range(30):
        send(carol, str(n), minutes_ago=n + 1)
    client = client_for(carol)

    first = client.get(LIST).content.decode()
    second = client.get(LIST + "?page=2").content.decode()

    links = re.compile(r'href="/action-plan/\?n=(\d+)"')
    assert links.findall(first) == [str(n) for n in range(25)]
    assert links.findall(second) == [str(n) for n in range(25, 30)]


def test_mark_one_as_read_and_return_to_the_page_it_was_on(partnership, client_for):
    notification = send(partnership.partner, "1")

    response = client_for(partnership.partner).post(
        reverse("accounts:notification-read", args=[notification.pk]), {"page": "2"}
    )

    assert response.status_code == 302 and response["Location"] == LIST + "?page=2"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_answers_404_and_stays_unread(partnership, client_for):
    alices = send(partnership.coordinator, "1")

    response = client_for(partnership.partner).post(
        reverse("accounts:notification-read", args=[alices.pk])
    )

    assert response.status_code == 404
    alices.refresh_from_db()
    assert alices.read_at is None
    refused = AccessLog.objects.get(user=partnership.partner, outcome=AccessOutcome.DENIED)
    assert (refused.object_type, refused.object_id) == ("accounts.notification", str(alices.pk))


def test_mark_all_as_read(partnership, client_for):
    carol = partnership.partner
    send(carol, "1")
    send(carol, "2")
    alices = send(partnership.coordinator, "3")
    client = client_for(carol)

    response = client.post(reverse("accounts:notifications-read-all"), {"page": "x"})

    assert response.status_code == 302 and response["Location"] == LIST
    assert notifications_unread_count(carol) == 0
    alices.refresh_from_db()
    assert alices.read_at is None
    assert "2 notifications marked as read." in client.get(LIST).content.decode()


def test_marking_read_is_a_post(partnership, client_for):
    notification = send(partnership.partner, "1")
    client = client_for(partnership.partner)
    assert (
        client.get(reverse("accounts:notification-read", args=[notification.pk])).status_code == 405
    )
    assert client.get(reverse("accounts:notifications-read-all")).status_code == 405


def test_the_page_asks_the_same_queries_for_few_notifications_or_many(
    partnership, client_for, django_assert_max_num_queries
):
    carol = partnership.partner
    client = client_for(carol)
    send(carol, "first")
    client.get(LIST)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    for n in range(40):
        send(carol, str(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200
