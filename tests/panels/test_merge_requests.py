"""Merging across agencies: a coordinator confirms two records are one person but may not
change one of them, so the agency holding it is asked to agree; the merge runs when every
agency holding one of the records has agreed, a refusal (with its reason) stops it, and the
coordinator who asked is told the outcome."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent, Notification, Verb
from crossref.models import AgreementDecision, FindingStatus, MergeRequest, MergeStatus
from crossref.services.merges import merge_request_answer
from crossref.services.review import finding_confirm
from offenders.models import Nominal
from tests.factories import make_nominal
from tests.panels.test_crossref_review import make_finding, make_mappa, make_run
from tests.signing_in import age_authentication

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(partnership):
    """The council's coordinator confirms the council's record and probation's are one
    person; probation's record is on probation's MAPPA panel, which the council cannot see."""
    p = partnership
    ours = make_nominal(p.coordinator, given_names="Tom", family_name="Garvey", on_panel=p.panel)
    theirs = make_nominal(
        p.member_partner, given_names="Thomas", family_name="Garvey", on_panel=make_mappa(p)
    )
    finding = make_finding(make_run(), ours, theirs, [p.panel])
    finding_confirm(actor=p.coordinator, finding=finding, survivor=ours)
    return MergeRequest.objects.get(finding=finding), ours, theirs


def test_confirming_asks_the_agency_holding_the_other_record_and_tells_its_staff(
    partnership, asked
):
    p = partnership
    request, ours, theirs = asked
    answers = {a.agency.code: a.decision for a in request.agreements.all()}
    # The council agreed by confirming (its coordinator may change its own record).
    assert answers == {"council": AgreementDecision.AGREED, "probation": AgreementDecision.WAITING}
    told = Notification.objects.get(user=p.member_partner)
    assert told.url == reverse("crossref:merge", args=[request.pk])
    # The notification names nobody.
    assert "Garvey" not in told.text
    assert AuditEvent.objects.filter(verb=Verb.MERGE_REQUESTED).count() == 1


def test_the_other_agency_agrees_and_the_records_are_merged(partnership, asked, client_for):
    p = partnership
    request, ours, theirs = asked
    client = client_for(p.member_partner)
    listing = client.get(reverse("crossref:merges")).content.decode()
    assert "Your answer is needed" in listing
    page = client.get(reverse("crossref:merge", args=[request.pk])).content.decode()
    assert "every agency that holds one of them has agreed" in page

    response = client.post(reverse("crossref:merge", args=[request.pk]), {"answer": "agree"})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == MergeStatus.MERGED
    assert Nominal.objects.get(pk=theirs.pk).merged_into_id == ours.pk
    assert request.finding.status == FindingStatus.MERGED
    outcome = Notification.objects.get(user=p.coordinator)
    assert outcome.text == "A merge you asked for has been made"
    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert Verb.MERGE_AGREED in verbs and Verb.NOMINALS_MERGED in verbs


def test_a_refusal_needs_a_reason_stops_the_merge_and_tells_the_coordinator(
    partnership, asked, client_for
):
    p = partnership
    request, ours, theirs = asked
    client = client_for(p.member_partner)
    url = reverse("crossref:merge", args=[request.pk])
    empty = client.post(url, {"answer": "refuse"})
    assert "Enter why your agency does not agree" in empty.content.decode()

    client.post(url, {"answer": "refuse", "reason": "Different dates of birth on the PNC"})

    request.refresh_from_db()
    assert request.status == MergeStatus.REFUSED
    assert "Different dates of birth on the PNC" in request.outcome
    assert Nominal.objects.get(pk=theirs.pk).merged_into_id is None
    assert Notification.objects.get(user=p.coordinator).text == "A merge you asked for was refused"


def test_agreeing_asks_the_user_to_confirm_it_is_them(partnership, asked, client_for):
    request, ours, theirs = asked
    client = age_authentication(client_for(partnership.member_partner), minutes=30)
    url = reverse("crossref:merge", args=[request.pk])
    response = client.post(url, {"answer": "agree"})
    assert response.status_code == 302 and response["Location"].startswith("/confirm-identity/")
    assert Nominal.objects.get(pk=theirs.pk).merged_into_id is None


def test_only_the_agencies_asked_may_answer_or_see_the_request(partnership, asked, client_for):
    p = partnership
    request, ours, theirs = asked
    url = reverse("crossref:merge", args=[request.pk])
    # The council partner's agency asked: they may read it, not answer for probation.
    assert client_for(p.partner).get(url).status_code == 200
    assert client_for(p.partner).post(url, {"answer": "agree"}).status_code == 403
    # Another borough, and housing (not part of it), do not see it at all.
    assert client_for(p.outsider_coordinator).get(url).status_code == 404
    assert client_for(p.unsigned_partner).get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        merge_request_answer(actor=p.partner, request=request, agree=True)
    assert Nominal.objects.get(pk=theirs.pk).merged_into_id is None


def test_a_decided_request_cannot_be_answered_again(partnership, asked):
    p = partnership
    request, *_ = asked
    merge_request_answer(actor=p.member_partner, request=request, agree=False, reason="No")
    with pytest.raises(ValidationError, match="already been decided"):
        merge_request_answer(actor=p.member_partner, request=request, agree=True)


def test_the_profile_links_to_a_waiting_merge(partnership, asked, client_for):
    request, ours, theirs = asked
    client = client_for(partnership.coordinator)
    client.post(reverse("offenders:purpose", args=[ours.pk]), {"purpose": "data_quality"})
    page = client.get(reverse("offenders:profile", args=[ours.pk])).content.decode()
    assert reverse("crossref:merge", args=[request.pk]) in page
    assert "waiting for the agencies holding them to agree" in page
