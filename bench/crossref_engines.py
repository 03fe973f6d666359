"""The three matchers the cross-referencing benchmark runs on the same data, each as its
documentation shows it: the project's engine (`matching.linkage.link`), splink (DuckDB,
u by random sampling, m by expectation-maximisation on blocking rules) and the
`recordlinkage` package's ECM classifier on binary comparisons. Used by
bench/crossref.py.

This module holds what they share (the run's answer, the quality arithmetic, splink's count
of candidate pairs) and the deduplication of the generated records; FEBRL4's linkage of two
files is in bench/crossref_febrl.py. Every engine function takes the data as loaded
and returns the pairs it predicts as matches, as sorted pairs of record positions, with its
wall time from that data to those pairs: preparing each engine's input is part of its time.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations

import pandas as pd
import recordlinkage
import splink
import splink.comparison_library as cl
from recordlinkage.preprocessing import phonetic
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from matching.linkage import LinkResult, link
from matching.records import PersonRecord

# One threshold for every engine: a pair is a match when its match probability is at least
# this (splink's and our engine's own scale; the ECM classifier predicts the more probable
# class, which is the same 0.5).
THRESHOLD = 0.5
IDENTIFIER_KINDS = ("pnc", "cro", "crn", "prison", "nhs")
# Pairs sampled for splink's u estimate: its FEBRL4 example recommends 1e7 or more.
SPLINK_U_PAIRS = 1e7

OURS = "Tandem (matching.linkage)"
SPLINK = f"splink {splink.__version__} (DuckDB)"
RECORDLINKAGE = f"recordlinkage {recordlinkage.__version__} (ECM)"
AS_IS = "as is"
ONE_TO_ONE = "one-to-one"

Pair = tuple[int, int]


@dataclass
class EngineRun:
    """One engine's answer on one data set."""

    engine: str
    variant: str  # AS_IS, or ONE_TO_ONE where each record may link to one other at most
    pairs: set[Pair]
    seconds: float
    candidate_pairs: int | None = None
    records: int = 0  # records it ran on (fewer than the data set's when capped)
    how: str = ""  # blocking, one-to-one method, cap: what the report says about the run
    compared: set[Pair] | None = None  # every pair its blocking put forward, where known
    people: list[list[int]] | None = None  # its matches grouped into people, where it does


@dataclass(frozen=True)
class Quality:
    """Pairs found against the true pairs: the arithmetic every engine is scored by."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @classmethod
    def of(cls, predicted: Iterable[tuple[int, int]], truth: Iterable[tuple[int, int]]) -> Quality:
        found = {(min(pair), max(pair)) for pair in predicted}
        true = {(min(pair), max(pair)) for pair in truth}
        hits = len(found & true)
        return cls(hits, len(found) - hits, len(true) - hits)

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        true = self.true_positives + self.false_negatives
        return self.true_positives / true if true else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @classmethod
    def of_people(
        cls, people: Iterable[Sequence[int]], truth: Iterable[tuple[int, int]]
    ) -> Quality:
        """Groups of records, each taken as one person, against the true pairs: every pair
        within a group counts as found (clustered precision, recall and F1)."""
        found = [pair_of(i, j) for group in people for i, j in combinations(sorted(group), 2)]
        return cls.of(found, truth)


def pair_completeness(
    compared: Iterable[tuple[int, int]], truth: Iterable[tuple[int, int]]
) -> float:
    """The share of the true pairs that blocking put forward to be compared: the recall
    no scoring can pass."""
    true = {pair_of(*pair) for pair in truth}
    if not true:
        return 0.0
    return len(true & {pair_of(*pair) for pair in compared}) / len(true)


def pair_of(i: int, j: int) -> Pair:
    return (i, j) if i < j else (j, i)


@contextmanager
def quiet() -> Iterator[None]:
    """The anchors' progress logging held back while they run (the bench prints its own)."""
    loggers = [logging.getLogger(name) for name in ("splink", "recordlinkage")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def splink_candidates(tables, rules, link_type: str, unique_id: str) -> int:
    """How many pairs splink's prediction blocking rules make, counted by splink itself
    (outside the timed work)."""
    counts = count_comparisons_from_blocking_rules(
        tables,
        blocking_rules=rules,
        link_type=link_type,
        unique_id_column_name=unique_id,
        record_sample_proportion=1.0,
    )
    return int(counts[-1]["cumulative_comparison_count"])


# --------------------------------------------------------------------------- generated data


def people_frame(records: Sequence[PersonRecord]) -> pd.DataFrame:
    """The generated records as one table for splink and recordlinkage: names lower-cased,
    the date of birth as ISO text, one column per identifier kind (empty: missing)."""

    def text(value: str) -> str | None:
        return value.strip().lower() or None

    rows = {
        "unique_id": range(len(records)),
        "given": [text(r.given) for r in records],
        "family": [text(r.family) for r in records],
        "dob": [r.dob.isoformat() if r.dob else None for r in records],
        "gender": [r.gender or None for r in records],
        "postcode": [r.postcode.upper() or None for r in records],
    }
    for kind in IDENTIFIER_KINDS:
        rows[kind] = [r.identifiers.get(kind) for r in records]
    frame = pd.DataFrame(rows)
    frame["given_family"] = frame["given"].fillna("") + " " + frame["family"].fillna("")
    return frame


def blocking_note(result: LinkResult) -> str:
    """What blocking left out of a run of our engine, for the report's "how"."""
    blocking = result.blocking
    if blocking is None or not (blocking.split_blocks or blocking.skipped_blocks):
        return ""
    return (
        f"; {blocking.split_blocks:,} blocks of a common name split by a tighter key, "
        f"{blocking.skipped_blocks:,} still too large and skipped "
        f"({blocking.skipped_records:,} records in them)"
    )


def ours_dedupe(records: Sequence[PersonRecord]) -> EngineRun:
    clock = Clock()
    result = link(list(records), threshold=THRESHOLD, group=True)
    pairs = {pair_of(i, j) for i, j, _ in result.matches}
    return EngineRun(
        OURS,
        AS_IS,
        pairs,
        clock.seconds(),
        result.candidate_pairs,
        len(records),
        "the records as they are (names, date of birth, gender, postcode, identifiers and "
        "aliases); its own blocking keys and fitted parameters; matches grouped into people "
        "by `matching.linkage.group_people`" + blocking_note(result),
        compared=set(result.compared),
        people=result.people,
    )


def splink_dedupe(frame: pd.DataFrame) -> EngineRun:
    """splink's deduplication example (deduplicate_50k_synthetic) on this data's columns:
    ForenameSurnameComparison (which scores swapped names), DateOfBirthComparison,
    PostcodeComparison, exact matches on gender and each identifier; the probability two
    random records match from deterministic rules, u by random sampling, m by EM on names
    and on date of birth; predictions at 0.5."""
    clock = Clock()
    rules = [
        block_on("substr(given,1,3)", "substr(family,1,4)"),
        block_on("family", "dob"),
        block_on("given", "dob"),
        block_on("postcode", "given"),
        block_on("postcode", "family"),
        "l.given = r.family and l.family = r.given",
        block_on("dob", "substr(postcode,1,3)"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.ForenameSurnameComparison(
                "given", "family", forename_surname_concat_col_name="given_family"
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("gender"),
            *(cl.ExactMatch(kind) for kind in IDENTIFIER_KINDS),
        ],
    )
    api = DuckDBAPI()
    table = api.register(frame)
    linker = Linker(table, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given", "family", "dob"), block_on("dob", "postcode")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=SPLINK_U_PAIRS)
    for rule in (block_on("given", "family"), block_on("dob")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    result = predictions.as_duckdbpyrelation().project("unique_id_l, unique_id_r").fetchall()
    pairs = {pair_of(int(left), int(right)) for left, right in result}
    seconds = clock.seconds()
    return EngineRun(
        SPLINK,
        AS_IS,
        pairs,
        seconds,
        splink_candidates(table, rules, "dedupe_only", "unique_id"),
        len(frame),
        "its deduplication example's model on this data's columns: "
        "ForenameSurnameComparison (scores swapped names), DateOfBirthComparison, "
        "PostcodeComparison, exact gender and identifiers; the probability two random "
        "records match from deterministic rules at recall 0.6; u by random sampling "
        f"({SPLINK_U_PAIRS:.0e} pairs); m by EM on name and date-of-birth blocks; the "
        "example's blocking rules for prediction plus swapped names; one row a record, so "
        "aliases are not compared",
    )


# recordlinkage compares every candidate pair in pandas, one Python call per pair for the
# string comparisons: past this many pairs its time runs to many minutes and its memory to
# gigabytes, so it runs on the first records only (as many as keep it under this).
RECORDLINKAGE_MAX_PAIRS = 4_000_000
RL_BLOCKS = (
    ("dob",),
    ("given_key", "family_key"),
    ("family_key", "birth_year"),
    ("given_key", "birth_year"),
    ("postcode",),
)


def _rl_keys(frame: pd.DataFrame) -> pd.DataFrame:
    data = frame.set_index("unique_id")
    return data.assign(
        given_key=phonetic(data["given"].fillna(""), "nysiis"),
        family_key=phonetic(data["family"].fillna(""), "nysiis"),
        birth_year=data["dob"].str[:4],
    )


def rl_pairs_estimate(data: pd.DataFrame) -> int:
    """Pairs the blocking passes make, counted from block sizes (pairs two passes share are
    counted twice; swapped names are left out): an upper bound, cheap at any size."""
    total = 0
    for columns in RL_BLOCKS:
        sizes = data.dropna(subset=list(columns)).groupby(list(columns)).size()
        sizes = sizes[sizes > 1]
        total += int((sizes * (sizes - 1) // 2).sum())
    return total


def recordlinkage_dedupe(
    frame: pd.DataFrame, *, max_pairs: int = RECORDLINKAGE_MAX_PAIRS
) -> EngineRun:
    """Blocking passes like our engine's keys (date of birth; phonetic names; a phonetic
    name with the year of birth; postcode; names swapped), binary comparisons per field
    (Jaro-Winkler at 0.85 for names, exact for the rest), ECM fit and predict."""
    clock = Clock()
    data = _rl_keys(frame)
    estimate = full_estimate = rl_pairs_estimate(data)
    while estimate > max_pairs:
        keep = max(2, int(len(data) * math.sqrt(max_pairs / estimate) * 0.95))
        data = data.head(keep)
        estimate = rl_pairs_estimate(data)
    index = recordlinkage.Index()
    for columns in RL_BLOCKS:
        index.block(list(columns))
    index.block(left_on=["given_key", "family_key"], right_on=["family_key", "given_key"])
    candidates = index.index(data)
    compare = recordlinkage.Compare()
    compare.string("given", "given", method="jarowinkler", threshold=0.85, label="given")
    compare.string("family", "family", method="jarowinkler", threshold=0.85, label="family")
    compare.exact("dob", "dob", label="dob")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("gender", "gender", label="gender")
    for kind in IDENTIFIER_KINDS:
        compare.exact(kind, kind, label=kind)
    features = compare.compute(candidates, data)
    links = recordlinkage.ECMClassifier().fit_predict(features)
    pairs = {pair_of(int(a), int(b)) for a, b in links}
    blocks = "; ".join(" + ".join(columns) for columns in RL_BLOCKS)
    how = (
        f"Index: blocks on {blocks}; given and family phonetic keys swapped; binary "
        "comparisons (Jaro-Winkler 0.85 on names, exact on the rest); one row a record, so "
        "aliases are not compared"
    )
    if len(data) < len(frame):
        how += (
            f"; CAPPED: run on the first {len(data):,} of {len(frame):,} records, as the "
            f"whole set's blocks make about {full_estimate:,} pairs (over the "
            f"{max_pairs:,} it can compare in a few minutes); scored on the true pairs "
            "among those records"
        )
    return EngineRun(RECORDLINKAGE, AS_IS, pairs, clock.seconds(), len(candidates), len(data), how)
