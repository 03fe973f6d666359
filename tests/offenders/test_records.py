"""Pages that add to a nominal's record: identity edits (with the stale-edit guard), timeline
events, identifiers, aliases and needs; the GOV.UK date input and its messages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AuditEvent
from core.forms import DateInputField
from offenders.models import Alias, CaseEvent, Identifier, Need, Nominal
from offenders.services import nominal_update
from tests.factories import make_nominal

pytestmark = pytest.mark.django_db


def on_cohort(p, **fields):
    return make_nominal(p.coordinator, family_name="Smith", on_panel=p.panel, **fields)


def with_purpose(client, nominal):
    client.post(reverse("offenders:purpose", args=[nominal.pk]), {"purpose": "case_management"})
    return client


def identity_post(nominal, **changes):
    data = {
        "version": nominal.version,
        "given_names": nominal.given_names,
        "family_name": nominal.family_name,
        "date_of_birth-day": nominal.date_of_birth.day,
        "date_of_birth-month": nominal.date_of_birth.month,
        "date_of_birth-year": nominal.date_of_birth.year,
        "gender": nominal.gender,
        "ethnicity": "",
        "postcode": "",
        "ward": "",
        "lead_professional": "",
    }
    return data | changes


def url(name, nominal):
    return reverse(f"offenders:{name}", args=[nominal.pk])


# Identity


def test_owning_agency_edits_identity_and_the_change_is_in_the_history(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.partner), nominal)
    form = client.get(url("edit", nominal))
    assert form.status_code == 200
    assert f'name="version" value="{nominal.version}"' in form.content.decode()
    response = client.post(
        url("edit", nominal),
        identity_post(
            nominal, family_name="Smyth", postcode="sw1a1aa", lead_professional=p.member_partner.pk
        ),
    )
    assert response.status_code == 302
    nominal.refresh_from_db()
    assert (nominal.family_name, nominal.postcode) == ("Smyth", "SW1A 1AA")
    assert nominal.lead_professional == p.member_partner
    history = client.get(url("history", nominal)).content.decode()
    # Which fields changed; their old values are not kept in the append-only trail.
    assert "Family name changed" in history and "Postcode changed" in history
    assert "Smith" not in history


def test_stale_identity_edit_is_refused_and_keeps_nothing(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    opened_at = nominal.version
    nominal_update(
        actor=p.coordinator, nominal=nominal, version=opened_at, changes={"family_name": "Smythe"}
    )
    client = with_purpose(client_for(p.partner), nominal)
    response = client.post(
        url("edit", nominal), identity_post(nominal, version=opened_at, family_name="Smithers")
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this record while you were editing it" in body
    assert "Smithers" not in body and 'value="Smythe"' in body
    nominal.refresh_from_db()
    assert nominal.family_name == "Smythe"
    assert f'name="version" value="{nominal.version}"' in body


def test_a_member_agency_can_read_but_not_edit_identity(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.member_partner), nominal)
    assert client.get(url("edit", nominal)).status_code == 403
    assert client.post(url("edit", nominal), identity_post(nominal)).status_code == 403
    denied = AccessLog.objects.filter(
        user=p.member_partner, object_id=str(nominal.pk), outcome=AccessOutcome.DENIED
    )
    assert denied.count() == 2


def test_opening_the_identity_form_is_a_logged_read_after_a_purpose(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = client_for(p.partner)
    first = client.get(url("edit", nominal)).content.decode()
    assert "Why are you opening this record?" in first and "Smith" not in first
    response = client.post(url("purpose", nominal), {"purpose": "data_quality", "then": "edit"})
    assert response["Location"] == url("edit", nominal)
    client.get(url("edit", nominal))
    log = AccessLog.objects.get(user=p.partner, object_id=str(nominal.pk))
    assert log.purpose == "data_quality"


def test_purpose_return_address_is_limited_to_the_record_pages(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    response = client_for(p.partner).post(
        url("purpose", nominal), {"purpose": "data_quality", "then": "https://evil.example/"}
    )
    assert response["Location"] == url("profile", nominal)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "1990", "Date of birth must be a real date"),
        ("1", "", "1990", "Date of birth must include a month"),
        ("", "", "1990", "Date of birth must include a day and month"),
        ("1", "2", "90", "Date of birth: the year must include 4 numbers"),
        ("x", "2", "1990", "Date of birth must be a real date"),
    ],
)
def test_date_of_birth_messages_say_what_is_wrong(
    partnership, client_for, day, month, year, message
):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.partner), nominal)
    data = identity_post(nominal) | {
        "date_of_birth-day": day,
        "date_of_birth-month": month,
        "date_of_birth-year": year,
    }
    body = client.post(url("edit", nominal), data).content.decode()
    assert "There is a problem" in body
    assert message in body
    assert 'href="#id_date_of_birth-day"' in body
    assert f'name="date_of_birth-year" type="text" inputmode="numeric" value="{year}"' in body
    nominal.refresh_from_db()
    assert nominal.date_of_birth == date(1990, 5, 17)


def test_date_of_birth_must_be_in_the_past(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.partner), nominal)
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = identity_post(nominal) | {
        "date_of_birth-day": tomorrow.day,
        "date_of_birth-month": tomorrow.month,
        "date_of_birth-year": tomorrow.year,
    }
    assert (
        "Date of birth must be in the past"
        in client.post(url("edit", nominal), data).content.decode()
    )


def test_date_input_field_reads_day_month_and_year():
    field = DateInputField(label="Date of the event", when="not_future")
    assert field.clean({"day": "03", "month": "11", "year": "2025"}) == date(2025, 11, 3)
    assert (
        DateInputField(label="Date", required=False).clean({"day": "", "month": "", "year": ""})
        is None
    )
    assert field.prepare_value(date(2025, 11, 3)) == {"day": "3", "month": "11", "year": "2025"}


# Events, identifiers, aliases, needs


def test_a_member_partner_adds_an_event_as_their_own_agency(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.member_partner), nominal)
    assert client.get(url("event-create", nominal)).status_code == 200
    response = client.post(
        url("event-create", nominal),
        {
            "kind": "warning_letter",
            "occurred_on-day": "2",
            "occurred_on-month": "1",
            "occurred_on-year": "2026",
            "summary": "Warning letter for a missed appointment",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#timeline")
    event = CaseEvent.objects.get(nominal=nominal)
    assert (event.kind, event.agency, event.author) == (
        "warning_letter",
        p.probation,
        p.member_partner,
    )
    profile = client.get(url("profile", nominal)).content.decode()
    assert "Event added to the timeline" in profile


def test_an_empty_event_form_is_shown_again_with_the_error_summary(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.member_partner), nominal)
    body = client.post(url("event-create", nominal), {}).content.decode()
    assert "There is a problem" in body
    assert "Select what kind of event it was" in body
    assert "Enter the date of the event" in body
    assert "Enter a summary of the event" in body
    assert 'href="#id_kind"' in body and 'id="id_kind"' in body
    assert "Records merged" not in body
    assert not CaseEvent.objects.exists()


def test_an_event_cannot_be_dated_in_the_future(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.member_partner), nominal)
    later = timezone.localdate() + timedelta(days=3)
    body = client.post(
        url("event-create", nominal),
        {
            "kind": "visit",
            "occurred_on-day": later.day,
            "occurred_on-month": later.month,
            "occurred_on-year": later.year,
            "summary": "Planned",
        },
    ).content.decode()
    assert "Date of the event must be today or in the past" in body


def test_identifier_is_validated_by_its_format(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.member_partner), nominal)
    body = client.post(
        url("identifier-create", nominal), {"kind": "pnc", "value": "not-a-pnc"}
    ).content.decode()
    assert "There is a problem" in body and "Enter a PNC ID like" in body
    assert not Identifier.objects.filter(nominal=nominal).exists()

    response = client.post(url("identifier-create", nominal), {"kind": "pnc", "value": "08/56560Z"})
    assert response.status_code == 302
    identifier = Identifier.objects.get(nominal=nominal)
    assert (identifier.value, identifier.recorded_by_agency) == ("08/0056560Z", p.probation)


def test_an_identifier_already_held_by_another_person_is_refused(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    other = make_nominal(p.coordinator, family_name="Other", identifiers=[("pnc", "08/56560Z")])
    assert other.identifiers.count() == 1
    client = with_purpose(client_for(p.partner), nominal)
    body = client.post(
        url("identifier-create", nominal), {"kind": "pnc", "value": "08/0056560Z"}
    ).content.decode()
    assert "already recorded for another person" in body


def test_an_alias_needs_a_name_and_is_then_added(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.member_partner), nominal)
    body = client.post(url("alias-create", nominal), {}).content.decode()
    assert "Enter a given name or a family name for the alias" in body
    response = client.post(
        url("alias-create", nominal),
        {"given_names": "Jay", "family_name": "Smithson", "date_of_birth-year": ""},
    )
    assert response.status_code == 302
    assert Alias.objects.get(nominal=nominal).family_name == "Smithson"


def test_a_need_is_recorded_and_its_change_is_audited(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.member_partner), nominal)
    assert client.get(url("needs", nominal) + "?pathway=ete").status_code == 200
    response = client.post(
        url("needs", nominal), {"pathway": "ete", "level": "medium", "note": "Looking for work"}
    )
    assert response.status_code == 302
    need = Need.objects.get(nominal=nominal, pathway="ete")
    assert (need.level, need.updated_by) == ("medium", p.member_partner)
    assert AuditEvent.objects.filter(verb="need_set", object_id=str(nominal.pk)).exists()
    form = client.get(url("needs", nominal) + "?pathway=ete").content.decode()
    assert "Looking for work" in form


def test_record_pages_ask_for_a_purpose_before_showing_the_form(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = client_for(p.member_partner)
    body = client.get(url("event-create", nominal)).content.decode()
    assert "Why are you opening this record?" in body
    assert 'name="then" value="event-create"' in body


@pytest.mark.parametrize(
    "route", ["edit", "event-create", "identifier-create", "alias-create", "needs"]
)
def test_record_pages_answer_404_for_a_record_of_the_outsider_agency(
    partnership, client_for, route
):
    p = partnership
    theirs = make_nominal(p.outsider_partner, family_name="Elsewhere")
    client = client_for(p.member_partner)
    assert client.get(url(route, theirs)).status_code == 404
    assert client.post(url(route, theirs), {}).status_code == 404
    assert not Nominal.objects.filter(pk=theirs.pk, version__gt=1).exists()
