"""The demo borough's reducing reoffending action plan, imported once by its coordinator
through the plan importer from `plan.tsv`: a table in the shape partnerships keep
their plans in (numbered steps, leads and progress inside cells, a page break part way),
so the demo shows what an import gives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.db import transaction

from actions.models import Action, PlanImport, PlanImportStatus, Rag
from actions.services.imports import plan_import_commit, plan_import_map, plan_import_start

DEMO_PLAN = Path(__file__).with_name("plan.tsv")
DEMO_SOURCE = "kingsmere-action-plan.tsv"


@transaction.atomic
def ensure_demo_plan(borough) -> int:
    """Import the demo plan unless it has been imported already (and its plan still exists).
    Returns how many actions were imported."""
    coordinator = borough.staff["coordinator"]
    if PlanImport.objects.filter(
        source_name=DEMO_SOURCE,
        status=PlanImportStatus.IMPORTED,
        plan__isnull=False,
        uploaded_by__agency=coordinator.agency,
    ).exists():
        return 0
    plan_import = plan_import_start(
        actor=coordinator, data=DEMO_PLAN.read_bytes(), file_name=DEMO_SOURCE
    )
    plan_import_map(actor=coordinator, plan_import=plan_import, mapping=plan_import.mapping)
    plan = plan_import_commit(
        actor=coordinator,
        plan_import=plan_import,
        title="Reducing reoffending action plan 2025 to 2029",
        strategy="Kingsmere Reducing Reoffending Strategy 2025 to 2029",
        starts_on=date(2025, 4, 1),
        ends_on=date(2029, 3, 31),
        agencies=borough.agencies.values(),
        progress_rag=Rag.AMBER_GREEN,
    )
    return Action.objects.filter(objective__plan=plan).count()
