"""The access matrix: for every route, who gets what.

Each route of the project (tests/security/routes.py finds them all, DRF router included)
has one `Route` here. A route that takes URL arguments lists the records to try it on:
one the persona's side owns, one belonging to another agency, and one that does not
exist. For each record and each HTTP method it says what every persona gets:

- a status code (200, 403, 404, 405),
- `SIGN_IN`: a redirect to /sign-in/?next=<the page> (anonymous visitors on pages),
- `Redirect("/path/")`: another redirect (`{pk}` is filled from the URL arguments).

Rules the tests enforce on top of the statuses (test_access_matrix.py):
- A 404 on a route with `audited_as` writes exactly one "denied" AccessLog row for that
  user and record; a 2xx or 3xx writes none.
- Anonymous visitors get SIGN_IN on pages and 403 on the API, unless the route is
  declared `public=True`.

Adding a route: copy the entry of the closest existing route, change the name, the
records and the statuses, and run `pytest tests/security`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.security.world import ANONYMOUS, PERSONAS, World


@dataclass(frozen=True)
class _SignIn:
    def __repr__(self) -> str:
        return "SIGN_IN"


SIGN_IN = _SignIn()


@dataclass(frozen=True)
class Redirect:
    to: str  # may hold {pk} or other URL arguments

    def __repr__(self) -> str:
        return f"Redirect({self.to!r})"


Expected = int | Redirect | _SignIn
ByPersona = dict[str, Expected]
Kwargs = Callable[[World], dict[str, object]]

# Persona groups (see world.PERSONAS).
SIGNED_IN = PERSONAS[1:]
COUNCIL = ("coordinator", "partner", "committee", "agency_admin", "system_admin")
# Staff of the agencies party to the council's agreement ISA-1 (system admins see all).
PARTNERSHIP = (*COUNCIL, "member_partner", "unsigned_partner")
OUTSIDERS = ("outsider_partner", "outsider_coordinator", "outsider_admin")
# Who may open the council's IOM panel: casework roles of the coordinating agency, and a
# member agency that signed. Committee officers and system admins read no case data.
COUNCIL_PANEL_VIEWERS = ("coordinator", "partner", "agency_admin", "member_partner")
ELSEWHERE_PANEL_VIEWERS = OUTSIDERS

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


def _pk(path: str) -> Kwargs:
    """URL arguments for a record of the world: "p.panel" is the partnership's IOM panel."""

    def kwargs(w: World) -> dict[str, object]:
        record: object = w
        for attribute in path.split("."):
            record = getattr(record, attribute)
        return {"pk": record.pk}

    return kwargs


def _missing(w: World) -> dict[str, object]:
    return {"pk": w.missing_pk}


def _bad_set_up_link(w: World) -> dict[str, object]:
    return {"uidb64": urlsafe_base64_encode(force_bytes(w.p.partner.pk)), "token": "bad-token"}


ACCOUNT_PAGE = Redirect("/sharing/accounts/{pk}/")


def _account_action(name: str) -> Route:
    """Deactivate and reactivate: POST-only actions of an agency admin on their own staff."""
    return Route(
        name,
        audited_as="sharing.user",
        records={
            "council-staff": Record(
                _pk("p.partner"),
                {
                    "GET": page(405),
                    "POST": page(403, agency_admin=ACCOUNT_PAGE, outsider_admin=404),
                },
            ),
            "elsewhere-staff": Record(
                _pk("p.outsider_partner"),
                {
                    "GET": page(405),
                    "POST": page(403, agency_admin=404, outsider_admin=ACCOUNT_PAGE),
                },
            ),
            "missing": Record(
                _missing,
                {"POST": page(403, agency_admin=404, outsider_admin=404)},
            ),
        },
    )


def _record_api(
    name: str, audited_as: str, records: dict[str, tuple[Kwargs, Iterable[str]]]
) -> Route:
    return Route(
        name,
        audited_as=audited_as,
        records={
            label: Record(kwargs, api_read_only(seen_by(viewers, anonymous=403)))
            for label, (kwargs, viewers) in records.items()
        },
    )


PANEL_RECORDS = {
    "council-panel": (_pk("p.panel"), COUNCIL_PANEL_VIEWERS),
    "elsewhere-panel": (_pk("outsider_panel"), ELSEWHERE_PANEL_VIEWERS),
    "missing": (_missing, ()),
}
AGREEMENT_RECORDS = {
    "council-agreement": (_pk("p.agreement"), PARTNERSHIP),
    "elsewhere-agreement": (_pk("outsider_agreement"), (*OUTSIDERS, "system_admin")),
    "missing": (_missing, ()),
}
ADMINS_ONLY = page(403, agency_admin=200, outsider_admin=200)


MATRIX: tuple[Route, ...] = (
    # Signing in and out, and the pages anyone may read.
    Route(
        "sign-in",
        public=True,
        expect={
            "GET": statuses(Redirect("/"), anonymous=200),
            "POST": statuses(Redirect("/"), anonymous=200),  # empty form: errors shown
        },
    ),
    # Without a password given first, the code and set-up steps send people back.
    Route("sign-in-code", public=True, expect=any_method(everyone(Redirect("/sign-in/")))),
    Route("sign-in-set-up", public=True, expect=any_method(everyone(Redirect("/sign-in/")))),
    Route("sign-in-backup-codes", expect=read_only(page(Redirect("/")))),
    Route(
        "sign-out",
        public=True,
        expect={"GET": everyone(405), "POST": everyone(Redirect("/signed-out/"))},
    ),
    Route("signed-out", public=True, expect=read_only(everyone(200), public=True)),
    Route(
        "account-set-up",
        public=True,
        records={
            "bad-token": Record(
                _bad_set_up_link,
                # The "link no longer works" page, whoever asks; never the password form.
                {"GET": everyone(200), "POST": everyone(200), "PUT": everyone(200)},
            )
        },
    ),
    Route("privacy", public=True, expect=read_only(everyone(200), public=True)),
    Route("accessibility", public=True, expect=read_only(everyone(200), public=True)),
    Route("health", public=True, expect=read_only(everyone(200), public=True)),
    # Pages every member of staff may open; what they list is filtered by visibility.
    Route("dashboard", expect=read_only(page())),
    Route("offenders:index", expect=read_only(page())),
    Route("actions:index", expect=read_only(page())),
    Route("reporting:index", expect=read_only(page())),
    Route("panels:list", expect=read_only(page())),
    Route("sharing:agreements", expect=read_only(page())),
    # Records.
    Route(
        "panels:detail",
        audited_as="panels.panel",
        records={
            label: Record(kwargs, read_only(seen_by(viewers)))
            for label, (kwargs, viewers) in PANEL_RECORDS.items()
        },
    ),
    Route(
        "sharing:agreement",
        audited_as="sharing.informationsharingagreement",
        records={
            label: Record(kwargs, read_only(seen_by(viewers)))
            for label, (kwargs, viewers) in AGREEMENT_RECORDS.items()
        },
    ),
    Route(
        "sharing:recompute-access",
        expect={
            "GET": page(405),
            "POST": page(403, system_admin=Redirect("/sharing/")),
        },
    ),
    # Staff accounts: agency administrators, for their own agency only.
    Route("sharing:accounts", expect=read_only(ADMINS_ONLY)),
    Route("sharing:account-create", expect={"GET": ADMINS_ONLY, "POST": ADMINS_ONLY}),
    Route(
        "sharing:account",
        audited_as="sharing.user",
        records={
            "council-staff": Record(
                _pk("p.partner"), read_only(page(403, agency_admin=200, outsider_admin=404))
            ),
            "elsewhere-staff": Record(
                _pk("p.outsider_partner"),
                read_only(page(403, agency_admin=404, outsider_admin=200)),
            ),
            "missing": Record(_missing, read_only(page(403, agency_admin=404, outsider_admin=404))),
        },
    ),
    _account_action("sharing:account-deactivate"),
    _account_action("sharing:account-reactivate"),
    # The API (read-only for now).
    Route("me", expect=api_read_only(api())),
    Route("schema", expect=api_read_only(api())),
    Route("panel-list", expect=api_read_only(api())),
    Route("agreement-list", expect=api_read_only(api())),
    _record_api("panel-detail", "panels.panel", PANEL_RECORDS),
    _record_api("agreement-detail", "sharing.informationsharingagreement", AGREEMENT_RECORDS),
)

ROUTES_BY_NAME = {route.name: route for route in MATRIX}


@dataclass(frozen=True)
class Case:
    route: Route
    target: str
    method: str
    persona: str
    expected: Expected

    @property
    def id(self) -> str:
        return f"{self.route.name}|{self.target}|{self.persona}|{self.method}"


def cases(*, methods: Iterable[str] | None = None) -> Iterator[Case]:
    """Every (route, record, method, persona) the matrix declares."""
    wanted = set(methods) if methods is not None else None
    for route in MATRIX:
        for target, record in route.targets().items():
            for method, by_persona in record.expect.items():
                if wanted is not None and method not in wanted:
                    continue
                for persona in PERSONAS:
                    yield Case(route, target, method, persona, by_persona[persona])
