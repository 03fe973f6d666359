"""Who may draft, sign and change the status of an information-sharing agreement: the
information governance leads of its parties, and system administrators. Agency
administrators manage staff accounts only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sharing.agreement_services import agreement_circulate
from sharing.models import AgreementStatus
from sharing.services import agreement_create, agreement_set_status, agreement_sign
from tests.factories import SIGNED_DOCUMENT


def _draft(p, actor):
    return agreement_create(
        actor=actor,
        title="Housing information-sharing agreement",
        reference="ISA-HOUSING",
        parties=[p.council, p.housing],
        panels=[p.panel],
        legal_basis="Crime and Disorder Act 1998 section 115",
        purpose="Housing people leaving prison",
        retention_period_months=12,
        document=SIGNED_DOCUMENT,
    )


def _sign(actor, agreement, agency):
    return agreement_sign(
        actor=actor,
        agreement=agreement,
        agency=agency,
        signed_by_name="A Signatory",
        signed_by_role="SIRO",
        signed_on=timezone.localdate(),
    )


def test_a_governance_lead_drafts_signs_and_reviews_their_agencys_agreement(partnership):
    p = partnership
    agreement = _draft(p, p.governance_lead)
    agreement_circulate(actor=p.governance_lead, agreement=agreement)
    _sign(p.governance_lead, agreement, p.council)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    agreement_set_status(
        actor=p.governance_lead, agreement=agreement, status=AgreementStatus.UNDER_REVIEW
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.UNDER_REVIEW


@pytest.mark.parametrize("persona", ["agency_admin", "coordinator", "partner", "committee"])
def test_other_roles_may_not_draft_sign_or_change_an_agreement(partnership, persona):
    p = partnership
    actor = getattr(p, persona)
    with pytest.raises(PermissionDenied):
        _draft(p, actor)
    with pytest.raises(PermissionDenied):
        _sign(actor, p.agreement, p.council)
    with pytest.raises(PermissionDenied):
        agreement_set_status(actor=actor, agreement=p.agreement, status=AgreementStatus.WITHDRAWN)


def test_a_governance_lead_acts_only_on_agreements_their_agency_is_party_to(partnership):
    p = partnership
    elsewhere = agreement_create(
        actor=p.system_admin,
        title="Elsewhere agreement",
        reference="ISA-ELSEWHERE",
        parties=[p.outsider],
        panels=[],
    )
    with pytest.raises(PermissionDenied):
        agreement_create(
            actor=p.governance_lead,
            title="Not ours",
            reference="ISA-NOT-OURS",
            parties=[p.outsider],
            panels=[],
        )
    with pytest.raises(PermissionDenied):
        _sign(p.governance_lead, elsewhere, p.outsider)
    with pytest.raises(PermissionDenied):
        agreement_set_status(
            actor=p.governance_lead, agreement=elsewhere, status=AgreementStatus.WITHDRAWN
        )
