"""The Governance menu item and landing page."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.context_processors import service
from accounts.models import AccessLog, AccessOutcome, ObjectType

pytestmark = pytest.mark.django_db

INDEX = reverse("governance:index")


def menu_has_governance(client) -> bool:
    body = client.get(reverse("dashboard")).content.decode()
    return f'href="{INDEX}"' in body


def test_the_menu_shows_governance_to_leads_and_system_administrators(partnership, client_for):
    p = partnership
    assert menu_has_governance(client_for(p.governance_lead))
    assert menu_has_governance(client_for(p.system_admin))
    for user in (p.coordinator, p.partner, p.agency_admin, p.committee, p.member_partner):
        assert not menu_has_governance(client_for(user))


def test_the_landing_page_links_to_each_governance_page(partnership, client_for):
    body = client_for(partnership.governance_lead).get(INDEX).content.decode()
    for name in ("access-log", "unusual-reading", "subject-access-find"):
        assert f'href="{reverse(f"governance:{name}")}"' in body
    assert f'href="{reverse("retention:review")}"' in body


def test_system_administrators_see_the_landing_page_but_not_the_log(partnership, client_for):
    p = partnership
    client = client_for(p.system_admin)
    body = client.get(INDEX).content.decode()
    assert reverse("governance:access-log") not in body
    # The retention review is the governance leads' too: it names people.
    assert reverse("retention:review") not in body
    assert client.get(reverse("governance:access-log")).status_code == 403
    assert client_for(p.partner).get(INDEX).status_code == 403
    assert AccessLog.objects.filter(
        user=p.partner, object_type=ObjectType.ACCESS_LOG, outcome=AccessOutcome.DENIED
    ).exists()


def test_the_menu_is_built_for_a_request_with_no_user():
    """Error pages for requests refused before authentication still render the menu."""
    labels = [label for label, _ in service(RequestFactory().get("/"))["primary_navigation"]]
    assert "Governance" not in labels
