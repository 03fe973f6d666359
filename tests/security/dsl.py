"""The access matrix's vocabulary: routes, records, personas and what each gets.

The routes themselves are listed in matrix.py (and the matrix_*.py modules it gathers).

---

The access matrix: for every route, who gets what.

Each route of the project (tests/security/routes.py finds them all, DRF router included)
has one `Route` here. A route that takes URL arguments lists the records to try it on:
one the persona's side owns, one belonging to another agency, and one that does not
exist. For each record and each HTTP method it says what every persona gets:

- a status code (200, 403, 404, 405),
- `SIGN_IN`: a redirect to /sign-in/?next=<the page> (anonymous visitors on pages),
- `Redirect("/path/")`: another redirect (`{pk}` is filled from the URL arguments, and
  `{w.nominal.pk}` from the world, e.g. for the survivor of a merge).

Rules the tests enforce on top of the statuses (test_access_matrix.py):
- A 404 on a route with `audited_as` writes exactly one "denied" AccessLog row for that
  user and record (the `pk` argument, unless the record's `refused` names another
  argument for that persona); a 2xx or 3xx writes none.
- Anonymous visitors get SIGN_IN on pages and 403 on the API, unless the route is
  declared `public=True`.

Adding a route: copy the entry of the closest existing route, change the name, the
records and the statuses, and run `pytest tests/security`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tests.security.world import ANONYMOUS, PERSONAS, World


@dataclass(frozen=True)
class _SignIn:
    def __repr__(self) -> str:
        return "SIGN_IN"


SIGN_IN = _SignIn()


@dataclass(frozen=True)
class Redirect:
    to: str  # may hold {pk} or other URL arguments, or {w.<attribute>} of the world

    def __repr__(self) -> str:
        return f"Redirect({self.to!r})"


Expected = int | Redirect | _SignIn
ByPersona = dict[str, Expected]
Kwargs = Callable[[World], dict[str, object]]

# Persona groups (see world.PERSONAS).
SIGNED_IN = PERSONAS[1:]
COUNCIL = (
    "coordinator",
    "partner",
    "committee",
    "agency_admin",
    "governance_lead",
    "system_admin",
)
# Staff of the agencies party to the council's agreement ISA-1 (system admins see all).
PARTNERSHIP = (*COUNCIL, "member_partner", "unsigned_partner")
OUTSIDERS = ("outsider_partner", "outsider_coordinator", "outsider_admin")
# Roles that read no case data: committee officers (aggregates), agency administrators
# (staff accounts), information governance leads (agreements, who viewed what) and system
# administrators (the service's set-up). Pages about a record answer them 404, like a
# missing one; the API refuses them (403) before it looks the record up.
NOT_CASEWORK = ("committee", "agency_admin", "governance_lead", "system_admin", "outsider_admin")
# The council's casework staff, and the other borough's.
COUNCIL_CASEWORK = ("coordinator", "partner")
ELSEWHERE_CASEWORK = ("outsider_partner", "outsider_coordinator")
# Who may open the council's IOM panel: casework roles of the coordinating agency, and a
# member agency that signed.
COUNCIL_PANEL_VIEWERS = (*COUNCIL_CASEWORK, "member_partner")
ELSEWHERE_PANEL_VIEWERS = ELSEWHERE_CASEWORK

API_WRITES = ("POST", "PUT", "PATCH", "DELETE")


def statuses(signed_in: Expected, *, anonymous: Expected, **persona: Expected) -> ByPersona:
    """What each persona gets: `signed_in` unless named, `anonymous` for visitors."""
    unknown = set(persona) - set(PERSONAS)
    if unknown:
        raise ValueError(f"no such persona: {sorted(unknown)}")
    return {ANONYMOUS: anonymous} | dict.fromkeys(SIGNED_IN, signed_in) | persona


def page(signed_in: Expected = 200, **persona: Expected) -> ByPersona:
    """A page behind sign-in: anonymous visitors are sent to the sign-in page."""
    return statuses(signed_in, anonymous=SIGN_IN, **persona)


def api(signed_in: Expected = 200, **persona: Expected) -> ByPersona:
    """An API route: DRF's session authentication answers anonymous callers 403."""
    return statuses(signed_in, anonymous=403, **persona)


def everyone(expected: Expected) -> ByPersona:
    return statuses(expected, anonymous=expected)


def seen_by(personas: Iterable[str], *, anonymous: Expected = SIGN_IN) -> ByPersona:
    """A record only these personas may see; everyone else signed in gets 404."""
    return statuses(404, anonymous=anonymous, **dict.fromkeys(personas, 200))


def any_method(expected: ByPersona) -> dict[str, ByPersona]:
    """A view that does not restrict methods: GET and POST are answered alike."""
    return {"GET": expected, "POST": expected}


def read_only(expected: ByPersona, *, public: bool = False) -> dict[str, ByPersona]:
    """A page that only reads: GET as given; POST is 405 once past the sign-in check."""
    return {"GET": expected, "POST": statuses(405, anonymous=405 if public else SIGN_IN)}


def api_read_only(get: ByPersona) -> dict[str, ByPersona]:
    """The API is read-only: every write method is refused, to everyone."""
    return {"GET": get} | dict.fromkeys(API_WRITES, everyone(403))


@dataclass(frozen=True)
class Record:
    """One set of URL arguments to try a route with, and what each method answers."""

    kwargs: Kwargs
    expect: dict[str, ByPersona]  # HTTP method -> persona -> expected
    # persona -> the URL argument naming the record a 404 refuses, when it is not "pk"
    # (a page about two records refuses the second once the first is allowed).
    refused: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    name: str
    # Routes without URL arguments give `expect`; routes with them give `records`.
    expect: dict[str, ByPersona] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    # The AccessLog object type a refusal on this route is recorded under.
    audited_as: str | None = None
    # Reachable without signing in, on purpose.
    public: bool = False
    # POST body; empty by default, which must never be enough to change anything.
    data: dict[str, str] = field(default_factory=dict)

    def targets(self) -> dict[str, Record]:
        return self.records or {"-": Record(lambda w: {}, self.expect)}


def pk_at(path: str) -> Kwargs:
    """URL arguments for a record of the world: "p.panel" is the partnership's IOM panel."""

    def kwargs(w: World) -> dict[str, object]:
        record: object = w
        for attribute in path.split("."):
            record = getattr(record, attribute)
        return {"pk": record.pk}

    return kwargs


def missing(w: World) -> dict[str, object]:
    return {"pk": w.missing_pk}
