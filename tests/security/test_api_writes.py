"""API writes are refused to whoever may not make them, and a hostile body changes nothing.

Most routes here are read-only: writes are refused, whoever sends them. Agreements take
writes from governance leads and system administrators (a draft's explicit fields only):
the hostile body lacks what a draft needs, so they get 400, and still nothing changes.

Each write carries a hostile body (ownership fields, other agencies, status changes) so
that if a write action is ever added without explicit serializer fields, the mass
assignment shows here as a changed database.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Agency, AuditEvent, User
from panels.models import Panel, PanelGroupObjectPermission
from sharing.models import InformationSharingAgreement, Signature
from tests.security.dsl import API_WRITES

# People most likely to be let through by mistake: the panel's owner, the service's
# administrator, and another agency's administrator.
WRITERS = (
    "coordinator",
    "agency_admin",
    "governance_lead",
    "system_admin",
    "outsider_admin",
    "anonymous",
)


def hostile_body(world) -> dict[str, object]:
    return {
        "id": world.outsider_panel.pk,
        "name": "Renamed by the API",
        "title": "Retitled by the API",
        "description": "rewritten",
        "kind": "mappa",
        "status": "withdrawn",
        "version": 99,
        "coordinating_agency": world.p.outsider.pk,
        "member_agencies": [world.p.outsider.pk],
        "parties": [world.p.outsider.code],
        "panels": [world.p.panel.pk],
        "agency": world.p.outsider.pk,
        "owner": world.p.outsider_admin.pk,
        "created_by": world.p.outsider_admin.pk,
        "username": "hijacked",
        "roles": ["system_admin"],
        "is_active": False,
    }


def snapshot() -> dict[str, object]:
    """Everything an API write could touch, in a comparable form, in a few queries."""

    def rows(queryset, *exclude: str) -> list[dict]:
        return [
            {k: v for k, v in row.items() if k not in exclude}
            for row in queryset.order_by("pk").values()
        ]

    return {
        "panels": rows(Panel.objects.all()),
        "panel_members": rows(Panel.member_agencies.through.objects.all()),
        "agreements": rows(InformationSharingAgreement.objects.all()),
        "parties": rows(InformationSharingAgreement.parties.through.objects.all()),
        "covered": rows(InformationSharingAgreement.panels.through.objects.all()),
        "signatures": rows(Signature.objects.all()),
        "agencies": rows(Agency.objects.all()),
        "users": rows(User.objects.all(), "last_login"),
        "roles": rows(User.groups.through.objects.all()),
        "groups": rows(Group.objects.all()),
        "grants": rows(PanelGroupObjectPermission.objects.all()),
        "audit_events": AuditEvent.objects.count(),
    }


def api_urls(world) -> dict[str, str]:
    return {
        "me": reverse("me"),
        "schema": reverse("schema"),
        "panel-list": reverse("panel-list"),
        "panel-detail": reverse("panel-detail", args=[world.p.panel.pk]),
        "agreement-list": reverse("agreement-list"),
        "agreement-detail": reverse("agreement-detail", args=[world.p.agreement.pk]),
    }


API_ROUTES = ("me", "schema", "panel-list", "panel-detail", "agreement-list", "agreement-detail")


@pytest.mark.parametrize("method", API_WRITES)
@pytest.mark.parametrize("route", API_ROUTES)
def test_api_write_is_refused_and_changes_nothing(route, method, world, client_as):
    url = api_urls(world)[route]
    for persona in WRITERS:
        before = snapshot()

        response = client_as(persona).generic(
            method, url, json.dumps(hostile_body(world)), content_type="application/json"
        )

        case = f"{route}|{persona}|{method}"
        allowed = (403, 405)
        if route.startswith("agreement-") and persona in ("governance_lead", "system_admin"):
            allowed = (400, 403, 405)
        assert response.status_code in allowed, f"{case}: got {response.status_code}"
        assert snapshot() == before, f"{case} changed the database"


def test_api_write_as_a_form_post_is_refused_too(world, client_as):
    before = snapshot()
    response = client_as("coordinator").post(
        reverse("panel-detail", args=[world.p.panel.pk]), {"name": "Renamed"}
    )
    assert response.status_code in (403, 405)
    assert snapshot() == before
