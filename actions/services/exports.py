"""The Word export of a long plan, made by the worker with its progress on the page.

A plan with more steps than `settings.PLAN_EXPORT_BACKGROUND_STEPS` is not drawn while the
browser waits: `plan_export_request` records the request and asks the worker
(`actions.tasks.make_plan_export`), whose `plan_export_make` draws the document for the
person who asked, saying how far it has got, and stores it for them to download.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from actions.exports import plan_docx
from actions.models import Action, ActionPlan, ActionStep, ExportStatus, PlanExport

logger = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "The Word document could not be made. Try again; if it fails again, tell the service desk."
)


def exports_in_background(plan: ActionPlan) -> bool:
    """Whether the plan is long enough for its Word document to be made by the worker."""
    steps = ActionStep.objects.filter(action__objective__plan=plan).count()
    return steps > settings.PLAN_EXPORT_BACKGROUND_STEPS


def plan_export_request(*, plan: ActionPlan, actor: User, today: date) -> PlanExport:
    """Ask the worker for the plan's Word document, as `actor` sees the plan today.

    Asked again while the last one is still being made (a double click, a resent form),
    it finds that one rather than making another; otherwise their earlier document of the
    plan is replaced. Audited as the plan's export.
    """
    if not ActionPlan.objects.visible_to(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        # One request at a time per plan: a second waits here for the first, then finds it.
        ActionPlan.objects.select_for_update().filter(pk=plan.pk).first()
        waiting = (
            PlanExport.objects.filter(
                plan=plan,
                requested_by=actor,
                status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
            )
            .order_by("-requested_at", "-pk")
            .first()
        )
        if waiting is not None:
            return waiting
        # The page offers only the latest: an earlier document of theirs is not kept.
        PlanExport.objects.filter(plan=plan, requested_by=actor).delete()
        export = PlanExport.objects.create(
            plan=plan,
            requested_by=actor,
            as_at=today,
            total=Action.objects.filter(objective__plan=plan).count(),
        )
        audit(
            actor=actor,
            verb=Verb.PLAN_EXPORTED,
            target=plan,
            detail={"format": "docx", "in_background": True},
        )
        transaction.on_commit(partial(_queue, export.pk))
    return export


def _queue(export_id: int) -> None:
    from actions.tasks import make_plan_export

    make_plan_export.delay(export_id)


def plan_export_make(export_id: int) -> PlanExport | None:
    """The worker's part: claim the export, draw the document with its progress, store it.

    Delivered again after a worker was lost, it starts the document over and the earlier
    attempt's late result is refused; a finished export is left alone.
    """
    claim = uuid.uuid4().hex[:8]
    with transaction.atomic():
        export = (
            PlanExport.objects.select_for_update()
            .select_related("plan", "requested_by__agency")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status == ExportStatus.DONE:
            return export
        export.status = ExportStatus.RUNNING
        export.attempts += 1
        export.claim = claim
        export.done = 0
        export.error = ""
        export.save(update_fields=["status", "attempts", "claim", "done", "error"])

    def progress(done: int, total: int) -> None:
        # Committed at once (outside any transaction), so the page sees it move.
        PlanExport.objects.filter(pk=export_id, claim=claim).update(done=done, total=total)

    try:
        content = plan_docx(
            export.plan, viewer=export.requested_by, today=export.as_at, progress=progress
        )
    except Exception:
        logger.exception("Plan export %s failed", export_id)
        PlanExport.objects.filter(pk=export_id, claim=claim).update(
            status=ExportStatus.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now()
        )
        raise

    with transaction.atomic():
        current = PlanExport.objects.select_for_update().get(pk=export_id)
        if current.status == ExportStatus.DONE or current.claim != claim:
            # Another delivery claimed it after this one: its result is the one kept.
            return current
        current.content = content
        current.status = ExportStatus.DONE
        current.done = current.total
        current.finished_at = timezone.now()
        current.save(update_fields=["content", "status", "done", "finished_at"])
    return current
