"""The governance lead's retention review pages: the list, keep and delete."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AuditEvent, ObjectType, Verb
from offenders.models import Nominal
from retention.models import DeletionLog, RetentionReview, ReviewStatus
from retention.services import reviews_list
from tests.retention.test_schedule import person
from tests.signing_in import age_authentication

pytestmark = pytest.mark.django_db

REVIEW = reverse("retention:review")


@pytest.fixture
def due(partnership):
    """Three council records and one of probation's, listed for review."""
    p = partnership
    council = [person(p, last_seen=date(2010, 1, day)) for day in (1, 2, 3)]
    probation = Nominal.objects.create(
        given_names="Pat",
        family_name="Probationrecord",
        owning_agency=p.probation,
        created_by=p.member_partner,
    )
    Nominal.objects.filter(pk=probation.pk).update(updated_at=timezone.now() - timedelta(days=9000))
    reviews_list()
    return council, probation


def test_only_governance_leads_open_the_list(partnership, client_for, due):
    p = partnership
    for user in (p.coordinator, p.partner, p.agency_admin, p.system_admin, p.committee):
        assert client_for(user).get(REVIEW).status_code == 403


def test_the_lead_sees_their_own_agencys_records_and_each_read_is_logged(
    partnership, client_for, due, monkeypatch
):
    p = partnership
    council, probation = due
    monkeypatch.setattr("retention.views.PAGE_SIZE", 2)
    client = client_for(p.governance_lead)

    first = client.get(REVIEW).content.decode()
    second = client.get(REVIEW + "?page=2").content.decode()

    assert "3 records waiting for a decision" in first
    assert council[0].family_name.upper() in first and council[1].family_name.upper() in first
    assert council[2].family_name.upper() in second
    assert "Probationrecord".upper() not in first + second
    assert 'rel="next"' in first
    reads = AccessLog.objects.filter(user=p.governance_lead, object_type=ObjectType.NOMINAL)
    assert sorted(int(row.object_id) for row in reads) == sorted(n.pk for n in council)
    assert AccessLog.objects.filter(
        user=p.governance_lead, object_type=ObjectType.RETENTION_REVIEW_LIST
    ).count() == 2  # fmt: skip


def test_the_list_says_when_nothing_is_due(partnership, client_for):
    body = client_for(partnership.governance_lead).get(REVIEW).content.decode()
    assert "No records are waiting for a retention review" in body


def test_keep_shows_every_error_at_once_and_needs_a_future_date(partnership, client_for, due):
    p = partnership
    review = RetentionReview.objects.get(record_id=due[0][0].pk)
    url = reverse("retention:keep", args=[review.pk])
    client = client_for(p.governance_lead)

    empty = client.post(url, {}).content.decode()
    assert "Enter why the record is being kept" in empty
    assert "Enter the date of the next review" in empty
    assert "There is a problem" in empty

    today = timezone.localdate()
    past = client.post(
        url,
        {"reason": "Appeal", "next_review_on-day": today.day, "next_review_on-month": today.month,
         "next_review_on-year": today.year},
    ).content.decode()  # fmt: skip
    assert "The date of the next review must be in the future" in past
    assert RetentionReview.objects.get(pk=review.pk).status == ReviewStatus.PENDING

    response = client.post(
        url,
        {"reason": "Appeal pending", "next_review_on-day": "1", "next_review_on-month": "6",
         "next_review_on-year": str(today.year + 1)},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == REVIEW
    review.refresh_from_db()
    assert (review.status, review.reason) == (ReviewStatus.KEPT, "Appeal pending")
    assert review.next_review_on == date(today.year + 1, 6, 1)
    event = AuditEvent.objects.get(verb=Verb.RETENTION_KEPT)
    assert event.detail == {"record": review.record_id, "next_review_on": f"{today.year + 1}-06-01"}
    assert event.actor == p.governance_lead
    # Kept records leave the list until their next review.
    assert due[0][0].family_name.upper() not in client.get(REVIEW).content.decode()


def test_delete_asks_for_confirmation_and_a_recent_sign_in(partnership, client_for, due):
    p = partnership
    nominal = due[0][0]
    review = RetentionReview.objects.get(record_id=nominal.pk)
    url = reverse("retention:delete", args=[review.pk])
    client = client_for(p.governance_lead)

    page = client.get(url)
    assert page.status_code == 200 and nominal.family_name.upper() in page.content.decode()
    assert AccessLog.objects.filter(
        user=p.governance_lead, object_type=ObjectType.NOMINAL, object_id=str(nominal.pk)
    ).exists()
    unconfirmed = client.post(url, {}).content.decode()
    assert "Confirm that the record can be deleted" in unconfirmed
    assert Nominal.objects.filter(pk=nominal.pk).exists()

    age_authentication(client, minutes=16)
    stale_get = client.get(url)
    assert stale_get.status_code == 302 and stale_get["Location"].startswith("/confirm-identity/")
    stale_post = client.post(url, {"confirm": "yes"}, HTTP_REFERER=f"http://testserver{url}")
    assert stale_post.status_code == 302
    assert stale_post["Location"].startswith("/confirm-identity/")
    assert Nominal.objects.filter(pk=nominal.pk).exists()
    assert not DeletionLog.objects.exists()

    fresh = client_for(p.governance_lead)
    done = fresh.post(url, {"confirm": "yes"}, follow=True).content.decode()
    assert f"Record {nominal.pk} and everything about the person have been deleted" in done
    assert not Nominal.objects.filter(pk=nominal.pk).exists()
    assert DeletionLog.objects.get().object_id == str(nominal.pk)
    # The deleted record's pages now only say so.
    assert fresh.get(url).status_code == 302
