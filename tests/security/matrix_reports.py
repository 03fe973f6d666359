"""Access matrix rows for scrutiny reports: their pages, documents and API (vocabulary in
dsl.py).

Reports hold aggregates only (small numbers hidden), and are written by:
- committee officers (the council's `committee`), for the panels their agency coordinates
  or is a member of: they see the council's reports (`w.reports`) and get 404 (logged)
  for the other borough's (`w.outsider_reports`);
- coordinators who work with cases (`coordinator`, `outsider_coordinator`), for the panels
  their agency coordinates: each sees only the reports whose panels are all theirs, and
  gets 404 (logged) for the other's, as for a missing one.
Everyone else is refused (403, logged) before any record is looked up; the list of
reports answers every member of staff (200), saying who writes reports.

- Reading a report, a version, its progress and its documents (Word, PDF, spreadsheet):
  whoever sees the report.
- Writing a report (new or changed), targets: every report writer; an empty POST shows
  the form's errors (200).
- Producing a version: an empty POST (no form token) produces nothing and sends the
  writer back to the report.
- Starting a version again: the world's versions are finished, so nothing is started and
  the writer is sent back to the version.
- Unit costs: read by every report writer; set by committee officers only (coordinators
  403). An empty POST shows the form's errors.
- The API (figures, reports): report writers' roles only, 403 for every other role (before
  any lookup); a report not visible answers 404 (logged), as a missing one.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.security.dsl import (
    ByPersona,
    Kwargs,
    Record,
    Redirect,
    Route,
    api,
    api_read_only,
    page,
    read_only,
    statuses,
)
from tests.security.world import World

REPORT_OBJECT = "reporting.report"
WRITERS = ("committee", "coordinator", "outsider_coordinator")
# The dashboard, definitions, targets and forms: every report writer, whatever their panels.
WRITERS_ONLY = page(403, **dict.fromkeys(WRITERS, 200))
COUNCIL_REPORT_READERS = ("committee", "coordinator")
ELSEWHERE_REPORT_READERS = ("outsider_coordinator",)


def _report(attribute: str) -> Kwargs:
    def kwargs(w: World) -> dict[str, object]:
        return {"pk": getattr(w, attribute).report.pk}

    return kwargs


def _version(attribute: str) -> Kwargs:
    def kwargs(w: World) -> dict[str, object]:
        work = getattr(w, attribute)
        return {"pk": work.report.pk, "number": work.version.number}

    return kwargs


def _missing_report(w: World) -> dict[str, object]:
    return {"pk": w.missing_pk}


def _missing_version(w: World) -> dict[str, object]:
    return {"pk": w.missing_pk, "number": 1}


# Record -> (URL arguments of the report, of its version, who sees the report).
RECORDS: dict[str, tuple[Kwargs, Kwargs, tuple[str, ...]]] = {
    "council-report": (_report("reports"), _version("reports"), COUNCIL_REPORT_READERS),
    "elsewhere-report": (
        _report("outsider_reports"),
        _version("outsider_reports"),
        ELSEWHERE_REPORT_READERS,
    ),
    "missing": (_missing_report, _missing_version, ()),
}


def _seen(readers: tuple[str, ...], allowed: object = 200) -> ByPersona:
    """`allowed` for those who see the report, 404 for the other writers, 403 for the rest."""
    return page(403, **(dict.fromkeys(WRITERS, 404) | dict.fromkeys(readers, allowed)))


def _report_route(
    name: str,
    expect: Callable[[tuple[str, ...]], dict[str, ByPersona]],
    *,
    version: bool = False,
) -> Route:
    """The route tried on the council's report, the other borough's and a missing one."""
    records = {}
    for label, (report_kwargs, version_kwargs, readers) in RECORDS.items():
        kwargs = version_kwargs if version else report_kwargs
        records[label] = Record(kwargs, expect(readers))
    return Route(name, audited_as=REPORT_OBJECT, records=records)


def _reading(name: str) -> Route:
    return _report_route(name, lambda readers: read_only(_seen(readers)), version=True)


def _api_seen(readers: tuple[str, ...]) -> ByPersona:
    return statuses(403, anonymous=403, **dict.fromkeys(WRITERS, 404)) | dict.fromkeys(readers, 200)


REPORTS_ROUTES: tuple[Route, ...] = (
    Route("reporting:report-new", expect={"GET": WRITERS_ONLY, "POST": WRITERS_ONLY}),
    Route("reporting:figures", expect=read_only(WRITERS_ONLY)),
    Route("reporting:definitions", expect=read_only(WRITERS_ONLY)),
    Route("reporting:targets", expect={"GET": WRITERS_ONLY, "POST": WRITERS_ONLY}),
    Route(
        "reporting:unit-costs",
        expect={"GET": WRITERS_ONLY, "POST": page(403, committee=200)},
    ),
    _report_route("reporting:report", lambda readers: read_only(_seen(readers))),
    _report_route(
        "reporting:report-edit",
        lambda readers: {"GET": _seen(readers), "POST": _seen(readers)},
    ),
    _report_route(
        "reporting:report-generate",
        lambda readers: {
            "GET": page(405),
            # An empty POST (no form token) produces nothing and goes back to the report.
            "POST": _seen(readers, Redirect("/reports/{pk}/")),
        },
    ),
    _reading("reporting:version"),
    _reading("reporting:version-progress"),
    _report_route(
        "reporting:version-restart",
        lambda readers: {
            "GET": page(405),
            "POST": _seen(readers, Redirect("/reports/{pk}/versions/{number}/")),
        },
        version=True,
    ),
    _reading("reporting:version-docx"),
    _reading("reporting:version-pdf"),
    _reading("reporting:version-xlsx"),
)

REPORTS_API_ROUTES: tuple[Route, ...] = (
    Route("figures", expect=api_read_only(api(403, **dict.fromkeys(WRITERS, 200)))),
    Route("report-list", expect=api_read_only(api(403, **dict.fromkeys(WRITERS, 200)))),
    Route(
        "report-detail",
        audited_as=REPORT_OBJECT,
        records={
            label: Record(kwargs, api_read_only(_api_seen(readers)))
            for label, (kwargs, _, readers) in RECORDS.items()
        },
    ),
)
