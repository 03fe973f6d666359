"""Who sees which nominal (DESIGN.md section 4), through Nominal.objects.visible_to."""

import pytest

from offenders.models import Nominal, NominalGroupObjectPermission
from sharing.models import AgreementStatus
from sharing.services import agreement_set_status
from tests.factories import make_nominal

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Nominal.objects.visible_to(user))


def test_member_agency_under_an_agreement_sees_the_cohort(partnership):
    p = partnership
    on_cohort = make_nominal(p.coordinator, on_panel=p.panel)
    assert on_cohort in visible(p.member_partner)
    assert on_cohort not in visible(p.unsigned_partner)
    assert on_cohort not in visible(p.outsider_partner)


def test_agency_always_sees_the_nominals_it_recorded(partnership):
    p = partnership
    own = make_nominal(p.outsider_partner, family_name="Outsider")
    assert own in visible(p.outsider_coordinator)
    assert own not in visible(p.coordinator)


def test_declined_referrals_are_not_shared_with_the_panel(partnership):
    p = partnership
    declined = make_nominal(p.coordinator, on_panel=p.panel, status="declined")
    assert declined not in visible(p.member_partner)
    assert declined in visible(p.partner)  # the council recorded it


def test_withdrawing_the_agreement_hides_the_cohort_on_the_next_read(partnership):
    p = partnership
    on_cohort = make_nominal(p.coordinator, on_panel=p.panel)
    agreement_set_status(
        actor=p.system_admin, agreement=p.agreement, status=AgreementStatus.WITHDRAWN
    )
    assert on_cohort not in visible(p.member_partner)


def test_an_explicit_grant_shows_one_record_to_one_agency(partnership):
    from django.contrib.auth.models import Permission

    p = partnership
    own = make_nominal(p.outsider_partner, family_name="Granted")
    NominalGroupObjectPermission.objects.create(
        content_object=own,
        group=p.probation.group,
        permission=Permission.objects.get(codename="view_nominal"),
    )
    assert own in visible(p.member_partner)
    assert own not in visible(p.coordinator)


def test_committee_officers_see_no_nominals(partnership):
    p = partnership
    make_nominal(p.coordinator, on_panel=p.panel)
    assert not visible(p.committee)
    assert not visible(p.system_admin)


def test_merged_away_records_are_not_listed(partnership):
    p = partnership
    survivor = make_nominal(p.coordinator, on_panel=p.panel)
    duplicate = make_nominal(p.coordinator, given_names="Jordon", on_panel=p.panel)
    Nominal.objects.filter(pk=duplicate.pk).update(merged_into=survivor)
    assert visible(p.coordinator) == {survivor}
