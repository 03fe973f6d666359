"""Reads for the monthly cross-reference: every person as the matching engine takes them, and
the people active on more than one panel.

Not viewer-dependent: the job reads every record (findings are filtered by visibility when a
coordinator opens them). Built for 100k+ nominals: five queries whatever the number of
people, no model instances, the nominals themselves streamed from a server-side cursor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, F, Model, QuerySet

from matching.records import AliasName, PersonRecord
from offenders.models import Address, Alias, Identifier, IdentifierKind, Nominal
from offenders.records import RECORD_FIELDS, record_from_row
from panels.models import CohortMembership, MembershipStatus

# Rows fetched from the server-side cursor at a time.
_STREAM_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class People:
    """Every nominal not merged away, in id order: `records[i]` is nominal `ids[i]` at
    `versions[i]`, active on the panels `panels[i]` (sorted ids)."""

    records: list[PersonRecord]
    ids: list[int]
    versions: list[int]
    panels: list[tuple[int, ...]]
    active_memberships: int

    def __len__(self) -> int:
        return len(self.ids)


def _only[M: Model](rows: QuerySet[M], ids: list[int] | None) -> QuerySet[M]:
    """The rows of the nominals `ids` only (all when None)."""
    return rows if ids is None else rows.filter(nominal_id__in=ids)


def _active_memberships() -> QuerySet[CohortMembership]:
    """Active memberships of people not merged away, on panels still running."""
    return CohortMembership.objects.filter(
        status=MembershipStatus.ACTIVE, panel__active=True, nominal__merged_into__isnull=True
    )


def _identifiers(ids: list[int] | None) -> dict[int, dict[str, str]]:
    # A local reference is one agency's own number: the same value at two agencies says
    # nothing, so (as in search) only the identifiers that belong to one person are compared.
    by_nominal: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        _only(Identifier.objects.filter(nominal__merged_into__isnull=True), ids)
        .exclude(kind=IdentifierKind.LOCAL)
        .order_by("nominal_id", "kind", "pk")
        .values_list("nominal_id", "kind", "value")
    )
    for nominal_id, kind, value in rows.iterator(chunk_size=_STREAM_ROWS):
        by_nominal[nominal_id].setdefault(kind, value)
    return by_nominal


def _aliases(ids: list[int] | None) -> dict[int, list[AliasName]]:
    by_nominal: dict[int, list[AliasName]] = defaultdict(list)
    rows = (
        _only(Alias.objects.filter(nominal__merged_into__isnull=True), ids)
        .order_by("nominal_id", "pk")
        .values_list("nominal_id", "given_names", "family_name", "date_of_birth")
    )
    for nominal_id, given, family, dob in rows.iterator(chunk_size=_STREAM_ROWS):
        by_nominal[nominal_id].append(AliasName(given, family, dob))
    return by_nominal


def _address_lines(ids: list[int] | None) -> dict[int, str]:
    """Each person's current address line: the latest address not ended, not "no fixed
    abode" and with a line (DISTINCT ON keeps the first row per person)."""
    rows = (
        _only(
            Address.objects.filter(
                nominal__merged_into__isnull=True, to_date__isnull=True, no_fixed_abode=False
            ),
            ids,
        )
        .exclude(line="")
        .order_by("nominal_id", F("from_date").desc(nulls_last=True), "-pk")
        .distinct("nominal_id")
        .values_list("nominal_id", "line")
    )
    return dict(rows.iterator(chunk_size=_STREAM_ROWS))


def _panels(ids: list[int] | None) -> tuple[dict[int, tuple[int, ...]], int]:
    """Active panels per person, and the number of active memberships."""
    by_nominal: dict[int, set[int]] = defaultdict(set)
    count = 0
    rows = _only(_active_memberships(), ids).order_by().values_list("nominal_id", "panel_id")
    for nominal_id, panel_id in rows.iterator(chunk_size=_STREAM_ROWS):
        by_nominal[nominal_id].add(panel_id)
        count += 1
    return {pk: tuple(sorted(panels)) for pk, panels in by_nominal.items()}, count


def load_people(only: Collection[int] | None = None) -> People:
    """Every nominal not merged away as a `PersonRecord`, with its id, version and active
    panels: identifiers by kind, aliases, and `extra={"address": line}` where a current
    address line is recorded. With `only`, only those nominals (a chunk of the run scored
    by a worker of its own)."""
    chosen = None if only is None else sorted(only)
    identifiers = _identifiers(chosen)
    aliases = _aliases(chosen)
    addresses = _address_lines(chosen)
    panels, active_memberships = _panels(chosen)
    records: list[PersonRecord] = []
    ids: list[int] = []
    versions: list[int] = []
    panel_sets: list[tuple[int, ...]] = []
    nominals = Nominal.objects.filter(merged_into__isnull=True)
    if chosen is not None:
        nominals = nominals.filter(pk__in=chosen)
    rows = nominals.order_by("pk").values_list("pk", "version", *RECORD_FIELDS[1:])
    for pk, version, *fields in rows.iterator(chunk_size=_STREAM_ROWS):
        line = addresses.get(pk)
        records.append(
            record_from_row(
                (pk, *fields),
                identifiers.get(pk, {}).items(),
                aliases.get(pk, ()),
                extra={"address": line} if line else None,
            )
        )
        ids.append(pk)
        versions.append(version)
        panel_sets.append(panels.get(pk, ()))
    return People(records, ids, versions, panel_sets, active_memberships)


def people_on_several_panels() -> list[tuple[int, int, list[int]]]:
    """(nominal id, record version, sorted panel ids) of everyone active on more than one
    panel, in one query (GROUP BY person, panels aggregated), in id order."""
    rows = (
        _active_memberships()
        .order_by()
        .values("nominal_id", "nominal__version")
        .annotate(
            panel_ids=ArrayAgg("panel_id", distinct=True, order_by="panel_id"),
            panel_count=Count("panel_id", distinct=True),
        )
        .filter(panel_count__gt=1)
        .order_by("nominal_id")
        .values_list("nominal_id", "nominal__version", "panel_ids")
    )
    return [(nominal_id, version, list(panel_ids)) for nominal_id, version, panel_ids in rows]
