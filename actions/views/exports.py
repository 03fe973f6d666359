"""A long plan's Word document, made by the worker: the page that asks for it and shows how
far it has got (htmx asks for the progress alone while it is being made), and the download.

Each export is its requester's: it holds their view of the plan. Someone who does not see
the plan, or has no document of theirs ready, gets 404 (logged against the plan).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import AuthenticatedHttpRequest
from actions.exports import DOCX_TYPE
from actions.models import ActionStep
from actions.selectors.exports import latest_plan_export, plan_export_file_for
from actions.selectors.plans import plan_for
from actions.services.exports import plan_export_request
from core.exports import download

NAV = "Action plan"


@login_required
@require_http_methods(["GET", "POST"])
def plan_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The plan's Word document made in the background: ask for it (posted), watch it
    being made, then download it."""
    plan = plan_for(request, pk)
    here = reverse("actions:plan-export", args=[plan.pk])
    if request.method == "POST" and request.POST.get("make") == "docx":
        plan_export_request(plan=plan, actor=request.user, today=timezone.localdate())
        return redirect(here)
    export = latest_plan_export(plan, request.user)
    running = export is not None and not export.finished
    if request.GET.get("progress"):
        if not running:
            # Finished: htmx, polling for progress, loads the whole page with its link.
            return HttpResponseClientRedirect(here)
        return render(request, "actions/plan_export_progress.html", {"export": export})
    return render(
        request,
        "actions/plan_export.html",
        {
            "plan": plan,
            "export": export,
            "running": running,
            "steps": ActionStep.objects.filter(action__objective__plan=plan).count(),
            "today": timezone.localdate(),
            "nav_section": NAV,
        },
    )


@login_required
@require_safe
def plan_export_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The user's latest Word document of the plan, as the worker made it."""
    plan, export = plan_export_file_for(request, pk)
    name = f"{slugify(plan.title)[:60] or 'action-plan'}-{export.as_at.isoformat()}.docx"
    return download(bytes(export.content or b""), file_name=name, content_type=DOCX_TYPE)
