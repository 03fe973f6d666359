"""Every route x persona x method answers what the matrix declares, and refusals are audited.

A failing case is named `route|record|persona|METHOD`, e.g.
`panels:detail|council-panel|outsider_partner|GET`.
"""

from __future__ import annotations

import json
import re

import pytest
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import reverse

from accounts.models import AccessLog, AccessOutcome
from tests.security.dsl import SIGN_IN, Expected, Redirect, Route
from tests.security.matrix import MATRIX, Case, cases
from tests.security.world import ANONYMOUS, PERSONAS, World

ALL_CASES = list(cases())


def sign_in_url(path: str) -> str:
    query = QueryDict(mutable=True)
    query["next"] = path
    return f"/sign-in/?{query.urlencode(safe='/')}"


def send(client: Client, method: str, url: str, data: dict[str, str]) -> HttpResponse:
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data)
    # PUT, PATCH and DELETE: what an API client would send.
    return client.generic(method, url, json.dumps(data), content_type="application/json")


def mismatch(
    expected: Expected, response: HttpResponse, url: str, kwargs: dict, world: World
) -> str | None:
    """Why the response is not what was expected, or None if it is."""
    status = response.status_code
    location = response.get("Location")
    got = f"{status}" + (f" -> {location}" if location else "")
    if expected is SIGN_IN:
        want = sign_in_url(url)
        return None if (status, location) == (302, want) else f"expected 302 -> {want}, got {got}"
    if isinstance(expected, Redirect):
        want = expected.to.format(w=world, **kwargs)
        return None if (status, location) == (302, want) else f"expected 302 -> {want}, got {got}"
    return None if status == expected else f"expected {expected}, got {got}"


def denied_rows(world: World, persona: str):
    return AccessLog.objects.filter(user=world.user(persona), outcome=AccessOutcome.DENIED)


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_route_answers_each_persona_as_the_matrix_declares(case: Case, world, client_as):
    record = case.route.targets()[case.target]
    kwargs = record.kwargs(world)
    url = reverse(case.route.name, kwargs=kwargs)

    response = send(client_as(case.persona), case.method, url, case.route.data)

    problem = mismatch(case.expected, response, url, kwargs, world)
    assert problem is None, f"{case.id} {url}: {problem}"

    if case.persona == ANONYMOUS:
        return
    denied = list(denied_rows(world, case.persona))
    if case.route.audited_as and response.status_code == 404:
        assert len(denied) == 1, f"{case.id}: a 404 must write one denied AccessLog row"
        refused = record.refused.get(case.persona, "pk")
        assert (denied[0].object_type, denied[0].object_id) == (
            case.route.audited_as,
            str(kwargs[refused]),
        ), f"{case.id}: the denied row names the wrong record"
        assert denied[0].endpoint == url
    elif response.status_code < 400:
        assert denied == [], f"{case.id}: an allowed request wrote a denied AccessLog row"


def _normalise(content: bytes) -> bytes:
    """The page without what differs on every response: the CSP nonce, and the masked CSRF
    token in forms and in the header htmx sends (`hx-headers` on the page's body)."""
    content = re.sub(rb'nonce="[^"]*"', b'nonce=""', content)
    content = re.sub(rb'"X-CSRFToken": "[^"]*"', b'"X-CSRFToken": ""', content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def _foreign_and_missing() -> list[tuple[Route, str, str, str]]:
    """(route, foreign record, method, persona) where the persona gets 404 for both the
    foreign record and a missing one (the first such method of GET and POST)."""
    found = []
    for route in MATRIX:
        missing = route.records.get("missing")
        if missing is None:
            continue
        for target, record in route.records.items():
            if target == "missing":
                continue
            methods = [m for m in ("GET", "POST") if m in record.expect and m in missing.expect]
            for persona in PERSONAS:
                for method in methods:
                    if record.expect[method][persona] == missing.expect[method][persona] == 404:
                        found.append((route, target, method, persona))
                        break
    return found


FOREIGN_AND_MISSING = _foreign_and_missing()


@pytest.mark.parametrize(
    ("route", "target", "method", "persona"),
    FOREIGN_AND_MISSING,
    ids=[f"{r.name}|{t}|{p}|{m}" for r, t, m, p in FOREIGN_AND_MISSING],
)
def test_refused_record_answers_exactly_like_a_record_that_does_not_exist(
    route: Route, target: str, method: str, persona: str, world, client_as
):
    client = client_as(persona)
    refused_url = reverse(route.name, kwargs=route.records[target].kwargs(world))
    refused = send(client, method, refused_url, route.data)
    missing_url = reverse(route.name, kwargs=route.records["missing"].kwargs(world))
    missing = send(client, method, missing_url, route.data)

    assert refused.status_code == missing.status_code == 404
    assert _normalise(refused.content) == _normalise(missing.content)


def _one_403_per_route_and_method() -> list[Case]:
    """A signed-in persona refused with 403, for each route, record and method."""
    chosen: dict[tuple[str, str, str], Case] = {}
    for case in ALL_CASES:
        if case.expected == 403 and case.persona != ANONYMOUS:
            chosen.setdefault((case.route.name, case.target, case.method), case)
    return list(chosen.values())


REFUSED_WITH_403 = _one_403_per_route_and_method()


def test_every_refusal_answered_403_writes_one_denied_audit_row(world, client_as):
    unaudited = []
    for case in REFUSED_WITH_403:
        kwargs = case.route.targets()[case.target].kwargs(world)
        url = reverse(case.route.name, kwargs=kwargs)
        before = denied_rows(world, case.persona).count()
        send(client_as(case.persona), case.method, url, case.route.data)
        if denied_rows(world, case.persona).count() != before + 1:
            unaudited.append(case.id)
    assert not unaudited, f"{len(unaudited)} refusals not audited, e.g. {unaudited[:5]}"
