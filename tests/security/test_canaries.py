"""A unique string in each agency's records never reaches staff who may not see them.

world.py writes a canary into each agency's panel name and description, agreement title
and staff names. Every persona requests every GET route of the matrix (their own side's
records, the other agency's, and missing ones); a canary outside its audience is a leak.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.matrix import (
    COUNCIL,
    COUNCIL_PANEL_VIEWERS,
    MATRIX,
    OUTSIDERS,
    PARTNERSHIP,
)
from tests.security.world import CANARY_FIELDS, PERSONAS, canary

# Who may legitimately meet each canary; everyone else must never see it.
CANARY_AUDIENCE: dict[tuple[str, str], tuple[str, ...]] = {
    # Panel names are listed on the agreements covering them, which every party and the
    # system administrators read; the description only on the panel's own page.
    ("council", "panel-name"): PARTNERSHIP,
    ("council", "panel-description"): COUNCIL_PANEL_VIEWERS,
    ("council", "agreement-title"): PARTNERSHIP,
    ("council", "staff-name"): COUNCIL,
    # System administrators see every agreement (and so the panels they cover).
    ("outsider", "panel-name"): (*OUTSIDERS, "system_admin"),
    ("outsider", "panel-description"): OUTSIDERS,
    ("outsider", "agreement-title"): (*OUTSIDERS, "system_admin"),
    ("outsider", "staff-name"): OUTSIDERS,
}
assert set(CANARY_AUDIENCE) == {(a, f) for a in ("council", "outsider") for f in CANARY_FIELDS}


def forbidden_canaries(persona: str) -> dict[str, tuple[str, str]]:
    return {
        canary(agency, field): (agency, field)
        for (agency, field), audience in CANARY_AUDIENCE.items()
        if persona not in audience
    }


GET_TARGETS = [
    (route, target)
    for route in MATRIX
    for target, record in route.targets().items()
    if "GET" in record.expect
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_receives_another_agencys_canary_on_any_get_route(persona, world, client_as):
    forbidden = forbidden_canaries(persona)
    client = client_as(persona)
    leaks = []
    for route, target in GET_TARGETS:
        url = reverse(route.name, kwargs=route.targets()[target].kwargs(world))
        response = client.get(url)
        seen = response.content.decode(errors="replace") + str(response.headers)
        leaks += [
            f"{route.name}|{target}|{persona}|GET {url} ({response.status_code}) shows "
            f"{agency}'s {field}"
            for token, (agency, field) in forbidden.items()
            if token in seen
        ]
    assert not leaks, "Canaries leaked:\n  " + "\n  ".join(leaks)


def test_canaries_do_reach_their_own_audience(world, client_as):
    """The canary test means something only if the canaries are on the pages at all."""
    panel = client_as("member_partner").get(reverse("panels:detail", args=[world.p.panel.pk]))
    assert canary("council", "panel-description") in panel.content.decode()
    api = client_as("outsider_partner").get(reverse("agreement-list"))
    assert canary("outsider", "agreement-title") in api.content.decode()
    accounts = client_as("outsider_admin").get(reverse("sharing:accounts"))
    assert canary("outsider", "staff-name") in accounts.content.decode()
