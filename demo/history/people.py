"""The made-up people of Kingsmere's two years of cohort history: names, ages, ethnicity,
where they live and what they need.

Every person is drawn from the caller's seeded random stream, so the demo gets the same
people on every machine. Names are put together from short lists, each full name used once,
and none is a name the rest of the demo (or its tests) looks for.
"""

# The random stream is seeded on purpose, for the same demo every time; none makes a secret.
# ruff: noqa: S311

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# Ethnicity as the recording agency wrote it (the report shows it as written), with the
# names usual in each group and the group's rough share of a London borough's cohort.
COMMUNITIES = [
    (
        "White British",
        0.52,
        "Jamie Connor Liam Ryan Lewis Callum Dean Craig Lee Jordan Scott Wayne Ben Jack Harry",
        "Kelly Stacey Gemma Jade Chloe Danielle Laura Emma",
        "Smith Jones Taylor Brown Wilson Davies Clarke Walker Wright Hughes Green Hall Wood "
        "Turner Hill Cooper Ward Morris Baker Marsh Carter Price Bennett Hunt Webb",
    ),
    (
        "White Irish",
        0.04,
        "Sean Patrick Declan Ciaran Niall",
        "Siobhan Niamh Aoife",
        "Murphy Kelly Byrne Doyle Gallagher Quinn",
    ),
    (
        "White Other",
        0.09,
        "Lukasz Adrian Florin Bogdan Tomasz Andrei Darius",
        "Agnieszka Ioana Monika",
        "Kowalski Popescu Ionescu Zielinski Kaminski Petrov Dumitru Balan",
    ),
    (
        "Black Caribbean",
        0.11,
        "Jerome Marcus Andre Leon Delroy Kieran Tyrell Romaine",
        "Kezia Tanisha Shereen",
        "Campbell Williams Reid Thomas Francis Grant Henry Lewis Morgan",
    ),
    (
        "Black African",
        0.08,
        "Kwame Samuel Emmanuel Kofi Tobi Abdi David Joseph",
        "Grace Blessing Amina",
        "Mensah Adebayo Owusu Mohamed Osei Nwosu Boateng Ali",
    ),
    (
        "Asian British - Pakistani",
        0.05,
        "Adil Bilal Hamza Kashif Usman Zain",
        "Sana Ayesha",
        "Khan Hussain Akhtar Mahmood Rashid Iqbal",
    ),
    (
        "Asian British - Bangladeshi",
        0.03,
        "Rahim Shahid Jamal Anwar",
        "Nazia Ruksana",
        "Miah Begum Uddin Islam Rahman",
    ),
    (
        "Mixed White and Black Caribbean",
        0.05,
        "Tyler Reece Kai Jayden Ashley",
        "Shannon Jasmine",
        "Harris Robinson Johnson Edwards Phillips",
    ),
    (
        "Any other ethnic group",
        0.02,
        "Omar Karim Reza Ahmad",
        "Leila Yasmin",
        "Hassan Karimi Ahmadi Saleh",
    ),
]
# Agencies do not always record ethnicity: a few records have none.
NOT_RECORDED = 0.04

# Ages of the IOM cohort: mostly in their twenties and thirties, none under 18 (the youth
# offending service manages children).
AGE_BANDS = [(18, 24, 0.17), (25, 34, 0.37), (35, 44, 0.29), (45, 54, 0.13), (55, 62, 0.04)]

WARDS = [
    ("Ferry", "KM2"),
    ("Castle", "KM1"),
    ("Northgate", "KM3"),
    ("Riverside", "KM2"),
    ("St Anne's", "KM4"),
    ("Millbrook", "KM5"),
    ("Harbour", "KM6"),
    ("Eastfield", "KM3"),
]

# The reducing-reoffending pathways and how often a cohort member has a need on each.
NEEDS = [
    ("drugs", 0.55),
    ("ete", 0.6),
    ("accommodation", 0.45),
    ("attitudes", 0.5),
    ("finance", 0.4),
    ("health", 0.3),
    ("alcohol", 0.25),
    ("family", 0.2),
]
WOMEN_NEEDS = [("domestic_violence", 0.45), ("prostitution", 0.12)]
NEED_LEVELS = ["low", "medium", "medium", "high", "high"]


@dataclass
class Person:
    reference: str
    given: str
    family: str
    born: date
    gender: str
    ethnicity: str
    ward: str
    postcode: str
    needs: list[tuple[str, str]] = field(default_factory=list)


class PeopleMaker:
    """Makes one new person at a time, each with a full name no one else has, numbered
    `prefix`-0001 upwards; ages are reckoned from `as_at`."""

    def __init__(self, rng: random.Random, *, prefix: str, as_at: date) -> None:
        self.rng, self.prefix, self.as_at = rng, prefix, as_at
        self.made: list[Person] = []
        self._used: set[tuple[str, str]] = set()

    def make(self, *, female_share: float) -> Person:
        rng = self.rng
        weights = [community[1] for community in COMMUNITIES]
        while True:
            ethnicity, _, men, women, families = rng.choices(COMMUNITIES, weights)[0]
            female = rng.random() < female_share
            given = rng.choice((women if female else men).split())
            family = rng.choice(families.split())
            if (given, family) not in self._used:
                break
        self._used.add((given, family))
        low, high, _ = rng.choices(AGE_BANDS, [band[2] for band in AGE_BANDS])[0]
        born = self.as_at - timedelta(days=rng.randint(low * 365 + 30, high * 365 + 330))
        ward, district = rng.choice(WARDS)
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = f"{district} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        needs = [
            (pathway, rng.choice(NEED_LEVELS))
            for pathway, chance in NEEDS + (WOMEN_NEEDS if female else [])
            if rng.random() < chance
        ]
        person = Person(
            reference=f"{self.prefix}-{len(self.made) + 1:04d}",
            given=given,
            family=family,
            born=born,
            gender="female" if female else "male",
            ethnicity="" if rng.random() < NOT_RECORDED else ethnicity,
            ward=ward,
            postcode=postcode,
            needs=needs,
        )
        self.made.append(person)
        return person
