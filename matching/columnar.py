"""The batch scorer in columns: every candidate pair's score at once, in numpy.

`matching.linkage.score_with` explains one pair in words, field by field; building those
sentences costs far more than the comparisons themselves, and most candidate pairs are
dropped. So the batch job scores all its pairs here first, with the same levels, weights and
caps in the same order, and asks `score_with` for the reasons only of the pairs it keeps.
The two must agree to the last bit for every pair (tests/matching/test_columnar.py):

- each record's names, date of birth, postcode, gender, identifiers and extra fields are
  read once (`Columns.of`) into integer codes over a vocabulary of the values seen;
- a pair's level for each field comes from comparing codes (exact agreement, identifiers,
  postcodes, dates of birth digit by digit) and, for names and extra text, from rapidfuzz's
  batch functions (`process.cpdist`) run once per distinct pair of values;
- the weights are looked up per level and summed with the prior in the order `score_with`
  sums them, so the floating-point result is the same number;
- a record with aliases is compared under each of its names, and the pairing of names the
  one-record scorer would choose (the best total of names and date of birth, the first of
  equals) gives the levels, as `matching.scoring.score` chooses it;
- the rare pairs whose identifiers say both yes and no are scored by `score_with`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import jellyfish
import numpy as np
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.process import cpdist

from matching.compare import (
    _DOB_WEIGHTS,
    _FAMILY_WEIGHTS,
    _GIVEN_WEIGHTS,
    _MISTYPED_YEAR_SPAN,
    _SWAP_PENALTY,
    CONFLICT_CAP,
    DEFINITE_IDENTIFIER_KINDS,
    EXCLUDING_IDENTIFIER_KINDS,
    DobLevel,
    NameLevel,
    _normalise_gender,
    _normalise_identifier,
)
from matching.linkage import (
    _EXTRA_SIMILAR_MIN,
    _GENERATION_YEARS,
    BELOW_DEFINITE,
    MISSING,
    LinkageParameters,
    _extra_value,
    score_with,
)
from matching.names import (
    _KNOWN_GIVEN_NAMES,
    _PHONETIC_MIN_SIMILARITY,
    _SIMILAR_MIN,
    _TABLES,
    _nysiis,
    _outward,
    name_tokens,
    normalise_postcode,
    postcode_sector,
)
from matching.records import DEFINITE_THRESHOLD, LIKELY_THRESHOLD, PersonRecord

__all__ = ["Columns", "comparison_patterns", "score_pairs"]

# Level codes. Names: NameLevel in this order, then "swapped" (given and family names the
# wrong way round, which the given-name column carries for both).
_NAME_LEVELS = (
    NameLevel.EXACT,
    NameLevel.VARIANT,
    NameLevel.PHONETIC,
    NameLevel.SIMILAR,
    NameLevel.OTHER_NAME,
    NameLevel.INITIAL,
    NameLevel.DIFFERENT,
    NameLevel.MISSING,
)
EXACT, VARIANT, PHONETIC, SIMILAR, OTHER_NAME, INITIAL, DIFFERENT, NAME_MISSING = range(8)
SWAPPED = 8
_NAME_LEVEL_NAMES = (*(level.value for level in _NAME_LEVELS), "swapped")

_DOB_LEVELS = (
    DobLevel.EXACT,
    DobLevel.TRANSPOSED,
    DobLevel.YEAR_OFF_BY_ONE,
    DobLevel.ONE_DIGIT,
    DobLevel.DIGITS_SWAPPED,
    DobLevel.SAME_DAY_MONTH,
    DobLevel.APPROXIMATE_SAME_YEAR,
    DobLevel.APPROXIMATE_NEAR_YEAR,
    DobLevel.DIFFERENT,
    DobLevel.MISSING,
)
_DOB_LEVEL_NAMES = tuple(level.value for level in _DOB_LEVELS)
_DOB_CHOICE = np.array([_DOB_WEIGHTS.get(level, 0.0) for level in _DOB_LEVELS], dtype=np.float64)
DOB_DIFFERENT, DOB_MISSING = 8, 9

_POSTCODE_LEVEL_NAMES = ("exact", "same_sector", "same_outward", "different", MISSING)
_GENDER_LEVEL_NAMES = ("same", "different", MISSING)
_EXTRA_LEVEL_NAMES = ("exact", "similar", "different", MISSING)
_IDENTIFIER_LEVEL_NAMES = ("identifier_different", MISSING)

# The hand-set weights the one-record scorer uses to choose straight or swapped names.
_GIVEN_CHOICE = np.array(
    [_GIVEN_WEIGHTS.get(level, 0.0) for level in _NAME_LEVELS], dtype=np.float64
)
_FAMILY_CHOICE = np.array(
    [_FAMILY_WEIGHTS.get(level, 0.0) for level in _NAME_LEVELS], dtype=np.float64
)


class _Vocabulary:
    """Distinct values, each with an integer code; "" (not recorded) is -1."""

    def __init__(self) -> None:
        self.code: dict[str, int] = {}
        self.values: list[str] = []

    def __call__(self, value: str) -> int:
        if not value:
            return -1
        code = self.code.get(value)
        if code is None:
            code = self.code[value] = len(self.values)
            self.values.append(value)
        return code

    def array(self) -> np.ndarray:
        return np.array(self.values, dtype=object)


def _codes(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int32)


@dataclass(frozen=True)
class Columns:
    """The records as columns of codes, read once for any number of pairs.

    Names and dates of birth are held per identity: each record's own names first, then
    each alias (with the record's date of birth where the alias has none), as the
    one-record scorer pairs them; `first_identity[r]` and `identities[r]` say which rows
    are record r's. For each name, the first word and the words joined (the forms
    `matching.compare` compares) are codes in `words`, and the words themselves are kept
    where a name has more than one (to find a middle name in common).
    """

    records: Sequence[PersonRecord]
    words: np.ndarray  # object array of the distinct name words
    word_length: np.ndarray
    word_known: np.ndarray  # a known given name (matching.names._KNOWN_GIVEN_NAMES)
    word_initial: np.ndarray  # code of the first letter
    word_metaphone: np.ndarray
    word_nysiis: np.ndarray
    variant_keys: np.ndarray  # word pairs (a * len(words) + b) that are name variants
    spelling_keys: np.ndarray  # word pairs that are spellings of one family name
    first_identity: np.ndarray  # per record
    identities: np.ndarray  # per record: 1 + its aliases
    given_first: np.ndarray  # per identity, from here to `digits`
    given_joined: np.ndarray
    family_first: np.ndarray
    family_joined: np.ndarray
    given_tokens: list[tuple[str, ...]]
    family_tokens: list[tuple[str, ...]]
    given_multi: np.ndarray
    family_multi: np.ndarray
    year: np.ndarray  # -1 when there is no date of birth
    month: np.ndarray
    day: np.ndarray
    digits: np.ndarray  # (identities, 8): the date as ddmmyyyy digits
    dob_approximate: np.ndarray  # per record, from here on
    dob_value: np.ndarray  # code of the ISO date, for its exact-agreement weight
    dob_values: list[str]
    postcode: np.ndarray
    postcodes: list[str]
    outward: np.ndarray
    sector: np.ndarray
    gender: np.ndarray
    identifiers: dict[str, np.ndarray]
    extras: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (codes, values)

    @classmethod
    def of(cls, records: Sequence[PersonRecord]) -> Columns:
        words = _Vocabulary()
        first_identity, identity_count = [], []
        given_first, given_joined, family_first, family_joined = [], [], [], []
        given_tokens: list[tuple[str, ...]] = []
        family_tokens: list[tuple[str, ...]] = []
        births: list[date | None] = []
        approximate, dob_code = [], []
        dobs, postcodes, outwards, sectors, genders = (_Vocabulary() for _ in range(5))
        postcode, outward, sector, gender = [], [], [], []
        kinds = {kind: _Vocabulary() for kind in DEFINITE_IDENTIFIER_KINDS}
        identifiers: dict[str, list[int]] = {kind: [] for kind in DEFINITE_IDENTIFIER_KINDS}
        extra_names = sorted({name for record in records for name in record.extra})
        extra_vocab = {name: _Vocabulary() for name in extra_names}
        extras: dict[str, list[int]] = {name: [] for name in extra_names}
        for record in records:
            first_identity.append(len(births))
            identity_count.append(1 + len(record.aliases))
            names = [(record.given, record.family, record.dob)] + [
                (alias.given, alias.family, alias.dob or record.dob) for alias in record.aliases
            ]
            for given_name, family_name, born in names:
                given, family = tuple(name_tokens(given_name)), tuple(name_tokens(family_name))
                given_tokens.append(given)
                family_tokens.append(family)
                given_first.append(words(given[0]) if given else -1)
                given_joined.append(words("".join(given)))
                family_first.append(words(family[0]) if family else -1)
                family_joined.append(words("".join(family)))
                births.append(born)
            born = record.dob
            dob_code.append(
                -1 if born is None or record.dob_approximate else dobs(born.isoformat())
            )
            approximate.append(record.dob_approximate)
            normal = normalise_postcode(record.postcode)
            postcode.append(postcodes(normal))
            outward.append(outwards(_outward(normal)) if normal else -1)
            sector.append(sectors(postcode_sector(record.postcode)))
            gender.append(genders(_normalise_gender(record.gender)))
            for kind in DEFINITE_IDENTIFIER_KINDS:
                value = record.identifiers.get(kind)
                identifiers[kind].append(
                    kinds[kind](_normalise_identifier(kind, value)) if value else -1
                )
            for name in extra_names:
                extras[name].append(extra_vocab[name](_extra_value(record, name=name)))

        vocabulary = words.values
        initials = _Vocabulary()
        phonetic, nysiis = _Vocabulary(), _Vocabulary()
        lengths = np.array([len(word) for word in vocabulary], dtype=np.int32)
        count = len(vocabulary)
        variant_keys = [
            words.code[word] * count + words.code[other]
            for word in vocabulary
            for other in _TABLES.variants.get(word, ())
            if other in words.code
        ]
        spelling_keys = [
            words.code[word] * count + words.code[other]
            for word in vocabulary
            for other in _TABLES.spelling_of.get(word, ())
            if other in words.code
        ]
        digits = np.zeros((len(births), 8), dtype=np.int8)
        for index, born in enumerate(births):
            if born is not None:
                text = f"{born.day:02d}{born.month:02d}{born.year:04d}"
                digits[index] = [int(char) for char in text[:8]]
        return cls(
            records=records,
            words=words.array(),
            word_length=lengths,
            word_known=np.array([word in _KNOWN_GIVEN_NAMES for word in vocabulary], dtype=bool),
            word_initial=_codes([initials(word[0]) for word in vocabulary]),
            word_metaphone=_codes([phonetic(jellyfish.metaphone(word)) for word in vocabulary]),
            word_nysiis=_codes([nysiis(_nysiis(word)) for word in vocabulary]),
            variant_keys=np.unique(np.array(variant_keys, dtype=np.int64)),
            spelling_keys=np.unique(np.array(spelling_keys, dtype=np.int64)),
            first_identity=np.array(first_identity, dtype=np.int64),
            identities=np.array(identity_count, dtype=np.int64),
            given_first=_codes(given_first),
            given_joined=_codes(given_joined),
            family_first=_codes(family_first),
            family_joined=_codes(family_joined),
            given_tokens=given_tokens,
            family_tokens=family_tokens,
            given_multi=np.array([len(t) > 1 for t in given_tokens], dtype=bool),
            family_multi=np.array([len(t) > 1 for t in family_tokens], dtype=bool),
            year=_codes([-1 if born is None else born.year for born in births]),
            month=_codes([-1 if born is None else born.month for born in births]),
            day=_codes([-1 if born is None else born.day for born in births]),
            digits=digits,
            dob_approximate=np.array(approximate, dtype=bool),
            dob_value=_codes(dob_code),
            dob_values=dobs.values,
            postcode=_codes(postcode),
            postcodes=postcodes.values,
            outward=_codes(outward),
            sector=_codes(sector),
            gender=_codes(gender),
            identifiers={kind: _codes(codes) for kind, codes in identifiers.items()},
            extras={
                name: (_codes(codes), extra_vocab[name].array()) for name, codes in extras.items()
            },
        )


def _per_pair(
    values: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    scorer: Callable,
    dtype: type,
) -> np.ndarray:
    """`scorer` of values[left[k]] and values[right[k]] for every k, worked out once for each
    distinct pair of codes, with rapidfuzz's batch function."""
    if not len(left):
        return np.zeros(0, dtype=dtype)
    count = max(len(values), 1)
    keys = left.astype(np.int64) * count + right
    unique, inverse = np.unique(keys, return_inverse=True)
    first, second = np.divmod(unique, count)
    result = cpdist(
        list(values[first]), list(values[second]), scorer=scorer, dtype=dtype, workers=-1
    )
    return np.asarray(result)[inverse]


def _name_levels(
    columns: Columns,
    left: np.ndarray,
    right: np.ndarray,
    whole_a: np.ndarray,
    whole_b: np.ndarray,
    tokens_a: list[tuple[str, ...]],
    tokens_b: list[tuple[str, ...]],
    multi_a: np.ndarray,
    multi_b: np.ndarray,
    *,
    given: bool,
) -> np.ndarray:
    """`matching.compare._compare_names`'s level for every pair, as codes; `whole_a` and
    `whole_b` are the word codes it compares (the first word of a given name, the words of a
    family name joined), per pair."""
    c = columns
    count = max(len(c.words), 1)
    level = np.full(len(left), -1, dtype=np.int8)
    missing = (whole_a < 0) | (whole_b < 0)
    level[missing] = NAME_MISSING
    level[~missing & (whole_a == whole_b)] = EXACT
    safe_a, safe_b = np.maximum(whole_a, 0), np.maximum(whole_b, 0)
    length_a, length_b = c.word_length[safe_a], c.word_length[safe_b]
    keys = safe_a.astype(np.int64) * count + safe_b
    if given:
        variant = (level < 0) & (length_a > 1) & (length_b > 1) & np.isin(keys, c.variant_keys)
        level[variant] = VARIANT
    close = np.flatnonzero((level < 0) & (np.minimum(length_a, length_b) > 1))
    if len(close):
        wa, wb = whole_a[close], whole_b[close]
        similarity = _per_pair(c.words, wa, wb, JaroWinkler.similarity, np.float64)
        sounds = (similarity >= _PHONETIC_MIN_SIMILARITY) & (
            (c.word_metaphone[wa] == c.word_metaphone[wb])
            | (c.word_nysiis[wa] == c.word_nysiis[wb])
        )
        shortest = np.minimum(c.word_length[wa], c.word_length[wb])
        one_edit = np.zeros(len(close), dtype=bool)
        may_edit = np.flatnonzero(~sounds & (shortest >= 3))
        if len(may_edit):
            one_edit[may_edit] = (
                _per_pair(c.words, wa[may_edit], wb[may_edit], OSA.distance, np.int32) == 1
            )
        similar = ~sounds & ((similarity >= _SIMILAR_MIN) | one_edit)
        chosen = np.full(len(close), -1, dtype=np.int8)
        chosen[sounds] = PHONETIC
        if given:
            two_names = c.word_known[wa] & c.word_known[wb]
            chosen[similar & two_names] = DIFFERENT
            chosen[similar & ~two_names] = SIMILAR
        else:
            chosen[similar] = SIMILAR
        level[close] = chosen
    if not given:
        spelling = (level < 0) & np.isin(safe_b.astype(np.int64) * count + safe_a, c.spelling_keys)
        level[spelling] = VARIANT
    # A word in common needs a name of two words or more on one side: single words in
    # common are the same word, which agreed exactly above.
    for k in np.flatnonzero((level < 0) & (multi_a | multi_b)):
        if set(tokens_a[left[k]]) & set(tokens_b[right[k]]):
            level[k] = OTHER_NAME
    if given:
        initial = (
            (level < 0)
            & ((length_a == 1) | (length_b == 1))
            & (c.word_initial[safe_a] == c.word_initial[safe_b])
        )
        level[initial] = INITIAL
    level[level < 0] = DIFFERENT
    return level


def _dob_levels(
    c: Columns, left: np.ndarray, right: np.ndarray, approximate: np.ndarray
) -> np.ndarray:
    """`matching.compare.compare_dob`'s level for every pair of identities, as codes;
    `approximate` is true where either record's date is only known roughly."""
    ya, yb = c.year[left], c.year[right]
    ma, mb, da, db = c.month[left], c.month[right], c.day[left], c.day[right]
    missing = (ya < 0) | (yb < 0)
    years_apart = np.abs(ya - yb)
    same_year = ya == yb
    same_day_month = (da == db) & (ma == mb)
    differs = c.digits[left] != c.digits[right]
    differing = differs.sum(axis=1)
    da_digits, db_digits = c.digits[left], c.digits[right]
    swapped = np.zeros(len(left), dtype=bool)
    for k in range(7):
        swapped |= (
            differs[:, k]
            & differs[:, k + 1]
            & (da_digits[:, k] == db_digits[:, k + 1])
            & (da_digits[:, k + 1] == db_digits[:, k])
        )
    exact = same_year & same_day_month
    return np.select(
        [
            missing,
            approximate & same_year,
            approximate & (years_apart <= 2),
            approximate,
            exact,
            same_year & (da == mb) & (ma == db),
            same_day_month & (years_apart == 1),
            differing == 1,
            (differing == 2) & swapped,
            same_day_month & (years_apart <= _MISTYPED_YEAR_SPAN),
        ],
        [DOB_MISSING, 6, 7, DOB_DIFFERENT, 0, 1, 2, 3, 4, 5],
        default=DOB_DIFFERENT,
    ).astype(np.int8)


def _names_and_dob(
    c: Columns, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The given-name, family-name and date-of-birth levels of each pair of records, from
    the pairing of their names and aliases the one-record scorer chooses: the best total of
    the hand-set name and date weights, names straight or swapped, the first of equals (the
    records' own names before their aliases)."""
    pairs = len(left)
    counts_a, counts_b = c.identities[left], c.identities[right]
    sizes = counts_a * counts_b
    if int(sizes.max()) == 1:
        pair_of = np.arange(pairs)
        one, other = c.first_identity[left], c.first_identity[right]
    else:
        pair_of = np.repeat(np.arange(pairs), sizes)
        starts = np.cumsum(sizes) - sizes
        offset = np.arange(len(pair_of)) - starts[pair_of]
        width = counts_b[pair_of]
        one = c.first_identity[left][pair_of] + offset // width
        other = c.first_identity[right][pair_of] + offset % width
    given = _name_levels(
        c, one, other, c.given_first[one], c.given_first[other],
        c.given_tokens, c.given_tokens, c.given_multi[one], c.given_multi[other], given=True,
    )  # fmt: skip
    family = _name_levels(
        c, one, other, c.family_joined[one], c.family_joined[other],
        c.family_tokens, c.family_tokens, c.family_multi[one], c.family_multi[other],
        given=False,
    )  # fmt: skip
    cross_given = _name_levels(
        c, one, other, c.given_first[one], c.family_first[other],
        c.given_tokens, c.family_tokens, c.given_multi[one], c.family_multi[other], given=True,
    )  # fmt: skip
    cross_family = _name_levels(
        c, one, other, c.family_joined[one], c.given_joined[other],
        c.family_tokens, c.given_tokens, c.family_multi[one], c.given_multi[other],
        given=False,
    )  # fmt: skip
    straight = _GIVEN_CHOICE[given] + _FAMILY_CHOICE[family]
    swapped = _FAMILY_CHOICE[cross_given] + _FAMILY_CHOICE[cross_family] - _SWAP_PENALTY
    is_swapped = (swapped > straight) & (cross_given <= SIMILAR) & (cross_family <= SIMILAR)
    given = np.where(is_swapped, SWAPPED, given).astype(np.int8)
    family = np.where(is_swapped, NAME_MISSING, family).astype(np.int8)
    approximate = (c.dob_approximate[left] | c.dob_approximate[right])[pair_of]
    dob = _dob_levels(c, one, other, approximate)
    if len(pair_of) == pairs:
        return given, family, dob
    total = np.where(is_swapped, swapped, straight) + _DOB_CHOICE[dob]
    starts = np.cumsum(sizes) - sizes
    best = np.maximum.reduceat(total, starts)
    position = np.arange(len(pair_of))
    chosen = np.minimum.reduceat(np.where(total == best[pair_of], position, len(pair_of)), starts)
    return given[chosen], family[chosen], dob[chosen]


def _field_levels(
    c: Columns, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Level codes of names, date of birth, postcode and gender for each pair."""
    given, family, dob = _names_and_dob(c, left, right)
    pa, pb = c.postcode[left], c.postcode[right]
    postcode = np.select(
        [
            (pa < 0) | (pb < 0),
            pa == pb,
            (c.outward[left] == c.outward[right]) & (c.sector[left] == c.sector[right])
            & (c.sector[left] >= 0),
            c.outward[left] == c.outward[right],
        ],
        [4, 0, 1, 2],
        default=3,
    )  # fmt: skip
    ga, gb = c.gender[left], c.gender[right]
    gender = np.select([(ga < 0) | (gb < 0), ga == gb], [2, 0], default=1)
    return given, family, dob, postcode, gender


def _extra_levels(
    c: Columns, name: str, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Level codes of an extra field (exact, similar, different, missing) and the codes
    of the left-hand values."""
    codes, values = c.extras[name]
    ea, eb = codes[left], codes[right]
    present = (ea >= 0) & (eb >= 0)
    level = np.where(present, np.where(ea == eb, 0, 2), 3)
    check = np.flatnonzero(level == 2)
    if len(check):
        similarity = _per_pair(values, ea[check], eb[check], JaroWinkler.similarity, np.float64)
        level[check[similarity >= _EXTRA_SIMILAR_MIN]] = 1
    return level, ea


def _identifier_agreement(
    c: Columns, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair: an identifier agrees; a PNC ID differs (ruling a match out); another
    identifier differs."""
    size = len(left)
    agree = np.zeros(size, dtype=bool)
    exclude = np.zeros(size, dtype=bool)
    differ = np.zeros(size, dtype=bool)
    for kind, codes in c.identifiers.items():
        a, b = codes[left], codes[right]
        both = (a >= 0) & (b >= 0)
        agree |= both & (a == b)
        if kind in EXCLUDING_IDENTIFIER_KINDS:
            exclude |= both & (a != b)
        else:
            differ |= both & (a != b)
    return agree, exclude, differ


def comparison_patterns(
    columns: Columns, left: np.ndarray, right: np.ndarray
) -> list[tuple[tuple[str, str], ...]]:
    """For each pair, the (column, level) of every field both records hold, in the order
    `matching.linkage` lists them: what estimation counts. A pair an identifier rule
    decides has the level "identifier_same" or "identifier_different" for identifiers, and
    its other fields compared as usual."""
    c = columns
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    if not len(left):
        return []
    agree, exclude, differ = _identifier_agreement(c, left, right)
    given, family, dob, postcode, gender = _field_levels(c, left, right)
    identifier = np.where(agree & ~exclude, 0, np.where(exclude | differ, 1, 2))
    names = {
        "given": np.array([*_NAME_LEVEL_NAMES], dtype=object)[given],
        "family": np.array([*_NAME_LEVEL_NAMES], dtype=object)[family],
        "dob": np.array([*_DOB_LEVEL_NAMES], dtype=object)[dob],
        "postcode": np.array([*_POSTCODE_LEVEL_NAMES], dtype=object)[postcode],
        "gender": np.array([*_GENDER_LEVEL_NAMES], dtype=object)[gender],
        "identifiers": np.array(["identifier_same", "identifier_different", MISSING], dtype=object)[
            identifier
        ],
    }
    for name in c.extras:
        level, _ = _extra_levels(c, name, left, right)
        names[f"extra:{name}"] = np.array([*_EXTRA_LEVEL_NAMES], dtype=object)[level]
    order = list(names)
    return [
        tuple((column, level) for column, level in zip(order, row, strict=True) if level != MISSING)
        for row in zip(*(names[column].tolist() for column in order), strict=True)
    ]


def _table(params: LinkageParameters, column: str, names: Sequence[str]) -> np.ndarray:
    return np.array([params.weight(column, name) for name in names], dtype=np.float64)


def _exact_weights(params: LinkageParameters, column: str, values: Sequence[str]) -> np.ndarray:
    """The weight of agreeing exactly on each value (common values count for less), with
    one more entry, last, for code -1."""
    weights = [params.exact_weight(column, value)[0] for value in values]
    return np.array([*weights, params.exact_weight(column, "")[0]], dtype=np.float64)


def _shared(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The code both sides hold, or -1 (the last entry of `_exact_weights`) where they differ."""
    return np.where(a == b, a, -1)


def _probability(log2_odds: np.ndarray) -> np.ndarray:
    # float_power calls the C library's pow, as math.pow does; np.power's vectorised pow
    # can differ in the last bit, and a score must be the same number either way.
    return 1.0 / (1.0 + np.float_power(2.0, -np.clip(log2_odds, -60.0, 60.0)))


def score_pairs(
    columns: Columns,
    left: np.ndarray,
    right: np.ndarray,
    params: LinkageParameters,
) -> np.ndarray:
    """The score `score_with(records[left[k]], records[right[k]], params)` gives, for every k."""
    c = columns
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    size = len(left)
    scores = np.zeros(size, dtype=np.float64)
    if not size:
        return scores

    # Identifier rules first, as `matching.scoring.score` applies them.
    agree, exclude, differ = _identifier_agreement(c, left, right)
    scores[agree & ~exclude] = 1.0
    # Identifiers that say both yes and no go through the one-pair scorer.
    by_hand = agree & exclude
    todo = np.flatnonzero(~(agree | exclude))
    for k in np.flatnonzero(by_hand):
        scores[k] = score_with(c.records[left[k]], c.records[right[k]], params).score
    if not len(todo):
        return scores
    left, right, differ = left[todo], right[todo], differ[todo]
    given, family, dob, postcode, gender = _field_levels(c, left, right)
    pa = c.postcode[left]

    # The weights, summed with the prior in the order `score_with` adds them.
    given_weight = _table(params, "given", _NAME_LEVEL_NAMES)[given]
    exact_given = _exact_weights(params, "given", list(c.words))
    # An exact agreement weighs by how common the value both records' own entries share is
    # (the average when they agree only through an alias), as `score_with` reads it.
    main_a, main_b = c.first_identity[left], c.first_identity[right]
    given_weight = np.where(
        given == EXACT, exact_given[_shared(c.given_first[main_a], c.given_first[main_b])],
        given_weight,
    )  # fmt: skip
    family_names = list(_NAME_LEVEL_NAMES[:SWAPPED])
    family_weight = _table(params, "family", family_names)[family]
    exact_family = _exact_weights(params, "family", list(c.words))
    family_weight = np.where(
        family == EXACT, exact_family[_shared(c.family_joined[main_a], c.family_joined[main_b])],
        family_weight,
    )  # fmt: skip
    dob_weight = _table(params, "dob", _DOB_LEVEL_NAMES)[dob]
    exact_dob = _exact_weights(params, "dob", c.dob_values)
    dob_weight = np.where(
        dob == 0, exact_dob[_shared(c.dob_value[left], c.dob_value[right])], dob_weight
    )
    postcode_weight = _table(params, "postcode", _POSTCODE_LEVEL_NAMES)[postcode]
    exact_postcode = _exact_weights(params, "postcode", c.postcodes)
    postcode_weight = np.where(postcode == 0, exact_postcode[pa], postcode_weight)
    gender_weight = _table(params, "gender", _GENDER_LEVEL_NAMES)[gender]
    identifier_weight = _table(params, "identifiers", _IDENTIFIER_LEVEL_NAMES)[
        np.where(differ, 0, 1)
    ]
    log2_odds = np.full(len(left), params.prior_log2_odds, dtype=np.float64)
    for weight in (
        given_weight,
        family_weight,
        dob_weight,
        postcode_weight,
        gender_weight,
        identifier_weight,
    ):
        log2_odds += weight
    for name, (_codes_of, values) in c.extras.items():
        level, ea = _extra_levels(c, name, left, right)
        column = f"extra:{name}"
        weight = _table(params, column, _EXTRA_LEVEL_NAMES)[level]
        exact_extra = _exact_weights(params, column, list(values))
        log2_odds += np.where(level == 0, exact_extra[ea], weight)

    probability = _probability(log2_odds)
    # A wholly different given name or date of birth holds the pair down (see score_with).
    given_cap = given == DIFFERENT
    dob_cap = dob == DOB_DIFFERENT
    one_cap = given_cap ^ dob_cap
    cap_weight = np.where(given_cap, given_weight, dob_weight)
    rest = _probability(log2_odds - cap_weight)
    first_a, first_b = c.given_first[main_a], c.given_first[main_b]
    known_a = c.word_known[np.maximum(first_a, 0)] & (first_a >= 0)
    known_b = c.word_known[np.maximum(first_b, 0)] & (first_b >= 0)
    not_two_real_names = ~(known_a & known_b)
    ya, yb = c.year[main_a], c.year[main_b]
    within_a_generation = (ya >= 0) & (yb >= 0) & (np.abs(ya - yb) < _GENERATION_YEARS)
    excused = (
        one_cap
        & (rest >= DEFINITE_THRESHOLD)
        & (probability >= LIKELY_THRESHOLD)
        & np.where(given_cap, not_two_real_names, within_a_generation)
    )
    probability = np.where(excused, np.minimum(probability, BELOW_DEFINITE), probability)
    held = (given_cap | dob_cap) & ~excused
    probability = np.where(held, np.minimum(probability, CONFLICT_CAP), probability)
    scores[todo] = probability
    return scores
