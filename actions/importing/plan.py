"""The plan in a table: rows to objectives, actions and numbered steps, each step's lead
(matched to an agency of the partnership where it names one) and progress, and the
warnings the coordinator should see before importing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from actions.importing.text import (
    Numbered,
    clean_line,
    clean_text,
    first_date,
    only_date,
    says_not_started,
    shorten,
    split_numbered,
)

# The model's limits, so that a long cell is shortened with a warning, not refused.
TITLE_LENGTH = 500
LEAD_LENGTH = 500
TIMESCALE_LENGTH = 200


# --- Agencies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyName:
    """An agency a lead may name."""

    pk: int
    name: str
    code: str
    kind: str


# The words plans use for each kind of agency. Used only where the partnership has one
# agency of that kind, so that "Police" is the borough's police and never a guess.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "council": ("council", "community safety", "local authority", "public health"),
    "police": ("police", "mps", "met police", "metropolitan police", "snt"),
    "probation": (
        "probation",
        "nps",
        "crc",
        "national probation service",
        "community rehabilitation company",
        "offender managers",
        "offender manager",
    ),
    "drug_service": ("drug service", "drug and alcohol", "drugs and alcohol", "substance misuse"),
    "housing": ("housing",),
    "dwp": ("dwp", "jobcentre", "jobcentre plus", "job centre", "department for work and pensions"),
    "youth_offending": ("yos", "yot", "youth offending", "youth justice"),
    "health": ("nhs", "ccg", "clinical commissioning group", "mental health", "health"),
    "voluntary": ("voluntary", "vcs", "third sector"),
}


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split()) + " "


def agency_names_for_matching(agencies: Iterable[AgencyName]) -> list[tuple[str, int]]:
    """(words, agency pk) for each way a lead may name an agency: its name, its code, and
    its kind's usual words where it is the partnership's only agency of that kind."""
    agencies = list(agencies)
    kinds: dict[str, list[AgencyName]] = {}
    for agency in agencies:
        kinds.setdefault(agency.kind, []).append(agency)
    names: list[tuple[str, int]] = []
    for agency in agencies:
        names.append((_words(agency.name), agency.pk))
        code = _words(agency.code)
        if len(code.strip()) >= 3:
            names.append((code, agency.pk))
            # A generated borough's codes are "<borough>-police": the last word names it.
            last = " " + code.split()[-1] + " "
            if last != code and len(last.strip()) >= 3:
                names.append((last, agency.pk))
        if len(kinds[agency.kind]) == 1:
            names.extend((_words(word), agency.pk) for word in KIND_WORDS.get(agency.kind, ()))
    return names


def match_agency(lead: str, names: Sequence[tuple[str, int]]) -> int | None:
    """The agency a lead names first ("CRC/ NPS and Police" is probation's), the longest
    name winning where two start at the same word ("LBH Housing" is housing's); None where
    it names no known agency ("Family Mosaic", "All Partners")."""
    text = _words(lead)
    best: tuple[int, int, int] | None = None
    for words, pk in names:
        start = text.find(words)
        if start < 0:
            continue
        key = (start, -len(words), pk)
        if best is None or key < best:
            best = key
    return best[2] if best else None


# --- The plan -------------------------------------------------------------------------------


@dataclass
class ParsedStep:
    number: int
    text: str
    lead_text: str = ""
    lead_agency: int | None = None
    due: date | None = None
    progress: str = ""
    not_started: bool = False

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "text": self.text,
            "lead_text": self.lead_text,
            "lead_agency": self.lead_agency,
            "due": self.due.isoformat() if self.due else None,
            "progress": self.progress,
            "not_started": self.not_started,
        }


@dataclass
class ParsedAction:
    row: int
    title: str
    description: str = ""
    outcomes: str = ""
    timescale: str = ""
    due: date | None = None
    progress_on: date | None = None
    steps: list[ParsedStep] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "row": self.row,
            "title": self.title,
            "description": self.description,
            "outcomes": self.outcomes,
            "timescale": self.timescale,
            "due": self.due.isoformat() if self.due else None,
            "progress_on": self.progress_on.isoformat() if self.progress_on else None,
            "steps": [step.as_json() for step in self.steps],
        }


@dataclass
class ParsedObjective:
    row: int
    title: str
    actions: list[ParsedAction] = field(default_factory=list)


@dataclass
class ParsedPlan:
    objectives: list[ParsedObjective] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # {"row", "action", "text"}
    continuations: int = 0

    def as_json(self) -> dict:
        return {
            "objectives": [
                {
                    "row": objective.row,
                    "title": objective.title,
                    "actions": [action.as_json() for action in objective.actions],
                }
                for objective in self.objectives
            ],
            "warnings": self.warnings,
            "continuations": self.continuations,
        }


def _steps_named(numbers: list[int], *, verb: bool = True) -> str:
    """ "Step 3 has", "Steps 1 and 4 have"; without the verb, "step 3", "steps 1 and 4"."""
    listed = ", ".join(str(n) for n in numbers[:-1]) + (" and " if len(numbers) > 1 else "")
    listed += str(numbers[-1])
    if not verb:
        return f"step {listed}" if len(numbers) == 1 else f"steps {listed}"
    return f"Step {listed} has" if len(numbers) == 1 else f"Steps {listed} have"


def _join_continued(before: str, after: str) -> str:
    """A cell split by a page break, put back together: where the first part stops
    mid-sentence, the paragraph the page break closed and the one it opened are one."""
    before, after = before.rstrip(), after.lstrip()
    if not before:
        return after
    if not after:
        return before
    visible = clean_text(before)
    if visible and visible[-1] not in ".!?:;)":
        before = re.sub(r"(?:\s*</p>\s*)+$", "", before, flags=re.I)
        after = re.sub(r"^(?:<p\b[^>]*>\s*)+", "", after, flags=re.I)
    return f"{before} {after}"


def _title_and_rest(text: str) -> tuple[str, str]:
    """A title from the first line of a text, and the text's other lines."""
    lines = text.split("\n")
    title, rest = lines[0], "\n".join(lines[1:])
    if len(title) > TITLE_LENGTH:
        return shorten(title, TITLE_LENGTH), text
    return title, rest


class _PlanReader:
    """Builds the plan row by row; `rows` are the table's rows with their numbers."""

    def __init__(self, mapping: dict[str, int], today: date, agencies: Sequence[AgencyName]):
        self.mapping = mapping
        self.today = today
        self.names = agency_names_for_matching(agencies)
        self.plan = ParsedPlan()

    def cell(self, cells: list[str], key: str) -> str:
        index = self.mapping.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    def warn(self, row: int, text: str, action: str = "") -> None:
        self.plan.warnings.append({"row": row, "action": action, "text": text})

    def read(self, rows: Sequence[tuple[int, list[str]]]) -> ParsedPlan:
        # 1. Rows of the plan: page-break continuations joined to the row they continue.
        merged: list[tuple[int, list[str]]] = []
        for number, cells in rows:
            cells = list(cells)
            objective_text = clean_text(self.cell(cells, "objective"))
            action = clean_text(self.cell(cells, "action"))
            if not objective_text and not action:
                if not merged:
                    self.warn(number, "The row is not under any action, so it was not imported.")
                    continue
                previous = merged[-1][1]
                for index, value in enumerate(cells):
                    if value.strip():
                        previous[index] = _join_continued(previous[index], value)
                self.plan.continuations += 1
                continue
            merged.append((number, cells))
        # 2. Objectives and actions.
        objective: ParsedObjective | None = None
        for number, cells in merged:
            title = clean_line(self.cell(cells, "objective"))
            if title and (objective is None or title != objective.title):
                objective = ParsedObjective(number, shorten(title, TITLE_LENGTH))
                if len(title) > TITLE_LENGTH:
                    self.warn(number, f"The objective was shortened to {TITLE_LENGTH} characters.")
                self.plan.objectives.append(objective)
            if not clean_text(self.cell(cells, "action")):
                if any(
                    clean_text(self.cell(cells, key)) for key in self.mapping if key != "objective"
                ):
                    self.warn(
                        number,
                        "The row has no project or action, so its other cells were not imported.",
                    )
                continue
            if objective is None:
                objective = ParsedObjective(number, "Objective not given")
                self.plan.objectives.append(objective)
                self.warn(
                    number,
                    "The first action has no strategy objective: it is put under "
                    "“Objective not given”.",
                )
            objective.actions.append(
                self.action(number, cells, len(objective.actions) + 1, len(self.plan.objectives))
            )
        return self.plan

    def action(
        self, row: int, cells: list[str], position: int, objective_number: int
    ) -> ParsedAction:
        label = f"{objective_number}.{position}"
        numbered = split_numbered(self.cell(cells, "action"))
        if numbered.entries:
            title, description = _title_and_rest(numbered.preamble)
            steps: list[ParsedStep] = []
            for entry in numbered.entries:
                if len(entry.numbers) > 1:
                    self.warn(
                        row,
                        f"Step {entry.numbers[0]} is numbered as several steps "
                        "in the plan; it is imported as one.",
                        label,
                    )
                if entry.text and (not steps or entry.numbers[0] > steps[-1].number):
                    steps.append(ParsedStep(entry.numbers[0], entry.text))
            if not steps:  # numbers with nothing after them: the cell is one step
                steps = [ParsedStep(1, clean_text(self.cell(cells, "action")))]
            if not title:
                title = shorten(steps[0].text.split("\n")[0], TITLE_LENGTH)
        else:
            title, description = _title_and_rest(numbered.preamble)
            steps = [ParsedStep(1, numbered.preamble)]
        timescale_text = clean_text(self.cell(cells, "timescale"))
        action = ParsedAction(
            row=row,
            title=title,
            description=description,
            outcomes=clean_text(self.cell(cells, "outcomes")),
            timescale=shorten(timescale_text.replace("\n", "; "), TIMESCALE_LENGTH),
            due=first_date(timescale_text),
            steps=steps,
        )
        if len(timescale_text) > TIMESCALE_LENGTH:
            self.warn(row, f"The timescale was shortened to {TIMESCALE_LENGTH} characters.", label)
        leads = split_numbered(self.cell(cells, "lead"))
        progress = split_numbered(self.cell(cells, "progress"))
        self._unnumbered_last_step(action, leads, progress, row, label)
        self._step_dues(action, timescale_text)
        self._leads(action, leads, row, label)
        self._progress(action, progress, row, label)
        self._progress_date(action, cells, row, label)
        return action

    def _unnumbered_last_step(self, action, leads: Numbered, progress: Numbered, row, label):
        """A paragraph after the last numbered step is a step of its own when the leads or
        progress number one more step than the action does: the step the writer left
        unnumbered, as in "... 4. Fourth step <p>A fifth step</p>" with leads "1. ... 5. ..."."""
        last = action.steps[-1]
        wanted = last.number + 1
        named = {n for entry in (*leads.entries, *progress.entries) for n in entry.numbers}
        lines = last.text.split("\n")
        paragraphs = [i for i, line in enumerate(lines) if i and not line.startswith("•")]
        if wanted in named and paragraphs and len(action.steps) > 1:
            split = paragraphs[0]
            last.text = "\n".join(lines[:split])
            action.steps.append(ParsedStep(wanted, "\n".join(lines[split:])))
            self.warn(
                row,
                f"Step {wanted} has no number in the plan: it is the paragraph after step "
                f"{last.number}, because the leads or progress number a step {wanted}.",
                label,
            )

    def _step_dues(self, action: ParsedAction, timescale: str) -> None:
        """One date per line, as many as the steps: each step's own due date."""
        lines = [line for line in timescale.split("\n") if line.strip()]
        if len(lines) > 1 and len(lines) == len(action.steps):
            dues = [only_date(line) for line in lines]
            if all(dues):
                for step, due in zip(action.steps, dues, strict=True):
                    step.due = due

    def _by_step(self, numbered: Numbered, action, row, label, what: str) -> dict[int, str]:
        """Each step's text from a lead or progress cell."""
        numbers = [step.number for step in action.steps]
        if not numbered.entries:
            text = numbered.preamble
            return dict.fromkeys(numbers, text) if text else {}
        found: dict[int, str] = {}
        for entry in numbered.entries:
            for number in entry.numbers:
                if number not in numbers:
                    if entry.text:
                        self.warn(
                            row,
                            f"The {what} numbered {number} has no step {number}, "
                            f"so it was not imported: “{shorten(entry.text, 120)}”",
                            label,
                        )
                    continue
                if entry.text:
                    found[number] = "\n".join(filter(None, (found.get(number), entry.text)))
        if numbered.preamble:
            self.warn(
                row,
                f"The {what} text before the first number is recorded on every "
                f"step: “{shorten(numbered.preamble, 120)}”",
                label,
            )
            for number in numbers:
                found[number] = "\n".join(filter(None, (numbered.preamble, found.get(number))))
        return found

    def _leads(self, action: ParsedAction, leads: Numbered, row, label) -> None:
        if "lead" not in self.mapping:
            return
        by_step = self._by_step(leads, action, row, label, "lead")
        unmatched: dict[str, list[int]] = {}
        missing: list[int] = []
        for step in action.steps:
            text = " ".join(by_step.get(step.number, "").split())
            step.lead_text = shorten(text, LEAD_LENGTH)
            if not text:
                missing.append(step.number)
                continue
            step.lead_agency = match_agency(text, self.names)
            if step.lead_agency is None:
                unmatched.setdefault(text, []).append(step.number)
        if missing:
            self.warn(row, f"{_steps_named(missing)} no lead.", label)
        # One warning per lead, however many steps it leads.
        for text, numbers in unmatched.items():
            self.warn(
                row,
                f"The lead “{shorten(text, 80)}” ({_steps_named(numbers, verb=False)}) names "
                "no agency of the partnership: it is kept as written, with no lead agency.",
                label,
            )

    def _progress(self, action: ParsedAction, progress: Numbered, row, label) -> None:
        if "progress" not in self.mapping:
            return
        by_step = self._by_step(progress, action, row, label, "progress")
        for step in action.steps:
            step.progress = by_step.get(step.number, "")
            step.not_started = bool(step.progress) and says_not_started(step.progress)

    def _progress_date(self, action: ParsedAction, cells, row, label) -> None:
        text = clean_line(self.cell(cells, "progress_date"))
        if not text:
            return
        written = first_date(text)
        if written is None:
            self.warn(
                row,
                f"The progress date “{text}” is not a date: the progress is dated "
                "the day it is imported.",
                label,
            )
        elif written > self.today:
            self.warn(
                row,
                f"The progress date {written:%-d %B %Y} is in the future: the "
                "progress is dated the day it is imported.",
                label,
            )
        else:
            action.progress_on = written


def parse_plan(
    rows: Sequence[tuple[int, list[str]]],
    mapping: dict[str, int],
    *,
    today: date,
    agencies: Sequence[AgencyName] = (),
) -> ParsedPlan:
    """The plan in the table, read through the chosen columns; leads matched to `agencies`
    (the partnership's) where they name one."""
    return _PlanReader(mapping, today, agencies).read(rows)
