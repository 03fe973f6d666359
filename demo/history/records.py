"""The demo history as plain records, planned first and written in bulk afterwards, so the
planning can be read (and its numbers checked) without the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from demo.history.people import Person


@dataclass
class Stay:
    """A time on a panel's cohort (a CohortMembership)."""

    person: Person
    panel: str
    start: date
    referred_on: date
    referred_by: str  # the demo staff member who referred
    reason: str
    end: date | None = None
    exit_reason: str = ""
    iom_strand: str = ""
    statutory: bool | None = None
    ogrs_band: str = ""
    consent_to_share: bool | None = None
    requirement: str = ""
    treatment_start: date | None = None
    treatment_completed: date | None = None

    def on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Discussion:
    """A person on a held meeting's agenda, discussed, with the RAG the panel decided."""

    person: Person
    panel: str
    meeting: str  # "main" or "mid_month"
    day: date
    reason: str
    notes: str
    rag: str = ""
    detail: str = ""
    escalate: bool = False


@dataclass(eq=False)
class OffenceRecord:
    person: Person
    offence_type: str
    day: date
    outcome: str
    agency: str


@dataclass
class CustodyRecord:
    person: Person
    entered: date
    released: date | None
    reason: str
    offence: OffenceRecord | None
    establishment: str


@dataclass
class EventRecord:
    person: Person
    kind: str
    day: date
    summary: str
    author: str  # demo staff username; the event is recorded by their agency


@dataclass
class History:
    stays: list[Stay] = field(default_factory=list)
    discussions: list[Discussion] = field(default_factory=list)
    offences: list[OffenceRecord] = field(default_factory=list)
    custody: list[CustodyRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
