"""Reads for importing a plan: who may import, the one get-or-404 helper for an import,
the agencies a plan's leads are matched against, and the preview of what will import.

Coordinators and agency administrators import plans: they are the roles that own a plan.
An import in progress belongs to the uploader's agency: its other importers may finish or
discard it; its other staff are refused (403); everyone else is told it does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.access import refuse, require
from accounts.http import request_user
from accounts.models import Agency, ObjectType, User
from actions.importing import AgencyName
from actions.models import ActionPlan, PlanImport, PlanImportStatus, Rag
from actions.permissions import may_import_plans
from panels.models import Panel
from sharing.models import InformationSharingAgreement

PLAN_IMPORT = ObjectType.PLAN_IMPORT


def require_importer(request: HttpRequest) -> None:
    """403 (logged) for anyone who may not import plans."""
    require(request, may_import_plans(request_user(request)), object_type=PLAN_IMPORT)


def import_for(request: HttpRequest, pk: int) -> PlanImport:
    """The import if it was started in the user's agency and the user may import plans:
    404 (logged) when it was started elsewhere or does not exist, 403 (logged) for the
    agency's other staff."""
    user = request_user(request)
    plan_import = (
        PlanImport.objects.filter(pk=pk, uploaded_by__agency=user.agency_id)
        .select_related("uploaded_by__agency", "plan")
        .first()
        if user.is_authenticated and user.is_active and user.agency.active
        else None
    )
    if plan_import is None:
        refuse(request, object_type=PLAN_IMPORT, object_id=pk)
    require(request, may_import_plans(user), object_type=PLAN_IMPORT, object_id=pk)
    return plan_import


def imports_in_progress(user: User) -> QuerySet[PlanImport]:
    """Imports started in the user's agency and not yet imported or discarded."""
    return (
        PlanImport.objects.filter(
            uploaded_by__agency=user.agency_id, status=PlanImportStatus.PREVIEW
        )
        .select_related("uploaded_by")
        .order_by("-uploaded_at")
    )


def partnership_agencies(user: User) -> QuerySet[Agency]:
    """The active agencies the user's agency works with: parties to its information-sharing
    agreements, agencies on its panels, and the partnerships of the plans it is part of.
    Leads are matched among these, so "Police" is the borough's police, not another's."""
    own = user.agency_id
    agreements = InformationSharingAgreement.objects.filter(parties=own).values("pk")
    panels = Panel.objects.filter(Q(coordinating_agency=own) | Q(member_agencies=own))
    plans = ActionPlan.objects.filter(agencies=own).values("pk")
    return (
        Agency.objects.filter(active=True)
        .filter(
            Q(pk=own)
            | Q(pk__in=Agency.objects.filter(agreements__in=agreements).values("pk"))
            | Q(pk__in=panels.values("coordinating_agency"))
            | Q(pk__in=Agency.objects.filter(member_panels__in=panels.values("pk")).values("pk"))
            | Q(pk__in=Agency.objects.filter(action_plans__in=plans).values("pk"))
        )
        .order_by("name")
    )


def agency_names(user: User) -> list[AgencyName]:
    """The partnership's agencies as the importer matches leads against them."""
    return [
        AgencyName(pk, name, code, kind)
        for pk, name, code, kind in partnership_agencies(user).values_list(
            "pk", "name", "code", "kind"
        )
    ]


# --- The preview ----------------------------------------------------------------------------


@dataclass
class PreviewStep:
    number: int
    text: str
    lead_text: str
    lead_agency: Agency | None
    due: date | None
    progress: str
    not_started: bool
    rag: str | None = None  # the plan's own RAG for the step, where it gives one

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label if self.rag else ""


@dataclass
class PreviewAction:
    label: str  # "2.3": the objective's number and the action's
    row: int
    title: str
    description: str
    outcomes: str
    timescale: str
    due: date | None
    progress_on: date | None
    steps: list[PreviewStep]
    warnings: list[str] = field(default_factory=list)
    strategic_links: str = ""


@dataclass
class PreviewObjective:
    number: int
    title: str
    actions: list[PreviewAction]


@dataclass
class ImportPreview:
    objectives: list[PreviewObjective]
    warnings: list[dict]
    counts: dict[str, int]
    lead_agencies: list[Agency]  # every agency matched as a lead, by name
    joinable: list[JoinableRow] = field(default_factory=list)


@dataclass(frozen=True)
class JoinableRow:
    """A row read as the rest of the row above (split by a page break), or one the
    coordinator chose to keep apart as a step of its own."""

    row: int
    into: int | None
    text: str
    kept_apart: bool


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def import_preview(plan_import: PlanImport) -> ImportPreview:
    """The plan as it will import, from the import's parsed plan, in one query (the
    matched agencies)."""
    parsed = plan_import.parsed or {}
    lead_ids = {
        step["lead_agency"]
        for objective in parsed.get("objectives", [])
        for action in objective["actions"]
        for step in action["steps"]
        if step["lead_agency"]
    }
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=lead_ids)}
    by_action: dict[str, list[str]] = {}
    for warning in parsed.get("warnings", []):
        by_action.setdefault(warning["action"], []).append(warning["text"])
    objectives = []
    counts = dict.fromkeys(
        ("objectives", "actions", "steps", "leads", "progress", "not_started", "no_progress"), 0
    )
    for number, objective in enumerate(parsed.get("objectives", []), start=1):
        actions = []
        for position, action in enumerate(objective["actions"], start=1):
            label = f"{number}.{position}"
            steps = [
                PreviewStep(
                    number=step["number"],
                    text=step["text"],
                    lead_text=step["lead_text"],
                    lead_agency=agencies.get(step["lead_agency"]),
                    due=_date(step["due"]),
                    progress=step["progress"],
                    not_started=step["not_started"],
                    rag=step.get("rag"),
                )
                for step in action["steps"]
            ]
            for step in steps:
                counts["steps"] += 1
                counts["leads"] += step.lead_agency is not None
                counts["progress"] += bool(step.progress)
                counts["not_started"] += bool(step.progress) and step.not_started
                counts["no_progress"] += not step.progress
            actions.append(
                PreviewAction(
                    label=label,
                    row=action["row"],
                    title=action["title"],
                    description=action["description"],
                    outcomes=action["outcomes"],
                    timescale=action["timescale"],
                    due=_date(action["due"]),
                    progress_on=_date(action["progress_on"]),
                    steps=steps,
                    warnings=by_action.get(label, []),
                    strategic_links=action.get("strategic_links", ""),
                )
            )
        counts["actions"] += len(actions)
        objectives.append(PreviewObjective(number, objective["title"], actions))
    counts["objectives"] = len(objectives)
    return ImportPreview(
        objectives=objectives,
        warnings=parsed.get("warnings", []),
        counts=counts,
        lead_agencies=sorted(agencies.values(), key=lambda agency: agency.name),
        joinable=_joinable(plan_import),
    )


def _joinable(plan_import: PlanImport) -> list[JoinableRow]:
    joined = [
        JoinableRow(item["row"], item["into"], item["text"], kept_apart=False)
        for item in (plan_import.parsed or {}).get("joined", [])
    ]
    cells_of = {number: cells for number, cells in plan_import.rows}
    apart = [
        JoinableRow(
            number,
            None,
            next((" ".join(cell.split())[:120] for cell in cells_of[number] if cell.strip()), ""),
            kept_apart=True,
        )
        for number in plan_import.kept_apart
        if number in cells_of
    ]
    return sorted(joined + apart, key=lambda item: item.row)


def progress_rag_choices() -> list[tuple[str, str]]:
    """The RAGs a coordinator may give the imported progress: the five-level scale and Not
    started. Complete is left out: a plan's progress text rarely shows a step finished, and
    a lead marks it so with their next update."""
    return [(value, label) for value, label in Rag.choices if value != Rag.COMPLETE]
