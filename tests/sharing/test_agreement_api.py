"""Agreements over the API: drafting (with the document), circulating, signing after
re-authentication, new versions and withdrawal, by the pages' rules and error codes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from sharing.models import AgreementStatus, InformationSharingAgreement, Signature
from tests.factories import PDF_BYTES, make_user
from tests.signing_in import age_authentication

pytestmark = pytest.mark.django_db


def _draft_body(p, **overrides):
    body = {
        "title": "Housing agreement",
        "reference": "ISA-API",
        "parties": [p.council.code, p.housing.code],
        "panels": [p.panel.pk],
        "legal_basis": "Housing Act 1996",
        "purpose": "Housing people leaving prison",
        "review_interval_months": 12,
        "retention_period_months": 24,
        "status": "signed",  # read-only: ignored
        "version": 7,  # read-only: ignored
        "document": SimpleUploadedFile("isa.pdf", PDF_BYTES),
    }
    body.update(overrides)
    return body


def test_a_governance_lead_drafts_circulates_and_signs_over_the_api(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    created = client.post(reverse("agreement-list"), _draft_body(p))
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["version"], data["has_document"]) == ("draft", 1, True)
    pk = data["id"]

    circulated = client.post(reverse("agreement-circulate", args=[pk]), {"confirm": True})
    assert circulated.json()["status"] == "in_circulation"

    signed = client.post(
        reverse("agreement-sign", args=[pk]),
        {"signed_by_name": "Greta Lead", "signed_by_role": "SIRO"},
        content_type="application/json",
    )
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "signed"
    signature = Signature.objects.get(agreement_id=pk)
    assert (signature.agency, signature.signed_on) == (p.council, timezone.localdate())


def test_signing_over_the_api_needs_a_recent_check(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    pk = client.post(reverse("agreement-list"), _draft_body(p)).json()["id"]
    client.post(reverse("agreement-circulate", args=[pk]), {"confirm": True})
    age_authentication(client, minutes=16)
    response = client.post(
        reverse("agreement-sign", args=[pk]),
        {"signed_by_name": "Greta", "signed_by_role": "SIRO"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.data["detail"].code == "reauthentication_required"
    assert not Signature.objects.filter(agreement_id=pk).exists()


def test_the_api_gives_all_errors_and_refuses_a_bad_document(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    response = client.post(
        reverse("agreement-list"),
        _draft_body(p, document=SimpleUploadedFile("isa.pdf", b"not a pdf"), parties=["housing"]),
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"document", "parties"}


def test_circulating_an_incomplete_draft_says_what_is_missing(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    body = _draft_body(p, purpose="")
    del body["document"]
    pk = client.post(reverse("agreement-list"), body).json()["id"]
    response = client.post(reverse("agreement-circulate", args=[pk]), {"confirm": True})
    assert response.status_code == 400
    assert set(response.json()) == {"purpose", "document"}


def test_other_roles_are_refused_before_any_lookup_and_other_agreements_are_hidden(
    partnership, client_for
):
    p = partnership
    assert client_for(p.partner).post(reverse("agreement-list"), _draft_body(p)).status_code == 403
    outsider_lead = make_user(p.outsider, Role.GOVERNANCE_LEAD, username="olead")
    response = client_for(outsider_lead).post(
        reverse("agreement-withdraw", args=[p.agreement.pk]), {"reason": "Not ours"}
    )
    assert response.status_code == 404
    p.agreement.refresh_from_db()
    assert p.agreement.status == AgreementStatus.SIGNED


def test_new_version_and_withdrawing_a_party_over_the_api(partnership, client_for):
    p = partnership
    probation_lead = make_user(p.probation, Role.GOVERNANCE_LEAD, username="prlead")
    staff = client_for(p.member_partner)
    assert staff.get(reverse("panel-detail", args=[p.panel.pk])).status_code == 200

    lead = client_for(p.governance_lead)
    started = lead.post(reverse("agreement-new-version", args=[p.agreement.pk]), {"confirm": True})
    assert started.status_code == 201
    assert started.json()["version"] == 2
    # The council's lead may not withdraw probation; probation's lead may.
    refused = lead.post(
        reverse("agreement-withdraw-party", args=[p.agreement.pk]),
        {"agency": p.probation.code, "reason": "Not theirs to withdraw"},
    )
    assert refused.status_code == 403
    withdrawn = client_for(probation_lead).post(
        reverse("agreement-withdraw-party", args=[p.agreement.pk]),
        {"agency": p.probation.code, "reason": "Leaving the partnership"},
    )
    assert withdrawn.status_code == 200
    assert p.probation.code not in withdrawn.json()["parties"]
    assert staff.get(reverse("panel-detail", args=[p.panel.pk])).status_code == 404


def test_a_draft_is_changed_over_the_api_and_a_circulated_one_is_not(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    pk = client.post(reverse("agreement-list"), _draft_body(p)).json()["id"]
    body = _draft_body(p, title="Housing agreement, revised")
    del body["document"]
    changed = client.patch(
        reverse("agreement-detail", args=[pk]), body, content_type="application/json"
    )
    assert changed.status_code == 200, changed.content
    assert InformationSharingAgreement.objects.get(pk=pk).title == "Housing agreement, revised"
    client.post(reverse("agreement-circulate", args=[pk]), {"confirm": True})
    again = client.patch(
        reverse("agreement-detail", args=[pk]), body, content_type="application/json"
    )
    assert again.status_code == 400
