"""The partnership's own work: action-plan progress and the information-sharing agreements."""

from __future__ import annotations

from django.db.models import Q

from reporting.figures.scope import Scope
from reporting.figures.values import Column, Count, Day, Row, Table, Text, define

ACTION_PLAN = define(
    "action_plan",
    "Action plan progress by RAG",
    """For each of the partnership's action plans running in the period, how many of its
    actions stand at each RAG today. An action takes the RAG of its least advanced step.""",
    about_people=False,
)
ISA_REGISTER = define(
    "isa_register",
    "Information-sharing agreements",
    """The agreements that cover the chosen panels, or the whole partnership (an agreement
    covering no panel to which a panel's coordinating agency is a party), with the date each
    was last signed off and the date it is next due for review.""",
    about_people=False,
)


def _coordinating_agencies(scope: Scope) -> list[int]:
    from panels.models import Panel

    return list(
        Panel.objects.filter(pk__in=scope.panel_ids).values_list(
            "coordinating_agency_id", flat=True
        )
    )


def action_plan_progress(scope: Scope) -> Table:
    from actions.models import ActionPlan
    from actions.selectors.plans import RAG_ORDER, plan_rag_summary

    plans = (
        ActionPlan.objects.filter(
            # The partnership's plans: those of the chosen panels' coordinating agencies.
            agencies__in=_coordinating_agencies(scope),
        )
        .filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=scope.period.end),
            Q(ends_on__isnull=True) | Q(ends_on__gte=scope.period.start),
        )
        .distinct()
        .order_by("title", "pk")
    )
    rows = []
    for plan in plans:
        summary = plan_rag_summary(plan)
        rows.append(
            Row(
                plan.title,
                [Count(summary.actions_at(rag)) for rag in RAG_ORDER] + [Count(summary.actions)],
            )
        )
    columns = [Column(rag.label) for rag in RAG_ORDER] + [Column("All actions")]
    return Table(ACTION_PLAN, columns, rows, total_column=True)


def isa_register(scope: Scope) -> Table:
    from sharing.models import InformationSharingAgreement

    agreements = (
        InformationSharingAgreement.objects.filter(
            Q(panels__in=scope.panel_ids)
            | Q(panels__isnull=True, parties__in=_coordinating_agencies(scope))
        )
        .distinct()
        .order_by("reference")
    )
    rows = [
        Row(
            agreement.title,
            [
                Text(agreement.reference),
                Text(agreement.get_status_display()),
                Count(agreement.version),
                Day(agreement.signed_off_on.isoformat() if agreement.signed_off_on else ""),
                Day(agreement.next_review_due.isoformat() if agreement.next_review_due else ""),
            ],
        )
        for agreement in agreements
    ]
    columns = [
        Column("Reference", "text"),
        Column("Status", "text"),
        Column("Version"),
        Column("Last signed off", "date"),
        Column("Next review due", "date"),
    ]
    return Table(ISA_REGISTER, columns, rows)
