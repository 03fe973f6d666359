"""Cross-referencing over the API: the monthly runs (and asking for this month's), the inbox
of open findings, a finding with its explanation and its records, and the three decisions
on it, through the same selectors and services as the cross-referencing pages.

Panel coordinators use it; every other role is refused (403, logged). A finding that names
none of the caller's coordinated panels answers 404, as if it did not exist. A record the
caller may not see is only "known to" its panels, with whom to contact: its details, and
the explanation's sentences that quote it, are withheld exactly as on the finding's page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import require
from accounts.api import COORDINATORS, call
from accounts.audit import log_access
from accounts.http import request_user
from accounts.models import ObjectType
from accounts.permissions import person_label
from core.api import NON_FIELD, ConfirmSerializer, choice_param, page_of, validated
from crossref.forms import month_value
from crossref.models import CrossReferenceRun, FindingKind, FindingStatus, MatchFinding, RunStatus
from crossref.permissions import reviews_crossref
from crossref.selectors.findings import (
    FINDING,
    RUN,
    FindingShown,
    FindingWithPeople,
    finding_for,
    finding_panels,
    finding_shown,
    inbox,
    log_people_listed,
    requested_by_text,
    run_for_month,
    runs_for,
)
from crossref.selectors.leads import lead_proposals_of
from crossref.services.leads import lead_panel_answer, lead_panel_propose, waiting_proposal
from crossref.services.reasons import REASON_MAX_LENGTH
from crossref.services.review import finding_confirm, finding_dismiss, overlap_close
from offenders.api import NominalRefSerializer
from offenders.models import Nominal
from panels.models import Panel

KEEP_ONE = "Choose which of the two records to keep"
CHOOSE_PANEL = "Choose one of the panels the person is on"


def _reviewers_only(request: Request) -> None:
    """The pages' rule: coordinators whose agency works with cases; others 403 (logged)."""
    require(request, reviews_crossref(request_user(request)), object_type=RUN)


# --- Runs -------------------------------------------------------------------------------------


class RunSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField(help_text='The month run, as "2026-02".')
    requested_by = serializers.SerializerMethodField(
        help_text="Who asked for the run: a name for your own agency's staff, else their "
        'agency; "Monthly schedule" when nobody did.'
    )
    progress_percent = serializers.IntegerField(read_only=True)
    model_version = serializers.CharField(
        source="model.version",
        allow_null=True,
        read_only=True,
        help_text="The matching model fitted for the run; null until it is fitted.",
    )

    class Meta:
        model = CrossReferenceRun
        fields = [
            "month",
            "status",
            "trigger",
            "requested_by",
            "queued_at",
            "started_at",
            "finished_at",
            "chunks_total",
            "chunks_done",
            "progress_percent",
            "counts",
            "durations",
            "model_version",
            "error",
        ]
        read_only_fields = fields

    def get_month(self, run: CrossReferenceRun) -> str:
        return month_value(run)

    def get_requested_by(self, run: CrossReferenceRun) -> str:
        return requested_by_text(run, request_user(self.context["request"]))


MONTH = OpenApiParameter(
    "month",
    str,
    OpenApiParameter.PATH,
    description='The month of the run, as "2026-02".',
    pattern=r"^[0-9]{4}-[0-9]{2}$",
)


class CrossReferenceRunViewSet(viewsets.GenericViewSet):
    """The monthly cross-reference runs, newest first, each named by its month: status,
    progress, counts and timings, nothing about any person. POST asks for this month's
    run, as the "Run now" button does."""

    serializer_class = RunSerializer
    lookup_field = "month"
    lookup_value_regex = "[0-9]{4}-[0-9]{2}"
    allowed_roles = {"list": COORDINATORS, "retrieve": COORDINATORS, "create": COORDINATORS}

    def list(self, request: Request) -> Response:
        """Every month's run, newest first."""
        _reviewers_only(request)
        page = self.paginate_queryset(runs_for(request_user(request)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=[MONTH])
    def retrieve(self, request: Request, month: str) -> Response:
        """One month's run; 404 for a month without one."""
        _reviewers_only(request)
        return Response(self.get_serializer(run_for_month(request, month)).data)

    @extend_schema(request=ConfirmSerializer, responses={201: RunSerializer, 200: RunSerializer})
    def create(self, request: Request) -> Response:
        """Ask for this month's run; send `{"confirm": true}`. The month is queued (201): a
        failed run carries on from its last part, a complete one is run again from the
        start. A run a worker is busy with is left as it is (200)."""
        _reviewers_only(request)
        validated(ConfirmSerializer, request.data, request)
        # Imported where it is used, as the page does: reading findings needs none of the job.
        from crossref.services.run import request_run

        run = call(
            request_run, request=request, object_type=RUN, object_id="", actor=request_user(request)
        )
        busy = run.status == RunStatus.RUNNING
        return Response(
            self.get_serializer(run).data,
            status=status.HTTP_200_OK if busy else status.HTTP_201_CREATED,
        )


# --- Findings: output ---------------------------------------------------------------------------


class ListedRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visible = serializers.BooleanField(help_text="Whether you may see the record.")
    name = serializers.CharField(allow_null=True, help_text="Only for a record you may see.")


class FindingSerializer(serializers.ModelSerializer):
    """A finding as the inbox lists it: the records' names only where the reader sees them."""

    month = serializers.SerializerMethodField(help_text="The month of the run that raised it.")
    records = serializers.SerializerMethodField(
        help_text="The two records that may be one person, or the one person on several panels."
    )

    class Meta:
        model = MatchFinding
        fields = ["id", "kind", "status", "score", "decision", "month", "panels", "records"]
        read_only_fields = fields

    def get_month(self, finding: MatchFinding) -> str:
        return month_value(finding.run)

    @extend_schema_field(ListedRecordSerializer(many=True))
    def get_records(self, finding: FindingWithPeople) -> list[dict[str, Any]]:
        records = [(finding.nominal_a, finding.a_visible)]
        if finding.nominal_b is not None:
            records.append((finding.nominal_b, finding.b_visible))
        return [
            {"id": nominal.pk, "visible": bool(seen), "name": nominal.full_name if seen else None}
            for nominal, seen in records
        ]


class PanelContactSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="panel_id")
    name = serializers.CharField()
    contact = serializers.CharField(help_text="The panel's coordinating agency.")


class ExplanationItemSerializer(serializers.Serializer):
    field = serializers.CharField()
    text = serializers.CharField(
        help_text="The comparison in words; only the field's name where you may not see "
        "one of the records, as the words quote both."
    )
    band = serializers.CharField(help_text="How much the comparison counted, in words.")
    weight = serializers.FloatField(allow_null=True)


class RecordDetailsSerializer(serializers.Serializer):
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    date_of_birth_approximate = serializers.BooleanField(source="dob_approximate")
    gender = serializers.CharField()
    postcode = serializers.CharField()
    recorded_by = serializers.CharField(source="owning_agency.code")


class RecordSideSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    visible = serializers.BooleanField(help_text="Whether you may see the record.")
    known_to = serializers.CharField(
        help_text="For a record you may not see: the panels it is known to and whom to "
        "contact. Empty otherwise."
    )
    details = RecordDetailsSerializer(source="nominal", allow_null=True)
    identifiers = serializers.ListField(child=serializers.CharField())
    aliases = serializers.ListField(child=serializers.CharField())
    panels = PanelContactSerializer(many=True, help_text="Its active panels.")


class ComparisonRowSerializer(serializers.Serializer):
    # DRF's serializer metaclass takes declared fields off the class, so this field does not
    # replace the `label` every Field has; drf-stubs cannot express that.
    label = serializers.CharField()  # type: ignore[assignment]
    a = serializers.CharField()
    b = serializers.CharField()
    same = serializers.BooleanField(allow_null=True, help_text="Null where a side is not shown.")


class OverlapPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visible = serializers.BooleanField(help_text="Whether you may see the record.")
    known_to = serializers.CharField()
    details = NominalRefSerializer(allow_null=True)


class LeadSerializer(serializers.Serializer):
    panel = serializers.IntegerField(source="panel_id")
    name = serializers.CharField(source="panel.name")
    agreed_at = serializers.DateTimeField()


class LeadAnswerSerializer(serializers.Serializer):
    panel = serializers.CharField(help_text="The panel answering.")
    coordinated_by = serializers.CharField(help_text="The agency that coordinates it.")
    decision = serializers.CharField(help_text="Not yet decided, Agreed or Refused.")
    by = serializers.CharField(help_text="Who answered: a name for your own agency's staff.")
    at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(help_text="Why the panel did not agree, if it did not.")


class LeadProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    panel = serializers.CharField(help_text="The panel proposed to lead.")
    proposed_by = serializers.CharField()
    proposed_at = serializers.DateTimeField()
    status = serializers.CharField(help_text="Waiting for agreement, Agreed, Not agreed or Closed.")
    answers = LeadAnswerSerializer(many=True, help_text="Each of the person's panels' answer.")


class FindingDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="finding.pk")
    kind = serializers.ChoiceField(choices=FindingKind.choices, source="finding.kind")
    status = serializers.ChoiceField(choices=FindingStatus.choices, source="finding.status")
    score = serializers.FloatField(source="finding.score")
    decision = serializers.CharField(source="finding.decision")
    rule = serializers.CharField(source="finding.rule")
    model_version = serializers.CharField(source="finding.model_version")
    month = serializers.SerializerMethodField(help_text="The month of the run that raised it.")
    panels = serializers.ListField(child=serializers.IntegerField(), source="finding.panels")
    panel_contacts = PanelContactSerializer(
        many=True, source="panels", help_text="The panels it names, with whom to contact."
    )
    created_at = serializers.DateTimeField(source="finding.created_at")
    resolved_at = serializers.DateTimeField(source="finding.resolved_at", allow_null=True)
    resolved_by = serializers.SerializerMethodField(
        help_text="Who decided it: a name for your own agency's staff, else their agency."
    )
    resolution_note = serializers.CharField(source="finding.resolution_note")
    explanation = ExplanationItemSerializer(many=True)
    explanation_quoted = serializers.BooleanField(
        source="quoted",
        help_text="False where you may not see a record: the comparisons are then named, "
        "not quoted.",
    )
    records = RecordSideSerializer(
        many=True,
        source="pair.sides",
        allow_null=True,
        help_text="A possible duplicate's two records.",
    )
    comparison = ComparisonRowSerializer(
        many=True,
        source="pair.rows",
        allow_null=True,
        help_text="A possible duplicate's records side by side.",
    )
    person = serializers.SerializerMethodField(help_text="The person on several panels.")
    lead_panel = LeadSerializer(
        source="lead", allow_null=True, help_text="The person's agreed lead panel, if any."
    )
    lead_proposals = serializers.SerializerMethodField(
        help_text="Lead panels proposed for the person, newest first, with each panel's answer."
    )

    def get_month(self, shown: FindingShown) -> str:
        return month_value(shown.finding.run)

    def get_resolved_by(self, shown: FindingShown) -> str:
        return person_label(shown.finding.resolved_by, request_user(self.context["request"]))

    @extend_schema_field(LeadProposalSerializer(many=True))
    def get_lead_proposals(self, shown: FindingShown) -> list[dict[str, Any]]:
        if shown.pair is not None:
            return []
        viewer = request_user(self.context["request"])
        proposals = lead_proposals_of(shown.finding, viewer)
        return list(LeadProposalSerializer(proposals, many=True).data)

    @extend_schema_field(OverlapPersonSerializer(allow_null=True))
    def get_person(self, shown: FindingShown) -> dict[str, Any] | None:
        if shown.pair is not None:
            return None
        finding = shown.finding
        seen = bool(finding.a_visible)
        person = {
            "id": finding.nominal_a_id,
            "visible": seen,
            "known_to": shown.known_to,
            "details": finding.nominal_a if seen else None,
        }
        return OverlapPersonSerializer(person).data


# --- Findings: decisions ------------------------------------------------------------------------


class ConfirmDecisionSerializer(serializers.Serializer):
    survivor = serializers.IntegerField(
        help_text="The id of the record to keep, one of the finding's two: everything "
        "recorded on the other moves to it.",
        error_messages={"required": KEEP_ONE, "null": KEEP_ONE, "invalid": KEEP_ONE},
    )

    def validate_survivor(self, value: int) -> int:
        finding = self.context["finding"]
        if value not in (finding.nominal_a_id, finding.nominal_b_id):
            raise serializers.ValidationError(KEEP_ONE)
        return value


class NoActionDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        help_text="Why no action is needed. The person is not raised again while they stay "
        "on the same panels.",
        error_messages={
            "required": "Enter why no action is needed",
            "blank": "Enter why no action is needed",
            "null": "Enter why no action is needed",
        },
    )


class DismissDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        help_text="Why these are different people. The pair is not raised again unless one "
        "of the records changes.",
        error_messages={
            "required": "Enter why these are different people",
            "blank": "Enter why these are different people",
            "null": "Enter why these are different people",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )


class LeadDecisionSerializer(serializers.Serializer):
    panel = serializers.IntegerField(
        help_text="The id of the panel that leads: one of the finding's panels.",
        error_messages={"required": CHOOSE_PANEL, "null": CHOOSE_PANEL, "invalid": CHOOSE_PANEL},
    )

    def validate_panel(self, value: int) -> int:
        if value not in {item.panel_id for item in self.context["panels"]}:
            raise serializers.ValidationError(CHOOSE_PANEL)
        return value


class LeadAnswerDecisionSerializer(serializers.Serializer):
    agree = serializers.BooleanField(
        help_text="Whether the proposed panel should lead, for the panels your agency coordinates.",
        error_messages={
            "required": "Choose whether you agree",
            "invalid": "Choose whether you agree",
        },
    )
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why not, when you do not agree (required then).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["agree"] and not attrs.get("reason", "").strip():
            raise serializers.ValidationError({"reason": "Enter why this panel should not lead"})
        return attrs


def _decision_input(
    serializer_class: type[serializers.Serializer], request: Request, **context: Any
) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _still_open(finding: MatchFinding, kind: str) -> None:
    """As the page checks before it reads the form: the decision must be one for this kind
    of finding, and the finding not yet decided (400, nothing changed)."""
    if finding.kind != kind:
        raise ValidationError({NON_FIELD: ["That decision does not apply to this finding."]})
    if finding.status != FindingStatus.OPEN:
        decided = finding.get_status_display().lower()
        raise ValidationError({NON_FIELD: [f"This finding has already been decided ({decided})."]})


class MatchFindingViewSet(viewsets.GenericViewSet):
    """The open findings for the panels you coordinate, strongest first (`?kind=duplicate`
    or `?kind=overlap` narrows them), and each finding with its decisions: `confirm` that two
    records are one person, `dismiss` a possible duplicate with the reason, or agree which
    panel leads for a person on several (`propose-lead`, then each other panel's coordinator
    `answer-lead`)."""

    serializer_class = FindingSerializer
    lookup_value_regex = "[0-9]+"
    allowed_roles = {
        "list": COORDINATORS,
        "retrieve": COORDINATORS,
        "confirm": COORDINATORS,
        "dismiss": COORDINATORS,
        "propose_lead": COORDINATORS,
        "answer_lead": COORDINATORS,
        "no_action": COORDINATORS,
    }

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=FindingKind.values, required=False)]
    )
    def list(self, request: Request) -> Response:
        """Open findings for the panels you coordinate, strongest first."""
        _reviewers_only(request)
        kind = choice_param(request, "kind", FindingKind.values)
        page = page_of(self, inbox(request_user(request), kind=kind))
        # One row for the list read, as every list of the API writes, and one for each
        # person it names, as the inbox page writes.
        log_access(request=request, object_type=ObjectType.FINDING_LIST, object_id=len(page))
        log_people_listed(request, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _answer(self, request: Request, finding: FindingWithPeople) -> Response:
        shown = finding_shown(request, finding)
        return Response(FindingDetailSerializer(shown, context={"request": request}).data)

    @extend_schema(responses=FindingDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """One finding: its score and explanation, and a possible duplicate's two records
        side by side or an overlap's person and panels, as far as you may see them."""
        return self._answer(request, finding_for(request, int(pk)))

    def _decide(
        self, request: Request, service: Any, finding: MatchFinding, **kwargs: Any
    ) -> Response:
        call(
            service,
            request=request,
            object_type=FINDING,
            object_id=finding.pk,
            actor=request_user(request),
            finding=finding,
            **kwargs,
        )
        # Read again: the answer shows the decision as the finding's page would.
        return self._answer(request, finding_for(request, finding.pk))

    @extend_schema(request=ConfirmDecisionSerializer, responses=FindingDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """The two records are one person: the other record is merged into `survivor`
        (status merged). Where you may not change one of them, the finding is confirmed and
        `resolution_note` says which agency must merge."""
        finding = finding_for(request, int(pk))
        _still_open(finding, FindingKind.DUPLICATE)
        data = _decision_input(ConfirmDecisionSerializer, request, finding=finding)
        survivor = Nominal.objects.get(pk=data["survivor"])
        return self._decide(request, finding_confirm, finding, survivor=survivor)

    @extend_schema(request=DismissDecisionSerializer, responses=FindingDetailSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        """The two records are different people, for the reason given."""
        finding = finding_for(request, int(pk))
        _still_open(finding, FindingKind.DUPLICATE)
        data = _decision_input(DismissDecisionSerializer, request)
        return self._decide(request, finding_dismiss, finding, reason=data["reason"])

    @extend_schema(request=NoActionDecisionSerializer, responses=FindingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="no-action")
    def no_action(self, request: Request, pk: str) -> Response:
        """Close a person-on-several-panels finding: no action is needed, for the reason
        given. The person is not raised again while they stay on the same panels."""
        finding = finding_for(request, int(pk))
        _still_open(finding, FindingKind.OVERLAP)
        data = _decision_input(NoActionDecisionSerializer, request)
        return self._decide(request, overlap_close, finding, reason=data["reason"])

    @extend_schema(request=LeadDecisionSerializer, responses=FindingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="propose-lead")
    def propose_lead(self, request: Request, pk: str) -> Response:
        """Propose which of the person's panels leads. The coordinators of the person's
        other panels are asked to agree (`answer-lead`); panels your agency coordinates agree
        at once, so where it coordinates them all the lead is agreed straight away."""
        finding = finding_for(request, int(pk))
        _still_open(finding, FindingKind.OVERLAP)
        data = _decision_input(LeadDecisionSerializer, request, panels=finding_panels(finding))
        panel = Panel.objects.get(pk=data["panel"])
        return self._decide(request, lead_panel_propose, finding, panel=panel)

    @extend_schema(request=LeadAnswerDecisionSerializer, responses=FindingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="answer-lead")
    def answer_lead(self, request: Request, pk: str) -> Response:
        """Agree, or not (with a reason), to the waiting lead-panel proposal, for the panels
        your agency coordinates. The lead is agreed when every panel has agreed; one that
        does not agree closes the proposal. 403 when none of your panels is asked."""
        finding = finding_for(request, int(pk))
        _still_open(finding, FindingKind.OVERLAP)
        proposal = waiting_proposal(finding)
        if proposal is None:
            raise ValidationError(
                {NON_FIELD: ["There is no lead panel proposal waiting for an answer."]}
            )
        data = _decision_input(LeadAnswerDecisionSerializer, request)
        call(
            lead_panel_answer,
            request=request,
            object_type=FINDING,
            object_id=finding.pk,
            actor=request_user(request),
            proposal=proposal,
            agree=data["agree"],
            reason=data["reason"],
        )
        return self._answer(request, finding_for(request, finding.pk))
