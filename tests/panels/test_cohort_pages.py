"""The cohort pages for one person: referring them (from their profile or the panel's
page), and the coordinator's decision, exit and panel-details pages; what each persona
gets, what is shown, and what is written."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Verb
from cohorts.forms.cohort import PanelFieldsForm
from cohorts.services.membership import membership_refer
from offenders.models import RiskScore
from panels.models import CohortMembership, MembershipStatus, PanelKind
from tests.factories import make_nominal, make_panel
from tests.form_errors import assert_shown_everywhere, errors_shown

pytestmark = pytest.mark.django_db


def person(actor, family_name="Ashby", **fields):
    return make_nominal(actor, family_name=family_name, **fields)


def refer_url(nominal, panel=None):
    url = reverse("cohorts:refer-person", args=[nominal.pk])
    return f"{url}?panel={panel.pk}" if panel else url


def referred(p, family_name="Referred"):
    return membership_refer(
        actor=p.member_partner,
        panel=p.panel,
        nominal=person(p.member_partner, family_name=family_name),
        reason="On licence for burglary",
    )


def active(p, family_name="Active"):
    nominal = person(p.partner, family_name=family_name, on_panel=p.panel, status="active")
    return CohortMembership.objects.get(nominal=nominal)


def day_fields(name, value):
    return {f"{name}-day": value.day, f"{name}-month": value.month, f"{name}-year": value.year}


# Referring from the profile


def test_profile_links_to_referring_the_person(partnership, client_for):
    p = partnership
    nominal = person(p.partner)
    client = client_for(p.partner)
    client.post(reverse("offenders:purpose", args=[nominal.pk]), {"purpose": "case_management"})
    body = client.get(reverse("offenders:profile", args=[nominal.pk])).content.decode()
    assert refer_url(nominal) in body


def test_partner_refers_from_the_profile_in_two_steps(partnership, client_for):
    p = partnership
    nominal = person(p.partner)
    client = client_for(p.partner)
    choose = client.get(refer_url(nominal)).content.decode()
    assert "Test IOM panel (Integrated Offender Management (IOM))" in choose
    form = client.get(refer_url(nominal, p.panel)).content.decode()
    assert "Why are you referring this person?" in form
    assert "IOM cohort strand (optional)" in form
    assert "MAPPA" not in form.split("<form")[1]
    response = client.post(
        refer_url(nominal, p.panel),
        {"reason": "Two burglaries this month", "iom_strand": "fixed", "statutory": "no"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("offenders:profile", args=[nominal.pk]) + "#panels"
    membership = CohortMembership.objects.get(nominal=nominal)
    assert (membership.status, membership.iom_strand, membership.statutory) == (
        MembershipStatus.REFERRED,
        "fixed",
        False,
    )
    assert membership.referring_agency == p.council
    # The panel is no longer offered: the person is already referred to it.
    again = client.get(refer_url(nominal)).content.decode()
    assert "There is no panel you can refer this person to" in again


def test_referral_page_shows_iom_warnings_without_blocking(partnership, client_for):
    p = partnership
    nominal = person(p.partner)
    RiskScore.objects.create(
        nominal=nominal, ogrs_percent=35, assessed_on=date(2026, 1, 1), recorded_by_agency=p.council
    )
    client = client_for(p.partner)
    body = client.get(refer_url(nominal, p.panel)).content.decode()
    assert "Outside IOM scope: OGRS 35% (below 50%)" in body
    assert "You can still go ahead" in body
    response = client.post(refer_url(nominal, p.panel), {"reason": "Local priority"})
    assert response.status_code == 302


def test_referral_form_errors_are_shown_and_nothing_is_saved(partnership, client_for):
    p = partnership
    nominal = person(p.partner)
    response = client_for(p.partner).post(
        refer_url(nominal, p.panel),
        {"reason": "", "statutory": "yes", "consent_to_share": "yes", "consent_on-day": "40"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter why you are referring this person" in body
    assert "Date consent was given must include a month and year" in body
    assert not CohortMembership.objects.exists()


def test_service_rule_errors_come_back_on_the_form(partnership, client_for):
    p = partnership
    nominal = person(p.partner)
    response = client_for(p.partner).post(
        refer_url(nominal, p.panel),
        {"reason": "Burglary", "statutory": "yes", "consent_to_share": "yes"},
    )
    assert response.status_code == 200
    assert "Consent to share is only recorded for non-statutory cases" in response.content.decode()
    assert not CohortMembership.objects.exists()


def test_a_panel_the_user_cannot_see_is_not_offered_and_cannot_be_chosen(partnership, client_for):
    p = partnership
    hidden = make_panel(p.outsider, [], name="Elsewhere panel")
    nominal = person(p.partner)
    client = client_for(p.partner)
    assert "Elsewhere panel" not in client.get(refer_url(nominal)).content.decode()
    response = client.post(refer_url(nominal, hidden), {"reason": "x"})
    assert response.status_code == 200
    assert "Select a panel from the list" in response.content.decode()
    assert not CohortMembership.objects.exists()


@pytest.mark.parametrize("persona", ["unsigned_partner", "outsider_partner", "committee"])
def test_referral_page_is_404_for_a_person_the_user_cannot_see(partnership, client_for, persona):
    p = partnership
    nominal = person(p.partner, on_panel=p.panel, status="active")
    client = client_for(getattr(p, persona))
    assert client.get(refer_url(nominal)).status_code == 404
    assert client.post(refer_url(nominal, p.panel), {"reason": "x"}).status_code == 404
    assert CohortMembership.objects.count() == 1


def test_housing_can_open_its_own_persons_referral_page_but_sees_no_panel(partnership, client_for):
    p = partnership
    own = person(p.unsigned_partner)
    body = client_for(p.unsigned_partner).get(refer_url(own)).content.decode()
    assert "There is no panel you can refer this person to" in body


# Referring from the panel's page


def test_panel_page_refers_a_recently_viewed_person_or_a_record_number(partnership, client_for):
    p = partnership
    recent = person(p.partner, family_name="Recent")
    other = person(p.partner, family_name="Other")
    client = client_for(p.partner)
    client.post(reverse("offenders:purpose", args=[recent.pk]), {"purpose": "case_management"})
    client.get(reverse("offenders:profile", args=[recent.pk]))
    url = reverse("cohorts:refer", args=[p.panel.pk])
    body = client.get(url).content.decode()
    assert f"Jordan RECENT, record {recent.pk}" in body
    assert "OTHER" not in body

    response = client.post(url, {"person": str(recent.pk)})
    assert response["Location"] == refer_url(recent, p.panel)
    response = client.post(url, {"person": "other", "record": str(other.pk)})
    assert response["Location"] == refer_url(other, p.panel)


def test_panel_page_gives_the_same_answer_for_a_hidden_and_a_missing_record(
    partnership, client_for
):
    p = partnership
    hidden = person(p.outsider_partner)
    url = reverse("cohorts:refer", args=[p.panel.pk])
    client = client_for(p.partner)
    for record in (hidden.pk, 2_000_000_000):
        response = client.post(url, {"person": "other", "record": str(record)})
        assert response.status_code == 200
        assert "There is no record with that number that you can see" in response.content.decode()
    empty = client.post(url, {}).content.decode()
    assert "Select the person you are referring" in empty


# The coordinator's decision


def decide_url(membership):
    return reverse("cohorts:membership-decide", args=[membership.pk])


def test_coordinator_accepts_a_referral_with_a_start_date(partnership, client_for):
    p = partnership
    membership = referred(p)
    client = client_for(p.coordinator)
    page = client.get(decide_url(membership)).content.decode()
    assert "Decide on the referral of Jordan REFERRED" in page
    assert "On licence for burglary" in page
    assert "by Probation" in page
    # Nothing recorded about OGRS: the coordinator is warned too.
    assert "No OGRS score is recorded" in page
    today = timezone.localdate()
    response = client.post(
        decide_url(membership), {"decision": "accept", **day_fields("start", today)}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#referrals")
    membership.refresh_from_db()
    assert (membership.status, membership.start) == (MembershipStatus.ACTIVE, today)
    body = client.get(response["Location"]).content.decode()
    assert "Jordan REFERRED joined the Test IOM panel cohort" in body


def test_coordinator_declines_with_a_reason(partnership, client_for):
    p = partnership
    membership = referral = referred(p)
    client = client_for(p.coordinator)
    response = client.post(
        decide_url(referral), {"decision": "decline", "decline_reason": "Not prolific"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.decline_reason) == ("declined", "Not prolific")


def test_decision_form_asks_for_what_the_decision_needs(partnership, client_for):
    p = partnership
    membership = referred(p)
    client = client_for(p.coordinator)
    body = client.post(decide_url(membership), {}).content.decode()
    assert "Select whether to accept or decline the referral" in body
    body = client.post(decide_url(membership), {"decision": "accept"}).content.decode()
    assert "Enter the date they join the cohort" in body
    body = client.post(decide_url(membership), {"decision": "decline"}).content.decode()
    assert "Enter why the referral is declined" in body
    future = timezone.localdate() + timedelta(days=3)
    body = client.post(
        decide_url(membership), {"decision": "accept", **day_fields("start", future)}
    ).content.decode()
    assert "must be today or in the past" in body
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REFERRED


def test_a_decided_referral_sends_the_coordinator_back_to_the_tracker(partnership, client_for):
    p = partnership
    membership = active(p)
    response = client_for(p.coordinator).get(decide_url(membership))
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:cohort", args=[p.panel.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("partner", 403),
        ("member_partner", 403),
        ("agency_admin", 404),  # no casework: the panel is not theirs to see
        ("governance_lead", 404),
        ("unsigned_partner", 404),
        ("outsider_partner", 404),
        ("outsider_coordinator", 404),
        ("committee", 404),
    ],
)
def test_coordinator_pages_answer_each_persona(partnership, client_for, persona, status):
    p = partnership
    waiting, on_cohort = referred(p), active(p)
    client = client_for(getattr(p, persona))
    assert client.get(decide_url(waiting)).status_code == status
    decline = {"decision": "decline", "decline_reason": "x"}
    # The coordinator's decision is saved and sends them back to the tracker.
    assert client.post(decide_url(waiting), decline).status_code == {200: 302}.get(status, status)
    for name in ("membership-exit", "membership-edit"):
        assert client.get(reverse(f"cohorts:{name}", args=[on_cohort.pk])).status_code == status
    if status != 200:
        waiting.refresh_from_db()
        assert waiting.status == MembershipStatus.REFERRED
        denied = AccessLog.objects.filter(user=getattr(p, persona), outcome=AccessOutcome.DENIED)
        assert set(denied.values_list("object_type", flat=True)) == {"panels.cohortmembership"}


def test_decision_page_logs_the_read_of_the_person(partnership, client_for):
    p = partnership
    membership = referred(p)
    client_for(p.coordinator).get(decide_url(membership))
    assert AccessLog.objects.filter(
        user=p.coordinator, object_type="offenders.nominal", object_id=str(membership.nominal_id)
    ).exists()


# Exit and panel details


def test_coordinator_records_an_exit(partnership, client_for):
    p = partnership
    membership = active(p)
    url = reverse("cohorts:membership-exit", args=[membership.pk])
    client = client_for(p.coordinator)
    page = client.get(url).content.decode()
    today = timezone.localdate()
    assert f'name="end-year" type="text" inputmode="numeric" value="{today.year}"' in page
    body = client.post(url, {}).content.decode()
    assert "Enter the date they left the cohort" in body
    assert "Enter why they left the cohort" in body
    response = client.post(
        url, {**day_fields("end", date(2026, 3, 2)), "exit_reason": "Moved away"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.end, membership.exit_reason) == (
        "exited",
        date(2026, 3, 2),
        "Moved away",
    )
    # Exiting again is not offered.
    assert client.get(url).status_code == 302


def test_exit_before_joining_is_refused_on_the_form(partnership, client_for):
    p = partnership
    membership = active(p)
    url = reverse("cohorts:membership-exit", args=[membership.pk])
    response = client_for(p.coordinator).post(
        url, {**day_fields("end", date(2025, 1, 1)), "exit_reason": "x"}
    )
    assert response.status_code == 200
    assert "The exit date must be the same as or after the start date" in response.content.decode()


def test_coordinator_edits_the_panel_fields_of_a_mappa_member(partnership, client_for):
    p = partnership
    mappa = make_panel(p.council, [], kind=PanelKind.MAPPA, name="MAPPA panel")
    nominal = person(p.partner, on_panel=mappa, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    url = reverse("cohorts:membership-edit", args=[membership.pk])
    client = client_for(p.coordinator)
    page = client.get(url).content.decode()
    assert "MAPPA category (optional)" in page and "OGRS band" not in page
    version = PanelFieldsForm.initial_from(membership)["version"]
    assert f'value="{version}"' in page
    response = client.post(url, {"version": version, "mappa_category": "1", "mappa_level": "2"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.mappa_category, membership.mappa_level) == (1, 2)
    event = AuditEvent.objects.get(verb=Verb.MEMBERSHIP_CHANGED)
    assert event.detail["changes"]["mappa_level"] == [None, 2]
    # Cleared again with "Not recorded".
    version = PanelFieldsForm.initial_from(membership)["version"]
    client.post(url, {"version": version, "mappa_category": "", "mappa_level": ""})
    membership.refresh_from_db()
    assert membership.mappa_level is None
    body = client.post(url, {"version": version, "mappa_level": "9"}).content.decode()
    assert "MAPPA level: choose one of the options in the list" in body


def test_an_edit_on_details_changed_since_is_refused_and_an_empty_post_saves_nothing(
    partnership, client_for
):
    p = partnership
    membership = referred(p)
    url = reverse("cohorts:membership-edit", args=[membership.pk])
    client = client_for(p.coordinator)
    opened = PanelFieldsForm.initial_from(membership)["version"]
    CohortMembership.objects.filter(pk=membership.pk).update(iom_strand="flex")
    response = client.post(url, {"version": opened, "iom_strand": "fixed"})
    assert response.status_code == 409
    assert "Someone else changed these details" in response.content.decode()
    membership.refresh_from_db()
    assert membership.iom_strand == "flex"
    empty = client.post(url, {})
    assert empty.status_code == 200
    assert "nothing was saved" in empty.content.decode()
    membership.refresh_from_db()
    assert membership.iom_strand == "flex"


def test_edit_page_of_a_panel_without_fields_says_so(partnership, client_for):
    p = partnership
    sgv = make_panel(p.council, [], kind=PanelKind.SGV, name="Gangs panel")
    nominal = person(p.partner, on_panel=sgv, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    body = (
        client_for(p.coordinator)
        .get(reverse("cohorts:membership-edit", args=[membership.pk]))
        .content.decode()
    )
    assert "record no extra details" in body


def test_tracker_offers_the_coordinator_exit_and_details_for_each_member(partnership, client_for):
    p = partnership
    membership = active(p)
    body = (
        client_for(p.coordinator).get(reverse("cohorts:cohort", args=[p.panel.pk])).content.decode()
    )
    assert reverse("cohorts:membership-exit", args=[membership.pk]) in body
    assert reverse("cohorts:membership-edit", args=[membership.pk]) in body


def test_panel_page_links_to_the_cohort(partnership, client_for):
    p = partnership
    body = (
        client_for(p.member_partner)
        .get(reverse("panels:detail", args=[p.panel.pk]))
        .content.decode()
    )
    assert reverse("cohorts:cohort", args=[p.panel.pk]) in body
    assert reverse("cohorts:refer", args=[p.panel.pk]) in body


def test_merged_away_record_is_referred_through_the_survivor(partnership, client_for):
    from offenders.services import nominals_merge

    p = partnership
    survivor = person(p.partner, family_name="Survivor")
    duplicate = person(p.partner, family_name="Duplicate")
    nominals_merge(actor=p.partner, survivor=survivor, duplicate=duplicate)
    response = client_for(p.partner).get(refer_url(duplicate))
    assert response.status_code == 302
    assert response["Location"] == refer_url(survivor)


def test_a_declined_referral_of_another_agencys_person_names_nobody_to_the_coordinator(
    partnership, client_for
):
    p = partnership
    membership = referred(p, family_name="Probationonly")
    client = client_for(p.coordinator)
    declined = {"decision": "decline", "decline_reason": "No"}
    # The coordinator's own confirmation names the person once, then never again.
    assert b"PROBATIONONLY" in client.post(decide_url(membership), declined, follow=True).content
    for name in ("membership-decide", "membership-exit", "membership-edit"):
        response = client.get(reverse(f"cohorts:{name}", args=[membership.pk]), follow=True)
        assert response.status_code == 404
        assert b"PROBATIONONLY" not in response.content.upper()
    tracker = client.get(reverse("cohorts:cohort", args=[p.panel.pk])).content.upper()
    assert b"PROBATIONONLY" not in tracker


def test_an_exit_names_a_missing_reason_and_a_date_before_joining_at_once(partnership, client_for):
    p = partnership
    membership = active(p)
    response = client_for(p.coordinator).post(
        reverse("cohorts:membership-exit", args=[membership.pk]),
        {**day_fields("end", date(2025, 1, 1)), "exit_reason": ""},
    )

    assert response.status_code == 200
    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_end": "The exit date must be the same as or after the start date",
            "id_exit_reason": "Enter why they left the cohort",
        },
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


def test_a_referral_names_a_missing_reason_beside_consent_on_a_statutory_case(
    partnership, client_for
):
    p = partnership
    nominal = person(p.partner)
    response = client_for(p.partner).post(
        refer_url(nominal, p.panel),
        {"reason": "", "statutory": "yes", "consent_to_share": "yes"},
    )

    assert response.status_code == 200
    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_reason": "Enter why you are referring this person",
            "id_consent_to_share": "Consent to share is only recorded for non-statutory "
            "cases: choose non-statutory, or leave consent blank",
        },
    )
    assert not CohortMembership.objects.exists()


def test_editing_treatment_names_an_unreadable_date_and_a_missing_requirement_at_once(
    partnership, client_for
):
    p = partnership
    dip = make_panel(p.council, [], kind=PanelKind.DIP, name="DIP panel")
    nominal = person(p.partner, on_panel=dip, status="active")
    membership = CohortMembership.objects.get(nominal=nominal)
    url = reverse("cohorts:membership-edit", args=[membership.pk])
    response = client_for(p.coordinator).post(
        url,
        {
            "version": PanelFieldsForm.initial_from(membership)["version"],
            "treatment_requirement": "",
            **day_fields("treatment_start", date(2026, 2, 2)),
            "treatment_completed-day": "31",
            "treatment_completed-month": "2",
            "treatment_completed-year": "2026",
        },
    )

    assert response.status_code == 200
    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_treatment_completed": "Treatment completion date must be a real date",
            "id_treatment_requirement": "Select the treatment requirement (DRR or ATR) the "
            "dates are for",
        },
    )
    membership.refresh_from_db()
    assert membership.treatment_start is None
