"""Access matrix rows for the cross-referencing routes (vocabulary in dsl.py).

Panel coordinators use cross-referencing: the council's coordinator, and the other
borough's for its own panel. Everyone else is refused (403) on the lists, the run pages and
the overlap report. A finding is seen only by the coordinators of a panel it names: to
anyone else it answers 404, logged against the finding, as if it did not exist. The world's
findings (`w.crossref`, world.py) are open; empty POSTs change nothing: a decision's form
comes back with its error (200), a decision that does not apply to the finding's kind sends
the coordinator back to the finding, and "Run now" without its button's value starts nothing.

The API (`crossref-runs`, `crossref-findings`) answers alike: other roles 403 before any
record is looked up, another panel's finding 404 (logged), and an empty body changes nothing:
asking for a run without `confirm`, or a decision without its field, answers 400.
"""

from __future__ import annotations

from tests.security.dsl import (
    API_WRITES,
    ByPersona,
    Expected,
    Kwargs,
    Record,
    Redirect,
    Route,
    api,
    everyone,
    page,
    read_only,
    seen_by,
)
from tests.security.world import World

REVIEWERS = ("coordinator", "outsider_coordinator")
FINDING = "crossref.matchfinding"
RUN = "crossref.crossreferencerun"
THE_FINDING = Redirect("/panels/cross-referencing/findings/{pk}/")
HOME = Redirect("/panels/cross-referencing/")


def reviewers_only(allowed: Expected = 200) -> ByPersona:
    """`allowed` for panel coordinators (either borough); 403 for every other role."""
    return page(403, **dict.fromkeys(REVIEWERS, allowed))


def _finding(attribute: str) -> Kwargs:
    def kwargs(w: World) -> dict[str, object]:
        return {"pk": getattr(w.crossref, attribute).pk}

    return kwargs


def _missing_finding(w: World) -> dict[str, object]:
    return {"pk": w.missing_pk}


# (URL arguments, the finding's kind, who sees it)
FINDINGS: dict[str, tuple[Kwargs, str, tuple[str, ...]]] = {
    "council-duplicate": (_finding("duplicate"), "duplicate", ("coordinator",)),
    "council-hidden-duplicate": (_finding("hidden_duplicate"), "duplicate", ("coordinator",)),
    "council-overlap": (_finding("overlap"), "overlap", ("coordinator",)),
    "elsewhere-duplicate": (
        _finding("outsider_duplicate"),
        "duplicate",
        ("outsider_coordinator",),
    ),
    "missing": (_missing_finding, "", ()),
}


def _decision(name: str, kind: str) -> Route:
    """A decision on a finding, POST only: its coordinator gets the form back with its error
    (200) where the decision applies to the finding's kind, or is sent back to the finding."""
    records = {}
    for label, (kwargs, finding_kind, viewers) in FINDINGS.items():
        answer: Expected = 200 if finding_kind == kind else THE_FINDING
        records[label] = Record(
            kwargs,
            {
                "GET": page(405),
                "POST": seen_by(()) | dict.fromkeys(viewers, answer),
            },
        )
    return Route(name, audited_as=FINDING, records=records)


def _month(w: World) -> dict[str, object]:
    return {"month": w.crossref.month}


def _missing_month(w: World) -> dict[str, object]:
    return {"month": "1999-01"}


PAGE_ROUTES: tuple[Route, ...] = (
    Route("crossref:home", expect=read_only(reviewers_only())),
    Route(
        "crossref:run-now",
        expect={"GET": page(405), "POST": reviewers_only(HOME)},
    ),
    # A run is named by its month. Coordinators get 404 (logged) for a month with no run.
    Route(
        "crossref:run",
        audited_as=RUN,
        records={
            "this-month": Record(_month, read_only(reviewers_only())),
            "missing": Record(
                _missing_month,
                read_only(reviewers_only(404)),
                refused=dict.fromkeys(REVIEWERS, "month"),
            ),
        },
    ),
    Route("crossref:inbox", expect=read_only(reviewers_only())),
    Route(
        "crossref:finding",
        audited_as=FINDING,
        records={
            label: Record(kwargs, read_only(seen_by(viewers)))
            for label, (kwargs, _kind, viewers) in FINDINGS.items()
        },
    ),
    _decision("crossref:confirm", "duplicate"),
    _decision("crossref:dismiss", "duplicate"),
    _decision("crossref:lead", "overlap"),
    # No lead panel proposal waits in the matrix's world, so an answer on any finding sends
    # its coordinator back to the finding (kind "" matches no finding a coordinator sees).
    _decision("crossref:lead-answer", ""),
    _decision("crossref:no-action", "overlap"),
    Route("crossref:overlaps", expect=read_only(reviewers_only())),
    Route("crossref:overlaps-csv", expect=read_only(reviewers_only())),
    Route("crossref:overlaps-xlsx", expect=read_only(reviewers_only())),
    # Merge requests: every member of staff has the list (empty without casework).
    Route("crossref:merges", expect=read_only(page())),
    # The council asked, probation holds the other record: the council's casework staff
    # read it (403 on answering); probation's partner answers (an empty answer shows the
    # form's errors); everyone else 404, logged.
    Route(
        "crossref:merge",
        audited_as="crossref.mergerequest",
        records={
            "council-asked": Record(
                _finding("merge_request"),
                {
                    "GET": seen_by(("coordinator", "partner", "member_partner")),
                    "POST": seen_by(())
                    | {"coordinator": 403, "partner": 403, "member_partner": 200},
                },
            ),
            "missing": Record(_missing_finding, {"GET": seen_by(()), "POST": seen_by(())}),
        },
    ),
)


# --- The API ------------------------------------------------------------------------------------


def api_reviewers_only(allowed: Expected = 200) -> ByPersona:
    """`allowed` for panel coordinators (either borough); 403 for every other role."""
    return api(403, **dict.fromkeys(REVIEWERS, allowed))


def _api_seen_by(viewers: tuple[str, ...], allowed: Expected) -> ByPersona:
    """A finding: other roles 403, a coordinator of none of its panels 404."""
    return api_reviewers_only(404) | dict.fromkeys(viewers, allowed)


def _api_only(**methods: ByPersona) -> dict[str, ByPersona]:
    """The methods given; any other write method of the route is refused to everyone."""
    return dict.fromkeys(API_WRITES, everyone(403)) | methods


def _api_decision(name: str) -> Route:
    """A decision: the finding's coordinator gets 400 for the empty body (or for a decision
    that does not apply to the finding's kind)."""
    return Route(
        name,
        audited_as=FINDING,
        records={
            label: Record(kwargs, {"POST": _api_seen_by(viewers, 400)})
            for label, (kwargs, _kind, viewers) in FINDINGS.items()
        },
    )


API_ROUTES: tuple[Route, ...] = (
    Route(
        "crossref-run-list",
        expect=_api_only(GET=api_reviewers_only(), POST=api_reviewers_only(400)),
    ),
    Route(
        "crossref-run-detail",
        audited_as=RUN,
        records={
            "this-month": Record(_month, _api_only(GET=api_reviewers_only())),
            "missing": Record(
                _missing_month,
                _api_only(GET=api_reviewers_only(404)),
                refused=dict.fromkeys(REVIEWERS, "month"),
            ),
        },
    ),
    Route("crossref-finding-list", expect=_api_only(GET=api_reviewers_only())),
    Route(
        "crossref-finding-detail",
        audited_as=FINDING,
        records={
            label: Record(kwargs, _api_only(GET=_api_seen_by(viewers, 200)))
            for label, (kwargs, _kind, viewers) in FINDINGS.items()
        },
    ),
    _api_decision("crossref-finding-confirm"),
    _api_decision("crossref-finding-dismiss"),
    _api_decision("crossref-finding-propose-lead"),
    _api_decision("crossref-finding-answer-lead"),
    _api_decision("crossref-finding-no-action"),
)

CROSSREF_ROUTES: tuple[Route, ...] = (*PAGE_ROUTES, *API_ROUTES)
