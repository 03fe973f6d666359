"""The access rules of DESIGN.md section 4, through the one recomputation service."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts.models import Role
from panels.models import Panel, PanelGroupObjectPermission
from sharing.access import recompute_panel_access
from sharing.models import AgreementStatus
from sharing.services import agreement_set_status, agreement_sign, panel_set_members
from tests.factories import make_agency, make_panel, make_signed_agreement, make_user

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Panel.objects.visible_to(user))


def test_signing_an_agreement_grants_a_member_agencys_staff_access(partnership):
    p = partnership
    assert p.panel not in visible(p.unsigned_partner)

    agreement_sign(
        actor=p.system_admin,
        agreement=p.agreement,
        agency=p.housing,
        signed_by_name="Head of Housing",
        signed_by_role="SIRO",
        signed_on=timezone.localdate(),
    )

    assert p.panel in visible(p.unsigned_partner)


def test_member_agency_under_in_force_agreement_sees_the_panel(partnership):
    assert partnership.panel in visible(partnership.member_partner)


def test_coordinating_agency_always_sees_its_panel(partnership):
    assert partnership.panel in visible(partnership.coordinator)
    assert partnership.panel in visible(partnership.partner)


@pytest.mark.parametrize("status", [AgreementStatus.EXPIRED, AgreementStatus.WITHDRAWN])
def test_expiry_or_withdrawal_removes_access(partnership, status):
    p = partnership
    agreement_set_status(actor=p.system_admin, agreement=p.agreement, status=status)
    assert p.panel not in visible(p.member_partner)
    assert p.panel in visible(p.coordinator)


def test_review_overdue_beyond_grace_removes_access_at_the_nightly_recomputation(
    partnership, settings
):
    p = partnership
    settings.ISA_REVIEW_GRACE_DAYS = 30
    p.agreement.next_review_due = timezone.localdate() - timedelta(days=31)
    p.agreement.save(update_fields=["next_review_due"])

    recompute_panel_access()

    assert p.panel not in visible(p.member_partner)


def test_review_overdue_within_grace_keeps_access(partnership, settings):
    p = partnership
    settings.ISA_REVIEW_GRACE_DAYS = 30
    p.agreement.next_review_due = timezone.localdate() - timedelta(days=29)
    p.agreement.save(update_fields=["next_review_due"])

    recompute_panel_access()

    assert p.panel in visible(p.member_partner)


def test_non_member_agency_never_gets_access_even_when_it_signs(partnership):
    p = partnership
    p.agreement.parties.add(p.outsider)
    agreement_sign(
        actor=p.system_admin,
        agreement=p.agreement,
        agency=p.outsider,
        signed_by_name="Chief",
        signed_by_role="SIRO",
        signed_on=timezone.localdate(),
    )
    recompute_panel_access()
    assert p.panel not in visible(p.outsider_partner)
    assert not visible(p.outsider_coordinator)


def test_removing_a_member_agency_removes_its_access(partnership):
    p = partnership
    panel_set_members(actor=p.coordinator, panel=p.panel, member_agencies=[p.police])
    assert p.panel not in visible(p.member_partner)


def test_signature_of_an_older_version_does_not_count(partnership):
    p = partnership
    p.agreement.version = 2
    p.agreement.save(update_fields=["version"])
    recompute_panel_access()
    assert p.panel not in visible(p.member_partner)


def test_recomputation_is_idempotent(partnership):
    first = recompute_panel_access()
    rows = set(PanelGroupObjectPermission.objects.values_list("content_object_id", "group_id"))
    second = recompute_panel_access()
    assert not first.changed
    assert not second.changed
    assert rows == set(
        PanelGroupObjectPermission.objects.values_list("content_object_id", "group_id")
    )


def test_recomputation_repairs_tampered_grants(partnership):
    p = partnership
    PanelGroupObjectPermission.objects.filter(group=p.probation.group).delete()
    PanelGroupObjectPermission.objects.create(
        content_object=p.panel,
        group=p.outsider.group,
        permission=Permission.objects.get(codename="view_panel"),
    )
    result = recompute_panel_access()
    assert (result.granted, result.revoked) == (1, 1)
    assert p.panel in visible(p.member_partner)
    assert p.panel not in visible(p.outsider_partner)


def test_committee_and_system_admin_roles_see_no_cohorts(partnership):
    assert not visible(partnership.committee)
    assert not visible(partnership.system_admin)


def test_deactivated_account_sees_nothing(partnership):
    p = partnership
    p.member_partner.is_active = False
    p.member_partner.save()
    assert not visible(p.member_partner)


def test_no_group_or_user_holds_a_model_wide_view_permission(partnership):
    """guardian would honour model-wide grants in some calls; we never make any."""
    view_panel = Permission.objects.get(codename="view_panel")
    assert not Group.objects.filter(permissions=view_panel).exists()
    assert not view_panel.user_set.exists()


def test_deleting_a_panel_leaves_no_orphan_grants(partnership):
    p = partnership
    other = make_panel(p.council, [p.police], name="Other panel")
    assert PanelGroupObjectPermission.objects.filter(content_object=other).exists()
    other.delete()
    assert not PanelGroupObjectPermission.objects.filter(content_object_id=other.pk).exists()


def test_visibility_list_equals_an_independent_oracle(db):
    """Every (user, panel) pair: the selector agrees with the rules computed by hand."""
    agencies = [make_agency(f"a{i}") for i in range(5)]
    admin = make_user(agencies[0], Role.SYSTEM_ADMIN, username="root")
    panels = [make_panel(agencies[i], agencies[:4], name=f"P{i}") for i in range(3)]
    make_signed_agreement(
        panels=panels[:2], parties=agencies[:4], signer=admin, signing=agencies[:3]
    )
    users = [make_user(a, Role.PARTNER) for a in agencies]

    def oracle(user, panel):
        if panel.coordinating_agency_id == user.agency_id:
            return True
        member = user.agency in agencies[:4]
        signed_for_panel = panel in panels[:2] and user.agency in agencies[:3]
        return member and signed_for_panel

    for user in users:
        expected = {panel for panel in panels if oracle(user, panel)}
        assert visible(user) == expected, user.agency.code
