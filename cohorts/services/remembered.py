"""Applying and keeping the coordinator's decisions on list rows (cohorts/remembered.py says
how a row is known again)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from cohorts.importing import ParsedRow
from cohorts.models import CohortImport, ImportRow, RememberedDecision, RowOutcome
from cohorts.remembered import row_signature
from offenders.models import Nominal
from offenders.selectors import nominals_for

# Rows the matching could not settle for sure: a remembered decision settles them instead.
# A row the matching linked for sure is left as it is.
UNSURE = (RowOutcome.QUEUED, RowOutcome.CREATED)


def _records_now(nominal_ids: set[int]) -> dict[int, int]:
    """{remembered record: the record it lives on as now}, following merges (a merge of a
    merged record is rare, so a few rounds of one query each settle it)."""
    now = {pk: pk for pk in nominal_ids}
    for _ in range(5):
        onward = dict(
            Nominal.objects.filter(pk__in=set(now.values()), merged_into__isnull=False).values_list(
                "pk", "merged_into_id"
            )
        )
        if not onward:
            break
        now = {start: onward.get(current, current) for start, current in now.items()}
    return now


def apply_remembered(
    actor: User,
    cohort_import: CohortImport,
    rows: list[ImportRow],
    parsed: dict[int, ParsedRow],
    linked_by: dict[int, int],
) -> int:
    """Settle unsure rows as they were settled on an earlier list of the panel; returns how
    many. `linked_by` ({record: row number}) is kept up to date, so two rows are never
    linked to one record."""
    unsure = {
        row_signature(parsed[row.number]): row
        for row in rows
        if row.outcome in UNSURE and parsed[row.number].valid
    }
    if not unsure:
        return 0
    remembered = list(
        RememberedDecision.objects.filter(
            panel_id=cohort_import.panel_id, signature__in=list(unsure)
        ).select_related("decided_by")
    )
    now = _records_now({decision.nominal_id for decision in remembered if decision.nominal_id})
    wanted = {
        decision.pk: now[decision.nominal_id] for decision in remembered if decision.nominal_id
    }
    visible = set(
        nominals_for(actor).filter(pk__in=list(wanted.values())).values_list("pk", flat=True)
    )
    applied = 0
    for decision in remembered:
        row = unsure[decision.signature]
        when = f"{decision.month:%B %Y}"
        if decision.nominal_id is None:
            row.outcome, row.nominal_id = RowOutcome.SKIPPED, None
            row.message = f"Left out, as decided for the {when} list: {decision.reason}"
            applied += 1
            continue
        record = wanted[decision.pk]
        if record not in visible or record in linked_by:
            continue  # the record is gone from view, or another row of this list has it
        row.outcome, row.nominal_id = RowOutcome.LINKED, record
        row.message = f"Linked to record {record}, as decided for the {when} list"
        linked_by[record] = row.number
        applied += 1
    return applied


def remember_decisions(
    actor: User, cohort_import: CohortImport, parsed: dict[int, ParsedRow]
) -> int:
    """Keep the decisions the coordinator made on this list, for the panel's next lists;
    returns how many. Call when the list is imported, after new records are created."""
    decided = [
        row
        for row in cohort_import.rows.filter(
            decided=True,
            outcome__in=[RowOutcome.LINKED, RowOutcome.CREATED, RowOutcome.SKIPPED],
        )
        if row.number in parsed and parsed[row.number].valid
    ]
    now = timezone.now()
    for row in decided:
        RememberedDecision.objects.update_or_create(
            panel_id=cohort_import.panel_id,
            signature=row_signature(parsed[row.number]),
            defaults={
                "nominal_id": row.nominal_id if row.outcome != RowOutcome.SKIPPED else None,
                "reason": row.message.removeprefix("Left out: ")
                if row.outcome == RowOutcome.SKIPPED
                else "",
                "month": cohort_import.month,
                "decided_by": actor,
                "decided_at": now,
            },
        )
    return len(decided)
