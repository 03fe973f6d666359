"""The REST API: one router, versioned under /api/v1/, described by OpenAPI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from accounts.api import MeView
from accounts.permissions import ANY_STAFF, DeclaredActionPermission
from actions.api import PlanActionViewSet, PlanStepViewSet, PlanViewSet, ProgressUpdateViewSet
from cohorts.api.memberships import MembershipViewSet
from cohorts.api.reviews import ReviewViewSet
from crossref.api import CrossReferenceRunViewSet, MatchFindingViewSet
from meetings.api.agenda import AgendaItemViewSet
from meetings.api.case_actions import CaseActionViewSet
from meetings.api.meetings import MeetingViewSet
from offenders.api import NominalViewSet
from panels.api import PanelViewSet
from reporting.api import FiguresView, ReportViewSet
from sharing.api import AgreementViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("panels", PanelViewSet, basename="panel")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("nominals", NominalViewSet, basename="nominal")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("reviews", ReviewViewSet, basename="review")
router.register("case-actions", CaseActionViewSet, basename="case-action")
# Cross-referencing: the monthly runs, and the findings coordinators decide.
router.register("crossref-runs", CrossReferenceRunViewSet, basename="crossref-run")
router.register("crossref-findings", MatchFindingViewSet, basename="crossref-finding")
# The partnership's action plan.
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-actions", PlanActionViewSet, basename="plan-action")
router.register("plan-steps", PlanStepViewSet, basename="plan-step")
router.register("plan-updates", ProgressUpdateViewSet, basename="plan-update")
# Scrutiny reports and the figures behind them: aggregates only.
router.register("reports", ReportViewSet, basename="report")


class SchemaView(SpectacularAPIView):
    # drf-spectacular serves the schema with its own AllowAny; use the project's rule.
    permission_classes = [DeclaredActionPermission]
    allowed_roles = {"get": ANY_STAFF}


urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("figures/", FiguresView.as_view(), name="figures"),
    path("", include(router.urls)),
]
