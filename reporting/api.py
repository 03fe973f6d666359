"""Report figures over the API: the same figures, definitions and suppression as the pages.

Committee officers get every figure with small numbers hidden; coordinators get their own
panels' figures exactly, as on the dashboard. Reports list their versions; a finished
version carries its frozen figures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import request_user
from accounts.models import Role
from reporting.models import Report, ReportVersion, VersionStatus
from reporting.periods import Period, last_complete_financial_year
from reporting.selectors import dashboard_figures, report_for, report_list, reporting_panels

REPORTERS = frozenset({Role.COMMITTEE, Role.COORDINATOR})
# As on the pages: figures for up to five years at once.
MAX_PERIOD_DAYS = 366 * 5


def _date_param(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: ["Enter a date as YYYY-MM-DD, like 2025-04-01"]}) from None


class FiguresView(APIView):
    """The figures for a period and panels, with each figure's definition."""

    allowed_roles = {"get": REPORTERS}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start",
                OpenApiTypes.DATE,
                description="First day of the period (default: the last complete financial year)",
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day of the period"),
            OpenApiParameter(
                "panels",
                OpenApiTypes.STR,
                description="Panel ids, comma-separated (default: every panel you report on)",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        today = timezone.localdate()
        start, end = _date_param(request, "start"), _date_param(request, "end")
        if (start is None) != (end is None):
            raise ValidationError({"end": ["Give both start and end, or neither"]})
        if start and end and end < start:
            raise ValidationError({"end": ["The end must be on or after the start"]})
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError({"end": ["Choose a period of five years or less"]})
        period = Period(start, end) if start and end else last_complete_financial_year(today)
        panels = list(reporting_panels(user))
        wanted = request.query_params.get("panels")
        if wanted:
            try:
                ids = {int(part) for part in wanted.split(",") if part.strip()}
            except ValueError:
                raise ValidationError(
                    {"panels": ["Give panel ids as numbers separated by commas"]}
                ) from None
            # A panel the caller does not report on is treated as not there.
            panels = [panel for panel in panels if panel.pk in ids]
            if not panels:
                raise ValidationError({"panels": ["None of these panels is one you report on"]})
        if not panels:
            return Response({"detail": "There are no panels for you to report on."}, status=404)
        figures = dashboard_figures(user, period, panels, period.previous(), today)
        figures["panels"] = [panel.name for panel in panels]
        return Response(figures)


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportVersion
        fields = ["number", "status", "progress", "requested_at", "figures_as_at"]


class ReportSerializer(serializers.ModelSerializer):
    panels: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "title",
            "committee",
            "meeting_date",
            "period_start",
            "period_end",
            "compare_start",
            "compare_end",
            "panels",
            "versions",
        ]


class ReportDetailSerializer(ReportSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "figures"]

    def get_figures(self, report: Report) -> dict[str, Any] | None:
        """The frozen figures of the latest finished version."""
        version = (
            report.versions.filter(status=VersionStatus.DONE)
            .order_by("-number")
            .only("figures")
            .first()
        )
        return version.figures if version else None


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = {"list": REPORTERS, "retrieve": REPORTERS}
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Report]:
        return report_list(request_user(self.request))

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def retrieve(self, request: Request, pk: str) -> Response:
        # The pages' lookup: a report the caller may not see is refused (logged) like a
        # missing one.
        report = report_for(request, int(pk))
        return Response(self.get_serializer(report).data)
