"""Access matrix rows for the action plan import routes (vocabulary in dsl.py).

Coordinators and agency administrators import plans; every other role is refused (403). An
import in progress belongs to the agency of the person who started it: its coordinators
and agency administrators carry it on, its other staff get 403, and everyone else 404,
logged against the import. The world's imports (`w.plans.plan_import`, and the other
borough's) hold a table whose columns are not chosen yet, so the preview sends an importer
to the columns page. Empty POSTs change nothing: the forms show their errors, and commit
and discard send the importer back to the preview.
"""

from __future__ import annotations

from tests.security.dsl import (
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

PLAN_IMPORT = "actions.planimport"
IMPORTERS = ("coordinator", "agency_admin", "outsider_coordinator", "outsider_admin")

# (URL arguments, the importers of the import's agency, its other staff)
IMPORTS: dict[str, tuple[Kwargs, tuple[str, ...], tuple[str, ...]]] = {
    "council-import": (
        pk_at("plans.plan_import"),
        ("coordinator", "agency_admin"),
        ("partner", "committee", "governance_lead", "system_admin"),
    ),
    "elsewhere-import": (
        pk_at("outsider_plans.plan_import"),
        ("outsider_coordinator", "outsider_admin"),
        ("outsider_partner",),
    ),
    "missing": (missing, (), ()),
}
THE_PREVIEW = Redirect("/action-plan/imports/{pk}/")
THE_COLUMNS = Redirect("/action-plan/imports/{pk}/columns/")


def importers_only(
    importers: tuple[str, ...], colleagues: tuple[str, ...], allowed: Expected
) -> ByPersona:
    """`allowed` for the agency's importers, 403 for its other staff, 404 for the rest."""
    answers: dict[str, Expected] = dict.fromkeys(colleagues, 403)
    answers.update(dict.fromkeys(importers, allowed))
    return statuses(404, anonymous=SIGN_IN, **answers)


def _route(name: str, expect) -> Route:
    return Route(
        name,
        audited_as=PLAN_IMPORT,
        records={
            label: Record(kwargs, expect(importers, colleagues))
            for label, (kwargs, importers, colleagues) in IMPORTS.items()
        },
    )


PLAN_IMPORT_ROUTES: tuple[Route, ...] = (
    Route(
        "actions:plan-import",
        expect=any_method(page(403, **dict.fromkeys(IMPORTERS, 200))),
    ),
    _route(
        "actions:plan-import-preview",
        lambda importers, colleagues: read_only(importers_only(importers, colleagues, THE_COLUMNS)),
    ),
    _route(
        "actions:plan-import-columns",
        lambda importers, colleagues: any_method(importers_only(importers, colleagues, 200)),
    ),
    _route(
        "actions:plan-import-commit",
        lambda importers, colleagues: {
            "GET": page(405),
            "POST": importers_only(importers, colleagues, THE_PREVIEW),
        },
    ),
    # Keeping rows apart needs the columns chosen first: the world's imports have none.
    _route(
        "actions:plan-import-keep-apart",
        lambda importers, colleagues: {
            "GET": page(405),
            "POST": importers_only(importers, colleagues, THE_COLUMNS),
        },
    ),
    _route(
        "actions:plan-import-discard",
        lambda importers, colleagues: {
            "GET": importers_only(importers, colleagues, 200),
            "POST": importers_only(importers, colleagues, THE_PREVIEW),
        },
    ),
)
