"""The cohort membership lifecycle through its services: referral by any agency that sees
the panel and the person, the coordinator's accept, decline, exit and panel details, the
panel-specific fields of each kind, and the warnings on IOM referrals."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, Verb
from cohorts.selectors.cohort import referral_warnings
from cohorts.services.membership import (
    membership_accept,
    membership_decline,
    membership_exit,
    membership_refer,
    membership_update,
)
from offenders.models import Nominal, Offence, RiskScore
from offenders.selectors import nominals_for
from panels.models import CohortMembership, MembershipStatus, PanelKind
from tests.factories import make_nominal, make_panel, make_signed_agreement

pytestmark = pytest.mark.django_db


def person(actor, family_name="Ashby", **fields):
    return make_nominal(actor, family_name=family_name, **fields)


def referral(p, nominal=None, **fields):
    nominal = nominal or person(p.partner)
    return membership_refer(
        actor=p.partner, panel=p.panel, nominal=nominal, reason="Prolific burglar", **fields
    )


def audited(verb, target):
    return AuditEvent.objects.filter(verb=verb, object_id=str(target.pk)).count()


# Referral


def test_partner_refers_a_person_their_agency_sees_and_the_referral_is_audited(partnership):
    p = partnership
    nominal = person(p.partner)
    membership = membership_refer(
        actor=p.partner, panel=p.panel, nominal=nominal, reason="  Three burglaries  "
    )
    assert membership.status == MembershipStatus.REFERRED
    assert membership.referring_agency == p.council
    assert membership.referred_by == p.partner
    assert membership.referred_on == timezone.localdate()
    assert membership.reason == "Three burglaries"
    assert audited(Verb.MEMBERSHIP_REFERRED, membership) == 1


def test_member_agency_referral_shares_the_record_with_the_panel_until_declined(partnership):
    p = partnership
    probation_case = person(p.member_partner, family_name="Okafor")
    assert not nominals_for(p.partner).filter(pk=probation_case.pk).exists()

    membership = membership_refer(
        actor=p.member_partner, panel=p.panel, nominal=probation_case, reason="On licence"
    )
    assert membership.referring_agency == p.probation
    # Visibility is computed from memberships in SQL: the council sees the person at once.
    assert nominals_for(p.partner).filter(pk=probation_case.pk).exists()
    assert not nominals_for(p.unsigned_partner).filter(pk=probation_case.pk).exists()

    membership_decline(actor=p.coordinator, membership=membership, reason="Not in scope")
    assert not nominals_for(p.partner).filter(pk=probation_case.pk).exists()
    assert nominals_for(p.member_partner).filter(pk=probation_case.pk).exists()


def test_a_person_already_referred_cannot_be_referred_again(partnership):
    p = partnership
    first = referral(p)
    with pytest.raises(
        ValidationError, match="Jordan ASHBY was already referred to Test IOM panel"
    ):
        referral(p, first.nominal)
    assert CohortMembership.objects.filter(nominal=first.nominal).count() == 1


def test_a_person_already_on_the_cohort_cannot_be_referred(partnership):
    p = partnership
    nominal = make_nominal(p.partner, on_panel=p.panel, status="active")
    with pytest.raises(
        ValidationError, match="Jordan ASHBY is already on the Test IOM panel cohort"
    ):
        referral(p, nominal)


def test_a_person_who_left_or_was_declined_can_be_referred_again(partnership):
    p = partnership
    nominal = make_nominal(p.partner, on_panel=p.panel, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    membership_exit(actor=p.coordinator, membership=membership, end=date(2026, 2, 1), reason="x")
    again = referral(p, nominal)
    assert again.status == MembershipStatus.REFERRED


def test_referral_needs_a_reason(partnership):
    p = partnership
    with pytest.raises(ValidationError) as error:
        membership_refer(actor=p.partner, panel=p.panel, nominal=person(p.partner), reason=" ")
    assert error.value.message_dict == {"reason": ["Enter why you are referring this person"]}


@pytest.mark.parametrize("persona", ["outsider_partner", "unsigned_partner", "committee"])
def test_someone_who_cannot_see_the_panel_cannot_refer_to_it(partnership, persona):
    p = partnership
    actor = getattr(p, persona)
    # Even a person their own agency recorded (committee officers record nobody).
    own = person(p.partner if persona == "committee" else actor)
    with pytest.raises(PermissionDenied):
        membership_refer(actor=actor, panel=p.panel, nominal=own, reason="x")
    assert not CohortMembership.objects.exists()


def test_a_person_the_referrer_cannot_see_cannot_be_referred(partnership):
    p = partnership
    hidden = person(p.outsider_partner)
    with pytest.raises(PermissionDenied):
        membership_refer(actor=p.partner, panel=p.panel, nominal=hidden, reason="x")


# The coordinator's decisions


def test_coordinator_accepts_a_referral_from_a_start_date(partnership):
    p = partnership
    membership = referral(p)
    start = timezone.localdate()
    accepted = membership_accept(actor=p.coordinator, membership=membership, start=start)
    assert (accepted.status, accepted.start) == (MembershipStatus.ACTIVE, start)
    assert accepted.decided_by == p.coordinator
    assert audited(Verb.MEMBERSHIP_ACCEPTED, accepted) == 1


@pytest.mark.parametrize("persona", ["partner", "member_partner", "agency_admin"])
def test_only_the_coordinator_decides_exits_and_changes_details(partnership, persona):
    p = partnership
    actor = getattr(p, persona)
    membership = referral(p)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        membership_accept(actor=actor, membership=membership, start=today)
    with pytest.raises(PermissionDenied):
        membership_decline(actor=actor, membership=membership, reason="x")
    with pytest.raises(PermissionDenied):
        membership_update(actor=actor, membership=membership, iom_strand="fixed")
    membership_accept(actor=p.coordinator, membership=membership, start=today)
    with pytest.raises(PermissionDenied):
        membership_exit(actor=actor, membership=membership, end=today, reason="x")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.iom_strand == ""


def test_another_boroughs_coordinator_cannot_decide(partnership):
    p = partnership
    membership = referral(p)
    with pytest.raises(PermissionDenied):
        membership_accept(
            actor=p.outsider_coordinator, membership=membership, start=timezone.localdate()
        )


def test_only_a_referral_can_be_accepted_or_declined(partnership):
    p = partnership
    membership = referral(p)
    membership_decline(actor=p.coordinator, membership=membership, reason="Out of area")
    with pytest.raises(ValidationError, match="already been decided: declined"):
        membership_accept(actor=p.coordinator, membership=membership, start=timezone.localdate())
    with pytest.raises(ValidationError, match="already been decided"):
        membership_decline(actor=p.coordinator, membership=membership, reason="again")


def test_start_date_cannot_be_before_the_referral_or_in_the_future(partnership):
    p = partnership
    membership = referral(p)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="same as or after the referral date"):
        membership_accept(
            actor=p.coordinator, membership=membership, start=today - timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="today or in the past"):
        membership_accept(
            actor=p.coordinator, membership=membership, start=today + timedelta(days=1)
        )


def test_decline_needs_a_reason_and_is_audited(partnership):
    p = partnership
    membership = referral(p)
    with pytest.raises(ValidationError) as error:
        membership_decline(actor=p.coordinator, membership=membership, reason="  ")
    assert "decline_reason" in error.value.message_dict
    declined = membership_decline(actor=p.coordinator, membership=membership, reason="Too low")
    assert (declined.status, declined.decline_reason) == (MembershipStatus.DECLINED, "Too low")
    assert audited(Verb.MEMBERSHIP_DECLINED, declined) == 1


def test_coordinator_records_an_exit_with_a_date_and_reason(partnership):
    p = partnership
    nominal = make_nominal(p.partner, on_panel=p.panel, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    left = membership_exit(
        actor=p.coordinator, membership=membership, end=date(2026, 3, 1), reason="Order ended"
    )
    assert (left.status, left.end, left.exit_reason) == (
        MembershipStatus.EXITED,
        date(2026, 3, 1),
        "Order ended",
    )
    assert audited(Verb.MEMBERSHIP_EXITED, left) == 1
    # A person who left stays shared with the panel: their history is the panel's too.
    assert nominals_for(p.member_partner).filter(pk=nominal.pk).exists()


def test_exit_is_only_for_active_members_and_not_before_they_joined(partnership):
    p = partnership
    waiting = referral(p)
    with pytest.raises(ValidationError, match="Only someone active"):
        membership_exit(
            actor=p.coordinator, membership=waiting, end=timezone.localdate(), reason="x"
        )
    nominal = make_nominal(p.partner, family_name="Other", on_panel=p.panel, status="active")
    active = CohortMembership.objects.get(nominal=nominal)
    with pytest.raises(ValidationError) as error:
        membership_exit(actor=p.coordinator, membership=active, end=date(2025, 1, 1), reason="x")
    assert "end" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        membership_exit(actor=p.coordinator, membership=active, end=date(2026, 3, 1), reason="")
    assert "exit_reason" in error.value.message_dict


# Panel-specific fields


def council_panel(p, kind, name):
    return make_panel(p.council, [p.probation], kind=kind, name=name)


def test_iom_fields_are_recorded_on_an_iom_referral(partnership):
    p = partnership
    membership = referral(
        p,
        iom_strand="fixed",
        statutory=False,
        ogrs_band="75+",
        consent_to_share=True,
        consent_on=date(2026, 1, 3),
    )
    membership.refresh_from_db()
    assert (membership.iom_strand, membership.statutory, membership.ogrs_band) == (
        "fixed",
        False,
        "75+",
    )
    assert (membership.consent_to_share, membership.consent_on) == (True, date(2026, 1, 3))


def test_another_kinds_fields_are_refused_with_a_clear_message(partnership):
    p = partnership
    with pytest.raises(ValidationError) as error:
        referral(p, mappa_level=2, treatment_requirement="drr")
    assert error.value.message_dict == {
        "mappa_level": ["MAPPA level is only recorded on MAPPA panels"],
        "treatment_requirement": ["Treatment requirement is only recorded on DIP panels"],
    }
    mappa = council_panel(p, PanelKind.MAPPA, "MAPPA panel")
    nominal = make_nominal(p.partner, on_panel=mappa, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    with pytest.raises(ValidationError) as error:
        membership_update(actor=p.coordinator, membership=membership, ogrs_band="75+")
    assert error.value.message_dict == {"ogrs_band": ["OGRS band is only recorded on IOM panels"]}


def test_empty_values_for_another_kinds_fields_are_ignored(partnership):
    p = partnership
    membership = referral(p, mappa_level=None, treatment_requirement="", iom_strand="flex")
    assert membership.iom_strand == "flex"
    assert membership.mappa_level is None


def test_panel_with_no_fields_of_its_own_refuses_them_all(partnership):
    p = partnership
    sgv = council_panel(p, PanelKind.SGV, "Gangs panel")
    nominal = make_nominal(p.partner, on_panel=sgv, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    with pytest.raises(ValidationError, match="only recorded on IOM panels"):
        membership_update(actor=p.coordinator, membership=membership, iom_strand="free")


def test_mappa_category_and_level_on_a_mappa_panel(partnership):
    p = partnership
    mappa = council_panel(p, PanelKind.MAPPA, "MAPPA panel")
    nominal = make_nominal(p.partner, on_panel=mappa, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    changed = membership_update(
        actor=p.coordinator, membership=membership, mappa_category=2, mappa_level=3
    )
    assert (changed.mappa_category, changed.mappa_level) == (2, 3)
    event = AuditEvent.objects.get(verb=Verb.MEMBERSHIP_CHANGED, object_id=str(membership.pk))
    assert event.detail == {"changes": {"mappa_category": [None, 2], "mappa_level": [None, 3]}}
    with pytest.raises(ValidationError):
        membership_update(actor=p.coordinator, membership=membership, mappa_level=4)


def test_dip_treatment_requirement_with_start_and_completion(partnership):
    p = partnership
    dip = council_panel(p, PanelKind.DIP, "DIP panel")
    nominal = make_nominal(p.partner, on_panel=dip, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    changed = membership_update(
        actor=p.coordinator,
        membership=membership,
        treatment_requirement="drr",
        treatment_start=date(2026, 2, 1),
        treatment_completed=date(2026, 5, 1),
    )
    assert changed.treatment_requirement == "drr"
    with pytest.raises(ValidationError) as error:
        membership_update(
            actor=p.coordinator, membership=membership, treatment_completed=date(2026, 1, 1)
        )
    assert "treatment_completed" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        membership_update(
            actor=p.coordinator,
            membership=membership,
            treatment_requirement="",
            treatment_start=date(2026, 2, 1),
        )
    assert "treatment_requirement" in error.value.message_dict


def test_consent_to_share_is_only_for_non_statutory_iom_cases(partnership):
    p = partnership
    with pytest.raises(ValidationError) as error:
        referral(p, statutory=True, consent_to_share=True, consent_on=date(2026, 1, 3))
    assert "non-statutory" in error.value.message_dict["consent_to_share"][0]
    with pytest.raises(ValidationError) as error:
        referral(p, statutory=False, consent_to_share=False, consent_on=date(2026, 1, 3))
    assert "consent_on" in error.value.message_dict


def test_an_update_that_changes_nothing_writes_no_audit_row(partnership):
    p = partnership
    membership = referral(p, iom_strand="flex")
    membership_update(actor=p.coordinator, membership=membership, iom_strand="flex")
    assert audited(Verb.MEMBERSHIP_CHANGED, membership) == 0


def test_a_declined_referral_cannot_be_changed(partnership):
    p = partnership
    membership = referral(p)
    membership_decline(actor=p.coordinator, membership=membership, reason="No")
    with pytest.raises(ValidationError, match="declined referral cannot be changed"):
        membership_update(actor=p.coordinator, membership=membership, iom_strand="flex")


# IOM warnings


def scored(p, ogrs, *offences, family_name="Scored"):
    nominal = person(p.partner, family_name=family_name)
    RiskScore.objects.create(
        nominal=nominal,
        ogrs_percent=ogrs,
        assessed_on=date(2026, 1, 1),
        recorded_by_agency=p.council,
    )
    for offence in offences:
        Offence.objects.create(nominal=nominal, offence_type=offence, recorded_by_agency=p.council)
    return nominal


@pytest.mark.parametrize(
    ("ogrs", "offences", "warned"),
    [
        (80, (), False),
        (75, (), False),
        (60, ("burglary",), False),
        (55, ("robbery",), False),
        (60, ("theft",), True),
        (40, ("burglary",), True),
    ],
)
def test_iom_referral_outside_scope_by_ogrs_is_warned_not_refused(
    partnership, ogrs, offences, warned
):
    p = partnership
    nominal = scored(p, ogrs, *offences)
    warnings = referral_warnings(p.partner, p.panel, nominal)
    assert any("Outside IOM scope" in w for w in warnings) is warned
    # A warning never stops the referral.
    assert referral(p, nominal).status == MembershipStatus.REFERRED


def test_iom_referral_without_an_ogrs_score_says_scope_cannot_be_checked(partnership):
    p = partnership
    warnings = referral_warnings(p.partner, p.panel, person(p.partner))
    assert len(warnings) == 1
    assert "No OGRS score is recorded" in warnings[0]


def test_iom_referral_of_someone_at_mappa_level_2_or_3_is_warned(partnership):
    p = partnership
    mappa = council_panel(p, PanelKind.MAPPA, "Council MAPPA panel")
    nominal = scored(p, 90)
    CohortMembership.objects.create(
        nominal=nominal,
        panel=mappa,
        status="active",
        referred_on=date(2026, 1, 1),
        start=date(2026, 1, 2),
        mappa_level=2,
    )
    warnings = referral_warnings(p.coordinator, p.panel, nominal)
    assert warnings == [
        "This person is managed at MAPPA level 2 on Council MAPPA panel. "
        "MAPPA level 2 and 3 cases are outside IOM."
    ]
    CohortMembership.objects.filter(panel=mappa).update(mappa_level=1)
    assert referral_warnings(p.coordinator, p.panel, nominal) == []


def test_a_mappa_panel_the_user_cannot_see_is_named_without_its_level(partnership):
    p = partnership
    # Probation coordinates MAPPA; the council is not party to its agreement.
    mappa = make_panel(p.probation, [p.council], kind=PanelKind.MAPPA, name="Probation MAPPA")
    nominal = scored(p, 90)
    for level in (1, 3):
        CohortMembership.objects.filter(nominal=nominal, panel=mappa).delete()
        CohortMembership.objects.create(
            nominal=nominal,
            panel=mappa,
            status="active",
            referred_on=date(2026, 1, 1),
            start=date(2026, 1, 2),
            mappa_level=level,
        )
        warnings = referral_warnings(p.partner, p.panel, nominal)
        # The same words whatever the level: the level is what the council may not see.
        assert warnings == [
            "This person is also known to Probation MAPPA. MAPPA level 2 and 3 cases are "
            "outside IOM: check with Probation before going further."
        ]
    # Once the council signs an agreement covering the MAPPA panel, it reads the level.
    make_signed_agreement(
        panels=[mappa],
        parties=[p.council, p.probation],
        signer=p.system_admin,
        reference="ISA-MAPPA",
    )
    assert "MAPPA level 3 on Probation MAPPA" in referral_warnings(p.partner, p.panel, nominal)[0]


def test_panels_other_than_iom_give_no_warnings(partnership):
    p = partnership
    dip = council_panel(p, PanelKind.DIP, "DIP panel")
    assert referral_warnings(p.partner, dip, scored(p, 10)) == []


def test_visibility_follows_memberships_without_any_recomputation(partnership):
    p = partnership
    nominal = person(p.outsider_partner, family_name="Elsewhere")
    assert not Nominal.objects.visible_to(p.member_partner).filter(pk=nominal.pk).exists()
    CohortMembership.objects.create(
        nominal=nominal, panel=p.panel, status="referred", referred_on=date(2026, 1, 1)
    )
    assert Nominal.objects.visible_to(p.member_partner).filter(pk=nominal.pk).exists()
