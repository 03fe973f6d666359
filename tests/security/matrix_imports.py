"""Access matrix rows for the panel imports routes (vocabulary in dsl.py).

Only the panel's coordinator uses the monthly list import. Other staff who may open the
panel (its partners, and member agencies under a signed agreement) get 403; everyone else
gets 404, logged against the panel (for the panel's pages) or the import. The world's
import (`w.work.cohort_import`) is awaiting its check, with one linked row (row 2), which
needs no decision: its decision page sends the coordinator back to the import. Empty POSTs
change nothing: the upload and columns forms show their errors, commit and discard send
the coordinator back to the import.
"""

from __future__ import annotations

from tests.security.dsl import (
    COUNCIL_PANEL_VIEWERS,
    ELSEWHERE_PANEL_VIEWERS,
    SIGN_IN,
    ByPersona,
    Expected,
    Kwargs,
    Record,
    Redirect,
    Route,
    any_method,
    missing,
    page,
    pk_at,
    read_only,
    statuses,
)
from tests.security.world import World

# (URL arguments, who sees the panel, its coordinator)
PANELS: dict[str, tuple[Kwargs, tuple[str, ...], str | None]] = {
    "council-panel": (pk_at("p.panel"), COUNCIL_PANEL_VIEWERS, "coordinator"),
    "elsewhere-panel": (pk_at("outsider_panel"), ELSEWHERE_PANEL_VIEWERS, "outsider_coordinator"),
    "missing": (missing, (), None),
}
IMPORTS: dict[str, tuple[Kwargs, tuple[str, ...], str | None]] = {
    "council-import": (pk_at("work.cohort_import"), COUNCIL_PANEL_VIEWERS, "coordinator"),
    "elsewhere-import": (
        pk_at("outsider_work.cohort_import"),
        ELSEWHERE_PANEL_VIEWERS,
        "outsider_coordinator",
    ),
    "missing": (missing, (), None),
}
THE_IMPORT = Redirect("/panels/imports/{pk}/")
THE_DIFFERENCES = Redirect("/panels/imports/{pk}/#differences-from-records")


def coordinator_only(
    viewers: tuple[str, ...], coordinator: str | None, allowed: Expected = 200
) -> ByPersona:
    """`allowed` for the coordinator, 403 for the panel's other viewers, 404 for the rest."""
    answers: dict[str, Expected] = dict.fromkeys(viewers, 403)
    if coordinator:
        answers[coordinator] = allowed
    return statuses(404, anonymous=SIGN_IN, **answers)


def _route(name: str, audited_as: str, records, expect, *, kwargs=None) -> Route:
    return Route(
        name,
        audited_as=audited_as,
        records={
            label: Record(kwargs(base) if kwargs else base, expect(viewers, coordinator))
            for label, (base, viewers, coordinator) in records.items()
        },
    )


def _row_two(base: Kwargs) -> Kwargs:
    def kwargs(w: World) -> dict[str, object]:
        return {**base(w), "number": 2}

    return kwargs


def _post_only(viewers: tuple[str, ...], coordinator: str | None) -> dict[str, ByPersona]:
    return {"GET": page(405), "POST": coordinator_only(viewers, coordinator, THE_IMPORT)}


IMPORTS_ROUTES: tuple[Route, ...] = (
    _route(
        "cohorts:imports",
        "panels.panel",
        PANELS,
        lambda viewers, coordinator: read_only(coordinator_only(viewers, coordinator)),
    ),
    _route(
        "cohorts:import-upload",
        "panels.panel",
        PANELS,
        lambda viewers, coordinator: any_method(coordinator_only(viewers, coordinator)),
    ),
    _route(
        "cohorts:import",
        "cohorts.cohortimport",
        IMPORTS,
        lambda viewers, coordinator: read_only(coordinator_only(viewers, coordinator)),
    ),
    _route(
        "cohorts:import-columns",
        "cohorts.cohortimport",
        IMPORTS,
        lambda viewers, coordinator: any_method(coordinator_only(viewers, coordinator)),
    ),
    _route(
        "cohorts:import-row",
        "cohorts.cohortimport",
        IMPORTS,
        lambda viewers, coordinator: any_method(coordinator_only(viewers, coordinator, THE_IMPORT)),
        kwargs=_row_two,
    ),
    _route("cohorts:import-commit", "cohorts.cohortimport", IMPORTS, _post_only),
    _route(
        "cohorts:import-discard",
        "cohorts.cohortimport",
        IMPORTS,
        lambda viewers, coordinator: {
            "GET": coordinator_only(viewers, coordinator),
            "POST": coordinator_only(viewers, coordinator, THE_IMPORT),
        },
    ),
    # Choosing no record to update is allowed: back to the list's differences.
    _route(
        "cohorts:import-updates",
        "cohorts.cohortimport",
        IMPORTS,
        lambda viewers, coordinator: {
            "GET": page(405),
            "POST": coordinator_only(viewers, coordinator, THE_DIFFERENCES),
        },
    ),
    _route(
        "cohorts:import-outcome",
        "cohorts.cohortimport",
        IMPORTS,
        lambda viewers, coordinator: read_only(coordinator_only(viewers, coordinator)),
    ),
)
