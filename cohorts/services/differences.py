"""Updating linked records from a monthly list, where the coordinator chooses to: the list's
postcode becomes the record's current one (kept as an address with the list as its source),
and an identifier of a kind the record holds with another value is added beside it. The
timeline says which agency's list said what, and when."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.audit import audit
from accounts.models import User, Verb
from cohorts.importing import ParsedRow
from cohorts.models import CohortImport, ImportRow, ImportStatus, RowOutcome
from cohorts.selectors.differences import row_differences
from offenders.models import Address, EventKind, Identifier, Nominal
from offenders.services import event_add


def source_of(cohort_import: CohortImport) -> str:
    return f"{cohort_import.panel.name} list for {cohort_import.month:%B %Y}"


def import_updates_choose(*, actor: User, cohort_import: CohortImport, rows: Iterable[int]) -> int:
    """Keep which linked rows update their record when the list is imported (the others do
    not); only rows that differ from a record the coordinator may change can be chosen.
    Returns how many are chosen."""
    wanted = {int(number) for number in rows}
    allowed = {
        difference.row.number
        for difference in row_differences(actor, cohort_import)
        if difference.updatable and difference.may_update
    }
    refused = sorted(wanted - allowed)
    if refused:
        raise ValidationError(
            {"rows": f"Row {refused[0]} cannot update its record: choose rows from the list shown"}
        )
    with transaction.atomic():
        locked = CohortImport.objects.select_for_update().get(pk=cohort_import.pk)
        if locked.status != ImportStatus.PREVIEW:
            raise ValidationError("This list is no longer waiting to be imported.")
        locked.rows.filter(update_record=True).exclude(number__in=wanted).update(
            update_record=False
        )
        locked.rows.filter(number__in=wanted).update(update_record=True)
        audit(
            actor=actor,
            verb=Verb.IMPORT_ROW_DECIDED,
            target=locked,
            detail={"update_records": sorted(wanted)},
        )
    return len(wanted)


def apply_record_updates(
    actor: User, cohort_import: CohortImport, rows: list[ImportRow], parsed: dict[int, ParsedRow]
) -> int:
    """At commit: update each chosen row's record from the list; returns how many records."""
    chosen = [
        row
        for row in rows
        if row.update_record and row.outcome == RowOutcome.LINKED and row.nominal_id
    ]
    if not chosen:
        return 0
    source = source_of(cohort_import)
    updated = 0
    differences = {d.row.number: d for d in row_differences(actor, cohort_import)}
    for row in chosen:
        difference = differences.get(row.number)
        if difference is None or not difference.may_update:
            continue
        nominal = difference.nominal
        said = []
        if difference.new_postcode:
            Address.objects.create(
                nominal=nominal,
                postcode=difference.new_postcode,
                from_date=cohort_import.month,
                recorded_by_agency=actor.agency,
                source=source,
            )
            Nominal.objects.filter(pk=nominal.pk).update(
                postcode=difference.new_postcode, version=F("version") + 1
            )
            said.append(f"postcode {difference.new_postcode}")
        for kind, value, _held in difference.other_identifiers:
            if Identifier.objects.filter(kind=kind, value=value).exists():
                continue  # another record holds it: never two people with one number
            Identifier.objects.create(
                nominal=nominal,
                kind=kind,
                value=value,
                recorded_by_agency=actor.agency,
                source=source,
            )
            said.append(f"{kind.upper()} {value}")
        if not said:
            continue
        event_add(
            actor=actor,
            nominal=nominal,
            kind=EventKind.NOTE,
            occurred_on=cohort_import.month,
            summary=f"Updated from the {source} ({actor.agency.name}): {', '.join(said)}.",
        )
        audit(
            actor=actor,
            verb=Verb.NOMINAL_UPDATED,
            target=nominal,
            detail={"from_list": cohort_import.pk, "fields": [s.split()[0] for s in said]},
        )
        updated += 1
    return updated
