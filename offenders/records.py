"""The one adapter between a person as Tandem holds them and the matching engine's
`PersonRecord`, used by search, the monthly list import and the cross-reference alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from matching.records import AliasName, PersonRecord
from offenders.models import Nominal

# A nominal's fields the engine reads, in the order `record_from_row` takes them after
# the primary key: `Nominal.objects.values_list(*RECORD_FIELDS)`.
RECORD_FIELDS = (
    "pk",
    "given_names",
    "family_name",
    "date_of_birth",
    "dob_approximate",
    "gender",
    "postcode",
)


def person_record(
    *,
    given: str,
    family: str,
    dob: date | None,
    dob_approximate: bool = False,
    gender: str = "",
    postcode: str = "",
    identifiers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    aliases: Sequence[AliasName] = (),
    extra: Mapping[str, str] | None = None,
) -> PersonRecord:
    """A person as the engine compares them. "unknown" gender says nothing, so the engine
    is not told it; of several identifiers of one kind, the first is kept."""
    pairs = identifiers.items() if isinstance(identifiers, Mapping) else identifiers
    by_kind: dict[str, str] = {}
    for kind, value in pairs:
        by_kind.setdefault(kind, value)
    return PersonRecord(
        given=given,
        family=family,
        dob=dob,
        dob_approximate=dob_approximate,
        gender="" if gender == "unknown" else gender,
        postcode=postcode,
        identifiers=by_kind,
        aliases=tuple(aliases),
        extra=dict(extra or {}),
    )


def record_from_row(
    row: Sequence,
    identifiers: Iterable[tuple[str, str]] = (),
    aliases: Sequence[AliasName] = (),
    extra: Mapping[str, str] | None = None,
) -> PersonRecord:
    """A nominal's row of `RECORD_FIELDS` (primary key first) as the engine's record."""
    _pk, given, family, dob, approximate, gender, postcode = row[: len(RECORD_FIELDS)]
    return person_record(
        given=given,
        family=family,
        dob=dob,
        dob_approximate=approximate,
        gender=gender,
        postcode=postcode,
        identifiers=identifiers,
        aliases=aliases,
        extra=extra,
    )


def nominal_record(nominal: Nominal) -> PersonRecord:
    """A nominal as the engine compares it (two queries, for its identifiers and aliases)."""
    return record_from_row(
        tuple(getattr(nominal, name) for name in RECORD_FIELDS),
        [(identifier.kind, identifier.value) for identifier in nominal.identifiers.all()],
        [
            AliasName(alias.given_names, alias.family_name, alias.date_of_birth)
            for alias in nominal.aliases.all()
        ],
    )
