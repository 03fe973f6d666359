"""The nominals API: the same visibility, validation and access log as the pages."""

import pytest

from accounts.models import AccessLog, AccessOutcome
from offenders.models import Nominal
from tests.factories import make_nominal

pytestmark = pytest.mark.django_db


def test_list_shows_only_visible_nominals(partnership, client_for):
    p = partnership
    shared = make_nominal(p.coordinator, on_panel=p.panel)
    make_nominal(p.outsider_partner, family_name="Hidden")
    data = client_for(p.member_partner).get("/api/v1/nominals/").json()
    assert [row["id"] for row in data["results"]] == [shared.pk]


def test_detail_of_a_hidden_nominal_is_404_and_logged(partnership, client_for):
    p = partnership
    hidden = make_nominal(p.outsider_partner, family_name="Hidden")
    response = client_for(p.member_partner).get(f"/api/v1/nominals/{hidden.pk}/")
    assert response.status_code == 404
    assert (
        AccessLog.objects.filter(
            outcome=AccessOutcome.DENIED, object_id=str(hidden.pk), user=p.member_partner
        ).count()
        == 1
    )


def test_detail_read_is_logged_with_its_purpose(partnership, client_for):
    p = partnership
    nominal = make_nominal(p.coordinator, on_panel=p.panel)
    client_for(p.member_partner).get(f"/api/v1/nominals/{nominal.pk}/?purpose=case_management")
    row = AccessLog.objects.get(object_type="offenders.nominal", object_id=str(nominal.pk))
    assert row.purpose == "case_management"


def test_create_ignores_an_attempt_to_set_the_owning_agency(partnership, client_for):
    p = partnership
    response = client_for(p.member_partner).post(
        "/api/v1/nominals/",
        {
            "given_names": "Casey",
            "family_name": "Morgan",
            "date_of_birth": "1994-02-03",
            "owning_agency": p.outsider.pk,
            "created_by": p.outsider_admin.pk,
            "identifiers": [{"kind": "crn", "value": "X123456"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    nominal = Nominal.objects.get(pk=response.json()["id"])
    assert nominal.owning_agency == p.probation
    assert nominal.created_by == p.member_partner


def test_create_with_a_bad_identifier_answers_400_with_the_reason(partnership, client_for):
    response = client_for(partnership.member_partner).post(
        "/api/v1/nominals/",
        {
            "given_names": "Casey",
            "family_name": "Morgan",
            "date_of_birth": "1994-02-03",
            "identifiers": [{"kind": "pnc", "value": "not a pnc"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Nominal.objects.filter(family_name="Morgan").exists()


def test_update_with_a_stale_version_is_refused(partnership, client_for):
    p = partnership
    nominal = make_nominal(p.coordinator, on_panel=p.panel)
    client = client_for(p.coordinator)
    first = client.patch(
        f"/api/v1/nominals/{nominal.pk}/",
        {"version": nominal.version, "family_name": "Ashbey"},
        content_type="application/json",
    )
    assert first.status_code == 200
    second = client.patch(
        f"/api/v1/nominals/{nominal.pk}/",
        {"version": nominal.version, "family_name": "Ashbee"},
        content_type="application/json",
    )
    assert second.status_code == 409
    nominal.refresh_from_db()
    assert nominal.family_name == "Ashbey"


def test_partner_adds_a_timeline_event_for_their_agency(partnership, client_for):
    p = partnership
    nominal = make_nominal(p.coordinator, on_panel=p.panel)
    response = client_for(p.member_partner).post(
        f"/api/v1/nominals/{nominal.pk}/events/",
        {"kind": "visit", "occurred_on": "2026-11-01", "summary": "Home visit, engaged well."},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["agency"] == "probation"


def test_committee_officers_cannot_use_the_nominals_api(partnership, client_for):
    assert client_for(partnership.committee).get("/api/v1/nominals/").status_code == 403


def test_search_finds_a_nickname_with_the_reason_and_logs_no_terms(partnership, client_for):
    p = partnership
    nominal = make_nominal(
        p.coordinator, given_names="William", family_name="Hartley", on_panel=p.panel
    )
    make_nominal(p.outsider_partner, given_names="William", family_name="Hartley")
    response = client_for(p.member_partner).post(
        "/api/v1/nominals/search/",
        {"name": "Bill Hartley", "date_of_birth": "1990-05-17"},
        content_type="application/json",
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [hit["nominal"]["id"] for hit in results] == [nominal.pk]
    assert "Bill" in results[0]["why"]
    row = AccessLog.objects.get(object_type="offenders.search")
    assert "Hartley" not in row.endpoint + row.object_id


def test_empty_search_answers_400(partnership, client_for):
    response = client_for(partnership.member_partner).post(
        "/api/v1/nominals/search/", {}, content_type="application/json"
    )
    assert response.status_code == 400
