"""The plan in a table: rows to objectives, actions and numbered steps, each step's lead
(matched to an agency of the partnership where it names one) and progress, and the
warnings the coordinator should see before importing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from actions.importing.dates import DueDateReader, financial_year_of, plan_financial_year
from actions.importing.rag import RagRead, leading_rating, read_rating
from actions.importing.text import (
    Numbered,
    clean_line,
    clean_text,
    first_date,
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
    rag: str | None = None  # as the plan gives it, in a RAG column or opening the progress

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "text": self.text,
            "lead_text": self.lead_text,
            "lead_agency": self.lead_agency,
            "due": self.due.isoformat() if self.due else None,
            "progress": self.progress,
            "not_started": self.not_started,
            "rag": self.rag,
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
    strategic_links: str = ""
    steps: list[ParsedStep] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "row": self.row,
            "title": self.title,
            "description": self.description,
            "outcomes": self.outcomes,
            "strategic_links": self.strategic_links,
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
    # Rows read as the rest of the row above, split by a page break: {"row", "into", "text"}.
    joined: list[dict] = field(default_factory=list)

    @property
    def continuations(self) -> int:
        return len(self.joined)

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
            "joined": self.joined,
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
    """Builds the plan row by row; `rows` are the table's rows with their numbers.

    `kept_apart` holds the numbers of rows the coordinator chose not to join to the row
    above: each is read as a step of its own under the action above it."""

    def __init__(
        self,
        mapping: dict[str, int],
        today: date,
        agencies: Sequence[AgencyName],
        kept_apart: Iterable[int] = (),
    ):
        self.mapping = mapping
        self.today = today
        self.names = agency_names_for_matching(agencies)
        self.kept_apart = set(kept_apart)
        self.plan = ParsedPlan()
        self.dates = DueDateReader(financial_year_of(today))
        # Steps made from the action cell alone ("Title", no numbered steps): replaced by the
        # action's milestone rows where the plan has them.
        self._placeholder: ParsedAction | None = None
        # Each milestone's timescale as written, by action: the action's timescale is theirs.
        self._wordings: dict[int, list[str]] = {}

    def cell(self, cells: list[str], key: str) -> str:
        index = self.mapping.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    def warn(self, row: int, text: str, action: str = "") -> None:
        self.plan.warnings.append({"row": row, "action": action, "text": text})

    def _is_step_row(self, number: int, cells: list[str]) -> bool:
        """A row with no objective or action that is a step of the action above: a
        milestone row, or a row the coordinator chose to keep apart."""
        return number in self.kept_apart or bool(clean_text(self.cell(cells, "milestone")))

    def read(self, rows: Sequence[tuple[int, list[str]]]) -> ParsedPlan:
        self.dates = DueDateReader(
            plan_financial_year(
                (self.cell(cells, "timescale") for _, cells in rows), today=self.today
            )
        )
        # 1. Rows of the plan: page-break continuations joined to the row they continue,
        # each named in the preview so the coordinator can keep it apart instead.
        merged: list[tuple[int, list[str]]] = []
        for number, cells in rows:
            cells = list(cells)
            objective_text = clean_text(self.cell(cells, "objective"))
            action = clean_text(self.cell(cells, "action"))
            if not objective_text and not action and not self._is_step_row(number, cells):
                if not merged:
                    self.warn(number, "The row is not under any action, so it was not imported.")
                    continue
                into, previous = merged[-1]
                shown = next((clean_line(value) for value in cells if value.strip()), "")
                for index, value in enumerate(cells):
                    if value.strip():
                        previous[index] = _join_continued(previous[index], value)
                self.plan.joined.append({"row": number, "into": into, "text": shorten(shown, 120)})
                continue
            merged.append((number, cells))
        # 2. Objectives, actions, and the steps of milestone rows.
        objective: ParsedObjective | None = None
        for number, cells in merged:
            title = clean_line(self.cell(cells, "objective"))
            if title and (objective is None or title != objective.title):
                objective = ParsedObjective(number, shorten(title, TITLE_LENGTH))
                if len(title) > TITLE_LENGTH:
                    self.warn(number, f"The objective was shortened to {TITLE_LENGTH} characters.")
                self.plan.objectives.append(objective)
            if not clean_text(self.cell(cells, "action")):
                if self._is_step_row(number, cells) and objective and objective.actions:
                    self._add_step_row(objective, number, cells)
                    continue
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
            made = self.action(number, cells, len(objective.actions) + 1, len(self.plan.objectives))
            objective.actions.append(made)
            if clean_text(self.cell(cells, "milestone")):
                # The action's own row names its first milestone, with that milestone's
                # lead, timescale and progress.
                made.steps = [self._row_step(1, number, cells, self._label(objective))]
                made.timescale, made.due = "", None
                self._placeholder = None
                self._timescale_of(made, cells)
        for each in self.plan.objectives:
            for read in each.actions:
                wordings = self._wordings.get(id(read))
                if wordings:
                    joined = "; ".join(dict.fromkeys(wordings))
                    read.timescale = shorten(joined, TIMESCALE_LENGTH)
                dues = [step.due for step in read.steps if step.due]
                if (read.due is None or wordings) and dues:
                    read.due = max(dues)
        return self.plan

    def _label(self, objective: ParsedObjective) -> str:
        return f"{self.plan.objectives.index(objective) + 1}.{len(objective.actions)}"

    def _add_step_row(self, objective: ParsedObjective, number: int, cells: list[str]) -> None:
        action = objective.actions[-1]
        if self._placeholder is action:
            # The action's row named no milestone: its one step is the action's title,
            # unless the row gave it progress of its own.
            [only] = action.steps
            if not only.progress:
                action.steps = []
            self._placeholder = None
        label = self._label(objective)
        step = self._row_step(len(action.steps) + 1, number, cells, label)
        action.steps.append(step)
        self._timescale_of(action, cells)
        links = clean_text(self.cell(cells, "strategic_links"))
        if links and links not in action.strategic_links:
            action.strategic_links = "\n".join(filter(None, (action.strategic_links, links)))
        if number in self.kept_apart:
            self.warn(
                number,
                f"Row {number} is imported as step {step.number}, as you chose, rather than "
                "joined to the row above.",
                label,
            )

    def _timescale_of(self, action: ParsedAction, cells: list[str]) -> None:
        wording = " ".join(clean_text(self.cell(cells, "timescale")).split())
        if wording:
            self._wordings.setdefault(id(action), []).append(wording)

    def _row_step(self, position: int, number: int, cells: list[str], label: str) -> ParsedStep:
        """A step from one row: its milestone (or, for a row kept apart, its text), with
        the row's own lead, due date, progress and RAG."""
        text = clean_text(self.cell(cells, "milestone")) or "\n".join(
            clean_text(value)
            for key in ("action", "outcomes", "lead", "progress")
            if (value := self.cell(cells, key)).strip()
        )
        step = ParsedStep(position, text or "Step not described")
        lead = " ".join(clean_text(self.cell(cells, "lead")).split())
        step.lead_text = shorten(lead, LEAD_LENGTH)
        if lead:
            step.lead_agency = match_agency(lead, self.names)
        step.due = self.dates.due(clean_text(self.cell(cells, "timescale")))
        step.progress = clean_text(self.cell(cells, "progress"))
        step.not_started = bool(step.progress) and says_not_started(step.progress)
        self._rag(step, self.cell(cells, "rag"), number, label)
        return step

    def _rag(self, step: ParsedStep, column: str, row: int, label: str) -> None:
        """The step's RAG: from the RAG column where there is one, else from the start of its
        progress ("Green - ...")."""
        read: RagRead | None = None
        if column.strip():
            read = read_rating(clean_line(column))
            if read is None:
                self.warn(
                    row,
                    f"The RAG “{shorten(clean_line(column), 40)}” of step {step.number} is not "
                    "a RAG rating: the step takes the RAG you choose below.",
                    label,
                )
        elif step.progress:
            read = leading_rating(step.progress)
        if read is None:
            return
        step.rag = read.rag
        if read.plain_amber:
            self.warn(
                row,
                f"Step {step.number} is rated “Amber”: it is read as Amber-Red. Change it after "
                "importing if it should be Amber-Green.",
                label,
            )

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
            due=self.dates.due(timescale_text),
            strategic_links=clean_text(self.cell(cells, "strategic_links")),
            steps=steps,
        )
        self._placeholder = None if numbered.entries else action
        if len(timescale_text) > TIMESCALE_LENGTH:
            self.warn(row, f"The timescale was shortened to {TIMESCALE_LENGTH} characters.", label)
        leads = split_numbered(self.cell(cells, "lead"))
        progress = split_numbered(self.cell(cells, "progress"))
        self._unnumbered_last_step(action, leads, progress, row, label)
        self._step_dues(action, timescale_text)
        self._leads(action, leads, row, label)
        self._progress(action, progress, row, label)
        self._step_rags(action, cells, row, label)
        self._progress_date(action, cells, row, label)
        return action

    def _step_rags(self, action: ParsedAction, cells: list[str], row: int, label: str) -> None:
        ratings = split_numbered(self.cell(cells, "rag"))
        by_step = self._by_step(ratings, action, row, label, "RAG") if "rag" in self.mapping else {}
        for step in action.steps:
            self._rag(step, by_step.get(step.number, ""), row, label)

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
            dues = [self.dates.due(line) for line in lines]
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
    kept_apart: Iterable[int] = (),
) -> ParsedPlan:
    """The plan in the table, read through the chosen columns; leads matched to `agencies`
    (the partnership's) where they name one; the rows in `kept_apart` read as steps of their
    own rather than joined to the row above."""
    return _PlanReader(mapping, today, agencies, kept_apart).read(rows)
