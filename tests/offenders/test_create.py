"""Creating a record: the duplicate check comes first, records the user may not see are
only ever a count, and the answers carried to the confirmation step are checked again."""

import re
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AccessLog, AuditEvent, Verb
from matching.identifiers import pnc_check_letter
from offenders.models import Identifier, Nominal
from offenders.services import identifier_add
from tests.factories import make_nominal

pytestmark = pytest.mark.django_db

CREATE = reverse("offenders:create")
CANARY = ("Quillon", "Xervantes")
PNC = f"08/0056560{pnc_check_letter('08', 56560)}"


def details(**changes):
    data = {
        "given_names": "Jordan",
        "family_name": "Ashby",
        "date_of_birth-day": "17",
        "date_of_birth-month": "5",
        "date_of_birth-year": "1990",
        "gender": "male",
        "ethnicity": "",
        "postcode": "e1 6an",
        "ward": "",
        "pnc": "",
        "cro": "",
        "crn": "",
        "prison": "",
        "nhs": "",
    }
    data.update(changes)
    return data


def hidden_fields(body):
    """The hidden (name, value) pairs the confirmation page carries, as a browser sends them."""
    pairs = {}
    for chunk in body.split('<input type="hidden" name="')[1:]:
        name, rest = chunk.split('"', 1)
        pairs[name] = rest.split('value="', 1)[1].split('"', 1)[0]
    pairs.pop("csrfmiddlewaretoken", None)
    return pairs


def test_a_new_person_with_no_match_is_created_and_opens_with_a_banner(partnership, client_for):
    client = client_for(partnership.member_partner)
    response = client.post(CREATE, details())
    nominal = Nominal.objects.get(family_name="Ashby")
    assert response.status_code == 302
    assert response["Location"] == reverse("offenders:profile", args=[nominal.pk])
    assert nominal.owning_agency == partnership.probation
    assert nominal.date_of_birth == date(1990, 5, 17)
    assert nominal.postcode == "E1 6AN"
    assert AuditEvent.objects.filter(verb=Verb.NOMINAL_CREATED, object_id=str(nominal.pk)).exists()
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Record created" in page
    assert "Ashby" not in page  # the purpose of access comes before anything personal


def test_a_second_create_of_the_same_person_warns_of_the_duplicate(partnership, client_for):
    client = client_for(partnership.member_partner)
    client.post(CREATE, details())
    first = Nominal.objects.get(family_name="Ashby")

    response = client.post(CREATE, details(given_names="Jordon"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This person may already be known" in body
    assert reverse("offenders:profile", args=[first.pk]) in body
    assert "Date of birth: same (17/05/1990)" in body
    assert "This is a new person: create the record" in body
    assert Nominal.objects.filter(family_name="Ashby").count() == 1
    # Listing possible matches is a read of personal data: logged, without the details.
    row = AccessLog.objects.filter(object_type="offenders.search").latest("at")
    assert row.object_id == "1" and row.endpoint == CREATE


def test_confirming_a_new_person_creates_the_record_from_the_carried_answers(
    partnership, client_for
):
    client = client_for(partnership.member_partner)
    client.post(CREATE, details())
    warning = client.post(CREATE, details(given_names="Jordon", dob_approximate="on"))
    carried = hidden_fields(warning.content.decode())
    assert carried["given_names"] == "Jordon" and carried["dob_approximate"] == "on"

    response = client.post(CREATE, {**carried, "confirmed": "yes"})
    assert response.status_code == 302
    created = Nominal.objects.get(given_names="Jordon")
    assert created.dob_approximate is True
    assert response["Location"] == reverse("offenders:profile", args=[created.pk])


def test_carried_answers_are_validated_again(partnership, client_for):
    client = client_for(partnership.member_partner)
    tampered = details(**{"date_of_birth-month": "13"}, confirmed="yes")
    response = client.post(CREATE, tampered)
    assert response.status_code == 200
    assert "Date of birth must be a real date" in response.content.decode()
    assert not Nominal.objects.exists()


def test_change_the_details_returns_to_the_form_with_the_answers(partnership, client_for):
    client = client_for(partnership.member_partner)
    client.post(CREATE, details())
    warning = client.post(CREATE, details())
    carried = hidden_fields(warning.content.decode())
    body = client.post(CREATE, {**carried, "edit": "yes"}).content.decode()
    assert "Create a record for a new person" in body
    assert 'value="Ashby"' in body
    assert Nominal.objects.count() == 1


def test_possible_matches_the_user_may_not_see_are_only_counted(partnership, client_for):
    for _ in range(2):
        make_nominal(
            partnership.outsider_partner,
            given_names=CANARY[0],
            family_name=CANARY[1],
            date_of_birth=date(1990, 5, 17),
            postcode="N1 9GU",
        )
    response = client_for(partnership.member_partner).post(
        CREATE, details(given_names=CANARY[0], family_name="Xervantez")
    )
    body = response.content.decode()
    assert "2 possible matches are on records you cannot see" in body
    assert "data protection lead" in body
    assert "Elsewhere Police" not in body and "N1 9GU" not in body
    record_link = re.escape(reverse("offenders:index")) + r"\d+/"
    assert not re.search(record_link, body)  # no link to any record
    # Only what the user typed is shown back, never the hidden record's spelling.
    assert CANARY[1] not in body
    assert not Nominal.objects.filter(owning_agency=partnership.probation).exists()


def test_an_identifier_held_on_a_record_the_user_may_not_see_is_refused_without_saying_whose(
    partnership, client_for
):
    hidden = make_nominal(
        partnership.outsider_partner, given_names=CANARY[0], family_name=CANARY[1]
    )
    identifier_add(actor=partnership.outsider_partner, nominal=hidden, kind="pnc", value=PNC)
    response = client_for(partnership.member_partner).post(
        CREATE, details(pnc=PNC.replace("/", ""), confirmed="yes")
    )
    body = response.content.decode()
    assert "This PNC ID is already recorded on a record you cannot see" in body
    assert CANARY[0] not in body and CANARY[1] not in body and "Elsewhere" not in body
    assert Nominal.objects.filter(owning_agency=partnership.probation).count() == 0
    assert Identifier.objects.filter(value=PNC).count() == 1


def test_an_identifier_held_on_a_visible_record_points_to_that_record(partnership, client_for):
    existing = make_nominal(partnership.coordinator, on_panel=partnership.panel)
    identifier_add(actor=partnership.coordinator, nominal=existing, kind="pnc", value=PNC)
    body = (
        client_for(partnership.member_partner)
        .post(CREATE, details(given_names="Someone", family_name="Else", pnc=PNC))
        .content.decode()
    )
    assert "This PNC ID is already recorded for a person listed below" in body
    assert reverse("offenders:profile", args=[existing.pk]) in body
    assert f"PNC ID: same ({PNC})" in body
    assert Nominal.objects.count() == 1


def test_an_identifier_in_the_wrong_format_is_explained(partnership, client_for):
    body = (
        client_for(partnership.member_partner)
        .post(CREATE, details(pnc="08/56560A", crn="12345"))
        .content.decode()
    )
    assert "The check letter of PNC ID" in body
    assert "Enter a probation CRN like X123456" in body
    assert not Nominal.objects.exists()


def test_missing_names_are_errors_in_the_summary(partnership, client_for):
    body = (
        client_for(partnership.member_partner)
        .post(CREATE, details(given_names="", family_name=""))
        .content.decode()
    )
    assert "There is a problem" in body
    assert "Enter given names" in body and "Enter family name" in body


def test_committee_officers_may_not_create_records(partnership, client_for):
    client = client_for(partnership.committee)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, details()).status_code == 403
    assert not Nominal.objects.exists()
