"""Matching and writing the many rows of a monthly list at once, for
`cohorts.services.imports`: each row's outcome from the identity matching, and one UPDATE
for thousands of rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from django.db import connection
from django.utils import timezone

from accounts.models import User
from cohorts.importing import ParsedRow, parse_row
from cohorts.models import CohortImport, ImportRow, RowOutcome
from cohorts.selectors.imports import CANDIDATES_SHOWN, Candidate, find_candidates, probe_keys
from cohorts.services.remembered import apply_remembered
from matching.records import Decision, PersonRecord
from matching.scoring import score
from offenders.models import UNIQUE_IDENTIFIER_KINDS, IdentifierKind
from offenders.records import person_record

# Rows written or updated per statement.
BATCH = 1000
# Earlier rows sharing a blocking key that a row is compared with, to find the same person
# twice in one list.
_SAME_FILE_COMPARISONS = 50
IDENTIFIER_LABELS = dict(IdentifierKind.choices)


# The column types of ImportRow's fields, for `save_rows`.
_ROW_COLUMNS = {
    "outcome": ("outcome", "text", "{}"),
    "nominal": ("nominal_id", "bigint", "{}"),
    "score": ("score", "double precision", "{}"),
    "explanation": ("explanation", "text", "{}::jsonb"),
    "candidates": ("candidates", "text", "{}::jsonb"),
    "message": ("message", "text", "{}"),
    "result": ("result", "text", "{}"),
    "decided": ("decided", "boolean", "{}"),
}


def save_rows(rows: list[ImportRow], fields: list[str]) -> None:
    """Write these fields of many rows. `bulk_update` sends a CASE over every row for each
    field, which PostgreSQL takes tens of seconds over for a few thousand rows; one UPDATE
    joined to the values as arrays (`unnest`) takes a fraction of a second."""
    columns = [_ROW_COLUMNS[name] for name in fields]
    sets = ", ".join(f"{column} = " + cast.format(f"v.{column}") for column, _, cast in columns)
    arrays = ", ".join(["%s::bigint[]", *(f"%s::{kind}[]" for _, kind, _ in columns)])
    names = ", ".join(["id", *(column for column, _, _ in columns)])
    sql = (
        f"UPDATE {ImportRow._meta.db_table} AS r SET {sets} "  # noqa: S608 - names are ours
        f"FROM unnest({arrays}) AS v({names}) WHERE r.id = v.id"
    )

    def value(row: ImportRow, name: str):
        if name == "nominal":
            return row.nominal_id
        if name in ("explanation", "candidates"):
            return json.dumps(getattr(row, name))
        return getattr(row, name)

    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH * 5):
            chunk = rows[start : start + BATCH * 5]
            cursor.execute(
                sql,
                [
                    [row.pk for row in chunk],
                    *([value(row, name) for row in chunk] for name in fields),
                ],
            )


def _probe(parsed: ParsedRow) -> PersonRecord:
    """A row as the scorer takes it; a local reference says nothing about who a person is."""
    return person_record(
        given=parsed.given_names,
        family=parsed.family_name,
        dob=parsed.date_of_birth,
        dob_approximate=parsed.dob_approximate,
        gender=parsed.gender,
        postcode=parsed.postcode,
        identifiers={
            kind: value
            for kind, value in parsed.identifiers.items()
            if kind in UNIQUE_IDENTIFIER_KINDS
        },
    )


def parsed_rows(cohort_import: CohortImport, rows: Iterable[ImportRow]) -> dict[int, ParsedRow]:
    """{row number: the row read through the import's chosen columns}."""
    today = timezone.localdate()
    return {row.number: parse_row(row.values, cohort_import.mapping, today=today) for row in rows}


def _same_person_in_file(items: list[tuple[int, PersonRecord]]) -> dict[int, str]:
    """{row number: why it is the same person as an earlier row} for the later rows.

    Two rows are one person when they share a PNC ID, CRO number, CRN, prison or NHS number,
    or when the scorer is certain, comparing rows that share a blocking key.
    """
    first_with: dict[tuple[str, str], int] = {}
    by_key: dict[str, list[tuple[int, PersonRecord]]] = {}
    found: dict[int, str] = {}
    for number, record in items:
        reason = ""
        for kind, value in record.identifiers.items():
            if (kind, value) in first_with:
                label = IDENTIFIER_LABELS.get(kind, kind)
                reason = f"Same person as row {first_with[(kind, value)]} (same {label})"
                break
        keys = sorted(probe_keys(record))
        if not reason:
            compared: set[int] = set()
            for key in keys:
                for earlier_number, earlier in by_key.get(key, [])[:_SAME_FILE_COMPARISONS]:
                    if earlier_number in compared:
                        continue
                    compared.add(earlier_number)
                    if score(record, earlier).decision == Decision.DEFINITE:
                        reason = f"Same person as row {earlier_number}"
                        break
                if reason:
                    break
        if reason:
            found[number] = reason
            continue
        for kind, value in record.identifiers.items():
            first_with.setdefault((kind, value), number)
        for key in keys:
            by_key.setdefault(key, []).append((number, record))
    return found


def _explain(candidate: Candidate) -> list[str]:
    return [item.text for item in candidate.result.explanation]


def _link(row: ImportRow, candidate: Candidate) -> None:
    row.outcome = RowOutcome.LINKED
    row.nominal_id = candidate.nominal_id
    row.score = candidate.score
    row.explanation = _explain(candidate)
    if not candidate.visible:
        row.message = (
            "Linked by identifier to a record held by another agency; the person joins this "
            "panel's cohort when the list is imported"
        )


def _queue(row: ImportRow, candidates: list[Candidate], message: str) -> None:
    row.outcome = RowOutcome.QUEUED
    row.candidates = [candidate.stored() for candidate in candidates[:CANDIDATES_SHOWN]]
    row.score = candidates[0].score
    row.explanation = _explain(candidates[0])
    row.message = message


def _decide(row: ImportRow, candidates: list[Candidate]) -> None:
    """Linked when certain, queued when uncertain, created when nobody is plausible."""
    by_identifier = [candidate for candidate in candidates if candidate.by_identifier]
    if by_identifier:
        owners = {candidate.nominal_id for candidate in by_identifier}
        sure = [c for c in by_identifier if c.result.decision == Decision.DEFINITE]
        if len(owners) == 1 and sure:
            _link(row, sure[0])
            return
        if any(not candidate.visible for candidate in by_identifier):
            row.outcome = RowOutcome.INVALID
            row.message = (
                "An identifier on this row is already recorded for a person whose other "
                "identifiers or details differ, on a record you cannot see. Check the "
                "identifiers with the agency that sent the list"
            )
            return
        shown = [c for c in candidates if c.visible]
        _queue(
            row,
            shown,
            "The identifiers on this row point to different records, or one agrees and "
            "another differs: choose the right record",
        )
        return
    plausible = [candidate for candidate in candidates if candidate.visible]
    definite = [c for c in plausible if c.result.decision == Decision.DEFINITE]
    if len(definite) == 1:
        _link(row, definite[0])
    elif plausible:
        _queue(
            row,
            plausible,
            "More than one record matches closely: they may be duplicates of one another"
            if definite
            else "",
        )
    else:
        row.outcome = RowOutcome.CREATED


def match_rows(
    actor: User,
    cohort_import: CohortImport,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Give every row its outcome (decisions made before are cleared); returns the count of
    each. Candidates are the ones `actor` may see, and identifier matches from anyone."""
    rows = list(cohort_import.rows.order_by("number"))
    parsed = parsed_rows(cohort_import, rows)
    valid: list[tuple[ImportRow, PersonRecord]] = []
    for row in rows:
        row.nominal_id, row.score, row.result, row.decided = None, None, "", False
        row.explanation, row.candidates, row.message = [], [], ""
        details = parsed[row.number]
        if details.valid:
            valid.append((row, _probe(details)))
        else:
            row.outcome = RowOutcome.INVALID
            row.message = "; ".join(details.errors)
    repeated = _same_person_in_file([(row.number, record) for row, record in valid])
    to_match = []
    for row, record in valid:
        if row.number in repeated:
            row.outcome, row.message = RowOutcome.DUPLICATE, repeated[row.number]
        else:
            to_match.append((row, record))
    linked_by: dict[int, int] = {}
    found = find_candidates(actor, [record for _, record in to_match], on_progress)
    for (row, _record), candidates in zip(to_match, found, strict=True):
        _decide(row, candidates)
        if row.outcome == RowOutcome.LINKED and row.nominal_id is not None:
            if row.nominal_id in linked_by:
                row.outcome = RowOutcome.DUPLICATE
                row.message = f"Same person as row {linked_by[row.nominal_id]}"
                row.nominal_id = None
            else:
                linked_by[row.nominal_id] = row.number
    remembered = apply_remembered(actor, cohort_import, rows, parsed, linked_by)
    for row in rows:
        notes = parsed[row.number].notes
        if notes and row.outcome != RowOutcome.INVALID:
            row.message = "; ".join(filter(None, [row.message, *notes]))
    save_rows(
        rows,
        [
            "outcome",
            "nominal",
            "score",
            "explanation",
            "candidates",
            "message",
            "result",
            "decided",
        ],
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
    if remembered:
        counts["remembered"] = remembered
    return counts
