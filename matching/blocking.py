"""Blocking for the batch job: which pairs of records, among many, are worth comparing.

Records sharing a key are compared; every other pair is taken as two people. The keys are
chosen so that each slip an agency makes (a typo, a nickname, names reversed, a date of
birth wrong, guessed or left out) still leaves one in common, and so that no block grows
with the square of the register: a key too common to compare whole is narrowed by a
tighter one, and what is still too common is left out and counted (`Blocking`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from matching.compare import _MISTYPED_YEAR_SPAN, _normalise_identifier
from matching.keys import record_batch_match_keys
from matching.names import (
    _canonical_forms,
    name_tokens,
    normalise_place,
    normalise_postcode,
    phonetic_key,
    postcode_sector,
)
from matching.records import PersonRecord

__all__ = [
    "LOOSE_MAX_BLOCK",
    "Blocking",
    "block",
    "blocking_keys",
    "candidate_pairs",
    "loose_keys",
]


def blocking_keys(record: PersonRecord) -> set[str]:
    """Keys shared by the records worth comparing: each single error an agency makes still
    leaves one in common.

    - the batch match keys of `matching.scoring.record_batch_match_keys`: names with a part
      of the date of birth, and a date of birth with either name's sound (the same sounds
      and name forms search and the import use);
    - one key per identifier, so a shared identifier is always compared;
    - a postcode (or an extra field such as an address line) with each name's sound and with
      the date of birth: two records at one address sharing a name or a birthday;
    - the keys of `loose_keys`, which need no date of birth at all.
    """
    return _dated_keys(record) | set(loose_keys(record))


def _dated_keys(record: PersonRecord) -> set[str]:
    """`blocking_keys` but for `loose_keys`."""
    keys = record_batch_match_keys(record)
    for kind, value in record.identifiers.items():
        if value:
            keys.add(f"I:{kind}:{_normalise_identifier(kind, value)}")
    sounds = [
        phonetic_key(name.split()[0]) for name in (record.given, record.family) if name.split()
    ]
    places = [("P", normalise_postcode(record.postcode))] + [
        (f"X:{name}", normalise_place(value)) for name, value in record.extra.items()
    ]
    for prefix, place in places:
        if not place:
            continue
        keys |= {f"{prefix}:{place}:{sound}" for sound in sounds if sound}
        if record.dob is not None:
            keys.add(f"{prefix}:{place}:{record.dob.isoformat()}")
    return keys


def _given_forms(given_first: str) -> set[str]:
    """A given name's first word and its usual forms (Bill: bill, william), so a nickname
    still shares a key."""
    return {given_first, *_canonical_forms(given_first)}


def _ends(name: str, length: int) -> set[str]:
    """The first and the last `length` letters of a name: one slip leaves one of them."""
    return {name[:length], name[-length:]}


def loose_keys(record: PersonRecord) -> dict[str, str]:
    """Blocking keys that need no date of birth, each with a tighter key for when it is too
    common: {key: tighter key}.

    A record whose date of birth is missing, guessed or wrong still meets its namesakes,
    whatever else the agency mistyped:
    - "A:<four letters of one name>:<three of the other>", from each name's start and end,
      both ways round: a slip in each name leaves one key in common, and so do names
      reversed (Smith John and John Smith) and a nickname (Bill and William, from the
      given name's usual forms); tighter: with the postcode district. Such fragments say
      little, so they pair two records only if one has no exact date of birth or their
      dates are at most a slip apart;
    - "W:<both names, sorted>": namesakes, whatever their dates of birth say; tighter: with
      the postcode district;
    - "J:<sound of one name>:<initial of the other>" from a name given only as an initial,
      and "j:" from every other name: an initial meets the full names it may stand for,
      while two full names sharing an initial are left to the keys above;
    - "S:<postcode sector>:<both initials>": both names misspelt, at one address; tighter:
      the whole postcode;
    - "E:<date of birth>:<both initials>": both names misspelt, the date right.
    Aliases give keys of their own.
    """
    keys: dict[str, str] = {}
    names = [(record.given, record.family)] + [(a.given, a.family) for a in record.aliases]
    postcode = normalise_postcode(record.postcode)
    district = postcode.split(" ")[0] if postcode else "-"
    sector = postcode_sector(postcode)
    for given, family in names:
        given_tokens, family_tokens = name_tokens(given), name_tokens(family)
        if not given_tokens or not family_tokens:
            continue
        given_first, family_whole = given_tokens[0], "".join(family_tokens)
        for sounded, others in (
            (family_whole, _given_forms(given_first)),
            (given_first, {family_whole}),
        ):
            sound = phonetic_key(sounded)
            if len(sounded) < 2 or not sound:
                continue  # an initial has no sound worth a block
            for other in others:
                mark = "J" if len(other) == 1 else "j"
                keys[f"{mark}:{sound}:{other[0]}"] = ""
                if len(other) == 1:
                    continue
                for start in _ends(sounded, 4):
                    for end in _ends(other, 3):
                        keys[f"A:{start}:{end}"] = f"A:{start}:{end}:{district}"
        whole = "|".join(sorted((given_first, family_whole)))
        keys[f"W:{whole}"] = f"W:{whole}:{district}"
        initials = "".join(sorted((given_first[0], family_whole[0])))
        if sector:
            keys[f"S:{sector}:{initials}"] = f"S:{postcode}:{initials}"
        if record.dob is not None and not record.dob_approximate:
            day = record.dob.isoformat()
            keys[f"E:{day}:{initials}"] = f"E:{day}:{initials}:{district}"
    return keys


def _date_digits(day: date | None) -> str:
    return "" if day is None else f"{day.day:02d}{day.month:02d}{day.year:04d}"


def _dates_slip_apart(a: date | None, b: date | None, digits_a: str, digits_b: str) -> bool:
    """Two exact dates of birth one typing slip apart or the same (`compare_dob` finds them
    anything but different): a misspelt name with them is worth a look. The same test as
    `compare_dob`'s, without the sentences it writes, as blocking asks it of many pairs."""
    if a is None or b is None:
        return False
    if a == b or (a.year == b.year and a.day == b.month and a.month == b.day):
        return True
    if a.day == b.day and a.month == b.month and abs(a.year - b.year) <= _MISTYPED_YEAR_SPAN:
        return True  # a year one out, or mistyped
    differing = [k for k in range(8) if digits_a[k] != digits_b[k]]
    if len(differing) == 1:
        return True
    return (
        len(differing) == 2
        and differing[1] == differing[0] + 1
        and digits_a[differing[0]] == digits_b[differing[1]]
        and digits_a[differing[1]] == digits_b[differing[0]]
    )


@dataclass(frozen=True)
class Blocking:
    """The candidate pairs, and what was left out because a key was too common.

    A block of more than `max_block` records (a very common name with no date) is split by
    each record's tighter key; the parts still too large are skipped, and counted here so
    the run can say how many records could not be compared that way.
    """

    pairs: list[tuple[int, int]]
    split_blocks: int = 0
    skipped_blocks: int = 0
    skipped_records: int = 0


def candidate_pairs(
    records: Sequence[PersonRecord],
    *,
    groups: Sequence[int] | None = None,
    max_block: int = 500,
) -> list[tuple[int, int]]:
    """Index pairs (i < j) of records that share a blocking key, sorted (see `block`)."""
    return block(records, groups=groups, max_block=max_block).pairs


# Records a block of date-free keys may hold before it is split by the tighter key: names
# alone say less than names and a date, so such blocks are kept smaller.
LOOSE_MAX_BLOCK = 20


def block(
    records: Sequence[PersonRecord],
    *,
    groups: Sequence[int] | None = None,
    max_block: int = 500,
    loose_max_block: int = LOOSE_MAX_BLOCK,
) -> Blocking:
    """The pairs of records that share a blocking key, and what was skipped.

    With `groups`, only pairs from different groups (linking files rather than deduplicating
    one). A key shared by more than `max_block` records (a very common name with no date)
    says too little to compare them all; identifier keys are never skipped. A record without
    a date of birth is compared with every record of the same name sounds: its "N:" key
    with the "n:" key the others carry. Date-free keys (`loose_keys`) over
    `loose_max_block` records are split by their tighter keys.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    tighter: dict[str, dict[int, str]] = defaultdict(dict)
    exact_dob = [record.dob is not None and not record.dob_approximate for record in records]
    for index, record in enumerate(records):
        loose = loose_keys(record)
        for key in _dated_keys(record) | set(loose):
            blocks[key].append(index)
        for key, tight in loose.items():
            tighter[key][index] = tight
    pairs: set[tuple[int, int]] = set()
    split = skipped = 0
    skipped_records: set[int] = set()
    # Each exact date of birth as its eight digits, once, for the slip check below.
    digits = [
        _date_digits(record.dob) if exact else ""
        for record, exact in zip(records, exact_dob, strict=True)
    ]

    def add_all(found: Iterable[tuple[int, int]]) -> None:
        """Pairs (i < j) of one block: a set update in C, the block's pairs in bulk."""
        if groups is None:
            pairs.update(found)
        else:
            pairs.update((i, j) for i, j in found if groups[i] != groups[j])

    # A block's members are listed in record order, so its combinations come as (i < j).
    for key, members in blocks.items():
        if key.startswith(("n:", "j:")):
            continue  # compared only with the records of the same "N:" or "J:" key
        if key.startswith(("N:", "J:")):
            dated = blocks.get(key[0].lower() + key[1:], [])
            if len(members) + len(dated) > max_block:
                skipped += 1
                skipped_records.update(members)
                continue
            add_all(combinations(members, 2))
            add_all((i, j) if i < j else (j, i) for i in members for j in dated if i != j)
            continue
        if len(members) < 2:
            continue
        if key in tighter:
            parts: dict[str, list[int]] = {key: members}
            if len(members) > loose_max_block:
                split += 1
                parts = defaultdict(list)
                for index in members:
                    parts[tighter[key][index]].append(index)
            # Name fragments say little on their own: they pair a record only with those
            # whose date of birth cannot vouch for or against it.
            undated_only = key.startswith("A:")
            for part in parts.values():
                if len(part) > loose_max_block:
                    skipped += 1
                    skipped_records.update(part)
                    continue
                if not undated_only:
                    add_all(combinations(part, 2))
                    continue
                add_all(
                    (i, j)
                    for i, j in combinations(part, 2)
                    if not (digits[i] and digits[j])
                    or _dates_slip_apart(records[i].dob, records[j].dob, digits[i], digits[j])
                )
            continue
        if len(members) > max_block and not key.startswith("I:"):
            skipped += 1
            skipped_records.update(members)
            continue
        add_all(combinations(members, 2))
    return Blocking(sorted(pairs), split, skipped, len(skipped_records))
