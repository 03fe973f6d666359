"""The access matrix: every route of the project and what each persona gets from it.

The vocabulary (Route, Record, page(), seen_by(), ...) and how to add a route are in
dsl.py. An area with many routes keeps its rows in its own matrix_<area>.py module,
gathered into MATRIX below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.security.dsl import (
    COUNCIL_CASEWORK,
    COUNCIL_PANEL_VIEWERS,
    ELSEWHERE_CASEWORK,
    ELSEWHERE_PANEL_VIEWERS,
    NOT_CASEWORK,
    OUTSIDERS,
    PARTNERSHIP,
    SIGN_IN,
    ByPersona,
    Expected,
    Kwargs,
    Record,
    Redirect,
    Route,
    any_method,
    api,
    api_read_only,
    everyone,
    missing,
    page,
    pk_at,
    read_only,
    seen_by,
    statuses,
)
from tests.security.matrix_agreements import AGREEMENT_API_ROUTES, AGREEMENT_ROUTES
from tests.security.matrix_cohort import COHORT_ROUTES
from tests.security.matrix_crossref import CROSSREF_ROUTES
from tests.security.matrix_governance import GOVERNANCE_ROUTES
from tests.security.matrix_imports import IMPORTS_ROUTES
from tests.security.matrix_meeting_mode import MEETING_MODE_ROUTES
from tests.security.matrix_meetings import MEETINGS_ROUTES
from tests.security.matrix_panels_api import PANELS_API_ROUTES
from tests.security.matrix_plan import PLAN_ROUTES
from tests.security.matrix_plan_api import PLAN_API_ROUTES
from tests.security.matrix_plan_import import PLAN_IMPORT_ROUTES
from tests.security.matrix_reports import REPORTS_API_ROUTES, REPORTS_ROUTES
from tests.security.matrix_retention import RETENTION_ROUTES
from tests.security.world import PERSONAS, World


def _bad_set_up_link(w: World) -> dict[str, object]:
    return {"uidb64": urlsafe_base64_encode(force_bytes(w.p.partner.pk)), "token": "bad-token"}


ACCOUNT_PAGE = Redirect("/sharing/accounts/{pk}/")


def _account_action(name: str) -> Route:
    """Deactivate and reactivate: POST-only actions of an agency admin on their own staff."""
    return Route(
        name,
        audited_as="accounts.user",
        records={
            "council-staff": Record(
                pk_at("p.partner"),
                {
                    "GET": page(405),
                    "POST": page(403, agency_admin=ACCOUNT_PAGE, outsider_admin=404),
                },
            ),
            "elsewhere-staff": Record(
                pk_at("p.outsider_partner"),
                {
                    "GET": page(405),
                    "POST": page(403, agency_admin=404, outsider_admin=ACCOUNT_PAGE),
                },
            ),
            "missing": Record(
                missing,
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
    "council-panel": (pk_at("p.panel"), COUNCIL_PANEL_VIEWERS),
    "elsewhere-panel": (pk_at("outsider_panel"), ELSEWHERE_PANEL_VIEWERS),
    "missing": (missing, ()),
}
AGREEMENT_RECORDS = {
    "council-agreement": (pk_at("p.agreement"), PARTNERSHIP),
    "elsewhere-agreement": (pk_at("outsider_agreement"), (*OUTSIDERS, "system_admin")),
    "missing": (missing, ()),
}
ADMINS_ONLY = page(403, agency_admin=200, outsider_admin=200)


# People (nominals, world.py). Case records are read by casework roles only: committee
# officers, agency administrators, governance leads and system administrators get 404 for
# every person on the pages (the search page tells them so) and 403 on the API, whose role
# check comes before the record.
CASEWORK_ONLY = dict.fromkeys(NOT_CASEWORK, 403)
# Where a merged-away record's pages send those who see the record it was merged into.
SURVIVOR = "/nominals/{w.nominal.pk}/"


@dataclass(frozen=True)
class Person:
    kwargs: Kwargs
    viewers: tuple[str, ...]  # see the record; everyone else signed in gets 404
    editors: tuple[str, ...]  # may also change who the person is, and merge the record


PEOPLE = {
    # Recorded by the council, on its IOM panel's cohort: the council's casework staff may
    # change the identity (owning agency); probation reads it under the signed agreement.
    "council-nominal": Person(pk_at("nominal"), COUNCIL_PANEL_VIEWERS, COUNCIL_CASEWORK),
    # Recorded by probation, referred to the council's panel: probation (owner) and the
    # panel's coordinator may change the identity; other council staff only add to it.
    "member-nominal": Person(
        pk_at("member_nominal"), COUNCIL_PANEL_VIEWERS, ("coordinator", "member_partner")
    ),
    # Probation's, and its referral was declined: the panel's partners never see it.
    "declined-nominal": Person(pk_at("declined_nominal"), ("member_partner",), ("member_partner",)),
    "elsewhere-nominal": Person(pk_at("outsider_nominal"), ELSEWHERE_CASEWORK, ELSEWHERE_CASEWORK),
    "missing": Person(missing, (), ()),
}
# Merged into "council-nominal": its viewers are sent there, everyone else gets 404.
MERGED_AWAY = Person(pk_at("merged_nominal"), COUNCIL_PANEL_VIEWERS, ())


def person_page(person: Person, allowed: Expected = 200, **persona: Expected) -> ByPersona:
    """A person's page: `allowed` for those who see the record (unless named), else 404."""
    return statuses(404, anonymous=SIGN_IN, **dict.fromkeys(person.viewers, allowed)) | persona


def person_api(person: Person, allowed: Expected = 200) -> ByPersona:
    """A person over the API: roles without casework are refused (403) before the lookup."""
    seen = statuses(404, anonymous=403, **dict.fromkeys(person.viewers, allowed))
    return seen | CASEWORK_ONLY


def _redirected(
    expect: dict[str, ByPersona],
    viewers: Iterable[str],
    to: Expected,
    *,
    refused_first: Iterable[str] = (),
) -> dict[str, ByPersona]:
    """What a merged-away record answers: `to` for the survivor's viewers, wherever the
    view gets as far as looking the record up (not for a method the view refuses (405),
    nor for `refused_first` methods, which are refused before the lookup)."""
    viewers, refused_first = set(viewers), set(refused_first)
    return {
        method: by_persona
        if method in refused_first
        else {
            persona: to if persona in viewers and answer != 405 else answer
            for persona, answer in by_persona.items()
        }
        for method, by_persona in expect.items()
    }


def _person_route(
    name: str, expect: Callable[[Person], dict[str, ByPersona]], *, merged_to: str
) -> Route:
    """A page about one person, tried on each person of the world and a merged-away one."""
    records = {label: Record(person.kwargs, expect(person)) for label, person in PEOPLE.items()}
    records["merged-away"] = Record(
        MERGED_AWAY.kwargs,
        _redirected(expect(MERGED_AWAY), MERGED_AWAY.viewers, Redirect(SURVIVOR + merged_to)),
    )
    return Route(name, audited_as="offenders.nominal", records=records)


def _viewers(person: Person) -> dict[str, ByPersona]:
    """Who has viewed the record: the council's information governance lead, for every
    record the council's casework staff see (without seeing it); those who see the record
    get 403, everyone else 404."""
    watched = {"governance_lead": 200} if "partner" in person.viewers else {}
    return read_only(person_page(person, 403, **watched))


def _viewers_route() -> Route:
    records = {label: Record(person.kwargs, _viewers(person)) for label, person in PEOPLE.items()}
    records["merged-away"] = Record(
        MERGED_AWAY.kwargs,
        _redirected(
            _viewers(MERGED_AWAY),
            (*MERGED_AWAY.viewers, "governance_lead"),
            Redirect(SURVIVOR + "viewers/"),
        ),
    )
    return Route("offenders:viewers", audited_as="offenders.nominal", records=records)


def _person_form(person: Person) -> dict[str, ByPersona]:
    """Add to a record: the purpose question (GET) or the form with its errors (empty POST)
    for anyone who sees the record."""
    return any_method(person_page(person))


def _identity_form(person: Person) -> dict[str, ByPersona]:
    """Change who the person is (or merge): editors only; other viewers 403."""
    return any_method(person_page(person, 403, **dict.fromkeys(person.editors, 200)))


def _person_api_route(
    name: str,
    expect: Callable[[Person], dict[str, ByPersona]],
    *,
    data: dict[str, str] | None = None,
) -> Route:
    records = {label: Record(person.kwargs, expect(person)) for label, person in PEOPLE.items()}
    # A merged-away record answers 301 with the survivor's address, to its viewers only.
    records["merged-away"] = Record(
        MERGED_AWAY.kwargs,
        _redirected(expect(MERGED_AWAY), MERGED_AWAY.viewers, 301, refused_first=("PUT", "DELETE")),
    )
    return Route(name, audited_as="offenders.nominal", records=records, data=data or {})


# An identity change made on a copy of the record older than any there has been: refused
# (403) for those who may not change who the person is, and 409 (stale, nothing saved) for
# those who may, so the rights are tried without anything being changed.
STALE_IDENTITY_CHANGE = {"version": "0", "given_names": "Renamed by the matrix"}


def _pair(first: str, second: str) -> Kwargs:
    """URL arguments of a page about two people of the world ("" for the missing id)."""

    def kwargs(w: World) -> dict[str, object]:
        return {
            "pk": getattr(w, first).pk if first else w.missing_pk,
            "other": getattr(w, second).pk if second else w.missing_pk,
        }

    return kwargs


COUNCIL_EDITORS = PEOPLE["council-nominal"].editors
MERGE_BACK = Redirect(SURVIVOR + "merge/")


def _merge_confirm() -> Route:
    """Two records side by side: both must be visible (404) and changeable (403). The
    record the merge starts from (pk) is checked first; an empty POST merges nothing."""
    # Only the panel's coordinator may change both the council's and probation's records.
    council_pair = person_page(PEOPLE["council-nominal"], 403, coordinator=200)
    elsewhere_pair = person_page(PEOPLE["elsewhere-nominal"])
    council_then_elsewhere = person_page(PEOPLE["council-nominal"], 404, member_partner=403)
    elsewhere_then_council = person_page(PEOPLE["elsewhere-nominal"], 404)
    merged_first = person_page(MERGED_AWAY, MERGE_BACK)
    merged_second = person_page(
        PEOPLE["council-nominal"], 403, **dict.fromkeys(COUNCIL_EDITORS, MERGE_BACK)
    )
    return Route(
        "offenders:merge-confirm",
        audited_as="offenders.nominal",
        records={
            "council-pair": Record(_pair("nominal", "member_nominal"), any_method(council_pair)),
            "elsewhere-pair": Record(
                _pair("outsider_nominal", "outsider_nominal_2"), any_method(elsewhere_pair)
            ),
            # The second record is another agency's: refused like a missing one.
            "council-with-elsewhere": Record(
                _pair("nominal", "outsider_nominal"),
                any_method(council_then_elsewhere),
                refused=dict.fromkeys(COUNCIL_EDITORS, "other"),
            ),
            "elsewhere-with-council": Record(
                _pair("outsider_nominal", "nominal"),
                any_method(elsewhere_then_council),
                refused=dict.fromkeys(ELSEWHERE_CASEWORK, "other"),
            ),
            "merged-away": Record(
                _pair("merged_nominal", "member_nominal"), any_method(merged_first)
            ),
            "merged-away-other": Record(
                _pair("nominal", "merged_nominal"), any_method(merged_second)
            ),
            "missing": Record(_pair("", "nominal"), any_method(person_page(PEOPLE["missing"]))),
        },
    )


PEOPLE_ROUTES: tuple[Route, ...] = (
    # Every member of staff opens the search; only casework roles get a search form, and a
    # POST (the search itself, empty here) shows the form again with its error.
    Route("offenders:index", expect={"GET": page(), "POST": page()}),
    Route("offenders:create", expect={"GET": page(**CASEWORK_ONLY), "POST": page(**CASEWORK_ONLY)}),
    # The profile first asks why the record is being opened: a page with nothing personal.
    _person_route("offenders:profile", lambda person: read_only(person_page(person)), merged_to=""),
    # An empty purpose is refused with the question asked again (400).
    _person_route(
        "offenders:purpose",
        lambda person: {"GET": page(405), "POST": person_page(person, 400)},
        merged_to="",
    ),
    _person_route(
        "offenders:history", lambda person: read_only(person_page(person)), merged_to="history/"
    ),
    # Who has viewed the record: information governance leads, found by record number.
    _viewers_route(),
    Route("offenders:viewers-find", expect=read_only(page(403, governance_lead=200))),
    _person_route("offenders:edit", _identity_form, merged_to="edit/"),
    _person_route("offenders:event-create", _person_form, merged_to="events/new/"),
    _person_route("offenders:identifier-create", _person_form, merged_to="identifiers/new/"),
    _person_route("offenders:alias-create", _person_form, merged_to="aliases/new/"),
    _person_route("offenders:needs", _person_form, merged_to="needs/"),
    _person_route("offenders:offence-create", _person_form, merged_to="offences/new/"),
    _person_route("offenders:custody-create", _person_form, merged_to="custody/new/"),
    _person_route("offenders:custody-release", _person_form, merged_to="custody/release/"),
    _person_route("offenders:risk-create", _person_form, merged_to="risk/new/"),
    _person_route("offenders:merge", _identity_form, merged_to="merge/"),
    _merge_confirm(),
)

# The API's people: casework roles only. An empty write is answered 400 once the record is
# found, and an identity change is sent stale, so nothing is ever written.
PEOPLE_API_ROUTES: tuple[Route, ...] = (
    Route(
        "nominal-list",
        expect={"GET": api(**CASEWORK_ONLY), "POST": api(400, **CASEWORK_ONLY)},
    ),
    # Search terms go in the body; an empty search is a 400 with the reason.
    Route("nominal-search", expect={"GET": everyone(403), "POST": api(400, **CASEWORK_ONLY)}),
    _person_api_route(
        "nominal-detail",
        lambda person: {
            "GET": person_api(person),
            "PATCH": person_api(person, 403) | dict.fromkeys(person.editors, 409),
            # Not actions of the viewset: refused by the role check, like any undeclared one.
            "PUT": everyone(403),
            "DELETE": everyone(403),
        },
        data=STALE_IDENTITY_CHANGE,
    ),
    *(
        _person_api_route(name, lambda person: {"POST": person_api(person, 400)})
        for name in (
            "nominal-events",
            "nominal-identifiers",
            "nominal-aliases",
            "nominal-needs",
            "nominal-offences",
            "nominal-custody",
            "nominal-risk-scores",
        )
    ),
)


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
    # "Confirm it's you": any member of staff; an empty POST shows the form's errors.
    Route("confirm-identity", expect=any_method(page())),
    # A member of staff's own e-mail choices: the form (GET) and saving it (POST).
    Route(
        "accounts:notification-settings",
        expect={"GET": page(), "POST": page(Redirect("/sharing/notifications/"))},
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
    Route("actions:index", expect=read_only(page())),
    # The list of reports: every member of staff; those who write none are told who does.
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
    # A panel's settings: its coordinator changes them; others who see the panel get 403.
    Route(
        "panels:settings",
        audited_as="panels.panel",
        records={
            "council-panel": Record(
                pk_at("p.panel"),
                any_method(
                    seen_by(COUNCIL_PANEL_VIEWERS)
                    | dict.fromkeys(("partner", "member_partner"), 403)
                ),
            ),
            "elsewhere-panel": Record(
                pk_at("outsider_panel"),
                any_method(
                    seen_by(ELSEWHERE_PANEL_VIEWERS) | dict.fromkeys(("outsider_partner",), 403)
                ),
            ),
            "missing": Record(missing, any_method(seen_by(()))),
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
    Route("accounts:accounts", expect=read_only(ADMINS_ONLY)),
    Route("accounts:account-create", expect={"GET": ADMINS_ONLY, "POST": ADMINS_ONLY}),
    Route(
        "accounts:account",
        audited_as="accounts.user",
        records={
            "council-staff": Record(
                pk_at("p.partner"), read_only(page(403, agency_admin=200, outsider_admin=404))
            ),
            "elsewhere-staff": Record(
                pk_at("p.outsider_partner"),
                read_only(page(403, agency_admin=404, outsider_admin=200)),
            ),
            "missing": Record(missing, read_only(page(403, agency_admin=404, outsider_admin=404))),
        },
    ),
    _account_action("accounts:account-deactivate"),
    _account_action("accounts:account-reactivate"),
    # The API (read-only for now).
    Route("me", expect=api_read_only(api())),
    Route("schema", expect=api_read_only(api())),
    Route("panel-list", expect=api_read_only(api())),
    _record_api("panel-detail", "panels.panel", PANEL_RECORDS),
    # Agreements: drafting, signing, versions, withdrawal, the document, the register's
    # exports, and the API's writes.
    *AGREEMENT_ROUTES,
    *AGREEMENT_API_ROUTES,
    # People.
    *PEOPLE_ROUTES,
    *PEOPLE_API_ROUTES,
    # Panels' cohorts, monthly lists, meetings, and their API.
    *COHORT_ROUTES,
    *IMPORTS_ROUTES,
    *MEETINGS_ROUTES,
    *MEETING_MODE_ROUTES,
    *PANELS_API_ROUTES,
    # Cross-referencing: runs, findings and the overlap report.
    *CROSSREF_ROUTES,
    # The partnership's action plan, and its API.
    *PLAN_ROUTES,
    *PLAN_API_ROUTES,
    *PLAN_IMPORT_ROUTES,
    # Scrutiny reports: aggregates only, for committee officers and coordinators.
    *REPORTS_ROUTES,
    *REPORTS_API_ROUTES,
    # Information governance: the access log, unusual reading, subject access exports.
    *GOVERNANCE_ROUTES,
    # The retention review: information governance leads, for their own agency's records.
    *RETENTION_ROUTES,
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
