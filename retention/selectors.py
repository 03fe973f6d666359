"""Reads of the retention schedule: which records are due for review, worked out in SQL,
and the reviews a governance lead may see (their own agency's only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    DateField,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    Max,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.http import HttpRequest

from accounts.access import visible_or_404
from accounts.http import request_user
from accounts.models import ObjectType, User
from cohorts.models import ImportRow
from meetings.models import AgendaItem, CaseAction
from offenders.models import (
    Address,
    CaseEvent,
    CustodyEpisode,
    Identifier,
    Need,
    Nominal,
    Offence,
    RiskScore,
)
from panels.models import CohortMembership, MembershipStatus, Panel, RagReview
from retention.models import RetentionReview, ReviewStatus
from retention.permissions import may_review_retention
from sharing.models import AgreementStatus

# A referral still waiting for the coordinator is live work, as an active membership is:
# neither person may be listed or deleted.
OPEN_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.REFERRED)


# Agreements under which records were shared: signed once, whatever became of them since
# (records shared under a withdrawn or replaced agreement are still kept by its terms).
SHARED_UNDER = [
    status
    for status in AgreementStatus.values
    if status not in (AgreementStatus.DRAFT, AgreementStatus.IN_CIRCULATION)
]


def retention_period_for(panel: Panel) -> int:
    """The months a person's record is kept after their time on this panel's cohort: the
    longest of the panel's own period and those of the agreements covering it that
    records were shared under. The one place a panel's period is decided.

    Reads `panel.agreements` (prefetch it when asking about many panels)."""
    periods = [panel.retention_months] + [
        agreement.retention_period_months
        for agreement in panel.agreements.all()
        if agreement.status in SHARED_UNDER and agreement.retention_period_months
    ]
    return max(periods)


def panel_periods() -> dict[int, int]:
    """Every panel's retention period, by panel id (two queries; there are few panels)."""
    return {
        panel.pk: retention_period_for(panel)
        for panel in Panel.objects.prefetch_related("agreements")
    }


class MonthsAfter(Func):
    """A date plus a number of months, as a date (PostgreSQL's calendar arithmetic: the
    31st plus one month is the last day of the next month)."""

    output_field = DateField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        day, months = self.get_source_expressions()
        day_sql, day_params = compiler.compile(day)
        months_sql, months_params = compiler.compile(months)
        sql = f"(({day_sql}) + make_interval(months => ({months_sql})::int))::date"
        return sql, (*day_params, *months_params)


def _latest(model: type[Model], expression: Expression | str) -> Subquery:
    """The latest date of `expression` over the person's rows of `model`."""
    rows = (
        model._default_manager.filter(nominal=OuterRef("pk"))
        .order_by()
        .values("nominal")
        .annotate(latest=Max(expression))
        .values("latest")
    )
    return Subquery(rows[:1], output_field=DateField())


def last_activity() -> Greatest:
    """The person's last activity: the latest date anything was recorded or happened on
    their record, across the domain (PostgreSQL's GREATEST skips the tables with none)."""
    return Greatest(
        TruncDate("updated_at"),
        _latest(CaseEvent, Greatest("occurred_on", TruncDate("created_at"))),
        _latest(CohortMembership, Greatest("referred_on", "decided_on", "start", "end")),
        _latest(RagReview, "reviewed_on"),
        _latest(AgendaItem, "meeting__date"),
        _latest(CaseAction, Greatest(TruncDate("created_at"), "completed_on")),
        _latest(RiskScore, "assessed_on"),
        _latest(Offence, "committed_on"),
        _latest(CustodyEpisode, Greatest("entered_on", "released_on")),
        _latest(Need, "updated_on"),
        _latest(Address, Greatest("from_date", "to_date")),
        _latest(Identifier, TruncDate("created_at")),
        _latest(ImportRow, TruncDate("cohort_import__uploaded_at")),
        output_field=DateField(),
    )


def period_months(periods: dict[int, int] | None = None) -> Coalesce:
    """The person's retention period: the longest of the panels they were ever on (in any
    status), or the service's default for someone never on a panel."""
    periods = panel_periods() if periods is None else periods
    default = Value(settings.RETENTION_DEFAULT_MONTHS)
    if not periods:
        return Coalesce(Value(None, output_field=IntegerField()), default)
    longest = (
        CohortMembership.objects.filter(nominal=OuterRef("pk"))
        .order_by()
        .values("nominal")
        .annotate(
            months=Max(
                Case(
                    *(When(panel_id=pk, then=Value(months)) for pk, months in periods.items()),
                    output_field=IntegerField(),
                )
            )
        )
        .values("months")
    )
    return Coalesce(Subquery(longest[:1], output_field=IntegerField()), default)


def records_due(*, today: date, agency_id: int | None = None) -> QuerySet[Nominal]:
    """Records due for a retention review on `today`: on no cohort (no active membership,
    no referral waiting), and no activity for their retention period. Merged-away
    duplicates go with their survivor and are never listed on their own.

    Each row carries `last_activity_on`, `period_months`, `on_a_panel` and `due_since`.
    """
    open_membership = CohortMembership.objects.filter(
        nominal=OuterRef("pk"), status__in=OPEN_STATUSES
    )
    rows = Nominal.objects.filter(merged_into__isnull=True)
    if agency_id is not None:
        rows = rows.filter(owning_agency_id=agency_id)
    return (
        rows.exclude(Exists(open_membership))
        .annotate(
            last_activity_on=last_activity(),
            period_months=period_months(),
            on_a_panel=Exists(CohortMembership.objects.filter(nominal=OuterRef("pk"))),
        )
        .annotate(due_since=MonthsAfter(F("last_activity_on"), F("period_months")))
        .filter(due_since__lte=today)
        .order_by("pk")
    )


def rule_text(*, months: int, on_a_panel: bool) -> str:
    """The rule a record was listed under, in words; it names no one."""
    source = (
        "the longest retention period of the panels they were on"
        if on_a_panel
        else "the default period, as they were never on a panel"
    )
    return f"On no cohort and no activity for {months} months ({source})"


@dataclass(frozen=True)
class DueRow:
    """One record due for review, as the nightly list writes it."""

    nominal_id: int
    agency_id: int
    last_activity_on: date
    due_since: date
    period_months: int
    rule: str


def due_rows(*, today: date) -> list[DueRow]:
    """Every record due for review on `today`, in one query."""
    return [
        DueRow(
            nominal_id=row.pk,
            agency_id=row.owning_agency_id,
            last_activity_on=getattr(row, "last_activity_on"),  # noqa: B009 (annotations)
            due_since=getattr(row, "due_since"),  # noqa: B009
            period_months=getattr(row, "period_months"),  # noqa: B009
            rule=_rule_of(row),
        )
        for row in records_due(today=today).only("pk", "owning_agency_id")
    ]


def _rule_of(row: Nominal) -> str:
    return rule_text(
        months=getattr(row, "period_months"),  # noqa: B009 (an annotation of records_due)
        on_a_panel=getattr(row, "on_a_panel"),  # noqa: B009
    )


@dataclass(frozen=True)
class Due:
    """Whether one record is due for deletion now, and under which rule."""

    due: bool
    open_membership: bool
    rule: str = ""


def record_due(nominal: Nominal, *, today: date) -> Due:
    """The rule applied to one record now, as the deletion checks it (in SQL, as listed)."""
    if CohortMembership.objects.filter(nominal=nominal, status__in=OPEN_STATUSES).exists():
        return Due(due=False, open_membership=True)
    row = records_due(today=today).filter(pk=nominal.pk).first()
    if row is None:
        return Due(due=False, open_membership=False)
    return Due(due=True, open_membership=False, rule=_rule_of(row))


def reviews_for(user: User) -> QuerySet[RetentionReview]:
    """Records of the governance lead's own agency waiting for a decision, longest due
    first; nothing for anyone else."""
    if not may_review_retention(user):
        return RetentionReview.objects.none()
    return (
        RetentionReview.objects.filter(agency_id=user.agency_id, status=ReviewStatus.PENDING)
        .select_related("nominal")
        .order_by("due_since", "record_id")
    )


def review_for(request: HttpRequest, pk: int) -> RetentionReview:
    """A review of a record the governance lead's own agency owns, in any status. Another
    agency's review, or any review to someone who is not a governance lead, answers 404
    (logged), the same answer as a missing one."""
    user = request_user(request)
    reviews = (
        RetentionReview.objects.filter(agency_id=user.agency_id).select_related("nominal")
        if may_review_retention(user)
        else RetentionReview.objects.none()
    )
    return visible_or_404(request, reviews, pk, object_type=ObjectType.RETENTION_REVIEW)
