"""Offences, arrests and custody for the demo history, in the mix a borough's prolific
offenders show: mostly acquisitive crime, then drugs and violence."""

# The random stream is seeded on purpose, for the same demo every time; none makes a secret.
# ruff: noqa: S311

from __future__ import annotations

import random
from datetime import date, timedelta

from demo.history.people import Person
from demo.history.records import CustodyRecord, EventRecord, History, OffenceRecord

# (offence type, weight): IOM cohorts are chosen for burglary, robbery and theft.
IOM_OFFENCES = [
    ("theft", 28),
    ("burglary", 20),
    ("drugs", 11),
    ("violence", 11),
    ("vehicle", 9),
    ("robbery", 8),
    ("damage", 5),
    ("public_order", 4),
    ("weapons", 2),
    ("fraud", 1),
    ("other", 1),
]
# The offences that bring a custodial sentence are the more serious ones.
SENTENCED_OFFENCES = [
    ("burglary", 30),
    ("robbery", 15),
    ("violence", 15),
    ("theft", 14),
    ("drugs", 15),
    ("vehicle", 7),
    ("weapons", 4),
]
# People on drug and alcohol treatment requirements: shoplifting to fund a habit, possession.
DIP_OFFENCES = [
    ("theft", 45),
    ("drugs", 25),
    ("burglary", 12),
    ("public_order", 6),
    ("violence", 6),
    ("fraud", 3),
    ("damage", 3),
]
OUTCOMES = [
    "Community order",
    "Fine",
    "Conditional discharge",
    "No further action",
    "Charged; awaiting court",
    "Suspended sentence order",
]
PRISONS = ["HMP Pentonville", "HMP Thameside", "HMP Wandsworth", "HMP Belmarsh", "HMP Brixton"]
WOMEN_PRISON = "HMP Bronzefield"


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in weighted], [w for _, w in weighted])[0]


def offend(
    history: History,
    rng: random.Random,
    person: Person,
    day: date,
    *,
    mix: list[tuple[str, int]],
    arrest_chance: float,
    today: date,
    outcome: str = "",
) -> OffenceRecord:
    """An offence on `day`, and often an arrest for it a few days later (not after today)."""
    offence = OffenceRecord(
        person=person,
        offence_type=pick(rng, mix),
        day=day,
        outcome=outcome or rng.choice(OUTCOMES),
        agency="police",
    )
    history.offences.append(offence)
    arrested = day + timedelta(days=rng.randint(0, 7))
    if rng.random() < arrest_chance and arrested < today:
        history.events.append(
            EventRecord(
                person=person,
                kind="arrest",
                day=arrested,
                summary=f"Arrested on suspicion of {_label(offence.offence_type)}.",
                author="police",
            )
        )
    return offence


def offences_between(
    history: History,
    rng: random.Random,
    person: Person,
    start: date,
    end: date,
    *,
    count: int,
    mix: list[tuple[str, int]],
    today: date,
    arrest_chance: float = 0.0,
) -> None:
    """`count` offences on random days from start to end (never today or later)."""
    end = min(end, today - timedelta(days=1))
    if end < start:
        return
    for _ in range(count):
        day = start + timedelta(days=rng.randint(0, (end - start).days))
        offend(history, rng, person, day, mix=mix, arrest_chance=arrest_chance, today=today)


def custody(
    history: History,
    rng: random.Random,
    person: Person,
    *,
    entered: date,
    days: int,
    reason: str,
    offence: OffenceRecord | None,
    today: date,
) -> date | None:
    """A time in custody from `entered` for `days`; returns the release day, or None when
    the person is still inside today."""
    released: date | None = entered + timedelta(days=days)
    if released is not None and released >= today:
        released = None
    history.custody.append(
        CustodyRecord(
            person=person,
            entered=entered,
            released=released,
            reason=reason,
            offence=offence,
            establishment=WOMEN_PRISON if person.gender == "female" else rng.choice(PRISONS),
        )
    )
    return released


def _label(offence_type: str) -> str:
    return {
        "theft": "theft (shoplifting)",
        "burglary": "burglary",
        "drugs": "possession with intent to supply",
        "violence": "assault occasioning actual bodily harm",
        "vehicle": "theft of a motor vehicle",
        "robbery": "robbery",
        "damage": "criminal damage",
        "public_order": "a public order offence",
        "weapons": "possession of a bladed article",
        "fraud": "fraud by false representation",
    }.get(offence_type, "an offence")
