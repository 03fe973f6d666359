"""The single-record scorer: `score(a, b)` applies the identifier rules, then sums each
field's weight of evidence into a probability and a decision, with a plain-English line for
every field; `best_matches` ranks candidates for a probe. See the package's docstring for how
the weights are set."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from matching.compare import (
    _DOB_WEIGHTS,
    _FAMILY_MU,
    _FAMILY_WEIGHTS,
    _GENDER_WEIGHTS,
    _GIVEN_MU,
    _GIVEN_WEIGHTS,
    _IDENTIFIER_DIFFERENT_MU,
    _IDENTIFIER_LABELS,
    _POSTCODE_WEIGHTS,
    _SWAP_PENALTY,
    CONFLICT_CAP,
    DEFINITE_IDENTIFIER_KINDS,
    EXCLUDING_IDENTIFIER_KINDS,
    PRIOR_LOG2_ODDS,
    DobLevel,
    NameLevel,
    _compare_names,
    _normalise_gender,
    _normalise_identifier,
    _show,
    _weight,
    compare_dob,
)
from matching.names import _outward, name_tokens, normalise_postcode
from matching.records import (
    DEFINITE_THRESHOLD,
    LIKELY_THRESHOLD,
    POSSIBLE_THRESHOLD,
    Decision,
    FieldComparison,
    MatchResult,
    PersonRecord,
)

# --- Records and results --------------------------------------------------------------------


# --- Names: normalisation -------------------------------------------------------------------


# --- Names: phonetic keys and similarity ----------------------------------------------------


# --- Names: nicknames and variants ----------------------------------------------------------


# --- Blocking keys --------------------------------------------------------------------------


# --- Field comparisons ----------------------------------------------------------------------


# --- Scoring --------------------------------------------------------------------------------


def _probability(log2_odds: float) -> float:
    # Clamp so math.pow cannot overflow on extreme sums.
    return 1.0 / (1.0 + math.pow(2.0, -max(min(log2_odds, 60.0), -60.0)))


def _decision(probability: float) -> Decision:
    if probability >= DEFINITE_THRESHOLD:
        return Decision.DEFINITE
    if probability >= LIKELY_THRESHOLD:
        return Decision.LIKELY
    if probability >= POSSIBLE_THRESHOLD:
        return Decision.POSSIBLE
    return Decision.UNLIKELY


class _Identity(NamedTuple):
    given: str
    family: str
    dob: date | None
    alias: bool


def _identities(record: PersonRecord) -> list[_Identity]:
    found = [_Identity(record.given, record.family, record.dob, False)]
    for alias in record.aliases:
        found.append(_Identity(alias.given, alias.family, alias.dob or record.dob, True))
    return found


@dataclass(frozen=True, slots=True)
class NameFrequencies:
    """How common each given name (first word) and family name is in the population searched.

    An exact agreement on a common name is weaker evidence than on a rare one (two Paul Jones
    are far likelier to be different people than two Ifeanyi Okonkwos). Build it from the
    nominals' names with `from_names` (or from a GROUP BY count of the normalised names) and
    pass it to `score`; without it the average u-probabilities above are used.
    """

    given: Mapping[str, float]
    family: Mapping[str, float]

    @classmethod
    def from_names(cls, names: Iterable[tuple[str, str]]) -> NameFrequencies:
        """Shares of each normalised given (first word) and family name among `names`."""
        given_counts: dict[str, int] = defaultdict(int)
        family_counts: dict[str, int] = defaultdict(int)
        total = 0
        for given, family in names:
            total += 1
            given_counts[frequency_key(given, given=True)] += 1
            family_counts[frequency_key(family, given=False)] += 1
        if not total:
            return cls({}, {})
        return cls(
            {name: count / total for name, count in given_counts.items() if name},
            {name: count / total for name, count in family_counts.items() if name},
        )


def frequency_key(name: str, *, given: bool) -> str:
    """The form of a name that NameFrequencies counts: a given name's first word, or the
    family name's words joined ("smithjones")."""
    tokens = name_tokens(name)
    if not tokens:
        return ""
    return tokens[0] if given else "".join(tokens)


# Bounds on a frequency-based u: a name seen once in a small population is not evidence of
# one in a million, and no name is shared by more than a fifth of people.
_MIN_NAME_U = 0.0002
_MAX_NAME_U = 0.2


def _exact_name_weight(mu: tuple[float, float], share: float | None) -> tuple[float, str]:
    """Weight of an exact name agreement, adjusted for the name's frequency if known."""
    if share is None:
        return _weight(mu), ""
    u = min(max(share, _MIN_NAME_U), _MAX_NAME_U)
    note = f", a name shared by {share:.1%} of records" if share >= 0.01 else ""
    return _weight((mu[0], u)), note


class _IdentityComparison(NamedTuple):
    total: float
    given_level: NameLevel
    dob_level: DobLevel
    items: list[FieldComparison]


def _compare_identities(
    a: _Identity, b: _Identity, *, approximate: bool, frequencies: NameFrequencies | None
) -> _IdentityComparison:
    """Names (straight or swapped) and date of birth of one pairing of names."""
    given = _compare_names(a.given, b.given, given=True)
    family = _compare_names(a.family, b.family, given=False)
    given_weight = _GIVEN_WEIGHTS.get(given.level, 0.0)
    family_weight = _FAMILY_WEIGHTS.get(family.level, 0.0)
    given_note = family_note = ""
    if frequencies is not None and given.level == NameLevel.EXACT:
        share = frequencies.given.get(frequency_key(a.given, given=True))
        given_weight, given_note = _exact_name_weight(_GIVEN_MU[NameLevel.EXACT], share)
    if frequencies is not None and family.level == NameLevel.EXACT:
        share = frequencies.family.get(frequency_key(a.family, given=False))
        family_weight, family_note = _exact_name_weight(_FAMILY_MU[NameLevel.EXACT], share)
    straight = given_weight + family_weight
    items: list[FieldComparison]
    given_level = given.level
    # Swapped: a's given name against b's family name and the other way round.
    # b's family name holds its given name here, so it compares as one (nicknames count).
    cross_given = _compare_names(a.given, b.family, given=True)
    cross_family = _compare_names(a.family, b.given, given=False)
    swapped = (
        _FAMILY_WEIGHTS.get(cross_given.level, 0.0)
        + _FAMILY_WEIGHTS.get(cross_family.level, 0.0)
        - _SWAP_PENALTY
    )
    agreeing = {NameLevel.EXACT, NameLevel.VARIANT, NameLevel.PHONETIC, NameLevel.SIMILAR}
    if swapped > straight and cross_given.level in agreeing and cross_family.level in agreeing:
        name_weight = swapped
        given_level = cross_given.level
        items = [
            FieldComparison(
                "Names",
                "swapped",
                swapped,
                f"Names: given and family names swapped ({_show(a.given)} {_show(a.family)} "
                f"vs {_show(b.given)} {_show(b.family)})",
            )
        ]
    else:
        name_weight = straight
        items = [
            FieldComparison(
                "Given name",
                given.level.value,
                given_weight,
                f"Given name: {given.text}{given_note}",
            ),
            FieldComparison(
                "Family name",
                family.level.value,
                family_weight,
                f"Family name: {family.text}{family_note}",
            ),
        ]
    dob_level, dob_text = compare_dob(a.dob, b.dob, approximate=approximate)
    dob_weight = _DOB_WEIGHTS.get(dob_level, 0.0)
    items.append(
        FieldComparison("Date of birth", dob_level.value, dob_weight, f"Date of birth: {dob_text}")
    )
    return _IdentityComparison(name_weight + dob_weight, given_level, dob_level, items)


def _identifier_rules(
    a: PersonRecord, b: PersonRecord
) -> tuple[list[str], list[str], list[FieldComparison]]:
    """Identifier kinds that agree, kinds that rule a match out, and weighted differences."""
    agree: list[str] = []
    exclude: list[str] = []
    items: list[FieldComparison] = []
    for kind in DEFINITE_IDENTIFIER_KINDS:
        value_a, value_b = a.identifiers.get(kind), b.identifiers.get(kind)
        if not value_a or not value_b:
            continue
        label = _IDENTIFIER_LABELS[kind]
        norm_a, norm_b = _normalise_identifier(kind, value_a), _normalise_identifier(kind, value_b)
        if norm_a == norm_b:
            agree.append(kind)
            items.append(FieldComparison(label, "same", 0.0, f"{label}: same ({norm_a})"))
        elif kind in EXCLUDING_IDENTIFIER_KINDS:
            exclude.append(kind)
            items.append(
                FieldComparison(
                    label,
                    "different",
                    0.0,
                    f"{label}: different ({norm_a} vs {norm_b}); a {label} belongs to one "
                    f"person, so these are different people",
                )
            )
        else:
            weight = _weight(_IDENTIFIER_DIFFERENT_MU[kind])
            items.append(
                FieldComparison(
                    label, "different", weight, f"{label}: different ({norm_a} vs {norm_b})"
                )
            )
    return agree, exclude, items


def score(
    a: PersonRecord, b: PersonRecord, *, frequencies: NameFrequencies | None = None
) -> MatchResult:
    """How likely `a` and `b` are records of the same person, with the reasons.

    1. Identifiers first: a shared PNC ID, CRO number, CRN, prison or NHS number is a
       definite match (score 1.0); different PNC IDs are a definite non-match (score 0.0).
       Identifiers that say both (shared CRN, different PNC ID) fall through to the weights
       and are held at "possible" for a person to resolve.
    2. Otherwise the weights of names (the best pairing of the names and aliases of both,
       straight or swapped), date of birth, postcode, gender and differing identifiers are
       summed with the prior and turned into a probability. With `frequencies`, exact
       agreement on a common name counts for less than on a rare one.
    """
    agree, exclude, identifier_items = _identifier_rules(a, b)
    if agree and not exclude:
        return MatchResult(
            1.0,
            Decision.DEFINITE,
            tuple(item for item in identifier_items if item.level == "same"),
            rule=f"same_{agree[0]}",
        )
    if exclude and not agree:
        return MatchResult(
            0.0,
            Decision.UNLIKELY,
            tuple(item for item in identifier_items if item.level == "different"),
            rule=f"different_{exclude[0]}",
        )

    approximate = a.dob_approximate or b.dob_approximate
    # The best pairing of either record's names and aliases: max() keeps the first of equal
    # totals, so the main names win ties and the result is deterministic.
    best, best_pair = max(
        (
            (
                _compare_identities(
                    identity_a, identity_b, approximate=approximate, frequencies=frequencies
                ),
                (identity_a, identity_b),
            )
            for identity_a in _identities(a)
            for identity_b in _identities(b)
        ),
        key=lambda pair: pair[0].total,
    )

    items: list[FieldComparison] = []
    if best_pair[0].alias or best_pair[1].alias:
        used = [
            f"{_show(identity.given)} {_show(identity.family)}"
            for identity in best_pair
            if identity.alias
        ]
        items.append(
            FieldComparison("Alias", "used", 0.0, f"Compared using the alias {' and '.join(used)}")
        )
    items += best.items

    postcode_a, postcode_b = normalise_postcode(a.postcode), normalise_postcode(b.postcode)
    if postcode_a and postcode_b:
        if postcode_a == postcode_b:
            level, text = "exact", f"same ({postcode_a})"
        elif _outward(postcode_a) == _outward(postcode_b):
            level, text = "same_outward", f"same area ({postcode_a} vs {postcode_b})"
        else:
            level, text = "different", f"different ({postcode_a} vs {postcode_b})"
        items.append(
            FieldComparison("Postcode", level, _POSTCODE_WEIGHTS[level], f"Postcode: {text}")
        )

    gender_a, gender_b = _normalise_gender(a.gender), _normalise_gender(b.gender)
    if gender_a and gender_b:
        level = "same" if gender_a == gender_b else "different"
        items.append(FieldComparison("Gender", level, _GENDER_WEIGHTS[level], f"Gender: {level}"))

    items += [item for item in identifier_items if item.level == "different"]
    log2_odds = PRIOR_LOG2_ODDS + sum(item.weight for item in items)
    probability = _probability(log2_odds)

    rule = None
    if best.given_level == NameLevel.DIFFERENT and probability > CONFLICT_CAP:
        probability = CONFLICT_CAP
        items.append(
            FieldComparison(
                "Given name",
                "conflict",
                0.0,
                "Given name: wholly different, and twins and siblings share a family name, date "
                "of birth and address, so this is not treated as likely without an identifier",
            )
        )
    if best.dob_level == DobLevel.DIFFERENT and probability > CONFLICT_CAP:
        probability = CONFLICT_CAP
        items.append(
            FieldComparison(
                "Date of birth",
                "conflict",
                0.0,
                "Date of birth: wholly different, and a parent and child can share a name and "
                "an address, so this is not treated as likely without an identifier",
            )
        )
    if agree and exclude:
        rule = "conflicting_identifiers"
        probability = min(probability, CONFLICT_CAP)
        items = identifier_items + items
        items.append(
            FieldComparison(
                "Identifiers",
                "conflict",
                0.0,
                "Identifiers: one is shared and another differs, so a person must check these "
                "records",
            )
        )
    return MatchResult(probability, _decision(probability), tuple(items), rule=rule)


def best_matches[K](
    probe: PersonRecord,
    candidates: Iterable[tuple[K, PersonRecord]],
    *,
    limit: int = 10,
    frequencies: NameFrequencies | None = None,
) -> list[tuple[K, MatchResult]]:
    """Score `probe` against (key, record) candidates and return the best `limit`, best first.

    Ties keep the candidates' order, so a stable input order gives a stable result.
    """
    scored = [(key, score(probe, record, frequencies=frequencies)) for key, record in candidates]
    scored.sort(key=lambda pair: pair[1].score, reverse=True)
    return scored[:limit]
