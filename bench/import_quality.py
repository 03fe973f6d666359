"""Monthly-list matching quality with agency-style typing: `make bench`'s import-quality part.

Other agencies type their monthly lists by hand, and the slips are many: typos in both
names at once, a given name cut to its initial, the names the wrong way round, a date of
birth left out with only an age or a year of birth to go on, day and month swapped. This
measures what the importer does with such a list.

The records are a generated borough (`bench.synthetic.generate`, whose people are
`tests.people.generate_people`'s); the list (`agency_list`) has `rows` rows, about 70 %
of them people the borough has on record, each typed with one kind of slip of
`KNOWN_KINDS` in turn, and the rest people never recorded, a share of them deliberately
like someone on record (`NEW_KINDS`: a sibling sharing the family name and address, a
namesake born in another year). It goes through the real services as the borough's
coordinator (`import_upload`, then `import_map_columns` with the columns the importer
suggests), is not committed, and every row's outcome is then read back and classified
against the person it was made from (`classify`).

The issue's bar, on rows whose person exists: the right record linked, or offered first
among the candidates, for at least 99 %; no wrong automatic link; at least 70 % linked
without a decision. The same people and list come from the same seed on every machine;
the ages in the list are counted to the day the run is made, as a list's would be.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Agency, User
from panels.models import Panel, PanelKind
from sharing.access import recompute_panel_access
from tests.people import Person, corrupt, generate_people

PEOPLE = 2000
ROWS = 1000
KNOWN_SHARE = 0.7
# Rows whose person exists that still carry the PNC ID the agency has for them: most
# lists typed by hand have none.
IDENTIFIER_SHARE = 0.1

# How a known person's row is typed: one kind each, in turn.
KNOWN_KINDS: tuple[str, ...] = (
    "as recorded",
    "typo in one name",
    "typos in both names",
    "initial for the given name",
    "names reversed",
    "nickname",
    "day and month swapped",
    "age only",
    "year of birth only",
    "typos in both names, age only",
    "initial, year of birth only",
)
# A person never recorded: unrelated, or like someone on record.
NEW_KINDS: tuple[str, ...] = (
    "unrelated",
    "unrelated, age only",
    "sibling (same family name and postcode)",
    "namesake born in another year",
)

HEADINGS = ("Surname", "Forename", "DOB", "Age", "Gender", "Postcode", "PNC ID")
WHOLE_NAME_HEADINGS = ("Name", "DOB", "Age", "Gender", "Postcode", "PNC ID")

# How each row whose person exists came out.
LINKED_RIGHT = "linked to their own record without a decision"
OFFERED_FIRST = "own record offered first"
OFFERED_LATER = "own record offered, not first"
NOT_OFFERED = "own record not offered"
LINKED_WRONG = "linked to a wrong record"
NOT_MATCHED = "not matched (invalid or duplicate)"
KNOWN_OUTCOMES = (
    LINKED_RIGHT,
    OFFERED_FIRST,
    OFFERED_LATER,
    NOT_OFFERED,
    LINKED_WRONG,
    NOT_MATCHED,
)
# How each row of a new person came out.
NEW_CREATED = "created"
NEW_QUEUED = "queued for a decision"
NEW_LINKED = "linked to a record (wrong)"
NEW_NOT_MATCHED = "not matched (invalid or duplicate)"
NEW_OUTCOMES = (NEW_CREATED, NEW_QUEUED, NEW_LINKED, NEW_NOT_MATCHED)


@dataclass(frozen=True)
class ListRow:
    """One row of the list: its cells, how it was typed, and the record it is of."""

    cells: dict[str, str]
    kind: str
    expected: int | None  # the record's id, None for a person never recorded


@dataclass(frozen=True)
class MatchedRow:
    """What the importer made of a row: its outcome, the record it linked, and the ids of
    the candidates it offered, best first."""

    outcome: str
    nominal_id: int | None
    candidates: tuple[int, ...]


def _years_old(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _typed_name(person: Person, rng: random.Random, kind: str) -> Person:
    if "typos in both names" in kind:
        # One typo in each name, through the generator's own typo.
        typed = person
        while typed.given == person.given or typed.family == person.family:
            slip = corrupt(person, rng, "typo")
            if slip.given != person.given:
                typed = replace(typed, given=slip.given)
            else:
                typed = replace(typed, family=slip.family)
        return typed
    if kind == "typo in one name":
        return corrupt(person, rng, "typo")
    if kind.startswith("initial"):
        first = person.given.strip()[:1].upper()
        if len(person.given.strip()) < 2:
            raise ValueError("the given name is an initial already")
        return replace(person, given=first)
    if kind == "names reversed":
        return corrupt(person, rng, "swap")
    if kind == "nickname":
        return corrupt(person, rng, "nickname")
    if kind == "day and month swapped":
        return corrupt(person, rng, "dob_transposed")
    return person


def _cells(
    person: Person, *, birth: str, today: date, whole_name: bool, pnc: str = ""
) -> dict[str, str]:
    """A row as the agency writes it. `birth` is how its date of birth is given: "date",
    "age" (the date left empty) or "year" (the date column holding the year alone)."""
    dob = person.dob
    cells = {
        "DOB": (
            dob.strftime("%d/%m/%Y")
            if dob and birth == "date"
            else str(dob.year)
            if dob and birth == "year"
            else ""
        ),
        "Age": str(_years_old(dob, today)) if dob and birth == "age" else "",
        "Gender": {"male": "M", "female": "F"}.get(person.gender, ""),
        "Postcode": person.postcode,
        "PNC ID": pnc,
    }
    if whole_name:
        # As case systems export it: "FAMILY, Given".
        return {"Name": f"{person.family.upper()}, {person.given}", **cells}
    return {"Surname": person.family, "Forename": person.given, **cells}


def _birth_of(kind: str) -> str:
    if "age only" in kind:
        return "age"
    if "year of birth only" in kind:
        return "year"
    return "date"


def agency_list(
    people: list[Person],
    ids: list[int],
    *,
    rows: int,
    seed: int,
    today: date,
    whole_name: bool = False,
) -> list[ListRow]:
    """`rows` rows, about 70 % people of `people` (on record as `ids`, in the same order),
    each typed with a kind of `KNOWN_KINDS` in turn, and the rest people never recorded,
    of `NEW_KINDS` in turn; shuffled, as a list comes in no order of ours."""
    rng = random.Random(f"{seed}:import-quality")  # noqa: S311 (reproducible, not secret)
    known_count = min(round(rows * KNOWN_SHARE), len(people))
    order = rng.sample(range(len(people)), len(people))
    drawn: list[ListRow] = []
    chosen = iter(order)
    while len(drawn) < known_count:
        kind = KNOWN_KINDS[len(drawn) % len(KNOWN_KINDS)]
        index = next(chosen)
        person = people[index]
        try:
            typed = _typed_name(person, rng, kind)
        except ValueError:
            continue  # this person cannot show this slip (no nickname): the next person
        pnc = person.identifiers.get("pnc", "") if rng.random() < IDENTIFIER_SHARE else ""
        typed = replace(typed, postcode=typed.postcode if rng.random() < 0.5 else "")
        cells = _cells(typed, birth=_birth_of(kind), today=today, whole_name=whole_name, pnc=pnc)
        drawn.append(ListRow(cells, kind, ids[index]))

    strangers = iter(generate_people(rows * 2, seed + 104_729))
    others = [people[index] for index in order[known_count:]] or people
    while len(drawn) < rows:
        kind = NEW_KINDS[(len(drawn) - known_count) % len(NEW_KINDS)]
        stranger = replace(next(strangers), identifiers={}, aliases=())
        like = rng.choice(others)
        if kind.startswith("sibling"):
            dob = stranger.dob
            if like.dob is not None:
                years = rng.choice((-4, -3, -2, 2, 3, 4))
                dob = like.dob + timedelta(days=365 * years + rng.randint(-150, 150))
            if stranger.given == like.given or (
                stranger.dob is not None and like.dob is not None and dob == like.dob
            ):
                continue
            stranger = replace(stranger, family=like.family, postcode=like.postcode, dob=dob)
        elif kind.startswith("namesake"):
            if (
                like.dob is None
                or stranger.dob is None
                or abs(like.dob.year - stranger.dob.year) < 3
            ):
                continue
            stranger = replace(stranger, given=like.given, family=like.family, gender=like.gender)
        cells = _cells(stranger, birth=_birth_of(kind), today=today, whole_name=whole_name)
        drawn.append(ListRow(cells, kind, None))
    rng.shuffle(drawn)
    return drawn


def list_csv(rows: list[ListRow], *, whole_name: bool = False) -> bytes:
    headings = WHOLE_NAME_HEADINGS if whole_name else HEADINGS
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=headings)
    writer.writeheader()
    for row in rows:
        writer.writerow(row.cells)
    return output.getvalue().encode("utf-8")


def classify(row: ListRow, matched: MatchedRow) -> str:
    """The row's place among KNOWN_OUTCOMES (a person on record) or NEW_OUTCOMES."""
    if row.expected is None:
        return {"created": NEW_CREATED, "queued": NEW_QUEUED, "linked": NEW_LINKED}.get(
            matched.outcome, NEW_NOT_MATCHED
        )
    if matched.outcome == "linked":
        return LINKED_RIGHT if matched.nominal_id == row.expected else LINKED_WRONG
    if matched.outcome == "queued":
        if matched.candidates[:1] == (row.expected,):
            return OFFERED_FIRST
        if row.expected in matched.candidates:
            return OFFERED_LATER
        return NOT_OFFERED
    if matched.outcome == "created":
        return NOT_OFFERED
    return NOT_MATCHED


@dataclass
class ImportQuality:
    """Rows counted by outcome, per kind of typing, for one layout of the list."""

    layout: str
    people: int  # records on file
    rows: int
    known: dict[str, Counter[str]] = field(default_factory=dict)  # kind -> outcome -> rows
    new: dict[str, Counter[str]] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)

    def known_total(self, outcome: str | None = None, kind: str | None = None) -> int:
        kinds = [kind] if kind else list(self.known)
        return sum(
            self.known[k][outcome] if outcome else sum(self.known[k].values())
            for k in kinds
            if k in self.known
        )

    def new_total(self, outcome: str | None = None) -> int:
        return sum(
            counts[outcome] if outcome else sum(counts.values()) for counts in self.new.values()
        )

    def share(self, outcomes: tuple[str, ...], kind: str | None = None) -> float:
        total = self.known_total(kind=kind)
        if not total:
            return float("nan")
        return sum(self.known_total(outcome, kind) for outcome in outcomes) / total

    @property
    def right_linked_or_first(self) -> float:
        return self.share((LINKED_RIGHT, OFFERED_FIRST))

    @property
    def linked_without_decision(self) -> float:
        return self.share((LINKED_RIGHT,))

    @property
    def wrong_links(self) -> int:
        return self.known_total(LINKED_WRONG) + self.new_total(NEW_LINKED)

    def meets_targets(self) -> bool:
        return (
            self.right_linked_or_first >= 0.99
            and self.wrong_links == 0
            and self.linked_without_decision >= 0.70
        )

    def as_dict(self) -> dict:
        return {
            **{key: value for key, value in asdict(self).items() if key not in ("known", "new")},
            "known": {kind: dict(counts) for kind, counts in self.known.items()},
            "new": {kind: dict(counts) for kind, counts in self.new.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImportQuality:
        return cls(
            layout=data["layout"],
            people=data["people"],
            rows=data["rows"],
            known={kind: Counter(counts) for kind, counts in data["known"].items()},
            new={kind: Counter(counts) for kind, counts in data["new"].items()},
            mapping=data.get("mapping", {}),
        )


def tally(
    layout: str, people: int, rows: list[ListRow], matched: list[MatchedRow]
) -> ImportQuality:
    result = ImportQuality(layout=layout, people=people, rows=len(rows))
    for row, outcome in zip(rows, matched, strict=True):
        side = result.new if row.expected is None else result.known
        side.setdefault(row.kind, Counter())[classify(row, outcome)] += 1
    return result


def run_list(
    coordinator: User, panel: Panel, rows: list[ListRow], *, whole_name: bool
) -> tuple[list[MatchedRow], dict[str, str]]:
    """Upload the list and map it with the suggested columns, as the coordinator; each
    row's outcome, in the list's order, and the mapping used. Nothing is committed."""
    from cohorts.models import CohortImport
    from cohorts.services.imports import import_map_columns, import_upload

    cohort_import = import_upload(
        actor=coordinator,
        panel=panel,
        month=timezone.localdate().replace(day=1),
        file_name="monthly-list.csv",
        data=list_csv(rows, whole_name=whole_name),
    )
    mapping = dict(cohort_import.mapping)
    # Matched here, in this process, whatever the list's length: the worker is not running.
    with override_settings(IMPORT_BACKGROUND_ROWS=len(rows) + 1):
        import_map_columns(actor=coordinator, cohort_import=cohort_import, mapping=mapping)
    cohort_import = CohortImport.objects.get(pk=cohort_import.pk)
    by_number = {
        number: MatchedRow(outcome, nominal_id, tuple(entry["id"] for entry in candidates))
        for number, outcome, nominal_id, candidates in cohort_import.rows.values_list(
            "number", "outcome", "nominal_id", "candidates"
        )
    }
    # Row 1 holds the headings.
    return [by_number[index + 2] for index in range(len(rows))], cohort_import.mapping


LAYOUTS = {"separate name columns": False, "one whole-name column": True}


def measure_import_quality(plan, *, rows: int, seed: int) -> list[ImportQuality]:
    """Both layouts of the list against the generated borough `plan` (already in the
    database), each onto a panel of its own coordinated by the borough's council."""
    from bench.synthetic import borough_people, generated_nominal_ids

    ids = generated_nominal_ids(plan)
    people = borough_people(plan, len(ids))
    council = Agency.objects.get(code=f"{plan.code}-council")
    coordinator = User.objects.select_related("agency").get(username=f"{plan.code}-coordinator")
    today = timezone.localdate()
    results = []
    for layout, whole_name in LAYOUTS.items():
        panel = Panel.objects.create(
            kind=PanelKind.IOM, name=f"Import quality: {layout}", coordinating_agency=council
        )
        recompute_panel_access(actor=None)
        listed = agency_list(people, ids, rows=rows, seed=seed, today=today, whole_name=whole_name)
        matched, mapping = run_list(coordinator, panel, listed, whole_name=whole_name)
        result = tally(layout, len(ids), listed, matched)
        result.mapping = mapping
        results.append(result)
    return results


# --------------------------------------------------------------------------- report

HEADING = "## Monthly list matching with agency-style typing"


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _figures(result: ImportQuality) -> list[tuple[str, str]]:
    known, new = result.known_total(), result.new_total()
    return [
        (
            "right record linked or offered first (target 99 %)",
            _percent(result.right_linked_or_first),
        ),
        ("linked without a decision (target 70 %)", _percent(result.linked_without_decision)),
        ("wrong automatic links (target 0)", str(result.wrong_links)),
        *(
            (f"known rows: {outcome}", f"{result.known_total(outcome)} of {known}")
            for outcome in KNOWN_OUTCOMES
        ),
        *(
            (f"new rows: {outcome}", f"{result.new_total(outcome)} of {new}")
            for outcome in NEW_OUTCOMES
        ),
    ]


def report_lines(
    results: list[ImportQuality],
    *,
    command: str,
    seed: int,
    previous: list[ImportQuality] | None = None,
    previous_label: str = "previous engine",
    previous_source: str = "",
) -> list[str]:
    """The section: the headline figures per layout (beside `previous`, when given), then
    per kind of typing for the first layout."""
    if not results:
        return []
    first = results[0]
    before = {result.layout: result for result in previous or []}
    lines = [
        HEADING,
        "",
        f"- Command: `{command}`",
        f"- Date: {timezone.localtime():%Y-%m-%d %H:%M %Z}",
        f"- Records: {first.people:,} people of one generated borough (seed {seed}); the list: "
        f"{first.rows:,} rows, {first.known_total():,} of people on record (one kind of typing "
        f"each, in turn; {IDENTIFIER_SHARE:.0%} with their PNC ID, half with their postcode) and "
        f"{first.new_total():,} of people never recorded (a quarter unrelated, a quarter "
        "unrelated with only an age, a quarter siblings of someone on record sharing their "
        "family name and postcode, a quarter namesakes of someone on record born in another "
        "year).",
        "- Uploaded and matched as the borough's coordinator through `import_upload` and "
        "`import_map_columns` with the columns the importer suggests, not committed; each "
        "row's outcome is then checked against the person it was made from. Candidates are "
        "offered only on rows that need a decision, best first.",
        *(
            [
                f"- The {previous_label}: the same measure's figures in `{previous_source}`, "
                "kept from a run of the code before the change it is compared with."
            ]
            if previous and previous_source
            else []
        ),
        "",
    ]
    columns: list[tuple[str, ImportQuality]] = [(result.layout, result) for result in results]
    if before:
        # Side by side: each layout before, then now.
        columns = []
        for result in results:
            if result.layout in before:
                columns.append((f"{result.layout}: {previous_label}", before[result.layout]))
            columns.append((f"{result.layout}: now", result))
    lines += [
        "| figure | " + " | ".join(label for label, _ in columns) + " |",
        "| --- | " + " | ".join("---:" for _ in columns) + " |",
    ]
    table = [_figures(result) for _, result in columns]
    for i, (label, _) in enumerate(table[0]):
        lines.append(f"| {label} | " + " | ".join(figures[i][1] for figures in table) + " |")
    lines += [
        "",
        f"By kind of typing, {first.layout} (not offered: the row would make a new record, "
        "or was refused):",
        "",
        "| kind | rows | linked without a decision | right record linked or first | own record "
        "offered, not first | not offered | wrong links |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in KNOWN_KINDS:
        if kind not in first.known:
            continue
        lines.append(
            f"| {kind} | {first.known_total(kind=kind)} "
            f"| {_percent(first.share((LINKED_RIGHT,), kind))} "
            f"| {_percent(first.share((LINKED_RIGHT, OFFERED_FIRST), kind))} "
            f"| {first.known_total(OFFERED_LATER, kind)} "
            f"| {first.known_total(NOT_OFFERED, kind) + first.known_total(NOT_MATCHED, kind)} "
            f"| {first.known_total(LINKED_WRONG, kind)} |"
        )
    lines += [
        "",
        "| new person | rows | created | queued for a decision | linked to a record (wrong) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind in NEW_KINDS:
        counts = first.new.get(kind, Counter())
        lines.append(
            f"| {kind} | {sum(counts.values())} | {counts[NEW_CREATED]} | {counts[NEW_QUEUED]} "
            f"| {counts[NEW_LINKED]} |"
        )
    met = all(result.meets_targets() for result in results)
    lines += [
        "",
        "Targets (99 % right record linked or first, no wrong automatic link, 70 % linked "
        f"without a decision): {'met' if met else 'NOT met'} on "
        + ", ".join(
            f"{result.layout} ({'met' if result.meets_targets() else 'not met'})"
            for result in results
        )
        + ".",
        "",
    ]
    return lines


def save_figures(results: list[ImportQuality], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([result.as_dict() for result in results], indent=1) + "\n")


def load_figures(path: Path) -> list[ImportQuality]:
    return [ImportQuality.from_dict(item) for item in json.loads(path.read_text())]


def merge_section(existing: str, section: str) -> str:
    """The report with this section replaced by `section` (or, if it has none, `section`
    put before the interpretation, or at the end)."""
    lines = existing.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(HEADING)), None)
    if start is None:
        at = next((i for i, line in enumerate(lines) if line == "## Interpretation"), len(lines))
        return "\n".join([*lines[:at], section.rstrip(), "", *lines[at:]]) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join([*lines[:start], section.rstrip(), "", *lines[end:]]) + "\n"
