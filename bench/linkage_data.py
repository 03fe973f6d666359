"""A deduplication data set with ground truth, for the cross-referencing benchmark.

`linkage_dataset(nominals, seed)` gives `nominals` records of people from
`tests.people.generate_people`, as several agencies hold them: a share of the
people (`DUPLICATE_SHARE`) is recorded a second time by another agency, with one to three of
the corruptions of `tests.people.corrupt` (a typo, a nickname, given and family
names swapped, day and month of birth transposed, a mistyped digit of the date of birth,
identifiers missing, or the person known by an alias), and sometimes another postcode or
none. The ground truth is the pairs of records of one person.

Identifiers are dropped independently of those corruptions, as often as in multi-agency data
(`KEEP_IDENTIFIER`: a police record holds the PNC ID, a drug service's seldom does). A PNC ID,
CRO number, CRN, prison number or NHS number belongs to one record in the database (a unique
constraint: an agency typing a number already held is linked to that record at once, which is
how duplicates are avoided for people whose numbers are known), so where both records of a
person would hold the same number only one keeps it. Duplicates therefore never share an
identifier: they are found, as in life, on names, dates of birth, postcodes and aliases, while
two records holding different numbers of one kind are known to be two people.

Every record is active on one of five panels, about 15 % on two or three (as the synthetic
partnership's nominals are); records are shuffled, so nothing in their order tells which go
together. The same arguments give the same data on every machine.
"""

# The random streams are seeded on purpose, for reproducible data; none makes a secret.
# ruff: noqa: S311

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from itertools import accumulate

from tests.people import AGENCY_CORRUPTIONS, CORRUPTIONS, Person, corrupt, generate_people

__all__ = [
    "AGENCIES",
    "AGENCY_MISSING_DOB_SHARE",
    "DUPLICATE_SHARE",
    "PANEL_KINDS",
    "LinkageDataset",
    "agency_dataset",
    "linkage_dataset",
]

# Of the people, the share recorded a second time by another agency.
DUPLICATE_SHARE = 0.40
# How many corruptions a second record shows: one, two or three, with these weights.
CORRUPTION_COUNTS = (1, 2, 3)
CORRUPTION_WEIGHTS = (0.6, 0.3, 0.1)
# Each record holds each of the person's identifiers with this chance: multi-agency lists
# lack the PNC ID or CRN on a large share of rows (housing, health, drug and voluntary
# services rarely hold them), so the chance is low.
KEEP_IDENTIFIER = 0.6
# A second record's postcode: another address (people in cohorts move often), or none.
MOVED_SHARE = 0.20
NO_POSTCODE_SHARE = 0.10
# A second record also lists the person's aliases this often (the first always does).
SECOND_ALIASES_SHARE = 0.3
# Panels, in the order the demo partnership creates them (demo.borough.PANELS).
PANEL_KINDS = ("iom", "mappa", "sgv", "dip", "asb_marac")
PANEL_SHARES = (0.40, 0.15, 0.15, 0.15, 0.15)
MORE_PANELS_SHARE = 0.15
# The agencies that own records (codes of demo.borough.AGENCIES): a second record is
# another agency's.
AGENCIES = ("police", "probation", "council", "drugs", "housing", "health")
# Agency-typed lists (`agency_dataset`): a quarter of all records, first or second, carry no
# date of birth at all (so some people have none on either record).
AGENCY_MISSING_DOB_SHARE = 0.25


@dataclass(frozen=True)
class LinkageDataset:
    """Records, which person each is of, and the true pairs (record indices, i < j)."""

    nominals: int
    seed: int
    records: list[Person]
    person_of: list[int]  # index of the generated person each record is of
    panels: list[tuple[int, ...]]  # indices into PANEL_KINDS, first the record's main panel
    agencies: list[str]  # the owning agency's code, from AGENCIES
    corruptions: list[tuple[str, ...]]  # what a second record shows; () for first records
    true_pairs: frozenset[tuple[int, int]]
    kinds: tuple[str, ...] = CORRUPTIONS  # the corruptions second records were drawn from
    style: str = "standard"  # or "agency": see `agency_dataset`

    @property
    def people(self) -> int:
        return len(set(self.person_of))

    def corruption_counts(self) -> dict[str, int]:
        """How many second records show each corruption (one record may show several)."""
        counts = dict.fromkeys(self.kinds, 0)
        for kinds in self.corruptions:
            for kind in kinds:
                counts[kind] += 1
        return counts

    def on_several_panels(self) -> int:
        return sum(1 for panels in self.panels if len(panels) > 1)

    def with_identifiers(self) -> int:
        return sum(1 for record in self.records if record.identifiers)

    def without_dob(self) -> int:
        return sum(1 for record in self.records if record.dob is None)


def _panels(rng: random.Random) -> tuple[int, ...]:
    first = rng.choices(range(len(PANEL_KINDS)), cum_weights=_PANEL_CUM)[0]
    panels = [first]
    if rng.random() < MORE_PANELS_SHARE:
        extra = 1 if rng.random() < 0.8 else 2
        panels += rng.sample([p for p in range(len(PANEL_KINDS)) if p != first], extra)
    return tuple(panels)


_PANEL_CUM = list(accumulate(PANEL_SHARES))


def _second_record(
    person: Person, rng: random.Random, postcodes: list[str], corruptions: tuple[str, ...]
) -> tuple[Person, tuple[str, ...]]:
    """The person as another agency recorded them, and the corruptions it shows."""
    wanted = rng.choices(CORRUPTION_COUNTS, weights=CORRUPTION_WEIGHTS)[0]
    kinds = list(corruptions)
    rng.shuffle(kinds)
    record, shown = person, []
    for kind in kinds:
        if len(shown) == wanted:
            break
        try:
            record = corrupt(record, rng, kind)
        except ValueError:
            continue  # this person cannot show this one (no alias, say): try the next kind
        shown.append(kind)
    draw = rng.random()
    if draw < MOVED_SHARE:
        record = replace(record, postcode=rng.choice(postcodes))
    elif draw < MOVED_SHARE + NO_POSTCODE_SHARE:
        record = replace(record, postcode="")
    if "alias" not in shown and rng.random() >= SECOND_ALIASES_SHARE:
        record = replace(record, aliases=())
    return record, tuple(shown)


def _keep_identifiers(record: Person, rng: random.Random) -> Person:
    kept = {
        kind: value for kind, value in record.identifiers.items() if rng.random() < KEEP_IDENTIFIER
    }
    return replace(record, identifiers=kept)


def agency_dataset(nominals: int, seed: int) -> LinkageDataset:
    """As `linkage_dataset`, with the slips of lists typed by hand (`AGENCY_CORRUPTIONS`:
    typos in both names, initials, names reversed, a date of birth missing or only an
    age) for second records, and no date of birth on `AGENCY_MISSING_DOB_SHARE` of all
    records, first or second."""
    return linkage_dataset(
        nominals,
        seed,
        corruptions=AGENCY_CORRUPTIONS,
        missing_dob_share=AGENCY_MISSING_DOB_SHARE,
    )


def linkage_dataset(
    nominals: int,
    seed: int,
    *,
    corruptions: tuple[str, ...] = CORRUPTIONS,
    missing_dob_share: float = 0.0,
) -> LinkageDataset:
    """`nominals` records: about 1 / (1 + DUPLICATE_SHARE) of them people recorded once or
    first, the rest second records of some of those people. See the module's docstring."""
    if nominals < 2:
        raise ValueError("a linkage data set needs at least two records")
    agency = corruptions != CORRUPTIONS or missing_dob_share > 0
    rng = random.Random(f"{seed}:linkage" + (":agency" if agency else ""))
    people = generate_people(math.ceil(nominals / (1 + DUPLICATE_SHARE)), rng.randrange(2**63))
    twice = sorted(rng.sample(range(len(people)), nominals - len(people)))
    postcodes = [person.postcode for person in people if person.postcode]

    rows: list[tuple[Person, int, tuple[str, ...]]] = []  # (record, person, corruptions)
    for index, person in enumerate(people):
        rows.append((_keep_identifiers(person, rng), index, ()))
    for index in twice:
        first = rows[index][0]
        second, shown = _second_record(people[index], rng, postcodes, corruptions)
        second = _keep_identifiers(second, rng)
        # A number belongs to one record in the database: where both would hold it, one does.
        shared = {k for k, v in second.identifiers.items() if first.identifiers.get(k) == v}
        if shared:
            on_first = {kind for kind in shared if rng.random() < 0.5}
            first = replace(
                first,
                identifiers={
                    k: v for k, v in first.identifiers.items() if k not in shared - on_first
                },
            )
            rows[index] = (first, index, ())
            second = replace(
                second,
                identifiers={k: v for k, v in second.identifiers.items() if k not in on_first},
            )
        rows.append((second, index, shown))
    if missing_dob_share:
        # Drawn from a stream of its own, so the rest of the data set is as without it.
        dates = random.Random(f"{seed}:linkage:no-dob")
        rows = [
            (replace(record, dob=None, dob_approximate=False), person, shown)
            if dates.random() < missing_dob_share
            else (record, person, shown)
            for record, person, shown in rows
        ]
    rng.shuffle(rows)

    first_seen: dict[int, int] = {}
    pairs: set[tuple[int, int]] = set()
    agencies: list[str] = []
    for position, (_, person, _) in enumerate(rows):
        if person in first_seen:
            pairs.add((first_seen[person], position))
            other = agencies[first_seen[person]]
            agencies.append(rng.choice([code for code in AGENCIES if code != other]))
        else:
            first_seen[person] = position
            agencies.append(rng.choice(AGENCIES))
    return LinkageDataset(
        nominals=nominals,
        seed=seed,
        records=[record for record, _, _ in rows],
        person_of=[person for _, person, _ in rows],
        panels=[_panels(rng) for _ in rows],
        agencies=agencies,
        corruptions=[shown for _, _, shown in rows],
        true_pairs=frozenset(pairs),
        kinds=corruptions,
        style="agency" if agency else "standard",
    )
