"""Synthetic data at pan-London scale, for benchmarks and for trying audit pages on volume.

`generate(nominals=N, seed=S)` plans max(1, ceil(N / 3000)) fictional boroughs and builds
each one through a fixed list of steps (`STEPS`), every step deterministic from the seed
and idempotent: it finds what an earlier run with the same arguments made and adds only
what is missing. A borough is one transaction, so an interrupted run leaves whole boroughs.

Steps: the borough's partnership (`demo.borough.ensure_borough`: agencies, panels,
agreements, staff, all through the services); its nominals (`BoroughPlan.nominals` people
from `tests.people`, with identifiers, aliases, cohort memberships on the five
panels, RAG reviews, a timeline, needs, offences, risk scores and custody, written with
COPY; see `nominals_step`); and an access log of about `ACCESS_LOG_PER_NOMINAL` reads per
nominal.

Each step draws from its own random stream, seeded by (seed, borough code, step name), so
adding a step does not change what the other steps generate, and a stream yields the same
first k rows whatever the total. A larger N on an existing dataset only appends what the
larger plan lacks (the access log is append-only), so it can end with more rows in the
first boroughs than a dataset made at that N in one go; benchmarks use fresh databases.
"""

# The random streams are seeded on purpose, for reproducible data; none makes a secret.
# ruff: noqa: S311

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate, islice
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.test.utils import override_settings

from accounts.models import AccessLog, AccessOutcome, Agency, Purpose, User
from demo.borough import Borough, ensure_borough
from matching.identifiers import validate_identifier
from offenders.models import (
    UNIQUE_IDENTIFIER_KINDS,
    Alias,
    CaseEvent,
    CustodyEpisode,
    CustodyReason,
    EventKind,
    Identifier,
    IdentifierKind,
    Need,
    NeedLevel,
    Nominal,
    Offence,
    OffenceType,
    Pathway,
    RiskScore,
    RoshLevel,
)
from offenders.services import match_fields, search_name_of
from panels.models import (
    CohortMembership,
    MembershipStatus,
    PanelKind,
    Rag,
    RagReview,
    grants_in_force,
)
from sharing.access import recompute_panel_access
from tests.people import Person, generate_people

NOMINALS_PER_BOROUGH = 3000
ACCESS_LOG_PER_NOMINAL = 5
# Synthetic reads fall between the demo agreements' signing and a fixed end, so the data
# is the same whenever it is generated and real reads made later never fall inside it.
LOG_WINDOW_START = datetime(2026, 4, 1, tzinfo=UTC)
LOG_WINDOW_END = datetime(2026, 11, 1, tzinfo=UTC)
# Of the synthetic reads, this share are refused attempts on a panel the agency cannot see.
DENIED_SHARE = 0.02
# The synthetic accounts' password unless --password or SYNTHETIC_PASSWORD says otherwise.
DEFAULT_PASSWORD = "synthetic-data-password"  # noqa: S105
_FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"

# Fictional borough names: every pairing of these, shuffled by the seed. "Kingsmere" is
# the demo borough's name and is left out, so synthetic data can sit beside the demo.
_NAME_STARTS = (
    "Ash Brack Bram Cald Chal Cold Dun Elm Fair Fen Gold Hale Hart Hol Kings Lang Lark Mill "
    "Nor Oak Red Rush Stan Thorn Wal West Whit Wood"
).split()
_NAME_ENDS = "bury by combe dale field ford ham hurst ley mere stead ton well wick worth".split()

# The demo's staff who read case data, and what they mostly read for.
_READERS = ("coordinator", "mappa", "police", "probation", "drugs", "housing", "health")
_PURPOSES = (
    Purpose.PANEL_PREPARATION,
    Purpose.CASE_MANAGEMENT,
    Purpose.CASE_MANAGEMENT,
    Purpose.SAFEGUARDING,
    Purpose.ENFORCEMENT,
    "",
)


@dataclass(frozen=True)
class BoroughPlan:
    index: int
    code: str
    name: str
    nominals: int
    seed: int

    def rng(self, step: str) -> random.Random:
        """This borough's random stream for one step (str seeds hash the same every run)."""
        return random.Random(f"{self.seed}:{self.code}:{step}")


@dataclass
class StepResult:
    step: str
    created: int = 0
    seconds: float = 0.0


@dataclass
class GenerationReport:
    boroughs: list[BoroughPlan]
    steps: dict[str, StepResult] = field(default_factory=dict)
    recompute_seconds: float = 0.0
    seconds: float = 0.0

    def add(self, step: str, created: int, seconds: float) -> None:
        result = self.steps.setdefault(step, StepResult(step))
        result.created += created
        result.seconds += seconds


def borough_names(seed: int, count: int) -> list[str]:
    """`count` distinct fictional borough names, the same for the same seed."""
    pool = [start + end for start in _NAME_STARTS for end in _NAME_ENDS]
    pool = [name for name in pool if name != "Kingsmere"]
    random.Random(f"{seed}:borough-names").shuffle(pool)
    # Past the pool (over 1.2 million nominals), names repeat with a number after them.
    return [
        pool[i % len(pool)] + (f" {i // len(pool) + 1}" if i >= len(pool) else "")
        for i in range(count)
    ]


def plan_partnership(nominals: int, seed: int) -> list[BoroughPlan]:
    """Split N nominal-equivalents over max(1, ceil(N / 3000)) boroughs, as evenly as can be."""
    count = max(1, math.ceil(nominals / NOMINALS_PER_BOROUGH))
    base, extra = divmod(nominals, count)
    return [
        BoroughPlan(index=i, code=f"b{i:02d}", name=name, nominals=base + (i < extra), seed=seed)
        for i, name in enumerate(borough_names(seed, count))
    ]


# --------------------------------------------------------------------------- steps


@contextmanager
def _one_password_hash(password: str) -> Iterator[None]:
    """Hash the shared synthetic password once instead of once per account.

    ensure_borough sets each account's password, and Argon2 takes ~0.2 s a time: over a
    minute for 34 boroughs. Accounts are made with a fast hasher, then given one hash made
    with the configured one (same password, so one salt for all is harmless here).
    """
    if settings.PASSWORD_HASHERS[0] == _FAST_HASHER:
        yield
        return
    real_hash = make_password(password)
    with override_settings(PASSWORD_HASHERS=[_FAST_HASHER]):
        yield
    fast_hashed = User.objects.filter(
        password__startswith="md5$",  # noqa: S106 (a hash prefix, not a password)
        username__regex=r"^b[0-9]+-",
    )
    fast_hashed.update(password=real_hash)


def _check_same_borough(plan: BoroughPlan) -> None:
    """A code made by another seed names another borough: refuse rather than mix them."""
    council = Agency.objects.filter(code=f"{plan.code}-council").first()
    if council is not None and not council.name.startswith(f"{plan.name} "):
        raise ValueError(
            f"Borough {plan.code} already exists as {council.name!r}, not {plan.name}: "
            "it was generated with another seed. Use a fresh database or the same seed."
        )


def partnership_step(plan: BoroughPlan, context: BoroughContext) -> int:
    """Agencies, panels, agreements and staff, through the services (idempotent)."""
    _check_same_borough(plan)
    before = User.objects.filter(username__startswith=f"{plan.code}-").count()
    context.borough = ensure_borough(
        borough=plan.name, code=plan.code, password=context.password, with_devices=True
    )
    return len(context.borough.staff) - before


# --------------------------------------------------------------------------- nominals

# Case data falls between these dates, so it is the same whenever it is generated.
CASE_START = date(2023, 1, 1)
CASE_END = date(2026, 10, 31)

# Who records people, and the share of the borough's nominals each agency owns.
_OWNERS = {"police": 0.35, "probation": 0.30, "council": 0.15, "drugs": 0.10, "housing": 0.05}
# The staff account (demo username) that writes for each agency.
_WRITER = {
    "council": "coordinator",
    "police": "police",
    "probation": "probation",
    "drugs": "drugs",
    "housing": "housing",
    "health": "health",
}
# The panel a person is mostly on; about 15 % are on one or two more.
_PANEL_SHARES = {
    PanelKind.IOM: 0.40,
    PanelKind.DIP: 0.20,
    PanelKind.SGV: 0.15,
    PanelKind.ASB_MARAC: 0.15,
    PanelKind.MAPPA: 0.10,
}
MORE_PANELS_SHARE = 0.15
# The agency that puts each kind of event on the timeline, and what it says.
_EVENTS: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    EventKind.VISIT: (
        0.30,
        ("probation", "police", "housing", "drugs"),
        ("Home visit; engaged well.", "Home visit; no answer.", "Office appointment kept."),
    ),
    EventKind.NOTE: (
        0.20,
        ("council", "probation", "police", "housing", "drugs", "health"),
        ("Discussed at panel.", "Phone call with family member.", "Referral sent to ETE service."),
    ),
    EventKind.ARREST: (0.08, ("police",), ("Arrested on suspicion of theft.", "Arrested.")),
    EventKind.WARNING_LETTER: (0.08, ("police", "probation"), ("Warning letter sent.",)),
    EventKind.BREACH: (0.06, ("probation",), ("Missed two appointments: breach action.",)),
    EventKind.RECALL: (0.03, ("probation",), ("Recalled to custody.",)),
    EventKind.LICENCE_CONDITION: (0.08, ("probation",), ("Exclusion zone added to licence.",)),
    EventKind.TREATMENT_START: (0.09, ("drugs", "health"), ("Started structured treatment.",)),
    EventKind.TREATMENT_COMPLETION: (0.08, ("drugs", "health"), ("Completed treatment.",)),
}
_OFFENCES = {
    OffenceType.THEFT: 0.25,
    OffenceType.BURGLARY: 0.15,
    OffenceType.ROBBERY: 0.10,
    OffenceType.DRUGS: 0.15,
    OffenceType.VIOLENCE: 0.15,
    OffenceType.VEHICLE: 0.05,
    OffenceType.WEAPONS: 0.05,
    OffenceType.PUBLIC_ORDER: 0.05,
    OffenceType.DAMAGE: 0.05,
}
_WOMENS_PATHWAYS = {Pathway.DOMESTIC_VIOLENCE, Pathway.PROSTITUTION}
_WARDS = ("North", "South", "East", "West", "Central", "Park", "Green", "Riverside")
_PRISONS = ("HMP Ashdale", "HMP Fenwick", "HMP Holbrook", "HMP Westmere")
RISK_SCORE_SHARE = 0.8
CUSTODY_SHARE = 0.15
_RAGS = (Rag.RED.value, Rag.AMBER.value, Rag.AMBER.value, Rag.GREEN.value)
_NEED_LEVELS = (
    NeedLevel.NONE.value,
    NeedLevel.LOW.value,
    NeedLevel.LOW.value,
    NeedLevel.MEDIUM.value,
    NeedLevel.MEDIUM.value,
    NeedLevel.HIGH.value,
)
IDENTIFIER_AGENCY = {"pnc": "police", "cro": "police", "crn": "probation", "prison": "probation"}


def synthetic_reference(plan: BoroughPlan, index: int) -> str:
    """The local reference each generated nominal carries: its place in the borough's list."""
    return f"SYN-{plan.code.upper()}-{index:06d}"


class _Weighted[T]:
    """Values drawn by weight in O(log n), the cumulative weights worked out once."""

    def __init__(self, weights: dict[T, float]) -> None:
        self.values = [getattr(value, "value", value) for value in weights]  # plain str
        self.cum_weights = list(accumulate(weights.values()))

    def draw(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, clock(rng.randrange(8, 18), rng.randrange(60)), tzinfo=UTC)


# The columns each table is written with, in order. Every table but the nominals' starts
# with nominal_id, which is only known once the rows are about to be written; `_check_columns`
# makes sure these stay every column of the models, so a model change fails here, loudly.
_COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Nominal: (
        "id",
        "given_names",
        "family_name",
        "date_of_birth",
        "dob_approximate",
        "gender",
        "ethnicity",
        "postcode",
        "ward",
        "lead_professional_id",
        "owning_agency_id",
        "created_by_id",
        "created_at",
        "updated_at",
        "version",
        "merged_into_id",
        "search_name",
        "match_keys",
    ),
    Alias: (
        "nominal_id",
        "given_names",
        "family_name",
        "date_of_birth",
        "search_name",
        "recorded_by_agency_id",
    ),
    Identifier: ("nominal_id", "kind", "value", "recorded_by_agency_id", "created_at", "source"),
    CohortMembership: (
        "nominal_id",
        "panel_id",
        "status",
        "referred_on",
        "referred_by_id",
        "reason",
        "start",
        "end",
        "exit_reason",
        "referring_agency_id",
        "decided_by_id",
        "decided_on",
        "decline_reason",
        "mappa_category",
        "mappa_level",
        "iom_strand",
        "statutory",
        "ogrs_band",
        "consent_to_share",
        "consent_on",
        "treatment_requirement",
        "treatment_start",
        "treatment_completed",
    ),
    RagReview: ("nominal_id", "panel_id", "meeting_id", "rag", "reviewed_on", "author_id", "note"),
    CaseEvent: (
        "nominal_id",
        "kind",
        "occurred_on",
        "summary",
        "agency_id",
        "author_id",
        "created_at",
    ),
    Need: ("nominal_id", "pathway", "level", "note", "updated_on", "updated_by_id"),
    Offence: ("nominal_id", "offence_type", "committed_on", "outcome", "recorded_by_agency_id"),
    RiskScore: (
        "nominal_id",
        "ogrs_percent",
        "rosh_level",
        "assessed_on",
        "source",
        "recorded_by_agency_id",
    ),
    CustodyEpisode: (
        "nominal_id",
        "entered_on",
        "released_on",
        "reason",
        "establishment",
        "recorded_by_agency_id",
        # Which offence a sentence was for: not drawn, so the generated people stay as
        # they were before the column existed.
        "offence_id",
    ),
}
Row = tuple[object, ...]


class _AliasName(NamedTuple):
    """An alias as `offenders.services.match_fields` reads it."""

    given_names: str
    family_name: str
    date_of_birth: date | None


@dataclass
class _Record:
    """One generated nominal and everything about them, as rows without the nominal's id."""

    nominal: Row  # _COLUMNS[Nominal] but the id
    rows: dict[type[models.Model], list[Row]]  # _COLUMNS[model] but the nominal_id


def borough_people(plan: BoroughPlan, count: int | None = None) -> list[Person]:
    """The first `count` (default: all) people of the borough's nominals, in order."""
    seed = plan.rng("nominals").randrange(2**63)
    return generate_people(plan.nominals if count is None else count, seed)


def generated_nominal_ids(plan: BoroughPlan) -> list[int]:
    """Primary keys of the borough's generated nominals, in the order of `borough_people`."""
    prefix = synthetic_reference(plan, 0)[:-6]
    refs = dict(
        Identifier.objects.filter(kind=IdentifierKind.LOCAL, value__startswith=prefix).values_list(
            "value", "nominal_id"
        )
    )
    return [refs[synthetic_reference(plan, index)] for index in range(len(refs))]


def _records(plan: BoroughPlan, borough: Borough, wanted: int) -> Iterator[_Record]:
    """The borough's first `wanted` nominals, the same each run whatever `wanted` is: one
    stream of draws, person by person (the people themselves are generate_people's)."""
    rng = plan.rng("nominals")
    rng.randrange(2**63)  # the seed borough_people draws for generate_people
    agency = {code: a.pk for code, a in borough.agencies.items()}
    staff = {name: user.pk for name, user in borough.staff.items()}
    writer = {code: staff[name] for code, name in _WRITER.items()}
    panels = {kind: panel.pk for kind, panel in borough.panels.items()}
    # RAG reviews and referrals are by the coordinator of the panel's coordinating agency.
    coordinator = {agency["council"]: staff["coordinator"], agency["probation"]: staff["mappa"]}
    panel_author = {
        kind: coordinator[panel.coordinating_agency_id] for kind, panel in borough.panels.items()
    }
    owners, first_panel = _Weighted(_OWNERS), _Weighted(_PANEL_SHARES)
    event_kinds = _Weighted({kind: share for kind, (share, _, _) in _EVENTS.items()})
    offences = _Weighted(_OFFENCES)
    pathways = {
        gender: [p for p in Pathway.values if gender == "female" or p not in _WOMENS_PATHWAYS]
        for gender in ("female", "male")
    }
    rosh_levels, custody_reasons = RoshLevel.values, CustodyReason.values
    for index, person in enumerate(borough_people(plan, wanted)):
        owner = owners.draw(rng)
        rows: dict[type[models.Model], list[Row]] = {model: [] for model in _COLUMNS}
        # Panels: one chosen by share, and for some people one or two more.
        kinds = [first_panel.draw(rng)]
        if rng.random() < MORE_PANELS_SHARE:
            extra = 1 if rng.random() < 0.8 else 2
            kinds += rng.sample([k for k in _PANEL_SHARES if k != kinds[0]], extra)
        referrals = []
        for kind in kinds:
            referred = _day(rng, CASE_START, CASE_END - timedelta(days=120))
            start = referred + timedelta(days=rng.randrange(29))
            referrals.append(referred)
            rows[CohortMembership].append(
                (
                    panels[kind],
                    MembershipStatus.ACTIVE.value,
                    referred,
                    panel_author[kind],
                    "",
                    start,
                    None,
                    "",
                    None,
                    panel_author[kind],
                    start,
                    "",
                    *_panel_fields(kind, referred, start),
                )
            )
            reviewed = start + timedelta(days=rng.randrange(15))
            rag = rng.choice(_RAGS)
            for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
                if reviewed > CASE_END:
                    break
                rows[RagReview].append((panels[kind], None, rag, reviewed, panel_author[kind], ""))
                reviewed += timedelta(days=28 + rng.randrange(14))
                if rng.random() < 0.4:
                    rag = rng.choice(_RAGS)
        first_referral = min(referrals)
        created = _at(first_referral - timedelta(days=rng.randrange(60)), rng)
        lead = rng.random()
        aliases = [_AliasName(a.given, a.family, a.dob) for a in person.aliases]
        rows[Alias] = [
            (
                a.given_names,
                a.family_name,
                a.date_of_birth,
                search_name_of(a.given_names, a.family_name),
                agency[owner],
            )
            for a in aliases
        ]
        # Exactly as the services compute them (offenders.services.match_fields).
        search_name, keys = match_fields(person.given, person.family, person.dob, aliases)
        nominal = (
            person.given,
            person.family,
            person.dob,
            person.dob_approximate,
            person.gender,
            "",  # ethnicity
            person.postcode,
            f"{plan.name} {rng.choice(_WARDS)}" if person.postcode else "",
            staff["probation"] if lead < 0.6 else staff["police"] if lead < 0.8 else None,
            agency[owner],
            writer[owner],
            created,
            created,
            1,  # version
            None,  # merged_into
            search_name,
            keys,
        )
        rows[Identifier] = [
            (
                kind,
                validate_identifier(kind, value),
                agency[IDENTIFIER_AGENCY.get(kind, "health")],
                created,
                "",  # source: recorded by the agency, not read from a list
            )
            for kind, value in person.identifiers.items()
        ]
        rows[Identifier].append(
            (
                IdentifierKind.LOCAL.value,
                synthetic_reference(plan, index),
                agency[owner],
                created,
                "",
            )
        )
        for _ in range(rng.randint(2, 6)):
            kind = event_kinds.draw(rng)
            _, by, texts = _EVENTS[kind]
            code = rng.choice(by)
            occurred = _day(rng, first_referral - timedelta(days=365), CASE_END)
            rows[CaseEvent].append(
                (
                    kind,
                    occurred,
                    rng.choice(texts),
                    agency[code],
                    writer[code],
                    _at(occurred, rng),
                )
            )
        open_to = pathways["female" if person.gender == "female" else "male"]
        for pathway in rng.sample(open_to, rng.randint(2, 5)):
            level = rng.choice(_NEED_LEVELS)
            updated = _day(rng, first_referral, CASE_END)
            rows[Need].append((pathway, level, "", updated, writer[owner]))
        for _ in range(rng.randint(1, 3)):
            committed = _day(rng, first_referral - timedelta(days=730), first_referral)
            rows[Offence].append((offences.draw(rng), committed, "", agency["police"]))
        if rng.random() < RISK_SCORE_SHARE:
            rows[RiskScore].append(
                (
                    round(rng.triangular(5, 98, 55)),
                    rng.choice(rosh_levels),
                    _day(rng, first_referral, CASE_END),
                    "OASys",
                    agency["probation"],
                )
            )
        if rng.random() < CUSTODY_SHARE:
            entered = _day(rng, CASE_START, CASE_END)
            released = entered + timedelta(days=rng.randint(20, 700))
            rows[CustodyEpisode].append(
                (
                    entered,
                    released if released <= CASE_END else None,
                    rng.choice(custody_reasons),
                    rng.choice(_PRISONS),
                    agency["probation"],
                    None,
                )
            )
        yield _Record(nominal, rows)


def _panel_fields(kind: str, referred: date, start: date) -> tuple[object, ...]:
    """A membership's panel-specific fields, derived from its dates rather than drawn from
    the random sequence, so adding them left every generated person as it was."""
    spread = referred.toordinal()
    mappa = (spread % 3 + 1, spread % 7 % 3 + 1) if kind == PanelKind.MAPPA else (None, None)
    iom = ("", None, "")
    if kind == PanelKind.IOM:
        iom = (("fixed", "flex", "free")[spread % 3], spread % 4 != 0, ("50-74", "75+")[spread % 2])
    consent = (True, start) if iom[1] is False else (None, None)
    dip = ("", None, None)
    if kind == PanelKind.DIP:
        completed = start + timedelta(days=180) if spread % 3 == 0 else None
        dip = (
            ("drr", "atr")[spread % 2],
            start,
            completed if completed and completed <= CASE_END else None,
        )
    return (*mappa, *iom, *consent, *dip)


def _check_columns() -> None:
    """Every model written is written whole: a column added to a model must be added here."""
    for model, columns in _COLUMNS.items():
        expected = {
            f.attname for f in model._meta.concrete_fields if model is Nominal or not f.primary_key
        }
        if set(columns) != expected:
            raise RuntimeError(
                f"bench.synthetic writes {model.__name__} with {sorted(columns)}, but the "
                f"model has {sorted(expected)}: update _COLUMNS and _records."
            )


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys from the table's sequence, ascending, so rows can point at them
    before they are written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[models.Model], rows: Iterable[Row]) -> None:
    """Append rows of _COLUMNS[model] with COPY (an INSERT; ~10x faster than bulk_create)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in _COLUMNS[model])
    copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row(row)


def nominals_step(plan: BoroughPlan, context: BoroughContext) -> int:
    """The borough's nominals and their records, each numbered by a local reference
    (`synthetic_reference`), so a re-run counts them and adds only the missing ones.

    People come from `generate_people` (names, dates of birth, postcodes, identifiers and
    aliases), the search name and match keys from `offenders.services.match_fields`, as the
    services store them. Each is owned by one of the borough's agencies and active on one of
    its five panels (about 15 % on two or three), with a few RAG reviews a panel, two to six
    timeline events by several agencies, two to five needs, offences, and for most a risk
    score. Rows go in with COPY under ids reserved from the nominals' sequence, about ten
    times faster than bulk_create: docs/benchmarks.md has the time for 100,000 nominals.
    """
    _check_columns()
    prefix = synthetic_reference(plan, 0)[:-6]
    existing = Identifier.objects.filter(
        kind=IdentifierKind.LOCAL, value__startswith=prefix
    ).count()
    if existing >= plan.nominals:
        return 0
    records = list(islice(_records(plan, context.borough, plan.nominals), existing, None))
    ids = _reserve_ids(Nominal, len(records))
    # People are unique within a borough; another borough's person may hold the same PNC ID
    # or CRN by chance (about 1 in 1,000): that one identifier is left off, as a real record
    # would be refused it.
    taken = set(
        Identifier.objects.filter(
            kind__in=UNIQUE_IDENTIFIER_KINDS,
            value__in=[row[1] for record in records for row in record.rows[Identifier]],
        ).values_list("kind", "value")
    )
    _copy(Nominal, ((pk, *record.nominal) for record, pk in zip(records, ids, strict=True)))
    for model in _COLUMNS:
        if model is not Nominal:
            _copy(
                model,
                (
                    (pk, *row)
                    for record, pk in zip(records, ids, strict=True)
                    for row in record.rows[model]
                    if model is not Identifier or (row[0], row[1]) not in taken
                ),
            )
    return len(records)


# Columns written by COPY, in the order `_access_log_rows` yields them.
_ACCESS_LOG_COLUMNS = (
    "at",
    "user_id",
    "agency_id",
    "outcome",
    "object_type",
    "object_id",
    "endpoint",
    "purpose",
)
AccessLogRow = tuple[datetime, int, int, str, str, str, str, str]


def _access_log_rows(plan: BoroughPlan, borough: Borough) -> Iterator[AccessLogRow]:
    """An endless, deterministic stream of plausible reads of panels by the borough's staff.

    The queries run here, before the stream is returned: the stream is consumed inside a
    COPY, during which the connection can run nothing else.
    """
    panels = sorted(panel.pk for panel in borough.panels.values())
    grants = (
        grants_in_force()
        .filter(content_object_id__in=panels)
        .values_list("group_id", "content_object_id")
    )
    visible: dict[int, set[int]] = {}
    for group_id, panel_id in grants:
        visible.setdefault(group_id, set()).add(panel_id)
    group_of = {agency.pk: agency.group_id for agency in borough.agencies.values()}
    # (reader, panels they see, panels they do not); staff who see nothing do not read.
    readers = []
    for name in _READERS:
        user = borough.staff[name]
        seen = visible.get(group_of[user.agency_id], set())
        if seen:
            readers.append((user, sorted(seen), [pk for pk in panels if pk not in seen]))
    span = int((LOG_WINDOW_END - LOG_WINDOW_START).total_seconds())
    rng = plan.rng("access-log")

    def stream() -> Iterator[AccessLogRow]:
        while True:
            user, seen, unseen = rng.choice(readers)
            denied = bool(unseen) and rng.random() < DENIED_SHARE
            panel_id = rng.choice(unseen if denied else seen)
            api = rng.random() < 0.1
            yield (
                LOG_WINDOW_START + timedelta(seconds=rng.randrange(span)),
                user.pk,
                user.agency_id,
                AccessOutcome.DENIED.value if denied else AccessOutcome.ALLOWED.value,
                "panels.panel",
                str(panel_id),
                f"/api/v1/panels/{panel_id}/" if api else f"/panels/{panel_id}/",
                "" if denied else str(rng.choice(_PURPOSES)),
            )

    return stream()


def access_log_step(plan: BoroughPlan, context: BoroughContext) -> int:
    """ACCESS_LOG_PER_NOMINAL reads per nominal, appended with COPY (an INSERT: the table
    refuses UPDATE and DELETE): 500,000 rows in ~4 s, against ~35 s with bulk_create."""
    wanted = plan.nominals * ACCESS_LOG_PER_NOMINAL
    existing = AccessLog.objects.filter(
        user__in=[user.pk for user in context.borough.staff.values()],
        at__gte=LOG_WINDOW_START,
        at__lt=LOG_WINDOW_END,
    ).count()
    if existing >= wanted:
        return 0
    # The stream is the same each run, so rows [existing:wanted] are exactly the missing ones.
    rows = islice(_access_log_rows(plan, context.borough), existing, wanted)
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    copy_sql = f"COPY {table} ({', '.join(_ACCESS_LOG_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row(row)
    return wanted - existing


@dataclass
class BoroughContext:
    """What one borough's steps share: the password, and what earlier steps built."""

    password: str
    borough: Borough = field(init=False)


Step = Callable[[BoroughPlan, BoroughContext], int]
STEPS: list[tuple[str, Step]] = [
    ("partnership (staff accounts created)", partnership_step),
    ("nominals (with their case records)", nominals_step),
    ("access log rows", access_log_step),
]


def generate(
    *,
    nominals: int,
    seed: int,
    password: str,
    progress: Callable[[str], None] = lambda _line: None,
) -> GenerationReport:
    """Build (or complete) the synthetic partnership for N nominals; see the module doc."""
    started = time.perf_counter()
    report = GenerationReport(boroughs=plan_partnership(nominals, seed))
    with _one_password_hash(password):
        for plan in report.boroughs:
            with transaction.atomic():
                context = BoroughContext(password=password)
                for step_name, step in STEPS:
                    step_started = time.perf_counter()
                    created = step(plan, context)
                    report.add(step_name, created, time.perf_counter() - step_started)
            progress(f"{plan.code} {plan.name}: {plan.nominals} nominal-equivalents")

    # Every service call above recomputed access already, so this must change nothing; it
    # is the check that the data obeys the rules, and the time of one full recomputation.
    recompute_started = time.perf_counter()
    result = recompute_panel_access(actor=None)
    report.recompute_seconds = time.perf_counter() - recompute_started
    if result.changed:
        raise RuntimeError(f"Generated grants differ from the access rules: {result}")
    report.seconds = time.perf_counter() - started
    return report
