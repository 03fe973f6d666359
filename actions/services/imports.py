"""Importing a plan: read the table, choose its columns, check the preview, then create the
plan in one go, or discard it. Coordinators and agency administrators import plans.

1. `plan_import_start` reads pasted text or a file (actions.importing) and keeps the table
   with suggested columns; a table that cannot be read is refused and nothing is stored.
2. `plan_import_map` reads the plan through the chosen columns: objectives, actions,
   numbered steps, each step's lead (matched to the partnership's agencies where it names
   one) and progress, and the warnings the coordinator should see before importing.
3. `plan_import_commit` creates the plan from the preview in one transaction, audited with
   its counts: if anything fails, nothing is saved. `plan_import_discard` keeps nothing.
Until the commit nothing of the plan exists: the import holds only the table as read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Agency, User, Verb
from actions.importing import (
    FIELDS_BY_KEY,
    REQUIRED_KEYS,
    ParsedPlan,
    Table,
    UnreadablePlan,
    parse_plan,
    read_file,
    read_pasted,
    suggest_mapping,
)
from actions.models import (
    Action,
    ActionPlan,
    ActionStep,
    Objective,
    PlanImport,
    PlanImportStatus,
    ProgressUpdate,
    Rag,
)
from actions.permissions import may_import_plans
from actions.selectors.imports import agency_names
from core.tables import column_letter


class CommitFailed(ValidationError):
    """The commit failed part way and was rolled back: nothing was saved."""


def _require_importer(actor: User, plan_import: PlanImport | None = None) -> None:
    if not may_import_plans(actor):
        raise PermissionDenied
    if plan_import is not None and plan_import.uploaded_by.agency_id != actor.agency_id:
        raise PermissionDenied


def _require_preview(plan_import: PlanImport) -> None:
    if plan_import.status == PlanImportStatus.IMPORTED:
        raise ValidationError("This plan has already been imported.")
    if plan_import.status == PlanImportStatus.DISCARDED:
        raise ValidationError("This import was discarded. Paste or upload the plan again.")


# --- Reading the table ----------------------------------------------------------------------


def plan_import_start(
    *, actor: User, text: str = "", data: bytes | None = None, file_name: str = ""
) -> PlanImport:
    """Read a pasted table (`text`) or an uploaded file (`data`, `file_name`) and keep it
    with the columns suggested by its headings. Raises ValidationError saying what is wrong
    with a table that cannot be read; then nothing is stored."""
    _require_importer(actor)
    try:
        table: Table = read_file(data, file_name) if data is not None else read_pasted(text)
    except UnreadablePlan as error:
        raise ValidationError(str(error)) from None
    plan_import = PlanImport(
        uploaded_by=actor,
        source_name=(file_name if data is not None else "")[:255],
        headers=table.headers,
        mapping=suggest_mapping(table.headers),
        rows=[[number, cells] for number, cells in table.rows],
        parsed={
            "read": {
                "read_as": table.read_as,
                "title": table.title,
                "rows": len(table.rows),
                "repeated_headings": table.repeated_headings,
            }
        },
        status=PlanImportStatus.PREVIEW,
    )
    with transaction.atomic():
        plan_import.full_clean()
        plan_import.save()
    return plan_import


# --- Columns --------------------------------------------------------------------------------


def check_mapping(headers: list[str], mapping: dict[str, int | None]) -> dict[str, int]:
    """The chosen columns without empty choices, or ValidationError {field: message}."""
    chosen = {key: index for key, index in mapping.items() if index is not None}
    errors: dict[str, str] = {}
    for key, index in chosen.items():
        if key not in FIELDS_BY_KEY:
            errors[key] = "Unknown column"
        elif not 0 <= index < len(headers):
            errors[key] = f"Choose a column of the table for {FIELDS_BY_KEY[key].label.lower()}"
    for key in REQUIRED_KEYS:
        if key not in chosen:
            errors[key] = (
                f"Choose the column with the {FIELDS_BY_KEY[key].label.lower()}. If the table "
                "has none, add it to the table and paste or upload the plan again"
            )
    seen: dict[int, str] = {}
    for key in FIELDS_BY_KEY:
        column = chosen.get(key)
        if column is None or key in errors:
            continue
        if column in seen:
            errors[key] = (
                f"Column {column_letter(column)} is already chosen for "
                f"{FIELDS_BY_KEY[seen[column]].label.lower()}: choose a different column"
            )
        seen.setdefault(column, key)
    if errors:
        raise ValidationError(errors)
    return {key: chosen[key] for key in FIELDS_BY_KEY if key in chosen}


def plan_import_map(
    *, actor: User, plan_import: PlanImport, mapping: dict[str, int | None]
) -> PlanImport:
    """Read the plan through the chosen columns, for the preview. Choosing again reads it
    again; nothing else changes."""
    _require_importer(actor, plan_import)
    _require_preview(plan_import)
    columns = check_mapping(plan_import.headers, mapping)
    parsed = _parsed(actor, plan_import, columns, plan_import.kept_apart)
    if not parsed.objectives or not any(objective.actions for objective in parsed.objectives):
        raise ValidationError(
            {
                "action": "No row of the table has a project or action in this column: choose "
                "the column that holds the actions"
            }
        )
    with transaction.atomic():
        locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        _require_preview(locked)
        locked.mapping = columns
        locked.parsed = {"read": (locked.parsed or {}).get("read", {}), **parsed.as_json()}
        locked.save(update_fields=["mapping", "parsed"])
    plan_import.mapping, plan_import.parsed = locked.mapping, locked.parsed
    return plan_import


def _parsed(
    actor: User, plan_import: PlanImport, columns: dict[str, int], kept_apart: list[int]
) -> ParsedPlan:
    return parse_plan(
        [(number, cells) for number, cells in plan_import.rows],
        columns,
        today=timezone.localdate(),
        agencies=agency_names(actor),
        kept_apart=kept_apart,
    )


def plan_import_keep_apart(
    *, actor: User, plan_import: PlanImport, rows: Iterable[int]
) -> PlanImport:
    """Choose which rows the preview joined to the row above (as the rest of a row split by
    a page break) are instead steps of their own, and read the plan again. Rows not listed
    are joined again."""
    _require_importer(actor, plan_import)
    _require_preview(plan_import)
    numbers = {number for number, _cells in plan_import.rows}
    chosen = sorted({int(row) for row in rows})
    unknown = [row for row in chosen if row not in numbers]
    if unknown:
        raise ValidationError({"rows": "Choose rows of the table"})
    if not plan_import.mapping:
        raise ValidationError("Choose which column holds what first.")
    parsed = _parsed(actor, plan_import, plan_import.mapping, chosen)
    with transaction.atomic():
        locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        _require_preview(locked)
        locked.kept_apart = chosen
        locked.parsed = {"read": (locked.parsed or {}).get("read", {}), **parsed.as_json()}
        locked.save(update_fields=["kept_apart", "parsed"])
    plan_import.kept_apart, plan_import.parsed = locked.kept_apart, locked.parsed
    return plan_import


# --- Commit and discard ---------------------------------------------------------------------


def default_agencies(actor: User, plan_import: PlanImport) -> list[int]:
    """The partnership the form suggests: the importer's agency and every agency matched
    as a lead."""
    leads = [
        step["lead_agency"]
        for objective in (plan_import.parsed or {}).get("objectives", [])
        for action in objective["actions"]
        for step in action["steps"]
        if step["lead_agency"]
    ]
    return list(dict.fromkeys([actor.agency_id, *leads]))


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def plan_import_commit(
    *,
    actor: User,
    plan_import: PlanImport,
    title: str,
    strategy: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    agencies: Iterable[Agency] = (),
    progress_rag: str,
) -> ActionPlan:
    """Create the plan the preview shows, owned by the importer and their agency, seen by
    `agencies` (the importer's own always among them).

    Each step's progress becomes a progress update dated as the plan gives it, or today,
    with the RAG "Not started" where the text says nothing has happened yet and
    `progress_rag` otherwise. A step led by an agency left out of the partnership keeps its
    lead as written, with no lead agency. All of it happens in one transaction: if anything
    fails, nothing is saved and CommitFailed says so.
    """
    _require_importer(actor, plan_import)
    if progress_rag not in Rag.values:
        raise ValidationError({"progress_rag": "Choose the RAG for the imported progress"})
    today = timezone.localdate()
    try:
        with transaction.atomic():
            locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
            _require_preview(locked)
            objectives = (locked.parsed or {}).get("objectives")
            if not objectives:
                raise ValidationError("Choose which column holds what before importing.")
            plan, counts = _create_plan(
                actor=actor,
                objectives=objectives,
                title=title,
                strategy=strategy,
                starts_on=starts_on,
                ends_on=ends_on,
                agencies=agencies,
                progress_rag=progress_rag,
                today=today,
            )
            locked.status, locked.plan = PlanImportStatus.IMPORTED, plan
            locked.save(update_fields=["status", "plan"])
            audit(
                actor=actor,
                verb=Verb.PLAN_IMPORTED,
                target=plan,
                detail={"import": locked.pk, "source": locked.source_name, **counts},
            )
    except DatabaseError:
        raise CommitFailed(
            "The plan could not be imported, and nothing was saved. Try again; if it fails "
            "again, discard this import and paste or upload the plan again."
        ) from None
    plan_import.status, plan_import.plan = PlanImportStatus.IMPORTED, plan
    return plan


def _create_plan(
    *,
    actor: User,
    objectives: list[dict],
    title: str,
    strategy: str,
    starts_on: date | None,
    ends_on: date | None,
    agencies: Iterable[Agency],
    progress_rag: str,
    today: date,
) -> tuple[ActionPlan, dict[str, int]]:
    """The plan and its rows, each level checked and inserted together, and their counts."""
    partnership = {agency.pk for agency in agencies if agency.active} | {actor.agency_id}
    plan = ActionPlan(
        title=title,
        strategy=strategy,
        starts_on=starts_on,
        ends_on=ends_on,
        owner_agency_id=actor.agency_id,
        owner=actor,
    )
    plan.full_clean()
    plan.save()
    plan.agencies.set(sorted(partnership))

    objective_rows = [
        Objective(plan=plan, number=number, title=objective["title"])
        for number, objective in enumerate(objectives, start=1)
    ]
    _check(objective_rows)
    Objective.objects.bulk_create(objective_rows)

    action_rows: list[tuple[Action, dict]] = []
    for objective_row, objective in zip(objective_rows, objectives, strict=True):
        for number, action in enumerate(objective["actions"], start=1):
            row = Action(
                objective=objective_row,
                number=number,
                title=action["title"],
                description=action["description"],
                outcomes=action["outcomes"],
                timescale=action["timescale"],
                due=_iso(action["due"]),
                strategic_links=action.get("strategic_links", ""),
            )
            action_rows.append((row, action))
    _check(row for row, _action in action_rows)
    Action.objects.bulk_create([row for row, _action in action_rows])

    step_rows: list[ActionStep] = []
    updates: list[ProgressUpdate] = []
    for action_row, action in action_rows:
        written_on = min(_iso(action["progress_on"]) or today, today)
        for step in action["steps"]:
            lead = step["lead_agency"] if step["lead_agency"] in partnership else None
            step_row = ActionStep(
                action=action_row,
                number=step["number"],
                text=step["text"],
                lead_text=step["lead_text"],
                lead_agency_id=lead,
                due=_iso(step["due"]),
            )
            # The plan's own RAG for the step wins; else "Not started" where the progress
            # says nothing has happened, else the RAG the coordinator chose.
            given = step.get("rag")
            if step["progress"] or given:
                rag = given or (Rag.NOT_STARTED if step["not_started"] else progress_rag)
                step_row.current_rag, step_row.last_update_on = rag, written_on
                updates.append(
                    ProgressUpdate(
                        step=step_row,
                        written_on=written_on,
                        text=step["progress"] or "RAG as given in the imported plan.",
                        rag=rag,
                        author=actor,
                        author_agency_id=actor.agency_id,
                    )
                )
            step_rows.append(step_row)
    _check(step_rows)
    ActionStep.objects.bulk_create(step_rows)
    for update in updates:
        update.step_id = update.step.pk
    _check(updates)
    ProgressUpdate.objects.bulk_create(updates)

    counts = {
        "objectives": len(objective_rows),
        "actions": len(action_rows),
        "steps": len(step_rows),
        "progress_updates": len(updates),
        "lead_agencies_matched": sum(1 for row in step_rows if row.lead_agency_id),
    }
    return plan, counts


def _check(rows: Iterable) -> None:
    """Validate each row's own fields. Its links are to rows made here, and numbers are
    unique by construction, so the per-row queries that would check them are skipped."""
    for row in rows:
        links = [field.name for field in row._meta.fields if field.is_relation]
        try:
            row.full_clean(exclude=links, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise CommitFailed(
                f"The plan could not be imported, and nothing was saved: “{row}” "
                f"could not be saved ({' '.join(error.messages)}). Correct it in the table, "
                "then paste or upload the plan again."
            ) from None


def plan_import_discard(*, actor: User, plan_import: PlanImport) -> None:
    """Drop an import before it is committed, keeping nothing of the table."""
    _require_importer(actor, plan_import)
    with transaction.atomic():
        locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
        _require_preview(locked)
        locked.status = PlanImportStatus.DISCARDED
        locked.headers, locked.mapping, locked.rows, locked.parsed = [], {}, [], {}
        locked.save(update_fields=["status", "headers", "mapping", "rows", "parsed"])
    plan_import.status = PlanImportStatus.DISCARDED
