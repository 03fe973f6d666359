"""Cohort memberships over the API: any casework member of staff refers, the panel's
coordinator accepts, declines, records an exit and changes the panel's fields; partners
get 403 for the coordinator's changes, other boroughs 404, bad input 400 with the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Verb
from cohorts.services.membership import panel_fields_version
from panels.models import CohortMembership, MembershipStatus
from tests.factories import make_nominal, make_panel, make_signed_agreement

pytestmark = pytest.mark.django_db


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


def action_url(membership: CohortMembership, name: str) -> str:
    return reverse(f"membership-{name}", args=[membership.pk])


def detail_url(membership: CohortMembership) -> str:
    return reverse("membership-detail", args=[membership.pk])


def membership_of(nominal, panel) -> CohortMembership:
    return CohortMembership.objects.get(nominal=nominal, panel=panel)


def audited(verb: Verb, membership: CohortMembership) -> bool:
    return AuditEvent.objects.filter(
        verb=verb, object_type="panels.cohortmembership", object_id=str(membership.pk)
    ).exists()


def denied(user) -> list[AccessLog]:
    return list(AccessLog.objects.filter(user=user, outcome=AccessOutcome.DENIED))


@pytest.fixture
def referral(partnership):
    """A council person referred to the council's IOM panel, awaiting the coordinator."""
    nominal = make_nominal(partnership.partner, on_panel=partnership.panel, status="referred")
    return membership_of(nominal, partnership.panel)


@pytest.fixture
def active(partnership):
    nominal = make_nominal(
        partnership.partner, family_name="Barker", on_panel=partnership.panel, status="active"
    )
    return membership_of(nominal, partnership.panel)


# --- Referral ---------------------------------------------------------------------------------


def test_partner_refers_a_person_and_the_referral_waits_for_the_coordinator(
    partnership, client_for
):
    p = partnership
    nominal = make_nominal(p.partner, family_name="Collins")

    response = post(
        client_for(p.partner),
        reverse("membership-list"),
        {
            "panel": p.panel.pk,
            "nominal": nominal.pk,
            "reason": "Three burglaries since release",
            "statutory": False,
            "ogrs_band": "75+",
        },
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["referring_agency"]) == ("referred", "council")
    assert (data["statutory"], data["ogrs_band"]) == (False, "75+")
    membership = CohortMembership.objects.get(pk=data["id"])
    assert membership.referred_by == p.partner
    assert audited(Verb.MEMBERSHIP_REFERRED, membership)


def test_referral_without_a_reason_is_refused_with_the_field_to_give(partnership, client_for):
    p = partnership
    nominal = make_nominal(p.partner, family_name="Collins")

    response = post(
        client_for(p.partner),
        reverse("membership-list"),
        {"panel": p.panel.pk, "nominal": nominal.pk},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"reason"}
    assert not CohortMembership.objects.filter(nominal=nominal).exists()


def test_referral_with_another_kinds_field_is_refused_by_the_service(partnership, client_for):
    p = partnership
    nominal = make_nominal(p.partner, family_name="Collins")

    response = post(
        client_for(p.partner),
        reverse("membership-list"),
        {"panel": p.panel.pk, "nominal": nominal.pk, "reason": "Prolific", "mappa_level": 2},
    )

    assert response.status_code == 400
    assert "only recorded on MAPPA panels" in response.json()["mappa_level"][0]


def test_referring_someone_already_referred_says_so(partnership, client_for, referral):
    response = post(
        client_for(partnership.partner),
        reverse("membership-list"),
        {"panel": partnership.panel.pk, "nominal": referral.nominal_id, "reason": "Again"},
    )

    assert response.status_code == 400
    assert "already referred" in response.json()["non_field_errors"][0]


def test_another_boroughs_person_is_refused_like_one_that_does_not_exist(partnership, client_for):
    p = partnership
    theirs = make_nominal(p.outsider_partner, family_name="Dawson")
    client = client_for(p.partner)

    def refer(nominal_id: int) -> dict:
        body = {"panel": p.panel.pk, "nominal": nominal_id, "reason": "Prolific"}
        response = post(client, reverse("membership-list"), body)
        assert response.status_code == 400
        return response.json()

    assert (
        refer(theirs.pk)
        == refer(2_000_000_000)
        == {"nominal": ["Select a person whose record you can see."]}
    )


def test_a_panel_the_user_does_not_see_cannot_be_referred_to(partnership, client_for):
    p = partnership
    nominal = make_nominal(p.unsigned_partner, family_name="Ellis")

    response = post(
        client_for(p.unsigned_partner),
        reverse("membership-list"),
        {"panel": p.panel.pk, "nominal": nominal.pk, "reason": "Housing concerns"},
    )

    assert response.status_code == 400
    assert response.json() == {"panel": ["Select a panel you can see."]}


def test_committee_officers_may_not_refer(partnership, client_for):
    response = post(client_for(partnership.committee), reverse("membership-list"), {})
    assert response.status_code == 403


# --- The coordinator's decision ----------------------------------------------------------------


def test_coordinator_accepts_a_referral_and_it_is_audited(partnership, client_for, referral):
    start = timezone.localdate()

    response = post(
        client_for(partnership.coordinator),
        action_url(referral, "accept"),
        {"start": start.isoformat()},
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    referral.refresh_from_db()
    assert (referral.status, referral.start) == (MembershipStatus.ACTIVE, start)
    assert audited(Verb.MEMBERSHIP_ACCEPTED, referral)


def test_partner_gets_403_for_accepting_and_the_refusal_is_logged(
    partnership, client_for, referral
):
    p = partnership
    for user in (p.partner, p.member_partner, p.agency_admin):
        response = post(
            client_for(user),
            action_url(referral, "accept"),
            {"start": timezone.localdate().isoformat()},
        )
        assert response.status_code == 403
        assert len(denied(user)) == 1
    referral.refresh_from_db()
    assert referral.status == MembershipStatus.REFERRED


def test_another_boroughs_coordinator_gets_404_for_accepting(partnership, client_for, referral):
    p = partnership
    response = post(
        client_for(p.outsider_coordinator),
        action_url(referral, "accept"),
        {"start": timezone.localdate().isoformat()},
    )

    assert response.status_code == 404
    [refusal] = denied(p.outsider_coordinator)
    assert (refusal.object_type, refusal.object_id) == ("panels.cohortmembership", str(referral.pk))
    referral.refresh_from_db()
    assert referral.status == MembershipStatus.REFERRED


def test_accepting_with_a_start_in_the_future_is_refused_with_the_field(
    partnership, client_for, referral
):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = post(
        client_for(partnership.coordinator),
        action_url(referral, "accept"),
        {"start": tomorrow.isoformat()},
    )

    assert response.status_code == 400
    assert response.json() == {"start": ["The start date must be today or in the past"]}


def test_accepting_an_active_member_says_it_was_already_decided(partnership, client_for, active):
    response = post(
        client_for(partnership.coordinator),
        action_url(active, "accept"),
        {"start": date(2026, 2, 1).isoformat()},
    )

    assert response.status_code == 400
    assert "already been decided" in response.json()["non_field_errors"][0]


def test_a_declined_referral_is_visible_only_to_the_referring_agency(partnership, client_for):
    p = partnership
    nominal = make_nominal(p.member_partner, family_name="Fenwick")
    referred = post(
        client_for(p.member_partner),
        reverse("membership-list"),
        {"panel": p.panel.pk, "nominal": nominal.pk, "reason": "Breached licence twice"},
    ).json()
    membership = CohortMembership.objects.get(pk=referred["id"])

    response = post(
        client_for(p.coordinator),
        action_url(membership, "decline"),
        {"decline_reason": "Outside the IOM cohort's scope"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    assert audited(Verb.MEMBERSHIP_DECLINED, membership)

    def listed(user) -> set[int]:
        page = client_for(user).get(reverse("membership-list")).json()
        return {row["id"] for row in page["results"]}

    assert membership.pk in listed(p.member_partner)
    for user in (p.coordinator, p.partner):
        assert membership.pk not in listed(user)
        assert client_for(user).get(detail_url(membership)).status_code == 404


def test_declining_without_a_reason_is_refused_with_the_field(partnership, client_for, referral):
    response = post(client_for(partnership.coordinator), action_url(referral, "decline"), {})

    assert response.status_code == 400
    assert set(response.json()) == {"decline_reason"}
    referral.refresh_from_db()
    assert referral.status == MembershipStatus.REFERRED


def test_coordinator_records_an_exit(partnership, client_for, active):
    end = timezone.localdate()

    response = post(
        client_for(partnership.coordinator),
        action_url(active, "exit"),
        {"end": end.isoformat(), "exit_reason": "Moved out of the borough"},
    )

    assert response.status_code == 200, response.content
    active.refresh_from_db()
    assert (active.status, active.end, active.exit_reason) == (
        MembershipStatus.EXITED,
        end,
        "Moved out of the borough",
    )
    assert audited(Verb.MEMBERSHIP_EXITED, active)


def test_an_exit_of_someone_not_active_is_refused(partnership, client_for, referral):
    response = post(
        client_for(partnership.coordinator),
        action_url(referral, "exit"),
        {"end": timezone.localdate().isoformat(), "exit_reason": "Moved away"},
    )

    assert response.status_code == 400
    assert "Only someone active" in response.json()["non_field_errors"][0]


# --- Panel fields ------------------------------------------------------------------------------


def test_coordinator_changes_the_iom_fields_and_the_change_is_audited(
    partnership, client_for, active
):
    response = patch(
        client_for(partnership.coordinator),
        detail_url(active),
        {"iom_strand": "fixed", "statutory": True, "ogrs_band": "50-74"},
    )

    assert response.status_code == 200, response.content
    active.refresh_from_db()
    assert (active.iom_strand, active.statutory, active.ogrs_band) == ("fixed", True, "50-74")
    event = AuditEvent.objects.get(verb=Verb.MEMBERSHIP_CHANGED, object_id=str(active.pk))
    assert set(event.detail["changes"]) == {"iom_strand", "statutory", "ogrs_band"}
    assert response.json()["version"] == panel_fields_version(active)


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(
    partnership, client_for, active
):
    seen = client_for(partnership.coordinator).get(detail_url(active)).json()["version"]
    CohortMembership.objects.filter(pk=active.pk).update(iom_strand="flex")

    response = patch(
        client_for(partnership.coordinator),
        detail_url(active),
        {"iom_strand": "fixed", "version": seen},
    )

    assert response.status_code == 409
    active.refresh_from_db()
    assert active.iom_strand == "flex"


def test_changing_a_field_of_another_kind_of_panel_is_refused_with_the_field(
    partnership, client_for, active
):
    response = patch(client_for(partnership.coordinator), detail_url(active), {"mappa_level": 3})

    assert response.status_code == 400
    assert list(response.json()) == ["mappa_level"]


def test_an_empty_change_changes_nothing(partnership, client_for, active):
    response = patch(client_for(partnership.coordinator), detail_url(active), {})

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(verb=Verb.MEMBERSHIP_CHANGED).exists()


def test_partner_gets_403_for_changing_the_panel_fields(partnership, client_for, active):
    response = patch(client_for(partnership.partner), detail_url(active), {"iom_strand": "free"})

    assert response.status_code == 403
    active.refresh_from_db()
    assert active.iom_strand == ""


# --- Lists -------------------------------------------------------------------------------------


def test_the_list_shows_only_memberships_of_panels_the_user_sees(
    partnership, client_for, active, django_assert_max_num_queries
):
    p = partnership
    elsewhere = make_panel(p.outsider, [], name="Elsewhere IOM")
    make_signed_agreement(
        panels=[elsewhere], parties=[p.outsider], signer=p.system_admin, reference="ISA-E"
    )
    theirs = membership_of(
        make_nominal(p.outsider_partner, family_name="Garner", on_panel=elsewhere), elsewhere
    )
    for number in range(5):
        make_nominal(p.partner, given_names=f"Person{number}", on_panel=p.panel)

    client = client_for(p.coordinator)
    with django_assert_max_num_queries(10):
        council = client.get(reverse("membership-list")).json()
    outsider = client_for(p.outsider_partner).get(reverse("membership-list")).json()

    council_ids = {row["id"] for row in council["results"]}
    assert active.pk in council_ids and theirs.pk not in council_ids
    assert council["count"] == 6
    assert {row["id"] for row in outsider["results"]} == {theirs.pk}


def test_an_unsigned_member_agency_lists_nothing(partnership, client_for, active):
    page = client_for(partnership.unsigned_partner).get(reverse("membership-list")).json()
    assert page["results"] == []


def test_the_list_filters_by_status(partnership, client_for, active, referral):
    client = client_for(partnership.coordinator)

    page = client.get(reverse("membership-list"), {"status": "referred"}).json()

    assert [row["id"] for row in page["results"]] == [referral.pk]
    assert client.get(reverse("membership-list"), {"status": "maybe"}).status_code == 400
