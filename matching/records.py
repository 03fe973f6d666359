"""A person's record as the engine compares it, and the scorer's results and thresholds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

MODEL_VERSION = "fs-1"


class AliasName(NamedTuple):
    """Another name (and, if different, date of birth) a person has used."""

    given: str
    family: str
    dob: date | None = None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One agency's record of a person: what the scorer compares.

    `identifiers` maps a kind ("pnc", "cro", "crn", "prison", "nhs", "local") to its value;
    values are normalised before comparison, so raw input is fine. `gender` is free text
    ("male", "M", "female", ...); unknown values are ignored.
    """

    given: str
    family: str
    dob: date | None = None
    dob_approximate: bool = False
    gender: str = ""
    postcode: str = ""
    identifiers: Mapping[str, str] = field(default_factory=dict)
    aliases: Sequence[AliasName] = ()
    # Other text an agency holds, such as an address line: compared by matching.linkage
    # (exactly or closely) with weights fitted to the data; `score` leaves it out.
    extra: Mapping[str, str] = field(default_factory=dict)


class Decision(StrEnum):
    DEFINITE = "definite"
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """How one field compared: its level, its weight (bits of evidence) and a sentence."""

    field: str
    level: str
    weight: float
    text: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The scorer's answer. `rule` names an identifier rule that decided it, if one did."""

    score: float
    decision: Decision
    explanation: tuple[FieldComparison, ...]
    rule: str | None = None
    model_version: str = MODEL_VERSION

    @property
    def summary(self) -> str:
        """The explanation as one line, for a search result or a review queue."""
        return "; ".join(item.text for item in self.explanation)


# Probability thresholds for each decision. DEFINITE needs about 10 bits of evidence beyond
# the prior: for example name and date of birth agreeing plus a corroborating postcode, or an
# identifier. LIKELY and POSSIBLE separate "review first" from "show as a maybe".
DEFINITE_THRESHOLD = 0.999


LIKELY_THRESHOLD = 0.90


POSSIBLE_THRESHOLD = 0.30
