"""Two years of the IOM panel, planned month by month: a cohort that grows from about forty
people to about a hundred, with joiners accepted at the main panel and leavers stepped down
or moved on; everyone reviewed at the mid-month panel, the worrying ones escalated to the
next main panel; and their offending, arrests and custody before, during and after.

Each person follows a course: their risk falls (most end Green and are stepped down), rises
(more offending, arrests and custody), or stays about Amber with the odd bad or good month.
"""

# The random stream is seeded on purpose, for the same demo every time; none makes a secret.
# ruff: noqa: S311

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from demo.history.offending import (
    IOM_OFFENCES,
    SENTENCED_OFFENCES,
    custody,
    offences_between,
    offend,
)
from demo.history.people import PeopleMaker
from demo.history.records import Discussion, EventRecord, History, Stay
from meetings.schedule import month_end, nth_weekday
from reporting.periods import financial_year_of

STARTING_COHORT = 40
# Joiners a month, on average, in the history's first, second and third financial year: the
# partnership set out to grow the cohort (see the targets).
JOINERS_PER_MONTH = [2.7, 3.3, 3.6]
FEMALE_SHARE = 0.15

RED, AMBER, GREEN = 3, 2, 1
RAG = {RED: "red", AMBER: "amber", GREEN: "green"}
# Chance of going into custody in a month, by RAG: mostly the people rated Red.
CUSTODY_CHANCE = {RED: 0.09, AMBER: 0.02, GREEN: 0.003}
# Chance of an offence in a month on the cohort (out of custody), by RAG.
OFFENCE_CHANCE = {RED: 0.32, AMBER: 0.07, GREEN: 0.02}
AFTER_LEAVING_CHANCE = 0.06
# How much faster, month by month, falling risk falls in each financial year of the history.
PACE = [0.02, 0.04, 0.05]

NOTES = {
    "red": [
        "Arrested since the last panel; not keeping probation appointments.",
        "Missed two drug tests; police to make an unannounced home visit.",
        "Intelligence suggests contact with co-defendants again; licence conditions reviewed.",
        "Lost accommodation and sofa-surfing; offending has increased.",
    ],
    "amber": [
        "Engaging with the drug service; housing remains unstable.",
        "Attending appointments, but still using; keep under review.",
        "In temporary accommodation; benefits claim sorted with Jobcentre Plus.",
        "Mixed engagement this month; mentor to make contact.",
        "No new offending known; reporting as required.",
    ],
    "blue": [
        "In custody; offender manager to plan for release.",
        "On remand; the police to update the panel after the hearing.",
    ],
    "green": [
        "Completed the first month of treatment; in work two days a week.",
        "Settled accommodation and a college place; doing well.",
        "Engaging fully; consider stepping down at the next review.",
        "Testing negative; volunteering with the mentoring trust.",
    ],
}
VISITS = [
    ("police", "Home visit by the IOM police officer; at home and engaged."),
    ("probation", "Office appointment kept; sentence plan reviewed."),
    ("police", "Unannounced home visit; not at home, card left."),
    ("probation", "Joint home visit with the IOM police officer; licence conditions discussed."),
]
LEAVING = [
    "Licence ended; no longer meets the IOM criteria",
    "Moved out of Kingsmere: transferred to the new area's IOM team",
]
STEPPED_DOWN = "Risk reduced: stepped down to standard supervision"
LONG_SENTENCE = "Sentenced to a long custodial term: managed by the prison until release"


@dataclass
class Course:
    """How one person's risk goes, and where it stands."""

    kind: str  # "falling", "rising" or "steady"
    level: int
    green_months: int = 0
    last_rag: str = ""
    custody: list[tuple[date, date | None]] = field(default_factory=list)

    def step(self, rng: random.Random, *, pace: float) -> None:
        """On to next month; `pace` quickens the falls as the panel's work beds in."""
        if self.kind == "falling" and rng.random() < 0.08 + pace:
            self.level = max(GREEN, self.level - 1)
        elif self.kind == "rising" and rng.random() < 0.1:
            self.level = min(RED, self.level + 1)
        elif self.kind == "steady":
            # Mostly Amber, with the odd bad or good month: neither a fall nor a rise.
            roll = rng.random()
            self.level = RED if roll < 0.08 else GREEN if roll < 0.13 + pace else AMBER
        self.green_months = self.green_months + 1 if self.level == GREEN else 0

    def inside(self, day: date) -> bool:
        return any(
            entered <= day and (released is None or day < released)
            for entered, released in self.custody
        )


@dataclass
class IomCalendar:
    """The IOM panel's held meetings, by month: main panel and mid-month panel."""

    main: dict[date, date]
    mid: dict[date, date]
    # Whether the panel rates people in custody Blue; otherwise they are not reviewed.
    custody_rag: bool

    @property
    def months(self) -> list[date]:
        return sorted(set(self.main) | set(self.mid))


def plan_iom(
    history: History,
    rng: random.Random,
    maker: PeopleMaker,
    calendar: IomCalendar,
    *,
    start: date,
    today: date,
) -> list[tuple[Stay, Course]]:
    """Plan the IOM cohort from `start` to `today`; returns each stay with its course."""
    first_year = financial_year_of(start)
    followed = []
    for _ in range(STARTING_COHORT):
        months_before = rng.randint(1, 30)
        month = start - relativedelta(months=months_before)
        joined = nth_weekday(month.year, month.month, week=1, weekday=2) or month
        course = _course(rng, joined_early=True)
        # Up to half a year's progress before the history starts.
        for _ in range(min(months_before, 6)):
            course.step(rng, pace=0.0)
        followed.append(_join(history, rng, maker, calendar, joined, course, today=today))
    for month in calendar.months:
        main = calendar.main.get(month)
        if main is None:
            continue
        mean = JOINERS_PER_MONTH[min(financial_year_of(month) - first_year, 2)]
        joiners = max(0, round(mean + rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0])))
        for _ in range(joiners):
            course = _course(rng, joined_early=False)
            followed.append(_join(history, rng, maker, calendar, main, course, today=today))
    return followed


def _course(rng: random.Random, *, joined_early: bool) -> Course:
    # Later joiners are chosen with the panel's growing experience: more of them turn round.
    falling = 0.38 if joined_early else 0.46
    kind = rng.choices(["falling", "rising", "steady"], [falling, 0.3, 0.7 - falling])[0]
    if kind == "falling":
        level = RED if rng.random() < 0.5 else AMBER
    elif kind == "rising":
        level = GREEN if rng.random() < 0.6 else AMBER
    else:
        level = AMBER
    return Course(kind, level)


def _join(
    history: History,
    rng: random.Random,
    maker: PeopleMaker,
    calendar: IomCalendar,
    joined: date,
    course: Course,
    *,
    today: date,
) -> tuple[Stay, Course]:
    person = maker.make(female_share=FEMALE_SHARE)
    referrer = rng.choice(["police", "probation", "probation"])
    statutory = rng.random() < 0.65
    stay = Stay(
        person=person,
        panel="iom",
        start=joined,
        referred_on=joined - timedelta(days=rng.randint(7, 28)),
        referred_by=referrer,
        reason=rng.choice(
            [
                "OGRS 75% or more; prolific acquisitive offending",
                "OGRS 50 to 74% with burglary; released on licence",
                "Repeat shoplifting to fund a drug habit; police intelligence",
                "Robbery; released on licence to a Kingsmere address",
            ]
        ),
        iom_strand=rng.choices(["fixed", "flex", "free"], [50, 35, 15])[0],
        statutory=statutory,
        ogrs_band=rng.choices(["75+", "50-74", "0-49"], [55, 40, 5])[0],
        consent_to_share=None if statutory else True,
    )
    history.stays.append(stay)
    # A prolific offender: several offences in the year before joining, a few before that.
    offences_between(
        history,
        rng,
        person,
        joined - timedelta(days=365),
        joined - timedelta(days=1),
        count=rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6]),
        mix=IOM_OFFENCES,
        today=today,
        arrest_chance=0.6,
    )
    offences_between(
        history,
        rng,
        person,
        joined - timedelta(days=3 * 365),
        joined - timedelta(days=366),
        count=rng.randint(0, 3),
        mix=IOM_OFFENCES,
        today=today,
    )
    _follow(history, rng, stay, course, calendar, today=today)
    return stay, course


def _follow(
    history: History,
    rng: random.Random,
    stay: Stay,
    course: Course,
    calendar: IomCalendar,
    *,
    today: date,
) -> None:
    person = stay.person
    first_year = financial_year_of(calendar.months[0])
    escalated_on: date | None = None
    for month in calendar.months:
        if month_end(month) < stay.start:
            continue
        main = calendar.main.get(month)
        if main is not None and stay.on(main) and not course.inside(main):
            if main == stay.start:
                _discuss(history, rng, stay, course, "main", main, "new_referral")
            elif escalated_on is not None:
                _discuss(
                    history,
                    rng,
                    stay,
                    course,
                    "main",
                    main,
                    "escalated",
                    detail=f"Escalated from the mid-month panel on {escalated_on:%-d %B %Y}",
                )
            if main > stay.start + timedelta(days=120) and _leaves(rng, course):
                stay.end = main
                stay.exit_reason = STEPPED_DOWN if course.level == GREEN else rng.choice(LEAVING)
        escalated_on = None
        if stay.end is not None and stay.end < month:
            break
        mid = calendar.mid.get(month)
        if mid is not None and stay.on(mid):
            if course.inside(mid):
                if calendar.custody_rag:
                    _discuss(history, rng, stay, course, "mid_month", mid, "review_due", blue=True)
            else:
                escalate = _escalate(rng, course)
                reason = "red_rag" if course.last_rag == "red" else "review_due"
                _discuss(history, rng, stay, course, "mid_month", mid, reason, escalate=escalate)
                escalated_on = mid if escalate else None
        _live_month(history, rng, stay, course, month, today=today)
        if stay.end is not None and stay.end <= month_end(month):
            break
        course.step(rng, pace=PACE[min(financial_year_of(month) - first_year, 2)])
    if stay.end is not None and stay.exit_reason != LONG_SENTENCE:
        months_after = max(0, (today - stay.end).days // 30)
        offences_between(
            history,
            rng,
            person,
            stay.end + timedelta(days=1),
            today,
            count=sum(rng.random() < AFTER_LEAVING_CHANCE for _ in range(months_after)),
            mix=IOM_OFFENCES,
            today=today,
            arrest_chance=0.5,
        )


def _leaves(rng: random.Random, course: Course) -> bool:
    if course.green_months >= 3:
        return rng.random() < 0.2
    return rng.random() < 0.008


def _escalate(rng: random.Random, course: Course) -> bool:
    """Roughly one case in three or four goes on to the main panel: most Reds, some Ambers."""
    if course.level == RED:
        return rng.random() < 0.85
    if course.level == AMBER:
        return rng.random() < (0.4 if course.kind == "rising" else 0.18)
    return False


def _discuss(
    history: History,
    rng: random.Random,
    stay: Stay,
    course: Course,
    meeting: str,
    day: date,
    reason: str,
    *,
    detail: str = "",
    escalate: bool = False,
    blue: bool = False,
) -> None:
    rag = "blue" if blue else RAG[course.level]
    course.last_rag = rag
    history.discussions.append(
        Discussion(
            person=stay.person,
            panel="iom",
            meeting=meeting,
            day=day,
            reason=reason,
            notes=rng.choice(NOTES[rag]),
            rag=rag,
            detail=detail,
            escalate=escalate,
        )
    )


def _live_month(
    history: History,
    rng: random.Random,
    stay: Stay,
    course: Course,
    month: date,
    *,
    today: date,
) -> None:
    """A month on the cohort: visits, perhaps an offence, perhaps custody."""
    person = stay.person
    first = max(month, stay.start)
    last = min(month_end(month), stay.end or month_end(month), today - timedelta(days=1))
    if last < first:
        return
    days = (last - first).days

    def some_day() -> date:
        return first + timedelta(days=rng.randint(0, days))

    if rng.random() < 0.75:
        day = some_day()
        if not course.inside(day):
            author, summary = rng.choice(VISITS)
            history.events.append(EventRecord(person, "visit", day, summary, author))
    if rng.random() < OFFENCE_CHANCE[course.level]:
        day = some_day()
        if not course.inside(day):
            offend(history, rng, person, day, mix=IOM_OFFENCES, arrest_chance=0.7, today=today)
    if rng.random() < CUSTODY_CHANCE[course.level]:
        entered = some_day()
        if not course.inside(entered):
            _enter_custody(history, rng, stay, course, entered, today=today)


def _enter_custody(
    history: History,
    rng: random.Random,
    stay: Stay,
    course: Course,
    entered: date,
    *,
    today: date,
) -> None:
    person = stay.person
    roll = rng.random()
    if stay.statutory and roll < 0.25:
        history.events.append(
            EventRecord(
                person, "recall", entered, "Recalled to prison for breach of licence.", "probation"
            )
        )
        released = custody(
            history,
            rng,
            person,
            entered=entered,
            days=rng.randint(42, 150),
            reason="recall",
            offence=None,
            today=today,
        )
    elif roll < 0.55:
        offence = offend(
            history,
            rng,
            person,
            entered,
            mix=SENTENCED_OFFENCES,
            arrest_chance=1.0,
            today=today,
            outcome="Remanded in custody",
        )
        released = custody(
            history,
            rng,
            person,
            entered=entered,
            days=rng.randint(21, 120),
            reason="remand",
            offence=None,
            today=today,
        )
    else:
        committed = max(stay.start, entered - timedelta(days=rng.randint(20, 90)))
        days = rng.choice([56, 90, 120, 180, 240, 365, 540])
        offence = offend(
            history,
            rng,
            person,
            committed,
            mix=SENTENCED_OFFENCES,
            arrest_chance=0.9,
            today=today,
            outcome=f"Custodial sentence of {days * 2 // 30} months",
        )
        released = custody(
            history,
            rng,
            person,
            entered=entered,
            days=days,
            reason="sentence",
            offence=offence,
            today=today,
        )
        if days >= 540 and stay.end is None:
            stay.end = min(entered + timedelta(days=rng.randint(7, 35)), today - timedelta(days=1))
            stay.exit_reason = LONG_SENTENCE
    course.custody.append((entered, released))
    # Back from custody, the panel starts again from Amber at best.
    course.level = max(course.level, AMBER)
