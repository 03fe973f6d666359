"""A unique string in each agency's records never reaches staff who may not see them.

world.py writes a canary into each agency's panel name and description, agreement title,
staff names, and people's names, aliases and timeline events. Every persona requests every
GET route of the matrix (their own side's records, the other agency's, and missing ones),
having first given a purpose for every person (so profiles and forms show the record, not
only the purpose question), and searches for everyone; a canary outside its audience is a
leak.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.dsl import (
    COUNCIL,
    COUNCIL_PANEL_VIEWERS,
    ELSEWHERE_CASEWORK,
    OUTSIDERS,
    PARTNERSHIP,
)
from tests.security.matrix import MATRIX
from tests.security.world import PERSONAS, PLANTED_CANARIES, SHARED_DOB, canary

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
    ("outsider", "panel-description"): ELSEWHERE_CASEWORK,
    ("outsider", "agreement-title"): (*OUTSIDERS, "system_admin"),
    ("outsider", "staff-name"): OUTSIDERS,
    # People on the council's panel: whoever may open the panel (probation by the signed
    # agreement); the other borough's people: that borough's casework staff only.
    ("council", "nominal-name"): COUNCIL_PANEL_VIEWERS,
    ("council", "alias"): COUNCIL_PANEL_VIEWERS,
    ("council", "event-summary"): COUNCIL_PANEL_VIEWERS,
    ("outsider", "nominal-name"): ELSEWHERE_CASEWORK,
    ("outsider", "alias"): ELSEWHERE_CASEWORK,
    ("outsider", "event-summary"): ELSEWHERE_CASEWORK,
    # Probation's own person, whose referral to the council's panel was declined.
    ("probation", "nominal-name"): ("member_partner",),
}
assert set(CANARY_AUDIENCE) == set(PLANTED_CANARIES)

# A person's record names the staff of the agencies that work with the person: timeline
# bylines, the change history and the choice of lead professional. There, and only there,
# probation staff meet council staff names.
ON_PERSON_RECORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("council", "staff-name"): (*COUNCIL, "member_partner"),
}


# The retention review names the records an agency owns to that agency's governance lead,
# who decides whether to keep or delete them: there, and only there, they meet the names.
ON_RETENTION_REVIEWS: dict[tuple[str, str], tuple[str, ...]] = {
    ("council", "nominal-name"): (*COUNCIL_PANEL_VIEWERS, "governance_lead"),
}


def forbidden_canaries(persona: str, route_name: str = "") -> dict[str, tuple[str, str]]:
    audiences = dict(CANARY_AUDIENCE)
    if route_name.startswith("offenders:"):
        audiences |= ON_PERSON_RECORDS
    if route_name.startswith("retention:"):
        audiences |= ON_RETENTION_REVIEWS
    return {
        canary(agency, field): (agency, field)
        for (agency, field), audience in audiences.items()
        if persona not in audience
    }


# The date of birth as the search and create forms take it.
BORN_ON_SHARED_DOB = {
    "date_of_birth-day": str(SHARED_DOB.day),
    "date_of_birth-month": str(SHARED_DOB.month),
    "date_of_birth-year": str(SHARED_DOB.year),
}


def give_every_purpose(client, world) -> None:
    """Answer the purpose question for every person (refused for those not seen)."""
    for nominal in world.nominals():
        client.post(
            reverse("offenders:purpose", args=[nominal.pk]),
            {"purpose": "case_management", "then": "profile"},
        )


def leaks_in(response, persona: str, route_name: str, what: str) -> list[str]:
    # Pages show family names in capitals: compare without case.
    seen = (response.content.decode(errors="replace") + str(response.headers)).casefold()
    return [
        f"{what} ({response.status_code}) shows {agency}'s {field}"
        for token, (agency, field) in forbidden_canaries(persona, route_name).items()
        if token.casefold() in seen
    ]


GET_TARGETS = [
    (route, target)
    for route in MATRIX
    for target, record in route.targets().items()
    if "GET" in record.expect
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_receives_another_agencys_canary_on_any_get_route(persona, world, client_as):
    client = client_as(persona)
    give_every_purpose(client, world)
    leaks = []
    for route, target in GET_TARGETS:
        url = reverse(route.name, kwargs=route.targets()[target].kwargs(world))
        response = client.get(url)
        leaks += leaks_in(
            response, persona, route.name, f"{route.name}|{target}|{persona}|GET {url}"
        )
    assert not leaks, "Canaries leaked:\n  " + "\n  ".join(leaks)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_finds_another_agencys_people(persona, world, client_as):
    """Searching, checking for duplicates before creating a record, and the API's list
    show only the people the persona may see. Everyone in the world shares a date of
    birth and a name, so a search by them lists everyone a persona can see."""
    client = client_as(persona)
    dob = BORN_ON_SHARED_DOB
    requests = {
        "offenders:index": ("POST", reverse("offenders:index"), {"name": "Jordan Ashby", **dob}),
        # The other borough's PNC ID: "recorded on a record you cannot see", nothing more.
        "offenders:create": (
            "POST",
            reverse("offenders:create"),
            {
                "given_names": "Jordan",
                "family_name": "Ashby",
                "gender": "unknown",
                "pnc": "09/123456C",
                **dob,
            },
        ),
        "nominal-list": ("GET", reverse("nominal-list"), {}),
    }
    leaks = []
    for name, (method, url, data) in requests.items():
        response = client.post(url, data) if method == "POST" else client.get(url)
        leaks += leaks_in(response, persona, name, f"{name}|{persona}|{method} {url}")
    assert not leaks, "Canaries leaked:\n  " + "\n  ".join(leaks)


def test_canaries_do_reach_their_own_audience(world, client_as):
    """The canary test means something only if the canaries are on the pages at all."""
    panel = client_as("member_partner").get(reverse("panels:detail", args=[world.p.panel.pk]))
    assert canary("council", "panel-description") in panel.content.decode()
    api = client_as("outsider_partner").get(reverse("agreement-list"))
    assert canary("outsider", "agreement-title") in api.content.decode()
    accounts = client_as("outsider_admin").get(reverse("accounts:accounts"))
    assert canary("outsider", "staff-name") in accounts.content.decode()

    member = client_as("member_partner")
    give_every_purpose(member, world)
    profile = member.get(reverse("offenders:profile", args=[world.nominal.pk]))
    for field in ("nominal-name", "alias", "event-summary"):
        assert canary("council", field).casefold() in profile.content.decode().casefold(), field
    found = member.post(reverse("offenders:index"), BORN_ON_SHARED_DOB).content.decode()
    found = found.casefold()
    assert canary("council", "nominal-name").casefold() in found
    assert canary("probation", "nominal-name").casefold() in found
    person = client_as("outsider_partner").get(
        reverse("nominal-detail", args=[world.outsider_nominal.pk])
    )
    assert canary("outsider", "alias") in person.content.decode()
