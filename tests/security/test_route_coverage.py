"""Every route the project serves has an entry in the access matrix, and the entry is whole."""

from __future__ import annotations

import re

from tests.security.dsl import OUTSIDERS, SIGN_IN, Route
from tests.security.matrix import MATRIX, ROUTES_BY_NAME
from tests.security.routes import discover_routes, routes_by_name
from tests.security.world import ANONYMOUS

HOW_TO_ADD = (
    "Add a Route(...) for each to MATRIX in tests/security/matrix.py: copy the entry of "
    "the closest existing route, then give each persona's status for each method "
    "(records the persona may see, another agency's record, and a missing one)."
)
# Routes whose pattern captures a record's id.
RECORD_ID = re.compile(r"<int:pk>|\(\?P<pk>")


def test_discovery_finds_pages_api_and_router_routes():
    names = set(routes_by_name())
    assert {"dashboard", "panels:detail", "me", "panel-list", "agreement-detail"} <= names


def test_every_route_has_a_name():
    unnamed = [route.describe() for route in discover_routes() if route.name is None]
    assert not unnamed, (
        "These routes have no name, so the access matrix cannot refer to them; "
        "give each a name= in its urls.py:\n  " + "\n  ".join(unnamed)
    )


def test_every_route_has_an_entry_in_the_access_matrix():
    missing = [
        routes[0].describe()
        for name, routes in routes_by_name().items()
        if name is not None and name not in ROUTES_BY_NAME
    ]
    assert not missing, (
        "Routes with no entry in the access matrix:\n  " + "\n  ".join(missing) + "\n" + HOW_TO_ADD
    )


def test_the_matrix_names_no_route_that_no_longer_exists():
    discovered = set(routes_by_name())
    stale = sorted(name for name in ROUTES_BY_NAME if name not in discovered)
    assert not stale, (
        f"The access matrix has entries for routes that no longer exist: {stale}. "
        "Remove them from MATRIX in tests/security/matrix.py (or fix the name)."
    )


def test_the_matrix_has_one_entry_per_route():
    names = [route.name for route in MATRIX]
    assert len(names) == len(set(names)), "a route appears twice in MATRIX"


def test_the_matrix_tries_every_method_each_route_accepts():
    untried = []
    for name, routes in routes_by_name().items():
        route = ROUTES_BY_NAME.get(name)
        if route is None:
            continue  # reported by the test above
        accepted = frozenset().union(*(r.methods for r in routes))
        for target, record in route.targets().items():
            for method in sorted(accepted - set(record.expect)):
                untried.append(f"{name} [{target}] accepts {method}")
    assert not untried, (
        "The access matrix does not try these methods:\n  "
        + "\n  ".join(untried)
        + "\nAdd them to the route's entry in tests/security/matrix.py."
    )


def _anonymous_reaches(route: Route) -> bool:
    """True if an anonymous visitor gets anything but the sign-in page or a 403."""
    return any(
        by_persona[ANONYMOUS] not in (SIGN_IN, 403)
        for record in route.targets().values()
        for by_persona in record.expect.values()
    )


def test_routes_open_to_anonymous_visitors_are_declared_public():
    undeclared = [r.name for r in MATRIX if _anonymous_reaches(r) and not r.public]
    assert not undeclared, f"Anonymous visitors reach {undeclared}; mark them public=True"


def test_no_route_is_declared_public_without_anonymous_visitors_reaching_it():
    needless = [r.name for r in MATRIX if r.public and not _anonymous_reaches(r)]
    assert not needless, f"{needless} are marked public but send visitors to sign in"


def test_every_record_route_tries_another_agencys_record_and_a_missing_one():
    incomplete = []
    for name, routes in routes_by_name().items():
        route = ROUTES_BY_NAME.get(name)
        if route is None or not any(RECORD_ID.search(r.pattern) for r in routes):
            continue
        # A partnership record: no outsider gets it, and one whose role would otherwise
        # allow it gets 404 (the others may be stopped earlier by a role check: 403).
        refused_to_outsiders = any(
            all(by_persona[p] in (403, 404) for p in OUTSIDERS)
            and any(by_persona[p] == 404 for p in OUTSIDERS)
            for target, record in route.records.items()
            if target != "missing"
            for by_persona in record.expect.values()
        )
        if not (route.audited_as and "missing" in route.records and refused_to_outsiders):
            incomplete.append(name)
    assert not incomplete, (
        f"Record routes {incomplete} need audited_as=..., a 'missing' record, and a "
        "partnership record that another agency's staff (OUTSIDERS) are refused, with 404 "
        "for those whose role would otherwise let them in."
    )
