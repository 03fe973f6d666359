"""The DIP panel's drug and alcohol treatment requirements, planned month by month: about
thirty Drug Rehabilitation Requirements (DRR) and twenty Alcohol Treatment Requirements
(ATR) start a year, about two in three are completed, the rest revoked after a breach,
and about a third of those who complete offend again within six months, as the probation
figures in the committee papers show. A few people on the IOM cohort are on one too.

Requirements start from a year before the history, so its first year has completions.
"""

# The random stream is seeded on purpose, for the same demo every time; none makes a secret.
# ruff: noqa: S311

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from demo.history.offending import DIP_OFFENCES, custody, offences_between, offend
from demo.history.people import PeopleMaker, Person
from demo.history.records import Discussion, EventRecord, History, Stay
from reporting.periods import financial_year, financial_year_of

# Starts in a financial year (from, to), spread at random over its months.
STARTS = {"drr": (28, 34), "atr": (20, 25)}
# Which requirements, taken in the order they start, are completed: two in three DRRs and
# five in eight ATRs. In turn rather than at random, so each year's completions stay near
# the papers' numbers.
COMPLETES = {"drr": (3, {0, 1}), "atr": (8, {0, 1, 3, 4, 6})}
# How long a completed requirement runs, in days.
LENGTH = {"drr": (180, 365), "atr": (180, 300)}
# Which of those who complete, taken in turn, offend again within six months: three in ten
# after a DRR and three in eight after an ATR (the papers show 62% to 86% not reoffending;
# an ATR year has too few completions to publish a higher share).
# In turn rather than at random, so each year has enough people either way for the share
# to be published.
REOFFENDS = {"drr": (10, {0, 4, 7}), "atr": (8, {0, 3, 6})}
# Share of requirements held by someone already on the IOM cohort.
ALSO_ON_IOM = 0.08
FEMALE_SHARE = 0.2

NOTES = {
    "red": [
        "Missed two treatment appointments; breach proceedings considered.",
        "Positive test for opiates and cocaine; not engaging.",
    ],
    "amber": [
        "Attending most sessions; still using on top of the script.",
        "Engaging, but housing is putting treatment at risk.",
    ],
    "green": [
        "Negative tests for two months; attending every session.",
        "Doing well; completion expected on time.",
    ],
}


def plan_dip(
    history: History,
    rng: random.Random,
    maker: PeopleMaker,
    iom_stays: list[Stay],
    dip_days: list[date],
    *,
    start: date,
    today: date,
) -> None:
    """Requirements from a year before `start` (so the first year has completions) to
    yesterday, in the order they began."""
    began: list[tuple[date, str]] = []
    for year in range(financial_year_of(start) - 1, financial_year_of(today) + 1):
        period = financial_year(year)
        for requirement, (low, high) in STARTS.items():
            for _ in range(rng.randint(low, high)):
                day = period.start + timedelta(days=rng.randint(0, period.days - 1))
                if day < today:
                    began.append((day, requirement))
    started: Counter[str] = Counter()
    stays = []
    for day, requirement in sorted(began):
        every, which = COMPLETES[requirement]
        completes = started[requirement] % every in which
        started[requirement] += 1
        stays.append(
            _requirement(
                history,
                rng,
                maker,
                iom_stays,
                dip_days,
                requirement,
                day,
                completes=completes,
                today=today,
            )
        )
    # Offending is planned in the order requirements ended, so the turns of REOFFENDS fall
    # evenly on each year's completions. People also on the IOM cohort offend as planned
    # there.
    completed: Counter[str] = Counter()
    ended = sorted(
        (stay for stay, from_iom in stays if not from_iom),
        key=lambda stay: (stay.treatment_completed or stay.end or today, stay.start),
    )
    for stay in ended:
        reoffends = False
        if stay.treatment_completed:
            every, which = REOFFENDS[stay.requirement]
            reoffends = completed[stay.requirement] % every in which
            completed[stay.requirement] += 1
        _offending(history, rng, stay.person, stay, reoffends=reoffends, today=today)


def _requirement(
    history: History,
    rng: random.Random,
    maker: PeopleMaker,
    iom_stays: list[Stay],
    dip_days: list[date],
    requirement: str,
    began: date,
    *,
    completes: bool,
    today: date,
) -> tuple[Stay, bool]:
    """The requirement's time on the DIP panel and its reviews; (stay, on the IOM cohort)."""
    # Someone on the IOM cohort that day, and not already given a requirement here.
    on_dip = {id(stay.person) for stay in history.stays if stay.panel == "dip"}
    on_iom = [stay for stay in iom_stays if stay.on(began) and id(stay.person) not in on_dip]
    from_iom = bool(on_iom) and rng.random() < ALSO_ON_IOM
    person = rng.choice(on_iom).person if from_iom else maker.make(female_share=FEMALE_SHARE)
    low, high = LENGTH[requirement]
    finished = began + timedelta(days=rng.randint(low, high) if completes else rng.randint(45, 240))
    ongoing = finished >= today
    stay = Stay(
        person=person,
        panel="dip",
        start=began,
        referred_on=began - timedelta(days=rng.randint(7, 28)),
        referred_by="probation",
        reason="Sentenced to a "
        + ("Drug Rehabilitation" if requirement == "drr" else "Alcohol Treatment")
        + " Requirement",
        requirement=requirement,
        treatment_start=began,
        treatment_completed=finished if completes and not ongoing else None,
    )
    if not ongoing:
        stay.end = min(finished + timedelta(days=rng.randint(0, 30)), today - timedelta(days=1))
        stay.exit_reason = (
            "Completed the requirement" if completes else "Requirement revoked after a breach"
        )
    history.stays.append(stay)
    history.events.append(
        EventRecord(person, "treatment_start", began, f"{requirement.upper()} started.", "drugs")
    )
    if stay.treatment_completed:
        history.events.append(
            EventRecord(
                person,
                "treatment_completion",
                stay.treatment_completed,
                f"{requirement.upper()} completed successfully.",
                "drugs",
            )
        )
    elif not ongoing:
        history.events.append(
            EventRecord(person, "breach", finished, "Breach: missed treatment.", "probation")
        )
    _reviews(history, rng, stay, dip_days, completes=completes)
    return stay, from_iom


def _reviews(
    history: History, rng: random.Random, stay: Stay, dip_days: list[date], *, completes: bool
) -> None:
    """Reviewed at every DIP panel while on it: those who will complete fall towards Green,
    the others drift towards Red."""
    level = 3 if rng.random() < 0.4 else 2
    for day in dip_days:
        if not stay.on(day):
            continue
        rag = {3: "red", 2: "amber", 1: "green"}[level]
        history.discussions.append(
            Discussion(
                person=stay.person,
                panel="dip",
                meeting="main",
                day=day,
                reason="red_rag" if rag == "red" else "review_due",
                notes=rng.choice(NOTES[rag]),
                rag=rag,
            )
        )
        if completes and rng.random() < 0.3:
            level = max(1, level - 1)
        elif not completes and rng.random() < 0.25:
            level = min(3, level + 1)


def _offending(
    history: History,
    rng: random.Random,
    person: Person,
    stay: Stay,
    *,
    reoffends: bool,
    today: date,
) -> None:
    began = stay.start
    ongoing = stay.end is None
    offences_between(
        history,
        rng,
        person,
        began - timedelta(days=365),
        began - timedelta(days=1),
        count=rng.choice([1, 2, 2, 3, 3, 4, 5]),
        mix=DIP_OFFENCES,
        today=today,
        arrest_chance=0.6,
    )
    if ongoing:
        return
    if stay.treatment_completed:
        done = stay.treatment_completed
        if reoffends:
            day = done + timedelta(days=rng.randint(15, 175))
            if day < today:
                offend(history, rng, person, day, mix=DIP_OFFENCES, arrest_chance=0.7, today=today)
        later = max(0, (today - done).days // 30 - 6)
        offences_between(
            history,
            rng,
            person,
            done + timedelta(days=200),
            today,
            count=sum(rng.random() < 0.03 for _ in range(later)),
            mix=DIP_OFFENCES,
            today=today,
            arrest_chance=0.5,
        )
        return
    # A breach usually comes with fresh offending; some go to prison for it.
    ended = stay.end or today - timedelta(days=1)
    offence = offend(
        history,
        rng,
        person,
        ended - timedelta(days=rng.randint(0, 20)),
        mix=DIP_OFFENCES,
        arrest_chance=0.8,
        today=today,
    )
    if rng.random() < 0.3:
        offence.outcome = "Custodial sentence"
        custody(
            history,
            rng,
            person,
            entered=ended,
            days=rng.randint(56, 180),
            reason="sentence",
            offence=offence,
            today=today,
        )
    offences_between(
        history,
        rng,
        person,
        ended + timedelta(days=1),
        today,
        count=sum(rng.random() < 0.08 for _ in range(max(0, (today - ended).days // 30))),
        mix=DIP_OFFENCES,
        today=today,
        arrest_chance=0.5,
    )
