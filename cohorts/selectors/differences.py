"""Where a linked row of a monthly list says something its record does not: a new postcode,
or an identifier of a kind the record holds with another value. The page shows each so the
coordinator can update the record from the list (with the list as its source), rather than
the difference being lost or the record overwritten unseen.

An identifier of a kind the record holds none of is added by the import anyway (it is how
next month's list links by identifier), and is shown here too, so nothing is added unseen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from accounts.permissions import user_may_see_casework
from cohorts.importing import ParsedRow, parse_row, row_name
from cohorts.models import CohortImport, ImportRow, RowOutcome
from offenders.models import UNIQUE_IDENTIFIER_KINDS, Identifier, IdentifierKind, Nominal
from offenders.selectors import nominals_for
from panels.models import SHARED_STATUSES, CohortMembership
from panels.permissions import can_coordinate

KIND_LABELS = dict(IdentifierKind.choices)


@dataclass
class RowDifference:
    row: ImportRow
    name: str
    nominal: Nominal
    new_postcode: str = ""  # the list's postcode, where the record holds another or none
    record_postcode: str = ""
    other_identifiers: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # kind, list, record
    added_identifiers: list[tuple[str, str]] = field(default_factory=list)  # kind, value
    may_update: bool = False

    @property
    def updatable(self) -> bool:
        """Something only the coordinator's choice adds: a postcode, or a second value."""
        return bool(self.new_postcode or self.other_identifiers)

    def described(self) -> list[str]:
        said = []
        if self.new_postcode:
            held = self.record_postcode or "no postcode"
            said.append(f"Postcode: the list has {self.new_postcode}; the record has {held}")
        for kind, listed, held in self.other_identifiers:
            said.append(f"{KIND_LABELS[kind]}: the list has {listed}; the record has {held}")
        for kind, value in self.added_identifiers:
            said.append(f"{KIND_LABELS[kind]} {value} is new to the record: it will be added")
        return said


def parsed_linked(cohort_import: CohortImport) -> list[tuple[ImportRow, ParsedRow]]:
    today = timezone.localdate()
    return [
        (row, parse_row(row.values, cohort_import.mapping, today=today))
        for row in cohort_import.rows.filter(
            outcome=RowOutcome.LINKED, nominal__isnull=False
        ).order_by("number")
    ]


def row_differences(user: User, cohort_import: CohortImport) -> list[RowDifference]:
    """Linked rows that differ from their record, for records `user` may see: three queries
    whatever the length of the list."""
    linked = parsed_linked(cohort_import)
    ids = {row.nominal_id for row, _ in linked if row.nominal_id is not None}
    records = {
        nominal.pk: nominal
        for nominal in nominals_for(user).filter(pk__in=ids).select_related("owning_agency")
    }
    held: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for nominal_id, kind, value in Identifier.objects.filter(nominal_id__in=ids).values_list(
        "nominal_id", "kind", "value"
    ):
        held[nominal_id][kind].append(value)
    editable = _editable(user, set(records))
    differences = []
    for row, parsed in linked:
        nominal = records.get(row.nominal_id or 0)
        if nominal is None:
            continue
        difference = RowDifference(row, row_name(row.values, cohort_import.mapping), nominal)
        if parsed.postcode and parsed.postcode != nominal.postcode:
            difference.new_postcode, difference.record_postcode = parsed.postcode, nominal.postcode
        for kind, value in sorted(parsed.identifiers.items()):
            if kind not in UNIQUE_IDENTIFIER_KINDS:
                continue
            values = held[nominal.pk].get(kind, [])
            if not values:
                difference.added_identifiers.append((kind, value))
            elif value not in values:
                difference.other_identifiers.append((kind, value, ", ".join(values)))
        if difference.described():
            difference.may_update = nominal.pk in editable
            differences.append(difference)
    return differences


def _editable(user: User, ids: set[int]) -> set[int]:
    """The records `user` may change the identity of, as `can_edit_identity` decides one at
    a time: their agency's own, and people on a panel they coordinate. One query."""
    if not user_may_see_casework(user) or not ids:
        return set()
    memberships = CohortMembership.objects.filter(
        nominal_id__in=ids, status__in=SHARED_STATUSES
    ).select_related("panel")
    coordinated = {m.nominal_id for m in memberships if can_coordinate(user, m.panel)}
    owned = set(
        Nominal.objects.filter(pk__in=ids, owning_agency_id=user.agency_id).values_list(
            "pk", flat=True
        )
    )
    return owned | coordinated
