"""The monthly list import: upload, choose columns, match, decide queued rows, commit or
discard. Only the panel's coordinator may do any of it.

1. `import_upload` reads the file (cohorts.importing) and keeps every row as an ImportRow;
   a file that cannot be read is refused whole and nothing is stored.
2. `import_map_columns` remembers the chosen columns on the panel and matches each row:
   invalid (with the reason), duplicate (of an earlier row), linked (certain), queued
   (uncertain, with the candidates) or created (nobody plausible).
3. `import_row_decide` settles a queued row: one of its candidates, a new person, or left
   out with a reason.
4. `import_commit` applies the list in one transaction: new records, identifiers, joiners'
   memberships, leavers' exits, each row's result and the audit rows; any failure saves
   nothing. `import_discard` drops a list before it is committed.
Rows stay with the outcome "" until their columns are chosen and they are matched.
"""

from __future__ import annotations

import time
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import AuditEvent, User, Verb
from accounts.notifications import coordinators_of, send
from accounts.permissions import user_may_see_casework
from cohorts.column_checks import column_fit, filled_values, wrong_choice_message
from cohorts.importing import (
    FIELDS_BY_KEY,
    NAME_ORDER,
    ParsedRow,
    UnreadableFile,
    missing_details,
    parse_row,
    read_table,
    suggest_mapping,
)
from cohorts.models import CohortImport, ImportRow, ImportStatus, RowOutcome
from cohorts.names import guess_order, read_order
from cohorts.selectors.imports import latest_committed_month, leaving_memberships
from cohorts.services.differences import apply_record_updates
from cohorts.services.import_rows import (
    BATCH,
    IDENTIFIER_LABELS,
    match_rows,
    parsed_rows,
    save_rows,
)
from cohorts.services.remembered import remember_decisions
from core.jobs import enqueue
from offenders.models import UNIQUE_IDENTIFIER_KINDS, Identifier, Nominal
from offenders.selectors import nominals_for
from offenders.services import match_fields
from panels.models import CohortMembership, MembershipStatus, Panel
from panels.permissions import require_coordinator


class QueueNotEmpty(ValidationError):
    """Commit refused: rows still wait for a decision. `row` is the first of them."""

    def __init__(self, row: ImportRow, waiting: int) -> None:
        self.row = row
        self.waiting = waiting
        rows = "1 row needs" if waiting == 1 else f"{waiting} rows need"
        super().__init__(f"{rows} a decision before the list can be imported")


class CommitFailed(ValidationError):
    """Commit failed part way and was rolled back: nothing was saved."""


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


def this_month() -> date:
    return timezone.localdate().replace(day=1)


# --- Upload ---------------------------------------------------------------------------------


def import_upload(
    *, actor: User, panel: Panel, month: date, file_name: str, data: bytes
) -> CohortImport:
    """Read the month's list and keep every row; nothing about any person changes yet.

    Raises ValidationError with the reason when the file cannot be imported.
    """
    require_coordinator(actor, panel)
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise ValidationError(
            "The list must be for this month or an earlier one: people join the cohort from "
            "the first day of the list's month"
        )
    try:
        table = read_table(data, file_name)
    except UnreadableFile as error:
        raise ValidationError(str(error)) from None
    _refuse_earlier_month(panel, month)
    columns = [dict(zip(table.headers, cells, strict=True)) for _, cells in table.rows]
    with transaction.atomic():
        cohort_import = CohortImport(
            panel=panel,
            uploaded_by=actor,
            month=month,
            file_name=file_name[:255],
            headers=table.headers,
            mapping=suggested_mapping(table.headers, columns, panel.import_columns or {}),
            status=ImportStatus.MAPPING,
            summary={
                "read_as": table.read_as,
                "rows": len(table.rows),
                "blank_rows": table.blank_rows,
            },
        )
        cohort_import.full_clean()
        cohort_import.save()
        ImportRow.objects.bulk_create(
            (
                ImportRow(
                    cohort_import=cohort_import,
                    number=number,
                    values=dict(zip(table.headers, cells, strict=True)),
                    outcome="",
                )
                for number, cells in table.rows
            ),
            batch_size=BATCH,
        )
        audit(
            actor=actor,
            verb=Verb.IMPORT_UPLOADED,
            target=cohort_import,
            detail={"month": month.isoformat(), "rows": len(table.rows)},
        )
    return cohort_import


def _refuse_earlier_month(panel: Panel, month: date) -> None:
    latest = latest_committed_month(panel)
    if latest and month < latest:
        raise ValidationError(
            f"The {month_label(latest)} list has already been imported for this panel, so a "
            f"list for {month_label(month)} would undo later changes. Check the month."
        )


# --- Columns and matching ---------------------------------------------------------------------


def suggested_mapping(
    headers: list[str], rows: list[dict[str, str]], remembered: dict[str, str]
) -> dict[str, str]:
    """The columns suggested for a list: by their headings and the panel's last choice, but
    never a column whose values do not look like the detail; with a whole-name column, the
    order its names seem to be written in (or the panel's last choice, or given names
    first)."""
    today = timezone.localdate()
    fits: dict[tuple[str, str], bool] = {}

    def values_fit(key: str, heading: str) -> bool:
        if (key, heading) not in fits:
            values = filled_values(rows, heading)
            fits[(key, heading)] = column_fit(key, heading, values, today=today).fits
        return fits[(key, heading)]

    mapping = suggest_mapping(headers, remembered, fits=values_fit)
    if "full_name" in mapping:
        guessed = guess_order(filled_values(rows, mapping["full_name"]))
        mapping[NAME_ORDER] = str(guessed or read_order(remembered.get(NAME_ORDER)))
    return mapping


def check_mapping(
    headers: list[str], mapping: dict[str, str], rows: list[dict[str, str]] | None = None
) -> dict[str, str]:
    """The mapping without empty choices, or ValidationError {field: message}. With the
    list's rows, a column whose values do not look like the detail chosen is refused as a
    wrong choice."""
    chosen = {key: heading for key, heading in mapping.items() if heading and key != NAME_ORDER}
    errors: dict[str, str] = {}
    for key, heading in chosen.items():
        if key not in FIELDS_BY_KEY:
            errors[key] = "Unknown detail"
        elif heading not in headers:
            errors[key] = f"Choose a column of the file for {FIELDS_BY_KEY[key].label.lower()}"
    for key, message in missing_details(chosen).items():
        errors.setdefault(key, message)
    seen: dict[str, str] = {}
    for item in FIELDS_BY_KEY.values():
        column = chosen.get(item.key)
        if not column:
            continue
        if column in seen and item.key not in errors:
            errors[item.key] = (
                f"The column '{column}' is already chosen for "
                f"{FIELDS_BY_KEY[seen[column]].label.lower()}: choose a different column"
            )
        seen.setdefault(column, item.key)
    if rows is not None:
        today = timezone.localdate()
        for key, heading in chosen.items():
            if key in errors or key not in FIELDS_BY_KEY:
                continue
            values = filled_values(rows, heading)
            fit = column_fit(key, heading, values, today=today)
            if not fit.fits:
                errors[key] = wrong_choice_message(fit, values)
    if errors:
        raise ValidationError(errors)
    checked = {key: chosen[key] for key in FIELDS_BY_KEY if key in chosen}
    if "full_name" in checked:
        checked[NAME_ORDER] = str(read_order(mapping.get(NAME_ORDER)))
    return checked


def import_map_columns(
    *, actor: User, cohort_import: CohortImport, mapping: dict[str, str]
) -> CohortImport:
    """Remember the columns for the panel and match every row. Choosing again before the
    list is committed matches again, and decisions already made on queued rows are lost.

    A list longer than `IMPORT_BACKGROUND_ROWS` is matched by the worker
    (`cohorts.tasks.match_import`), with its progress on the page, so that no request
    waits on it."""
    require_coordinator(actor, cohort_import.panel)
    rows = list(cohort_import.rows.order_by("number").values_list("values", flat=True))
    mapping = check_mapping(cohort_import.headers, mapping, rows)
    in_background = len(rows) > settings.IMPORT_BACKGROUND_ROWS
    with transaction.atomic():
        locked = CohortImport.objects.select_for_update().get(pk=cohort_import.pk)
        if locked.status not in (ImportStatus.MAPPING, ImportStatus.PREVIEW):
            raise ValidationError(_closed_message(locked))
        locked.mapping = mapping
        locked.status = ImportStatus.MATCHING if in_background else ImportStatus.PREVIEW
        locked.match_done, locked.match_total = 0, len(rows)
        locked.full_clean()
        locked.save(update_fields=["mapping", "status", "match_done", "match_total"])
        Panel.objects.filter(pk=locked.panel_id).update(import_columns=mapping)
        if in_background:
            audit(
                actor=actor,
                verb=Verb.IMPORT_MAPPED,
                target=locked,
                detail={"mapping": mapping, "matching": "worker", "rows": len(rows)},
            )
            enqueue("cohorts.tasks.match_import", locked.pk, actor.pk)
            return locked
        counts = match_rows(actor, locked)
        _matched(actor, locked, counts, mapping)
    return locked


def import_match_in_background(import_id: int, actor_id: int) -> CohortImport | None:
    """The worker's part of a long list: match every row, saying how far it has got, then
    make the list ready to check. Delivered twice (a lost worker), it matches again from
    the start, which gives the same outcome; a list no longer waiting is left alone."""
    actor = User.objects.select_related("agency").get(pk=actor_id)
    cohort_import = CohortImport.objects.select_related("panel").get(pk=import_id)
    if cohort_import.status != ImportStatus.MATCHING:
        return None

    def progress(done: int, total: int) -> None:
        # Committed at once (outside any transaction), so the page sees it move.
        CohortImport.objects.filter(pk=import_id).update(match_done=done, match_total=total)
        if settings.IMPORT_MATCH_PAUSE_SECONDS:
            time.sleep(settings.IMPORT_MATCH_PAUSE_SECONDS)  # only ever set by a test

    # Outside a transaction: the rows' outcomes are written by one statement at the end,
    # and the list becomes ready to check only below, once they are.
    counts = match_rows(actor, cohort_import, on_progress=progress)
    with transaction.atomic():
        locked = CohortImport.objects.select_for_update().get(pk=import_id)
        if locked.status != ImportStatus.MATCHING:
            return None
        locked.status = ImportStatus.PREVIEW
        locked.match_done = locked.match_total
        locked.save(update_fields=["status", "match_done"])
        _matched(actor, locked, counts, locked.mapping, tell_actor=True)
    return locked


def _matched(
    actor: User,
    locked: CohortImport,
    counts: dict[str, int],
    mapping: dict[str, str],
    *,
    tell_actor: bool = False,
) -> None:
    """After matching: say how many rows were settled as before, tell the coordinators
    about rows waiting for a decision, and audit."""
    # Rows settled as on an earlier list: the page says how many.
    locked.summary = {**locked.summary, "remembered": counts.pop("remembered", 0)}
    locked.save(update_fields=["summary"])
    waiting = counts.get(RowOutcome.QUEUED, 0)
    panel = locked.panel
    url = reverse("cohorts:import", args=[locked.pk])
    if waiting:
        send(
            [
                user
                for user in coordinators_of([panel.coordinating_agency_id])
                if tell_actor or user.pk != actor.pk
            ],
            kind="list_waiting",
            key=f"{locked.pk}:queued",
            text=f"The {locked.month:%B %Y} list for {panel.name} has {waiting} "
            f"row{'s' if waiting != 1 else ''} waiting for a decision",
            url=url,
        )
    elif tell_actor:
        send(
            [actor],
            kind="list_waiting",
            key=f"{locked.pk}:matched",
            text=f"The {locked.month:%B %Y} list for {panel.name} is matched and ready to check",
            url=url,
        )
    audit(
        actor=actor,
        verb=Verb.IMPORT_MAPPED,
        target=locked,
        detail={"mapping": mapping, "outcomes": counts},
    )


def _closed_message(cohort_import: CohortImport) -> str:
    if cohort_import.status == ImportStatus.COMMITTED:
        who = cohort_import.committed_by or "someone"
        when = (
            timezone.localtime(cohort_import.committed_at) if cohort_import.committed_at else None
        )
        on = f" on {when:%-d %B %Y at %H:%M}" if when else ""
        return f"This list was already imported by {who}{on}. Nothing more was changed."
    return "This list was discarded, so nothing can be changed. Upload the list again."


# --- Decisions on queued rows ---------------------------------------------------------------

NEW_PERSON = "new"
LEAVE_OUT = "skip"


def import_row_decide(*, actor: User, row: ImportRow, choice: str, reason: str = "") -> ImportRow:
    """Settle a row the matching was unsure of: `choice` is a candidate's record number,
    NEW_PERSON or LEAVE_OUT (with a reason). A decided row may be decided again until the
    list is committed."""
    cohort_import = row.cohort_import
    require_coordinator(actor, cohort_import.panel)
    with transaction.atomic():
        locked = CohortImport.objects.select_for_update().get(pk=cohort_import.pk)
        if locked.status != ImportStatus.PREVIEW:
            raise ValidationError(_closed_message(locked))
        row = ImportRow.objects.select_for_update().get(pk=row.pk)
        if not row.candidates:
            raise ValidationError(f"Row {row.number} does not need a decision")
        row.nominal_id, row.result = None, ""
        if choice == LEAVE_OUT:
            reason = " ".join(reason.split())
            if not reason:
                raise ValidationError({"reason": "Enter why the row is left out"})
            row.outcome, row.message = RowOutcome.SKIPPED, f"Left out: {reason}"
        elif choice == NEW_PERSON:
            _refuse_identifiers_taken(actor, locked, row)
            row.outcome, row.message = RowOutcome.CREATED, "New person, chosen by the coordinator"
        else:
            _choose_candidate(actor, locked, row, choice)
        row.decided = True
        row.save(update_fields=["outcome", "nominal", "message", "result", "decided"])
        audit(
            actor=actor,
            verb=Verb.IMPORT_ROW_DECIDED,
            target=locked,
            detail={"row": row.number, "outcome": row.outcome, "nominal": row.nominal_id},
        )
    return row


def _choose_candidate(actor: User, cohort_import: CohortImport, row: ImportRow, choice: str):
    offered = {str(entry["id"]) for entry in row.candidates}
    if choice not in offered or not nominals_for(actor).filter(pk=int(choice)).exists():
        raise ValidationError(
            {"choice": "Choose one of the records listed, a new person or leave out"}
        )
    nominal_id = int(choice)
    earlier = (
        cohort_import.rows.filter(nominal_id=nominal_id, outcome=RowOutcome.LINKED)
        .exclude(pk=row.pk)
        .order_by("number")
        .values_list("number", flat=True)
        .first()
    )
    if earlier is not None:
        row.outcome = RowOutcome.DUPLICATE
        row.message = f"Same person as row {earlier}, chosen by the coordinator"
        return
    row.outcome, row.nominal_id = RowOutcome.LINKED, nominal_id
    row.message = "Record chosen by the coordinator"


def _refuse_identifiers_taken(actor: User, cohort_import: CohortImport, row: ImportRow) -> None:
    """A new record cannot take an identifier another record holds. The record is named
    only if the coordinator may see it."""
    parsed = parse_row(row.values, cohort_import.mapping, today=timezone.localdate())
    wanted = [
        (kind, value)
        for kind, value in parsed.identifiers.items()
        if kind in UNIQUE_IDENTIFIER_KINDS
    ]
    for kind, value in wanted:
        holder = (
            Identifier.objects.filter(kind=kind, value=value)
            .values_list("nominal_id", flat=True)
            .first()
        )
        if holder is not None:
            label = IDENTIFIER_LABELS.get(kind, kind)
            whose = (
                f"record {holder}"
                if nominals_for(actor).filter(pk=holder).exists()
                else "a person on a record you cannot see"
            )
            raise ValidationError(
                {
                    "choice": f"The {label} {value} on this row is already recorded for "
                    f"{whose}, so this is not a new person: choose that record, or leave the "
                    "row out"
                }
            )


# --- Commit -----------------------------------------------------------------------------------


def import_commit(
    *, actor: User, cohort_import: CohortImport, exit_leavers: bool
) -> dict[str, int]:
    """Apply the list, all or nothing: new records with their identifiers, identifiers the
    list adds to linked records, joiners' memberships from the first day of the month,
    leavers exited on that day (when `exit_leavers`), each row's result and the audit.

    A second commit (a double click, or two people at once) waits for the first on the
    row lock and is then refused. Raises QueueNotEmpty while rows wait for a decision, and
    CommitFailed (with the row) when anything fails; nothing is saved then.
    """
    require_coordinator(actor, cohort_import.panel)
    try:
        with transaction.atomic():
            locked = (
                CohortImport.objects.select_for_update(of=("self",))
                .select_related("panel", "committed_by")
                .get(pk=cohort_import.pk)
            )
            if locked.status != ImportStatus.PREVIEW:
                if locked.status == ImportStatus.MAPPING:
                    raise ValidationError("Choose the list's columns before importing it")
                raise ValidationError(_closed_message(locked))
            waiting = locked.rows.filter(outcome=RowOutcome.QUEUED).order_by("number")
            first = waiting.first()
            if first is not None:
                raise QueueNotEmpty(first, waiting.count())
            _refuse_earlier_month(locked.panel, locked.month)
            return _apply(actor, locked, exit_leavers=exit_leavers)
    except (IntegrityError, DatabaseError) as error:
        raise CommitFailed(
            "The list could not be imported because the database refused a change "
            f"({type(error).__name__}). Nothing was saved: try again, and if it happens again "
            "tell your system administrator."
        ) from error


def _person_id(row: ImportRow) -> int:
    """The person a linked or created row names: every such row names one by now."""
    if row.nominal_id is None:
        raise ValueError(f"Row {row.number} of the list names nobody")
    return row.nominal_id


def _apply(actor: User, cohort_import: CohortImport, *, exit_leavers: bool) -> dict[str, int]:
    panel = cohort_import.panel
    start = cohort_import.month
    today = timezone.localdate()
    listed = list(
        cohort_import.rows.filter(outcome__in=[RowOutcome.LINKED, RowOutcome.CREATED]).order_by(
            "number"
        )
    )
    # Who leaves is settled before anyone joins: only people on the cohort now can leave.
    left = list(leaving_memberships(cohort_import)) if exit_leavers else []
    parsed = parsed_rows(cohort_import, listed)
    created = _create_people(actor, cohort_import, listed, parsed)
    identifiers_added = _add_identifiers(actor, listed, parsed)
    records_updated = apply_record_updates(actor, cohort_import, listed, parsed)

    # An active membership wins over a waiting referral of the same person ("active"
    # sorts before "referred").
    memberships: dict[int, CohortMembership] = {}
    for existing in CohortMembership.objects.filter(
        panel=panel,
        nominal_id__in=[row.nominal_id for row in listed],
        status__in=[MembershipStatus.ACTIVE, MembershipStatus.REFERRED],
    ).order_by("status", "-referred_on", "-pk"):
        memberships.setdefault(existing.nominal_id, existing)
    joining: list[tuple[ImportRow, CohortMembership]] = []
    accepted: list[CohortMembership] = []
    for row in listed:
        nominal_id = _person_id(row)
        membership = memberships.get(nominal_id)
        if membership is not None and membership.status == MembershipStatus.ACTIVE:
            row.result = "stayed"
            continue
        row.result = "joined"
        if membership is None:
            membership = CohortMembership(
                nominal_id=nominal_id,
                panel=panel,
                referred_on=start,
                referred_by=actor,
                referring_agency=actor.agency,
                reason=f"On the {month_label(start)} list",
            )
        else:
            accepted.append(membership)
        membership.status = MembershipStatus.ACTIVE
        # A referral made during the month is accepted from the day it was made.
        membership.start = max(start, membership.referred_on)
        membership.decided_by, membership.decided_on = actor, today
        # The related records are the ones just loaded or created, so only the membership's
        # own rules are checked here, not the foreign keys one query each.
        membership.full_clean(
            exclude=["nominal", "panel", "referred_by", "referring_agency", "decided_by"],
            validate_unique=False,
        )
        joining.append((row, membership))
    CohortMembership.objects.bulk_create(
        [membership for _, membership in joining if membership.pk is None], batch_size=BATCH
    )
    CohortMembership.objects.bulk_update(
        accepted, ["status", "decided_by", "decided_on", "start"], batch_size=BATCH
    )
    _audit_each(
        actor,
        Verb.MEMBERSHIP_ACCEPTED,
        [membership for _, membership in joining],
        lambda membership: {"import": cohort_import.pk, "start": membership.start.isoformat()},
    )

    # Leavers started on or before the list's month (`leaving_memberships`), so all leave
    # on its first day: one UPDATE, after each has passed the membership's own rules.
    reason = f"Not on the {month_label(start)} list"
    for membership in left:
        membership.status = MembershipStatus.EXITED
        membership.end = start
        membership.exit_reason = reason
        membership.full_clean(
            exclude=["nominal", "panel", "referred_by", "referring_agency", "decided_by"],
            validate_unique=False,
        )
    CohortMembership.objects.filter(pk__in=[membership.pk for membership in left]).update(
        status=MembershipStatus.EXITED, end=start, exit_reason=reason
    )
    _audit_each(
        actor,
        Verb.MEMBERSHIP_EXITED,
        left,
        lambda membership: {
            "import": cohort_import.pk,
            "end": start.isoformat(),
            "reason": reason,
        },
    )

    save_rows(listed, ["nominal", "result"])
    remember_decisions(actor, cohort_import, parsed_rows(cohort_import, cohort_import.rows.all()))
    counts = _outcome_counts(cohort_import)
    result = {
        **counts,
        "joined": len(joining),
        "stayed": len(listed) - len(joining),
        "left": len(left),
        "new_records": created,
        "identifiers_added": identifiers_added,
        "records_updated": records_updated,
    }
    cohort_import.status = ImportStatus.COMMITTED
    cohort_import.committed_at = timezone.now()
    cohort_import.committed_by = actor
    cohort_import.exit_leavers = exit_leavers
    # Who left, by record number, so the report can name them to those who may see them.
    cohort_import.summary = {
        **cohort_import.summary,
        "outcomes": counts,
        "committed": result,
        "left_records": [membership.nominal_id for membership in left],
    }
    cohort_import.save(
        update_fields=["status", "committed_at", "committed_by", "exit_leavers", "summary"]
    )
    audit(actor=actor, verb=Verb.IMPORT_COMMITTED, target=cohort_import, detail=result)
    return result


def _outcome_counts(cohort_import: CohortImport) -> dict[str, int]:
    return dict(cohort_import.rows.values_list("outcome").annotate(rows=Count("pk")).order_by())


def _create_people(
    actor: User, cohort_import: CohortImport, rows: list[ImportRow], parsed: dict[int, ParsedRow]
) -> int:
    """Record each new person as `offenders.services.nominal_create` does, in bulk.

    The same rules: the actor must do casework; names, postcode and the search and matching
    columns are normalised by the same functions; each record passes `full_clean`; each
    identifier passes `validate_identifier` and the database's one-person-per-identifier
    constraint; one NOMINAL_CREATED audit row per record, as `nominal_create` writes it.
    Only the statements are batched: a list can bring thousands of new people, and one
    INSERT each (with its savepoints) takes minutes where this takes seconds.
    """
    new = [row for row in rows if row.outcome == RowOutcome.CREATED]
    if not new:
        return 0
    if not user_may_see_casework(actor):
        raise PermissionDenied
    nominals: list[Nominal] = []
    for row in new:
        details = parsed[row.number]
        if not details.valid:
            raise CommitFailed(f"Row {row.number}: {'; '.join(details.errors)}. Nothing was saved.")
        nominal = Nominal(
            given_names=details.given_names.strip(),
            family_name=details.family_name.strip(),
            date_of_birth=details.date_of_birth,
            dob_approximate=details.dob_approximate,
            gender=details.gender,
            postcode=details.postcode.strip().upper(),
            owning_agency=actor.agency,
            created_by=actor,
        )
        nominal.search_name, nominal.match_keys = match_fields(
            nominal.given_names, nominal.family_name, nominal.date_of_birth
        )
        try:
            # The agency and the actor are the ones in hand: their rows are not looked up
            # again for each record.
            nominal.full_clean(exclude=["owning_agency", "created_by"], validate_unique=False)
        except ValidationError as error:
            raise CommitFailed(
                f"Row {row.number} could not be recorded: {'; '.join(error.messages)}. "
                "Nothing was saved."
            ) from error
        nominals.append(nominal)
    identifiers = {row.number: sorted(parsed[row.number].identifiers.items()) for row in new}
    _refuse_taken_identifiers(new, identifiers)
    Nominal.objects.bulk_create(nominals, batch_size=BATCH)
    Identifier.objects.bulk_create(
        (
            Identifier(nominal=nominal, kind=kind, value=value, recorded_by_agency=actor.agency)
            for row, nominal in zip(new, nominals, strict=True)
            for kind, value in identifiers[row.number]
        ),
        batch_size=BATCH,
    )
    for row, nominal in zip(new, nominals, strict=True):
        row.nominal = nominal
    _audit_each(
        actor,
        Verb.NOMINAL_CREATED,
        list(zip(new, nominals, strict=True)),
        lambda pair: {"identifiers": [kind for kind, _ in identifiers[pair[0].number]]},
        target=lambda pair: pair[1],
    )
    return len(nominals)


def _refuse_taken_identifiers(
    rows: list[ImportRow], identifiers: dict[int, list[tuple[str, str]]]
) -> None:
    """A new record cannot take an identifier someone else holds (recorded since the list
    was matched, say): name the row, rather than let the constraint fail the whole list
    without saying where."""
    wanted = {
        (kind, value)
        for pairs in identifiers.values()
        for kind, value in pairs
        if kind in UNIQUE_IDENTIFIER_KINDS
    }
    if not wanted:
        return
    taken = {
        pair
        for pair in Identifier.objects.filter(
            kind__in=UNIQUE_IDENTIFIER_KINDS, value__in=sorted({value for _, value in wanted})
        ).values_list("kind", "value")
        if pair in wanted
    }
    for row in rows:
        for kind, value in identifiers[row.number]:
            if (kind, value) in taken:
                label = IDENTIFIER_LABELS.get(kind, kind)
                raise CommitFailed(
                    f"Row {row.number}: the {label} {value} is now recorded for another "
                    "person, so the row is not a new person. Nothing was saved: choose the "
                    "columns again to match the list afresh."
                )


def _add_identifiers(actor: User, rows: list[ImportRow], parsed: dict[int, ParsedRow]) -> int:
    """Identifiers the list gives for a linked record that holds none of that kind, when no
    other record holds the value: next month's list then links by identifier."""
    linked = [row for row in rows if row.outcome == RowOutcome.LINKED and row.nominal_id]
    if not linked:
        return 0
    offered = {
        (kind, value)
        for row in linked
        for kind, value in parsed[row.number].identifiers.items()
        if kind in UNIQUE_IDENTIFIER_KINDS
    }
    if not offered:
        return 0
    held_kinds: dict[int, set[str]] = {}
    for nominal_id, kind in Identifier.objects.filter(
        nominal_id__in=[row.nominal_id for row in linked]
    ).values_list("nominal_id", "kind"):
        held_kinds.setdefault(nominal_id, set()).add(kind)
    taken = set(
        Identifier.objects.filter(
            kind__in=UNIQUE_IDENTIFIER_KINDS, value__in=sorted({value for _, value in offered})
        ).values_list("kind", "value")
    )
    # As `identifier_add` records them (values validated when the row was read, one person
    # per value checked above and by the database's constraint), in one statement.
    added: list[Identifier] = []
    for row in linked:
        nominal_id = _person_id(row)
        for kind, value in sorted(parsed[row.number].identifiers.items()):
            if kind not in UNIQUE_IDENTIFIER_KINDS or (kind, value) in taken:
                continue
            if kind in held_kinds.get(nominal_id, set()):
                continue
            added.append(
                Identifier(
                    nominal_id=nominal_id,
                    kind=kind,
                    value=value,
                    recorded_by_agency=actor.agency,
                )
            )
            held_kinds.setdefault(nominal_id, set()).add(kind)
            taken.add((kind, value))
    Identifier.objects.bulk_create(added, batch_size=BATCH)
    _audit_each(
        actor,
        Verb.IDENTIFIER_ADDED,
        added,
        lambda identifier: {"kind": identifier.kind},
        # The record's number is all the audit row needs: no query for the record itself.
        target=lambda identifier: Nominal(pk=identifier.nominal_id),
    )
    return len(added)


def _audit_each(actor: User, verb: Verb, items: list, detail, target=lambda item: item) -> None:
    """One audit row per record, as `audit` writes them, in one statement: a list can
    bring thousands of joiners. `target` picks each item's record."""
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                actor=actor,
                verb=verb,
                object_type=target(item)._meta.label_lower,
                object_id=str(target(item).pk),
                detail=detail(item),
            )
            for item in items
        ),
        batch_size=BATCH,
    )


# --- Discard ----------------------------------------------------------------------------------


def import_discard(*, actor: User, cohort_import: CohortImport) -> CohortImport:
    """Drop a list before it is imported. Its rows are deleted (they hold people's details
    and nothing was done with them); the import stays, with its row count, as a record."""
    require_coordinator(actor, cohort_import.panel)
    with transaction.atomic():
        locked = CohortImport.objects.select_for_update().get(pk=cohort_import.pk)
        if locked.status not in (ImportStatus.MAPPING, ImportStatus.MATCHING, ImportStatus.PREVIEW):
            raise ValidationError(_closed_message(locked))
        deleted, _ = locked.rows.all().delete()
        locked.status = ImportStatus.DISCARDED
        locked.summary = {**locked.summary, "discarded_rows": deleted}
        locked.save(update_fields=["status", "summary"])
        audit(actor=actor, verb=Verb.IMPORT_DISCARDED, target=locked, detail={"rows": deleted})
    return locked


# --- The whole run, for benchmarks and scripts --------------------------------------------------


def import_run_file(
    *,
    actor: User,
    panel: Panel,
    month: date,
    file_bytes: bytes,
    file_name: str,
    mapping: dict[str, str] | None = None,
    exit_leavers: bool = True,
) -> dict[str, int]:
    """Upload, match and commit a list in one go, leaving out rows that would need a
    decision; returns the commit's counts. The mapping defaults to the suggested one."""
    cohort_import = import_upload(
        actor=actor, panel=panel, month=month, file_name=file_name, data=file_bytes
    )
    cohort_import = import_map_columns(
        actor=actor,
        cohort_import=cohort_import,
        mapping=mapping if mapping is not None else cohort_import.mapping,
    )
    queued = list(cohort_import.rows.filter(outcome=RowOutcome.QUEUED))
    if queued:
        with transaction.atomic():
            for row in queued:
                row.outcome = RowOutcome.SKIPPED
                row.message = "Left out: needs a decision, left for the next list"
            save_rows(queued, ["outcome", "message"])
            audit(
                actor=actor,
                verb=Verb.IMPORT_ROW_DECIDED,
                target=cohort_import,
                detail={"left_out": len(queued)},
            )
    return import_commit(actor=actor, cohort_import=cohort_import, exit_leavers=exit_leavers)
