"""Panel pages and API: each persona sees exactly the panels the rules allow."""

import pytest

from sharing.services import panel_create
from tests.factories import make_panel

pytestmark = pytest.mark.django_db


def test_panel_list_shows_visible_panels_only(partnership, client_for):
    hidden = make_panel(partnership.outsider, [], name="Elsewhere SGV panel")
    member = client_for(partnership.member_partner).get("/panels/")
    assert b"Test IOM panel" in member.content
    assert hidden.name.encode() not in member.content


def test_unsigned_member_sees_an_empty_state_not_the_panel(partnership, client_for):
    response = client_for(partnership.unsigned_partner).get("/panels/")
    assert b"Test IOM panel" not in response.content
    assert b"You cannot see any panels yet" in response.content


def test_panel_page_shows_who_can_see_the_cohort(partnership, client_for):
    response = client_for(partnership.coordinator).get(f"/panels/{partnership.panel.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    seeing = body[body.index("Agencies that can see the cohort") :]
    assert "Probation" in seeing.split("</dd>")[0]
    assert "Housing" not in seeing.split("</dd>")[0]
    assert "(you coordinate this panel)" in body


def test_outsider_gets_404_for_a_panel_of_another_agency_without_an_agreement(
    partnership, client_for
):
    client = client_for(partnership.outsider_coordinator)
    assert client.get(f"/panels/{partnership.panel.pk}/").status_code == 404
    assert client.get(f"/api/v1/panels/{partnership.panel.pk}/").status_code == 404


def test_panel_list_sorts_by_the_chosen_column(partnership, client_for):
    panel_create(
        actor=None,
        kind="sgv",
        name="A gangs panel",
        coordinating_agency=partnership.council,
        member_agencies=[],
    )
    body = client_for(partnership.coordinator).get("/panels/?sort=name").content.decode()
    assert body.index("A gangs panel") < body.index("Test IOM panel")
    body = client_for(partnership.coordinator).get("/panels/?sort=kind").content.decode()
    assert body.index("Test IOM panel") < body.index("A gangs panel")


def test_panel_list_queries_do_not_grow_with_panels(
    partnership, client_for, django_assert_max_num_queries
):
    client = client_for(partnership.coordinator)
    for i in range(15):
        make_panel(partnership.council, [partnership.police, partnership.probation], name=f"P{i}")
    with django_assert_max_num_queries(12):
        assert client.get("/panels/").status_code == 200
    # The home page also lists the coordinator's reports: one query more.
    with django_assert_max_num_queries(13):
        assert client.get("/").status_code == 200


def test_api_lists_visible_panels_with_their_agencies(partnership, client_for):
    response = client_for(partnership.member_partner).get("/api/v1/panels/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    assert data["results"][0]["coordinating_agency"]["code"] == "council"


def test_api_refuses_anonymous_callers(partnership):
    from django.test import Client

    assert Client().get("/api/v1/panels/").status_code == 403


def test_api_me_describes_the_caller(partnership, client_for):
    data = client_for(partnership.coordinator).get("/api/v1/me/").json()
    assert data["agency_code"] == "council"
    assert data["roles"] == ["coordinator", "partner"]


def test_openapi_schema_describes_the_api(partnership, client_for):
    response = client_for(partnership.partner).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/panels/" in response.content
