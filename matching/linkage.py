"""Batch record linkage: which records, among many, are of one person.

The cross-referencing job and the match-quality benchmarks use it; the one-record scorer
(`matching.scoring.score`) stays the reference for what each field comparison means, and
this module reuses its comparisons, blocking keys and identifier rules so search, import and
the monthly job agree on who is who.

What it adds is the batch part, in the Fellegi-Sunter way that splink also follows:
1. blocking (`matching.blocking`): records sharing a batch match key, an identifier, an
   address with a name or date of birth, or a key that needs no date of birth at all are
   compared; every other pair is taken as not a match;
2. estimation: each field's u (the chance two different people agree at a level) from a
   random sample of record pairs, and its m (the chance two records of one person do) and
   the share of candidate pairs that match by expectation-maximisation, starting from the
   scorer's hand-set values;
3. scoring: identifier rules first (a shared PNC ID, CRO number, CRN, prison or NHS number is
   one person; different PNC IDs are two), then the fitted weights summed into a probability,
   with a plain-English line for every field; agreeing on a common value (a name, a date,
   a postcode, a town) counts for less than on a rare one, and a single disagreeing field
   does not sink a pair everything else agrees on;
4. grouping (`group_people`): the matches grouped into people, never chaining two clearly
   different people through a third record.
The fitted values are a `LinkageParameters`, whose `version` is a hash of them: the job keeps
each version in the database, so a finding can always be explained by the model that made it.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import JaroWinkler

from matching.blocking import Blocking, block, blocking_keys, candidate_pairs, loose_keys
from matching.clusters import Agreement, clusters
from matching.compare import _DOB_MU as _DOB_MU_BY_LEVEL
from matching.compare import (
    _FAMILY_MU,
    _GENDER_MU,
    _GIVEN_MU,
    _POSTCODE_MU,
    CONFLICT_CAP,
    DobLevel,
    NameLevel,
)
from matching.names import (
    _KNOWN_GIVEN_NAMES,
    name_tokens,
    normalise_place,
    normalise_postcode,
    postcode_sector,
)
from matching.records import (
    DEFINITE_THRESHOLD,
    LIKELY_THRESHOLD,
    FieldComparison,
    MatchResult,
    PersonRecord,
)
from matching.scoring import _decision as decision_for
from matching.scoring import _probability, frequency_key, score

if TYPE_CHECKING:
    from matching.columnar import Columns

__all__ = [
    "ENGINE",
    "Blocking",
    "LinkResult",
    "LinkageParameters",
    "blocking_keys",
    "candidate_pairs",
    "comparison_vector",
    "agreement_of",
    "block",
    "estimate_parameters",
    "evidence_strength",
    "group_people",
    "kept_pairs",
    "loose_keys",
    "link",
    "score_with",
]

ENGINE = "tandem-fs"

# A level that says nothing either way: a field one record lacks. It is left out of the sums.
MISSING = "missing"

# Extra text fields (an address line, a town) agree exactly, closely (one or two slips), or not.
_EXTRA_SIMILAR_MIN = 0.90

# Starting m values for EM, for fields the hand-set scorer has no view on.
_EXTRA_START_M = {"exact": 0.85, "similar": 0.08, "different": 0.07}
_OTHER_START_M = {
    "same_sector": 0.10,  # out of the district's share: most of a district's agreements
    "swapped": 0.02,
    "conflict": 0.02,
    "identifier_different": 0.05,
    "identifier_same": 0.5,
}

# How many pairs' worth of weight the starting m values carry in estimation.
_PSEUDO_PAIRS = 10.0

# Floors that keep every weight finite when a level was never seen in a sample.
_MIN_PROBABILITY = 1e-6


# --- Parameters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkageParameters:
    """Fitted model: the share of candidate pairs that match, m and u per field level, and
    the names commoner than average with the share of records holding each (`common`, by
    column): two records agreeing exactly on a common name count for less, as splink's
    term-frequency adjustments do."""

    prior: float
    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    trained_on_pairs: int = 0
    iterations: int = 0
    common: dict[str, dict[str, float]] = field(default_factory=dict)
    version: str = field(default="")
    # Each (column, level)'s weight once worked out: scoring asks for it for every pair.
    _weights: dict[tuple[str, str], float] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if not self.version:
            object.__setattr__(self, "version", self._hash())

    def _hash(self) -> str:
        body = json.dumps(
            {
                "prior": round(self.prior, 9),
                "m": _rounded(self.m),
                "u": _rounded(self.u),
                "common": _rounded(self.common),
            },
            sort_keys=True,
        )
        return "em-" + hashlib.sha256(body.encode()).hexdigest()[:10]

    def _fitted_weight(self, column: str, level: str) -> float | None:
        m = self.m.get(column, {}).get(level)
        u = self.u.get(column, {}).get(level)
        if m is None or u is None:
            return None
        return math.log2(max(m, _MIN_PROBABILITY) / max(u, _MIN_PROBABILITY))

    def weight(self, column: str, level: str) -> float:
        """Bits of evidence (log2 m/u) for `column` agreeing at `level`; 0 if unknown.

        A closer agreement never counts for less than a looser one of the same field
        (`_LEVEL_ORDER`): estimation on a sample where most slips hit the names can make,
        say, a bare initial look likelier than the whole name, which no one would accept.
        """
        if level == MISSING:
            return 0.0
        known = self._weights.get((column, level))
        if known is not None:
            return known
        weight = self._fitted_weight(column, level)
        if weight is None:
            return 0.0
        for tiers in _LEVEL_ORDER.get(_column_kind(column), ()):
            if level in tiers[-1]:
                weight = min(
                    [
                        weight,
                        *(
                            self.weight(column, other)
                            for tier in tiers[:-1]
                            for other in tier
                            if self._fitted_weight(column, other) is not None
                        ),
                    ]
                )
        self._weights[(column, level)] = weight
        return weight

    def exact_weight(self, column: str, value: str) -> tuple[float, float | None]:
        """Bits of evidence for two records agreeing exactly on `value` (as `_EXACT_VALUE`
        reads it) in `column`, and the share of records holding it when it is a common
        one: then its own share stands for u, so "London" counts for less than a village
        and 01/01 for less than another birthday."""
        share = self.common.get(column, {}).get(value) if value else None
        if share is None:
            return self.weight(column, "exact"), None
        m = self.m.get(column, {}).get("exact", _MIN_PROBABILITY)
        return math.log2(max(m, _MIN_PROBABILITY) / max(share, _MIN_PROBABILITY)), share

    def exact_name_weight(self, column: str, name: str) -> tuple[float, float | None]:
        """`exact_weight` of a name, as `frequency_key` gives it."""
        return self.exact_weight(column, name)

    @property
    def prior_log2_odds(self) -> float:
        prior = min(max(self.prior, _MIN_PROBABILITY), 1 - _MIN_PROBABILITY)
        return math.log2(prior / (1 - prior))

    def to_json(self) -> dict:
        return {
            "engine": ENGINE,
            "version": self.version,
            "prior": self.prior,
            "m": self.m,
            "u": self.u,
            "trained_on_pairs": self.trained_on_pairs,
            "iterations": self.iterations,
            "common": self.common,
        }

    @classmethod
    def from_json(cls, data: dict) -> LinkageParameters:
        return cls(
            prior=data["prior"],
            m=data["m"],
            u=data["u"],
            trained_on_pairs=data.get("trained_on_pairs", 0),
            iterations=data.get("iterations", 0),
            common=data.get("common", {}),
            version=data["version"],
        )


def _column_kind(column: str) -> str:
    return "extra" if column.startswith("extra:") else column


# For each field, its levels from the closest agreement to the loosest: each tier's weight
# is held at or below every tier before it (`LinkageParameters.weight`). A name's variant,
# sound and spelling slips are peers; "swapped" weighs both names at once, so stands apart.
_NAME_TIERS = (
    ({"exact"},),
    ({"exact"}, {"variant", "phonetic", "similar"}),
    ({"exact"}, {"variant", "phonetic", "similar"}, {"other_name"}),
    ({"exact"}, {"variant", "phonetic", "similar"}, {"other_name"}, {"initial"}),
)
_LEVEL_ORDER: dict[str, tuple[tuple[set[str], ...], ...]] = {
    "given": _NAME_TIERS[1:],
    "family": _NAME_TIERS[1:],
    "dob": (
        (
            {"exact"},
            {
                "transposed",
                "year_off_by_one",
                "one_digit",
                "digits_swapped",
                "same_day_month",
                "approximate_same_year",
                "approximate_near_year",
            },
        ),
    ),
    "postcode": (
        ({"exact"}, {"same_sector"}),
        ({"exact"}, {"same_sector"}, {"same_outward"}),
    ),
    "extra": (({"exact"}, {"similar"}),),
}


def _rounded(table: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {col: {lvl: round(p, 9) for lvl, p in levels.items()} for col, levels in table.items()}


# --- Comparison vectors ----------------------------------------------------------------------

# Columns of the comparison vector, from the scorer's explanation.
_COLUMN_OF_FIELD = {
    "Given name": "given",
    "Family name": "family",
    "Date of birth": "dob",
    "Postcode": "postcode",
    "Gender": "gender",
}
BASE_COLUMNS = ("given", "family", "dob", "postcode", "gender", "identifiers")


@dataclass(frozen=True, slots=True)
class _Compared:
    """A pair compared: its rule (if an identifier rule decided it), levels and sentences."""

    rule: str | None
    rule_score: float | None
    levels: tuple[tuple[str, str], ...]
    texts: dict[str, str]
    items: tuple[FieldComparison, ...]
    caps: tuple[FieldComparison, ...]


# A wholly different given name or date of birth holds a pair below "likely" however much else
# agrees, as the one-record scorer does: twins and siblings share a family name, a birthday and
# an address, and a parent and child a name and an address.
_GIVEN_CONFLICT = FieldComparison(
    "Given name",
    "conflict",
    0.0,
    "Given name: wholly different, and twins and siblings share a family name, date of birth "
    "and address, so this is not treated as likely without an identifier",
)
_DOB_CONFLICT = FieldComparison(
    "Date of birth",
    "conflict",
    0.0,
    "Date of birth: wholly different, and a parent and child can share a name and an "
    "address, so this is not treated as likely without an identifier",
)


def _extra_level(a: str, b: str) -> tuple[str, str]:
    a_text, b_text = normalise_place(a), normalise_place(b)
    if not a_text or not b_text:
        return MISSING, "not recorded on both"
    if a_text == b_text:
        return "exact", f"same ({a.strip()})"
    if JaroWinkler.similarity(a_text, b_text) >= _EXTRA_SIMILAR_MIN:
        return "similar", f"close ({a.strip()} / {b.strip()})"
    return "different", f"different ({a.strip()} / {b.strip()})"


def _postcode_sector_agreement(a: PersonRecord, b: PersonRecord) -> FieldComparison | None:
    """Two postcodes of one sector (a street or two) agree more closely than two of one
    district: a move down the road, or one letter of the postcode mistyped."""
    sector_a, sector_b = postcode_sector(a.postcode), postcode_sector(b.postcode)
    if not sector_a or sector_a != sector_b:
        return None
    shown = f"{normalise_postcode(a.postcode)} vs {normalise_postcode(b.postcode)}"
    return FieldComparison("Postcode", "same_sector", 0.0, f"Postcode: same street area ({shown})")


def _compare(a: PersonRecord, b: PersonRecord, *, rule_levels: bool = True) -> _Compared:
    result = score(a, b)
    if result.rule and result.rule != "conflicting_identifiers":
        if not rule_levels:
            return _Compared(result.rule, result.score, (), {}, result.explanation, ())
        # The rule decides; the other fields are still compared, for estimation.
        fields = _compare(replace(a, identifiers={}), replace(b, identifiers={}))
        level = "identifier_same" if result.score >= 1 else "identifier_different"
        rule_decided = dict(fields.levels) | {"identifiers": level}
        return _Compared(
            result.rule, result.score, tuple(rule_decided.items()), {}, result.explanation, ()
        )
    levels = dict.fromkeys(BASE_COLUMNS, MISSING)
    texts: dict[str, str] = {}
    kept: list[FieldComparison] = []
    caps: list[FieldComparison] = []
    differing_identifiers: list[str] = []
    for item in result.explanation:
        if item.level == "conflict":
            if item.field == "Identifiers":
                caps.append(item)
            continue
        if item.field == "Names":  # given and family names swapped
            levels["given"], levels["family"] = "swapped", MISSING
            texts["given"] = item.text
            kept.append(item)
            continue
        column = _COLUMN_OF_FIELD.get(item.field)
        if column == "postcode" and item.level == "same_outward":
            item = _postcode_sector_agreement(a, b) or item
        if column is not None:
            levels[column] = item.level
            texts[column] = item.text
        elif item.level == "different":  # an identifier that differs
            differing_identifiers.append(item.text)
        kept.append(item)
    if levels["given"] == "different":
        caps.append(_GIVEN_CONFLICT)
    if levels["dob"] == "different":
        caps.append(_DOB_CONFLICT)
    if differing_identifiers:
        levels["identifiers"] = "identifier_different"
        texts["identifiers"] = "; ".join(differing_identifiers)
    for name in sorted(set(a.extra) | set(b.extra)):
        level, text = _extra_level(a.extra.get(name, ""), b.extra.get(name, ""))
        levels[f"extra:{name}"] = level
        texts[f"extra:{name}"] = f"{name.replace('_', ' ').capitalize()}: {text}"
    return _Compared(None, None, tuple(levels.items()), texts, tuple(kept), tuple(caps))


def comparison_vector(a: PersonRecord, b: PersonRecord) -> dict[str, str] | None:
    """The level each field agrees at, or None when an identifier rule decides the pair."""
    compared = _compare(a, b)
    return None if compared.rule else dict(compared.levels)


# --- Estimation ------------------------------------------------------------------------------


def _start_m(column: str, level: str) -> float:
    tables: dict[str, dict[NameLevel, tuple[float, float]] | dict[DobLevel, tuple[float, float]]]
    tables = {"given": _GIVEN_MU, "family": _FAMILY_MU, "dob": _DOB_MU_BY_LEVEL}
    if column in tables:
        for key, (m, _u) in tables[column].items():
            if key.value == level:
                return m
    if column == "postcode" and level in _POSTCODE_MU:
        return _POSTCODE_MU[level][0]
    if column == "gender" and level in _GENDER_MU:
        return _GENDER_MU[level][0]
    if column.startswith("extra:"):
        return _EXTRA_START_M.get(level, 0.05)
    return _OTHER_START_M.get(level, 0.05)


def _random_pairs(
    count: int, size: int, groups: Sequence[int] | None, rng: random.Random
) -> Iterable[tuple[int, int]]:
    if size < 2:
        return
    if groups is not None:
        by_group: dict[int, list[int]] = defaultdict(list)
        for index, group in enumerate(groups):
            by_group[group].append(index)
        names = sorted(by_group)
        if len(names) < 2:
            return
    for _ in range(count):
        if groups is None:
            i, j = rng.sample(range(size), 2)
        else:
            first, second = rng.sample(names, 2)
            i, j = rng.choice(by_group[first]), rng.choice(by_group[second])
        yield i, j


def _frequencies(patterns: Iterable[tuple[tuple[str, str], ...]]) -> dict[str, dict[str, float]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for pattern in patterns:
        for column, level in pattern:
            if level != MISSING:
                counts[column][level] += 1
    return {
        column: {level: n / sum(levels.values()) for level, n in levels.items()}
        for column, levels in counts.items()
    }


def _blocked_pairs(
    records: Sequence[PersonRecord],
    key_of,
    *,
    groups: Sequence[int] | None,
    limit: int,
) -> list[tuple[int, int]]:
    """Up to `limit` pairs of records whose `key_of` agrees, from the smallest blocks first:
    the pairs of one estimation session.

    Expectation-maximisation can only find the matches if they are a fair share of the
    session, and in a large register most pairs sharing a common name are two people. Two
    records sharing a rare value are far likelier to be one person, and because the key is
    fixed in the session, how rare it is tells nothing about the other fields: so the
    smallest blocks give the session its matches without bending what it learns.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        key = key_of(record)
        if key:
            blocks[key].append(index)
    pairs: list[tuple[int, int]] = []
    for key in sorted(blocks, key=lambda key: (len(blocks[key]), key)):
        for i, j in combinations(blocks[key], 2):
            if groups is None or groups[i] != groups[j]:
                pairs.append((i, j))
                if len(pairs) == limit:  # before listing the rest of a large block
                    return pairs
    return pairs


# How each column's "exact" level reads a record's value, as the comparisons decide it.
_EXACT_VALUE = {
    "given": lambda r: frequency_key(r.given, given=True),
    "family": lambda r: frequency_key(r.family, given=False),
    "dob": lambda r: "" if r.dob is None or r.dob_approximate else r.dob.isoformat(),
    "postcode": lambda r: normalise_postcode(r.postcode),
}


def _exact_u_from_values(
    records: Sequence[PersonRecord],
    groups: Sequence[int] | None,
    u: dict[str, dict[str, float]],
) -> dict[str, dict[str, float]]:
    """Replace each column's sampled u for exact agreement by its exact value, worked out
    from how often each value occurs, and scale the column's other levels to fit; return
    the values commoner than that average, with the share of records holding each.

    A random sample of tens of thousands of pairs sees two records share a date of birth or
    a postcode a handful of times at most, so the sampled u of those rare agreements is
    mostly noise or the floor; and the larger the register, the rarer the chance pairing
    and the more an exact agreement is worth. Counting values costs one pass over the
    records at any size.
    """
    common: dict[str, dict[str, float]] = {}
    extras = sorted({name for record in records for name in record.extra})
    columns = [*_EXACT_VALUE.items()] + [
        (f"extra:{name}", partial(_extra_value, name=name)) for name in extras
    ]
    for column, value_of in columns:
        counts: dict[str, Counter[int]] = defaultdict(Counter)
        group_sizes: Counter[int] = Counter()
        for index, record in enumerate(records):
            value = value_of(record)
            if value:
                group = 0 if groups is None else groups[index]
                counts[value][group] += 1
                group_sizes[group] += 1
        present = sum(group_sizes.values())
        if groups is None:  # one file: every pair of records, not only pairs across groups
            all_pairs = present * (present - 1)
            agreeing = sum(n * (n - 1) for by_group in counts.values() for n in by_group.values())
        else:
            all_pairs = present * present - sum(n * n for n in group_sizes.values())
            agreeing = sum(
                sum(by_group.values()) ** 2 - sum(n * n for n in by_group.values())
                for by_group in counts.values()
            )
        if all_pairs <= 0 or column not in u:
            continue
        exact = max(agreeing / all_pairs, _MIN_PROBABILITY)
        table = u[column]
        rest = sum(value for level, value in table.items() if level != "exact")
        if rest > 0:
            for level in table:
                if level != "exact":
                    table[level] *= (1 - exact) / rest
        table["exact"] = exact
        shares = {value: sum(by.values()) / present for value, by in counts.items()}
        held = {value: sum(by.values()) for value, by in counts.items()}
        # Names: every one commoner than average. Other fields: the values at least twice
        # as common as average (a default 01/01 date, a big town), the commonest few
        # hundred, so the model stored with each run stays small. A value only two records
        # hold is never common: in a small register that is the duplicate itself.
        floor = exact if column in _NAME_COLUMNS else 2 * exact
        kept = sorted(
            (
                value
                for value, share in shares.items()
                if share > floor and held[value] >= _MIN_COMMON_HOLDERS
            ),
            key=lambda value: (-shares[value], value),
        )
        if column not in _NAME_COLUMNS:
            kept = kept[:_MAX_COMMON_VALUES]
        if kept or column in _NAME_COLUMNS:
            common[column] = {value: round(shares[value], 9) for value in sorted(kept)}
    return common


_MAX_COMMON_VALUES = 200
_MIN_COMMON_HOLDERS = 3


def _extra_value(record: PersonRecord, *, name: str) -> str:
    return normalise_place(record.extra.get(name, ""))


def _dob_place_key(record: PersonRecord) -> str:
    """The date of birth with the postcode where there is one: in a large register many
    people share a birthday, few a birthday and an address."""
    if record.dob is None or record.dob_approximate:
        return ""
    return f"{record.dob.isoformat()}|{normalise_postcode(record.postcode)}"


def _name_key(record: PersonRecord) -> str:
    given, family = name_tokens(record.given), name_tokens(record.family)
    return f"{given[0]}|{''.join(family)}" if given and family else ""


# Each estimation session: the pairs agreeing on one thing, and the columns that thing fixes
# (whose m the session cannot learn, since every pair in it agrees on them).
_SESSIONS = (
    (_dob_place_key, frozenset({"dob", "postcode"})),
    (_name_key, frozenset({"given", "family"})),
)


def _em_m(
    patterns: Counter[tuple[tuple[str, str], ...]],
    u: dict[str, dict[str, float]],
    start_m: dict[str, dict[str, float]],
    *,
    max_iterations: int,
    tolerance: float,
) -> tuple[dict[str, dict[str, float]], int]:
    """m by expectation-maximisation with u held at its random-sample values."""
    m = {column: dict(levels) for column, levels in start_m.items()}
    total = sum(patterns.values()) + _PSEUDO_PAIRS
    prior = 0.5
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (reported)
        # The starting values count as a few pairs' worth of evidence, so a level a small
        # data set never shows among matches keeps a sensible m instead of none.
        expected: defaultdict[str, defaultdict[str, float]] = defaultdict(
            lambda: defaultdict(float)
        )
        for column, levels in start_m.items():
            for level, value in levels.items():
                expected[column][level] += _PSEUDO_PAIRS * prior * value
        matched = _PSEUDO_PAIRS * prior
        for pattern, count in patterns.items():
            odds = prior / (1 - prior)
            for column, level in pattern:
                odds *= max(m[column][level], _MIN_PROBABILITY) / max(
                    u[column][level], _MIN_PROBABILITY
                )
            share = count * odds / (1 + odds)
            matched += share
            for column, level in pattern:
                expected[column][level] += share
        new_prior = min(max(matched / total, _MIN_PROBABILITY), 1 - _MIN_PROBABILITY)
        new_m = {
            column: _normalised(
                {level: expected[column][level] for level in levels}, fallback=levels
            )
            for column, levels in m.items()
        }
        change = abs(new_prior - prior) + max(
            (abs(new_m[c][lvl] - m[c][lvl]) for c in new_m for lvl in new_m[c]), default=0.0
        )
        prior, m = new_prior, new_m
        if change < tolerance:
            break
    return m, iterations


def estimate_parameters(
    records: Sequence[PersonRecord],
    pairs: Sequence[tuple[int, int]],
    *,
    groups: Sequence[int] | None = None,
    seed: int = 1,
    u_sample: int = 30_000,
    session_pairs: int = 30_000,
    candidate_sample: int = 20_000,
    max_iterations: int = 60,
    tolerance: float = 1e-6,
) -> LinkageParameters:
    """u by random sampling, m by expectation-maximisation, then the prior; deterministic.

    As splink does, m is estimated in sessions of pairs that agree on one thing (the same
    date of birth and address; the same name), each learning the other fields' m: among pairs chosen
    that way, two different people agree on the other fields about as often as random pairs
    do, so u from the random sample holds. The prior, the chance a random pair of records is
    one person, is the fixed point of the expected matches among the candidate `pairs`
    (every other pair is taken as two people) over all pairs.
    """
    # Imported here: the columnar comparisons are built on this module's.
    from matching.columnar import Columns, comparison_patterns

    compared = Columns.of(records)

    def patterns_of(chosen: Sequence[tuple[int, int]]) -> list[tuple[tuple[str, str], ...]]:
        """Each pair's levels but those missing (`_present(_compare(...).levels)`), compared
        in columns."""
        both = np.asarray(chosen, dtype=np.int64).reshape(-1, 2)
        return comparison_patterns(compared, both[:, 0], both[:, 1])

    rng = random.Random(seed)  # noqa: S311 - sampling for estimation, not security
    sampled = patterns_of(list(_random_pairs(u_sample, len(records), groups, rng)))
    u = _frequencies(sampled)
    common = _exact_u_from_values(records, groups, u)
    floor = 0.5 / max(len(sampled), 1)

    # The prior needs only the spread of candidate pairs' patterns: a sample of them, scaled.
    sample = (
        list(pairs) if len(pairs) <= candidate_sample else rng.sample(list(pairs), candidate_sample)
    )
    scale = len(pairs) / max(len(sample), 1)
    candidate_patterns: Counter[tuple[tuple[str, str], ...]] = Counter(patterns_of(sample))
    levels_seen: dict[str, set[str]] = defaultdict(set)
    for pattern in candidate_patterns:
        for column, level in pattern:
            levels_seen[column].add(level)

    learned: dict[str, list[tuple[dict[str, float], int]]] = defaultdict(list)
    iterations = 0
    for key_of, fixed in _SESSIONS:
        session = _blocked_pairs(records, key_of, groups=groups, limit=session_pairs)
        patterns: Counter[tuple[tuple[str, str], ...]] = Counter(
            tuple((column, level) for column, level in pattern if column not in fixed)
            for pattern in patterns_of(session)
        )
        for pattern in patterns:
            for column, level in pattern:
                levels_seen[column].add(level)
        columns: dict[str, set[str]] = defaultdict(set)
        for pattern in patterns:
            for column, level in pattern:
                columns[column].add(level)
        for column, levels in columns.items():
            table = u.setdefault(column, {})
            for level in levels:
                table.setdefault(level, floor)
        start = {
            column: _normalised({level: _start_m(column, level) for level in levels})
            for column, levels in columns.items()
        }
        if not patterns:
            continue
        m_session, used = _em_m(
            patterns, u, start, max_iterations=max_iterations, tolerance=tolerance
        )
        iterations += used
        for column, table in m_session.items():
            learned[column].append((table, len(session)))

    m: dict[str, dict[str, float]] = {}
    for column, levels in levels_seen.items():
        table = u.setdefault(column, {})
        for level in levels:
            table.setdefault(level, floor)
        estimates = learned.get(column)
        if estimates:
            weight = sum(n for _, n in estimates)
            m[column] = _normalised(
                {
                    level: sum(est.get(level, 0.0) * n for est, n in estimates) / weight
                    for level in levels
                }
            )
        else:
            m[column] = _normalised({level: _start_m(column, level) for level in levels})

    all_pairs = _pair_count(len(records), groups)
    prior = min(0.5, len(records) / max(all_pairs, 1))
    for _ in range(100):
        expected = 0.0
        for pattern, count in candidate_patterns.items():
            log2_odds = math.log2(prior / (1 - prior)) + sum(
                math.log2(max(m[c][lvl], _MIN_PROBABILITY) / max(u[c][lvl], _MIN_PROBABILITY))
                for c, lvl in pattern
            )
            expected += count * scale * _probability(log2_odds)
        new_prior = min(max(expected / max(all_pairs, 1), 1e-12), 0.5)
        if abs(new_prior - prior) <= prior * 1e-4:
            prior = new_prior
            break
        prior = new_prior
    return LinkageParameters(
        prior=prior,
        m={column: dict(sorted(levels.items())) for column, levels in sorted(m.items())},
        u={column: dict(sorted(u[column].items())) for column in sorted(m)},
        trained_on_pairs=len(pairs),
        iterations=iterations,
        common=common,
    )


def _present(levels: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((column, level) for column, level in levels if level != MISSING)


def _pair_count(size: int, groups: Sequence[int] | None) -> int:
    if groups is None:
        return size * (size - 1) // 2
    counts = Counter(groups)
    total = sum(counts.values())
    return (total * total - sum(n * n for n in counts.values())) // 2


def _normalised(
    table: dict[str, float], *, fallback: dict[str, float] | None = None
) -> dict[str, float]:
    total = sum(table.values())
    if total <= 0:
        return dict(fallback) if fallback else {k: 1 / len(table) for k in table}
    return {level: max(value / total, _MIN_PROBABILITY) for level, value in table.items()}


# --- Scoring ---------------------------------------------------------------------------------


def evidence_strength(weight: float) -> str:
    """How much one comparison counted, in words. Weights are bits of evidence (log2 of how
    much likelier the agreement is for one person than for two)."""
    if weight >= 5:
        return "strong evidence for"
    if weight >= 1:
        return "evidence for"
    if weight > -1:
        return "little evidence either way"
    if weight > -5:
        return "evidence against"
    return "strong evidence against"


_NAME_COLUMNS = ("given", "family")


def _shared_name(a: PersonRecord, b: PersonRecord, column: str) -> str:
    """The name both main records hold in `column` ("" when they agree only through an
    alias: that agreement keeps the average weight)."""
    given = column == "given"
    name_a = frequency_key(a.given if given else a.family, given=given)
    name_b = frequency_key(b.given if given else b.family, given=given)
    return name_a if name_a == name_b else ""


def _shared_value(a: PersonRecord, b: PersonRecord, column: str) -> str:
    """The value both records hold in `column`, as its frequency is counted; "" if they
    agree only through an alias or a form the counts do not hold."""
    if column in _NAME_COLUMNS:
        return _shared_name(a, b, column)
    if column.startswith("extra:"):
        name = column.removeprefix("extra:")
        value_a, value_b = _extra_value(a, name=name), _extra_value(b, name=name)
    elif column in _EXACT_VALUE:
        value_a, value_b = _EXACT_VALUE[column](a), _EXACT_VALUE[column](b)
    else:
        return ""
    return value_a if value_a == value_b else ""


# How the explanation names a common value, by field.
_COMMON_VALUE_NOUN = {
    "given": "a name",
    "family": "a name",
    "dob": "a date of birth",
    "postcode": "a postcode",
}


# A single disagreeing field with everything else agreeing strongly: likely, never definite,
# so a person still looks (twins share all but a given name; a parent and child all but a
# date of birth).
BELOW_DEFINITE = 0.99


# Dates of birth this many years apart or more are a parent's and a child's, not a slip.
_GENERATION_YEARS = 12


def _within_a_generation(a: PersonRecord, b: PersonRecord) -> bool:
    if a.dob is None or b.dob is None:
        return False
    return abs(a.dob.year - b.dob.year) < _GENERATION_YEARS


def _not_two_real_names(a: PersonRecord, b: PersonRecord) -> bool:
    """Two given names that are both real, known names (Darren and Lee) are two people:
    twins and siblings share everything else. One the name lists do not know is more
    often a garbled entry, a transliteration or a name given to one agency only."""
    first_a, first_b = name_tokens(a.given)[:1], name_tokens(b.given)[:1]
    return not (
        first_a
        and first_b
        and first_a[0] in _KNOWN_GIVEN_NAMES
        and first_b[0] in _KNOWN_GIVEN_NAMES
    )


def _conflict_explained(cap: FieldComparison) -> FieldComparison:
    label = cap.field
    what = (
        "twins and siblings share a family name, date of birth and address"
        if label == "Given name"
        else "a parent and child can share a name and an address"
    )
    return FieldComparison(
        label,
        "conflict",
        0.0,
        f"{label}: wholly different, but everything else agrees strongly, so this is "
        f"likely rather than certain: {what}, so a person should check",
    )


def score_with(a: PersonRecord, b: PersonRecord, params: LinkageParameters) -> MatchResult:
    """How likely `a` and `b` are one person under the fitted model, with the reasons.

    Identifier rules decide first, exactly as `matching.scoring.score` does. Otherwise
    each field's level adds its fitted weight to the prior odds; an exact agreement on a
    common value (a name, a date, a postcode, a town) counts for less than on a rare one.
    A wholly different given name or date of birth holds the score below "likely", unless
    it is the only field that disagrees, the others alone would make the pair certain, and
    it is not what relatives show (two real given names, as twins have; dates of birth a
    generation apart, as a parent and child have): then the pair is at most "likely"
    (`BELOW_DEFINITE`), so a person still checks it. Two such disagreements, or
    identifiers that disagree, hold it below "likely" whatever else agrees.
    """
    compared = _compare(a, b, rule_levels=False)
    if compared.rule is not None:
        return MatchResult(
            compared.rule_score or 0.0,
            decision_for(compared.rule_score or 0.0),
            compared.items,
            rule=compared.rule,
            model_version=params.version,
        )
    items: list[FieldComparison] = []
    log2_odds = params.prior_log2_odds
    weights: dict[str, float] = {}
    for column, level in compared.levels:
        if level == MISSING:
            continue
        weight, share = params.weight(column, level), None
        if level == "exact":
            weight, share = params.exact_weight(column, _shared_value(a, b, column))
        log2_odds += weight
        weights[column] = weight
        text = compared.texts.get(column)
        if text is None:
            continue
        label = text.split(":", 1)[0]
        noun = _COMMON_VALUE_NOUN.get(column, "a value")
        common = f", {noun} {share:.1%} of records hold" if share is not None else ""
        items.append(
            FieldComparison(
                label, level, round(weight, 2), f"{text}{common} ({evidence_strength(weight)})"
            )
        )
    for item in compared.items:
        if item.field == "Alias":
            items.insert(0, item)
    probability = _probability(log2_odds)
    identifiers_conflict = any(i.field == "Identifiers" for i in compared.caps)
    if len(compared.caps) == 1 and not identifiers_conflict:
        cap = compared.caps[0]
        column = "given" if cap.field == "Given name" else "dob"
        rest = _probability(log2_odds - weights.get(column, 0.0))
        if (
            rest >= DEFINITE_THRESHOLD
            and probability >= LIKELY_THRESHOLD
            and (_not_two_real_names(a, b) if column == "given" else _within_a_generation(a, b))
        ):
            if probability > BELOW_DEFINITE:
                probability = BELOW_DEFINITE
            items.append(_conflict_explained(cap))
            return MatchResult(
                probability, decision_for(probability), tuple(items), model_version=params.version
            )
    for cap in compared.caps:
        if probability > CONFLICT_CAP:
            probability = CONFLICT_CAP
            items.append(cap)
    rule = "conflicting_identifiers" if identifiers_conflict else None
    decision = decision_for(probability)
    return MatchResult(probability, decision, tuple(items), rule=rule, model_version=params.version)


# --- The whole batch -------------------------------------------------------------------------


def agreement_of(result: MatchResult, *, threshold: float = 0.5) -> Agreement:
    """How a scored pair counts when records are grouped into people: a match at
    `threshold` or more; clearly two people when an identifier rules it out or a wholly
    different given name or date of birth held the score down."""
    if (result.rule or "").startswith("different_"):
        return Agreement.DIFFERENT
    held = any(item.level == "conflict" for item in result.explanation)
    if held and result.score <= CONFLICT_CAP:
        return Agreement.DIFFERENT
    return Agreement.MATCH if result.score >= threshold else Agreement.UNSURE


def group_people(
    records: Sequence[PersonRecord],
    matches: Iterable[tuple[int, int, float]],
    params: LinkageParameters,
    *,
    threshold: float = 0.5,
) -> list[list[int]]:
    """The matched records grouped into people (`matching.clusters.clusters`): `matches`
    are (i, j, score) at `threshold` or more; pairs blocking never compared are scored
    when a group needs them."""

    def agreement(i: int, j: int) -> Agreement:
        return agreement_of(score_with(records[i], records[j], params), threshold=threshold)

    return clusters(len(records), [match for match in matches if match[2] >= threshold], agreement)


@dataclass(frozen=True)
class LinkResult:
    matches: list[tuple[int, int, MatchResult]]
    params: LinkageParameters
    candidate_pairs: int
    seconds: dict[str, float]
    blocking: Blocking | None = None
    people: list[list[int]] | None = None  # the matches grouped, when asked for

    @property
    def compared(self) -> list[tuple[int, int]]:
        """Every pair blocking put forward (the matches are among them)."""
        return self.blocking.pairs if self.blocking is not None else []


def kept_pairs(
    records: Sequence[PersonRecord],
    pairs: Sequence[tuple[int, int]],
    params: LinkageParameters,
    *,
    threshold: float,
    columns: Columns | None = None,
    batch: int = 500_000,
) -> list[tuple[int, int]]:
    """The pairs scoring `threshold` or more, in their order, scored in columns
    (`matching.columnar.score_pairs`, the same scores as `score_with`) a batch at a time;
    `columns` are the records' columns when the caller has read them already."""
    # Imported here: the columnar scorer is built on this module's weights and scorer.
    from matching.columnar import Columns, score_pairs

    if not pairs:
        return []
    columns = columns if columns is not None else Columns.of(records)
    both = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    kept: list[tuple[int, int]] = []
    for start in range(0, len(both), batch):
        part = both[start : start + batch]
        scores = score_pairs(columns, part[:, 0], part[:, 1], params)
        chosen = part[scores >= threshold]
        kept += [(int(i), int(j)) for i, j in chosen.tolist()]
    return kept


def link(
    records: Sequence[PersonRecord],
    *,
    groups: Sequence[int] | None = None,
    params: LinkageParameters | None = None,
    threshold: float = 0.5,
    one_to_one: bool = False,
    seed: int = 1,
    max_block: int = 500,
    group: bool = False,
) -> LinkResult:
    """Block, estimate (unless `params` is given), score; the pairs at or above `threshold`.

    `one_to_one` keeps, greedily by score, at most one match per record: right when each
    group holds each person at most once (two clean files), wrong for deduplication.
    `group` also groups the matches into people (`group_people`), timed as "group".
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    blocking = block(records, groups=groups, max_block=max_block)
    pairs = blocking.pairs
    seconds["block"] = time.perf_counter() - started
    if params is None:
        mark = time.perf_counter()
        params = estimate_parameters(records, pairs, groups=groups, seed=seed)
        seconds["estimate"] = time.perf_counter() - mark
    mark = time.perf_counter()
    matches = [
        (i, j, score_with(records[i], records[j], params))
        for i, j in kept_pairs(records, pairs, params, threshold=threshold)
    ]
    matches.sort(key=lambda match: (-match[2].score, match[0], match[1]))
    if one_to_one:
        used: set[int] = set()
        kept = []
        for i, j, result in matches:
            if i in used or j in used:
                continue
            used.update((i, j))
            kept.append((i, j, result))
        matches = kept
    seconds["score"] = time.perf_counter() - mark
    people = None
    if group:
        mark = time.perf_counter()
        people = group_people(
            records, [(i, j, r.score) for i, j, r in matches], params, threshold=threshold
        )
        seconds["group"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    return LinkResult(matches, params, len(pairs), seconds, blocking, people)
