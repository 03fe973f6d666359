from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.audit import log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Purpose
from accounts.permissions import is_governance_lead, may_manage_staff, user_may_see_casework
from actions.selectors.plans import attention_by_plan
from meetings.selectors.case_actions import open_actions_for_agency, referrals_awaiting_decision
from meetings.selectors.meeting_mode import upcoming_meetings_for
from panels.permissions import can_coordinate
from panels.selectors import panels_for
from reporting.permissions import may_use_reports
from reporting.selectors import reports_visible_to


@login_required
@require_safe
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The first page after sign-in: who you are here, the panels you can see and, for
    those who work with cases, their agency's open actions, the action plan steps it
    leads that need an update or are overdue, and the next meetings.
    Committee officers and system administrators see no case data here."""
    user = request.user
    context: dict[str, object] = {
        "panels": panels_for(user),
        "manages_staff": may_manage_staff(user),
        "governs_information": is_governance_lead(user),
        "nav_section": "Dashboard",
    }
    if may_use_reports(user):
        # Aggregates only: the reports' titles, newest first.
        context |= {
            "may_report": True,
            "reports": list(reports_visible_to(user).order_by("-created_at")[:5]),
        }
    if user_may_see_casework(user):
        today = timezone.localdate()
        actions = open_actions_for_agency(user, today=today)
        # The actions name the people they are about: a read of each one's personal data.
        log_access_many(
            request=request,
            object_type=ObjectType.NOMINAL,
            object_ids=[action.nominal_id for action in actions.actions if action.person_visible],
            purpose=Purpose.CASE_MANAGEMENT,
        )
        context |= {
            "casework": True,
            "today": today,
            "agency_actions": actions,
            "meetings": [
                (meeting, can_coordinate(user, meeting.panel))
                for meeting in upcoming_meetings_for(user, today=today)
            ],
            "referrals": referrals_awaiting_decision(user),
            # Plan steps hold no personal data: counts per plan, each linking to the plan
            # filtered to the agency's flagged steps.
            "plan_attention": attention_by_plan(user.agency, today),
        }
    return render(request, "reporting/dashboard.html", context)
