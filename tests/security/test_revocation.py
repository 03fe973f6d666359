"""Losing access takes effect on the very next request, with no sign-out needed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AccessLog, AccessOutcome
from accounts.services import user_deactivate
from sharing.models import AgreementStatus
from sharing.services import agreement_set_status, panel_set_members

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [AgreementStatus.WITHDRAWN, AgreementStatus.EXPIRED])
def test_member_partner_gets_404_for_the_panel_on_the_next_request_after_the_isa_ends(
    partnership, client_for, status
):
    p = partnership
    client = client_for(p.member_partner)
    page = reverse("panels:detail", args=[p.panel.pk])
    api = reverse("panel-detail", args=[p.panel.pk])
    assert client.get(page).status_code == 200
    assert client.get(api).status_code == 200

    agreement_set_status(actor=p.system_admin, agreement=p.agreement, status=status)

    assert client.get(page).status_code == 404
    assert client.get(api).status_code == 404
    assert p.panel.name not in client.get(reverse("panels:list")).content.decode()
    assert p.panel.pk not in [row["id"] for row in client.get("/api/v1/panels/").json()["results"]]
    denied = AccessLog.objects.filter(user=p.member_partner, outcome=AccessOutcome.DENIED)
    assert denied.count() == 2


def test_member_partner_gets_404_for_the_panel_once_their_agency_is_removed_from_it(
    partnership, client_for
):
    p = partnership
    client = client_for(p.member_partner)
    page = reverse("panels:detail", args=[p.panel.pk])
    assert client.get(page).status_code == 200

    panel_set_members(actor=p.coordinator, panel=p.panel, member_agencies=[p.police, p.housing])

    assert client.get(page).status_code == 404


def test_deactivated_account_is_sent_to_sign_in_on_its_next_request(partnership, client_for):
    p = partnership
    client = client_for(p.partner)
    assert client.get("/").status_code == 200

    user_deactivate(actor=p.agency_admin, user=p.partner)

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"
    panel = client.get(reverse("panels:detail", args=[p.panel.pk]))
    assert panel["Location"].startswith("/sign-in/")
    assert client.get(reverse("me")).status_code == 403


@pytest.mark.parametrize("end", ["withdraw_party", "withdraw", "expire"])
def test_member_partner_loses_a_person_on_the_panel_at_once_when_the_agreement_ends(
    partnership, client_for, end
):
    from sharing.agreement_services import (
        agreement_expire,
        agreement_withdraw,
        agreement_withdraw_party,
    )
    from tests.factories import make_nominal

    p = partnership
    person = make_nominal(p.coordinator, on_panel=p.panel)
    client = client_for(p.member_partner)
    record = reverse("nominal-detail", args=[person.pk])
    cohort = reverse("panels:detail", args=[p.panel.pk])
    assert client.get(record).status_code == 200
    assert client.get(cohort).status_code == 200

    if end == "withdraw_party":
        agreement_withdraw_party(
            actor=p.system_admin, agreement=p.agreement, agency=p.probation, reason="Left"
        )
    elif end == "withdraw":
        agreement_withdraw(actor=p.governance_lead, agreement=p.agreement, reason="Ended")
    else:
        agreement_expire(actor=p.governance_lead, agreement=p.agreement)

    assert client.get(record).status_code == 404
    assert client.get(cohort).status_code == 404
