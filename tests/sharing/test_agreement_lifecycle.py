"""An agreement from draft to withdrawal, through the services: circulation and its
notifications, signing for one's own agency, new versions and the rule for access between
them, withdrawal of a party or the whole agreement, and expiry. Access is read as the
panels a member of staff sees on their next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Role, Verb
from panels.models import Panel
from sharing.agreement_services import (
    AgreementDetails,
    agreement_circulate,
    agreement_create,
    agreement_expire,
    agreement_new_version,
    agreement_sign,
    agreement_update,
    agreement_withdraw,
    agreement_withdraw_party,
)
from sharing.models import AgreementStatus, PartyWithdrawal
from tests.factories import SIGNED_DOCUMENT, make_user

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Panel.objects.visible_to(user))


@pytest.fixture
def leads(partnership):
    p = partnership
    return {
        "council": p.governance_lead,
        "police": make_user(p.police, Role.GOVERNANCE_LEAD, username="pglead"),
        "probation": make_user(p.probation, Role.GOVERNANCE_LEAD, username="prlead"),
        "housing": make_user(p.housing, Role.GOVERNANCE_LEAD, username="hglead"),
    }


def _draft(p, actor, reference="ISA-NEW", parties=None):
    return agreement_create(
        actor=actor,
        title="Reducing reoffending agreement",
        reference=reference,
        parties=parties or [p.council, p.probation, p.housing],
        panels=[p.panel],
        legal_basis="Crime and Disorder Act 1998 section 115",
        purpose="Reducing reoffending",
        retention_period_months=24,
        document=SIGNED_DOCUMENT,
    )


def _sign(actor, agreement, agency, on=None):
    return agreement_sign(
        actor=actor,
        agreement=agreement,
        agency=agency,
        signed_by_name="A Signatory",
        signed_by_role="SIRO",
        signed_on=on or timezone.localdate(),
    )


def test_circulating_asks_each_partys_governance_lead_to_sign_in_the_service_and_by_email(
    partnership, leads
):
    p = partnership
    leads["council"].email = "greta@example.org"
    leads["council"].save()
    agreement = _draft(p, leads["council"])
    with pytest.raises(ValidationError):
        _sign(leads["council"], agreement, p.council)  # a draft is not signed

    agreement_circulate(actor=leads["council"], agreement=agreement)

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_CIRCULATION
    told = set(Notification.objects.filter(kind="agreement_to_sign").values_list("user", flat=True))
    assert told == {leads[code].pk for code in ("council", "probation", "housing")}
    assert AuditEvent.objects.filter(
        verb=Verb.AGREEMENT_CIRCULATED, object_id=str(agreement.pk)
    ).exists()


def test_the_circulation_email_names_the_agreement_and_nobody(
    partnership, leads, django_capture_on_commit_callbacks
):
    p = partnership
    leads["probation"].email = "pr@example.org"
    leads["probation"].save()
    agreement = _draft(p, leads["council"])
    with django_capture_on_commit_callbacks(execute=True):
        agreement_circulate(actor=leads["council"], agreement=agreement)
    [email] = [m for m in mail.outbox if m.to == ["pr@example.org"]]
    assert agreement.title in email.body
    assert f"/sharing/agreements/{agreement.pk}/" in email.body


def test_a_draft_missing_its_details_cannot_be_circulated_and_says_all_that_is_missing(
    partnership,
):
    p = partnership
    bare = agreement_create(
        actor=p.governance_lead, title="Bare", reference="ISA-BARE", parties=[p.council], panels=[]
    )
    with pytest.raises(ValidationError) as raised:
        agreement_circulate(actor=p.governance_lead, agreement=bare)
    assert set(raised.value.message_dict) == {
        "panels",
        "legal_basis",
        "purpose",
        "retention_period_months",
        "document",
    }


def test_a_governance_lead_signs_for_their_own_agency_only(partnership, leads):
    p = partnership
    agreement = _draft(p, leads["council"])
    agreement_circulate(actor=leads["council"], agreement=agreement)
    with pytest.raises(PermissionDenied):
        _sign(leads["council"], agreement, p.probation)
    with pytest.raises(PermissionDenied):
        _sign(leads["police"], agreement, p.police)  # police is no party
    _sign(leads["probation"], agreement, p.probation)
    with pytest.raises(ValidationError):
        _sign(leads["probation"], agreement, p.probation)  # once per version


def test_each_party_sees_the_panel_once_it_has_signed_and_not_before(partnership, leads):
    p = partnership
    # The partnership's own agreement is withdrawn, so only the new one grants anything.
    agreement_withdraw(actor=p.system_admin, agreement=p.agreement, reason="Replaced")
    agreement = _draft(p, leads["council"])
    agreement_circulate(actor=leads["council"], agreement=agreement)
    assert p.panel not in visible(p.member_partner)

    _sign(leads["council"], agreement, p.council)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED  # in force from the first signature
    assert p.panel not in visible(p.member_partner)  # probation has not signed

    _sign(leads["probation"], agreement, p.probation)
    assert p.panel in visible(p.member_partner)
    assert p.panel not in visible(p.unsigned_partner)


def test_between_versions_the_signed_one_stays_in_force_until_every_party_signs_the_new(
    partnership, leads
):
    p = partnership
    agreement_withdraw(actor=p.system_admin, agreement=p.agreement, reason="Replaced")
    first = _draft(p, leads["council"], parties=[p.council, p.probation])
    agreement_circulate(actor=leads["council"], agreement=first)
    _sign(leads["council"], first, p.council)
    _sign(leads["probation"], first, p.probation)

    second = agreement_new_version(actor=leads["council"], agreement=first)
    assert (second.reference, second.version, second.status) == (
        first.reference,
        2,
        AgreementStatus.DRAFT,
    )
    with pytest.raises(ValidationError):
        agreement_new_version(actor=leads["council"], agreement=first)  # one at a time
    agreement_update(
        actor=leads["council"],
        agreement=second,
        details=AgreementDetails(
            title="Reducing reoffending agreement, 2027",
            reference=first.reference,
            parties=[p.council, p.probation],
            panels=[p.panel],
            legal_basis="Crime and Disorder Act 1998 section 115",
            purpose="Reducing reoffending",
            retention_period_months=12,
        ),
        document=SIGNED_DOCUMENT,
    )
    agreement_circulate(actor=leads["council"], agreement=second)
    _sign(leads["council"], second, p.council)

    # Probation has not signed version 2, but version 1 is still in force for it.
    first.refresh_from_db()
    assert first.status == AgreementStatus.SIGNED
    assert p.panel in visible(p.member_partner)

    _sign(leads["probation"], second, p.probation)
    first.refresh_from_db()
    assert first.status == AgreementStatus.SUPERSEDED
    assert p.panel in visible(p.member_partner)
    assert AuditEvent.objects.filter(verb=Verb.AGREEMENT_SUPERSEDED).count() == 1


def test_a_party_that_refuses_a_new_version_and_withdraws_loses_access_at_once(partnership, leads):
    p = partnership
    second = agreement_new_version(actor=leads["council"], agreement=p.agreement)
    assert p.panel in visible(p.member_partner)

    agreement_withdraw_party(
        actor=leads["probation"],
        agreement=p.agreement,
        agency=p.probation,
        reason="Does not accept the new terms",
    )

    assert p.panel not in visible(p.member_partner)
    assert not second.parties.filter(pk=p.probation.pk).exists()
    assert not p.agreement.parties.filter(pk=p.probation.pk).exists()
    assert PartyWithdrawal.objects.filter(agency=p.probation).count() == 2
    assert AuditEvent.objects.filter(verb=Verb.AGREEMENT_PARTY_WITHDRAWN).count() == 2


def test_only_a_partys_own_lead_or_a_system_administrator_withdraws_it(partnership, leads):
    p = partnership
    with pytest.raises(PermissionDenied):
        agreement_withdraw_party(
            actor=leads["council"], agreement=p.agreement, agency=p.probation, reason="No"
        )
    with pytest.raises(ValidationError):
        agreement_withdraw_party(
            actor=leads["probation"], agreement=p.agreement, agency=p.probation, reason=" "
        )
    agreement_withdraw_party(
        actor=p.system_admin, agreement=p.agreement, agency=p.probation, reason="Left"
    )
    assert p.panel not in visible(p.member_partner)


@pytest.mark.parametrize("end", ["withdraw", "expire"])
def test_withdrawing_or_expiring_the_whole_agreement_ends_every_live_version_at_once(
    partnership, leads, end
):
    p = partnership
    second = agreement_new_version(actor=leads["council"], agreement=p.agreement)
    if end == "withdraw":
        with pytest.raises(ValidationError):
            agreement_withdraw(actor=leads["probation"], agreement=p.agreement, reason="")
        agreement_withdraw(actor=leads["probation"], agreement=p.agreement, reason="Ended")
        expected, verb = AgreementStatus.WITHDRAWN, Verb.AGREEMENT_WITHDRAWN
    else:
        agreement_expire(actor=leads["probation"], agreement=p.agreement)
        expected, verb = AgreementStatus.EXPIRED, Verb.AGREEMENT_EXPIRED
    p.agreement.refresh_from_db()
    second.refresh_from_db()
    assert p.agreement.status == second.status == expected
    assert p.panel not in visible(p.member_partner)
    assert p.panel in visible(p.coordinator)
    assert AuditEvent.objects.filter(verb=verb).count() == 2


def test_a_governance_lead_may_not_draft_for_other_agencies_or_change_a_circulated_draft(
    partnership, leads
):
    p = partnership
    with pytest.raises(PermissionDenied):
        _draft(p, leads["police"], parties=[p.council, p.probation])
    agreement = _draft(p, leads["council"])
    agreement_circulate(actor=leads["council"], agreement=agreement)
    with pytest.raises(ValidationError):
        agreement_update(
            actor=leads["council"],
            agreement=agreement,
            details=AgreementDetails(
                title="Changed",
                reference="ISA-NEW",
                parties=[p.council],
                panels=[p.panel],
            ),
        )


def test_a_signature_dated_in_the_past_starts_the_review_clock_from_that_day(partnership, leads):
    p = partnership
    agreement = _draft(p, leads["council"])
    agreement_circulate(actor=leads["council"], agreement=agreement)
    signed_on = timezone.localdate() - timedelta(days=10)
    _sign(leads["council"], agreement, p.council, on=signed_on)
    agreement.refresh_from_db()
    assert agreement.signed_off_on == signed_on
    assert agreement.next_review_due is not None
    assert agreement.next_review_due > signed_on


def test_the_signed_version_lapses_by_its_own_date_while_a_new_one_is_unsigned(
    partnership, leads, monkeypatch, settings
):
    """Between versions the old one is in force only to its own review date and grace:
    a new version waiting for signatures does not keep it alive."""
    p = partnership
    settings.ISA_REVIEW_GRACE_DAYS = 30
    second = agreement_new_version(actor=leads["council"], agreement=p.agreement)
    agreement_update(
        actor=leads["council"],
        agreement=second,
        details=AgreementDetails(
            title=second.title,
            reference=second.reference,
            parties=list(second.parties.all()),
            panels=[p.panel],
            legal_basis="Crime and Disorder Act 1998 section 115",
            purpose="Reducing reoffending",
            retention_period_months=24,
        ),
        document=SIGNED_DOCUMENT,
    )
    agreement_circulate(actor=leads["council"], agreement=second)  # nobody signs it
    assert p.panel in visible(p.member_partner)

    real = timezone.localdate
    lapsed_on = p.agreement.access_ends_on + timedelta(days=1)
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: lapsed_on if value is None else real(value, timezone),
    )
    assert p.panel not in visible(p.member_partner)


def test_a_new_version_changed_in_several_wrong_ways_is_refused_naming_them_all(partnership, leads):
    p = partnership
    second = agreement_new_version(actor=leads["council"], agreement=p.agreement)
    with pytest.raises(ValidationError) as refused:
        agreement_update(
            actor=leads["council"],
            agreement=second,
            details=AgreementDetails(
                title="",
                reference="ISA-RENAMED",
                parties=[p.council, p.police, p.probation, p.housing],
                panels=[p.panel],
            ),
        )
    problems = refused.value.message_dict
    assert problems["reference"] == ["A new version keeps the agreement's reference."]
    assert "title" in problems
    second.refresh_from_db()
    assert second.reference == p.agreement.reference
