"""Unusual reading by an agency's staff, worked out in the database.

Three kinds of flag, each a (member of staff, day) with a count; none is proof of wrong-
doing, each is a reason for the information governance lead to look:

- A busy day: the member of staff opened more different people's records that day than
  GOVERNANCE_BUSY_DAY_FACTOR times their usual day, and at least GOVERNANCE_BUSY_DAY_MINIMUM.
  Their usual day is the median number of different records on the days they read any, in
  the GOVERNANCE_BASELINE_DAYS days before. Someone with no reads in that time has no usual
  day yet, and is flagged once they reach the minimum. Every read counts, lists included:
  a list of 200 people is a read of 200 people.
- Reads without a case: they opened the record of someone with whom their agency has no
  case today (see `has_a_case`), by a route other than the search. A search lists people
  before anyone knows who they are, so it is not counted; the governance pages are not
  counted either.
- Reads out of hours: records opened before GOVERNANCE_WORKING_HOURS_START, from
  GOVERNANCE_WORKING_HOURS_END, or at a weekend (local time).

Only allowed reads of people's records (`offenders.nominal` rows) count; refusals are in
the access log search already. Reads on the governance pages and "who has viewed this
record" are not counted in any flag: they show the access log, not the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay, TruncDate
from django.urls import reverse

from accounts.models import AccessLog, AccessOutcome, Agency, ObjectType, User
from governance.selectors.access_log import day_start
from offenders.models import Nominal
from panels.models import CohortMembership, MembershipStatus, Panel

NOMINAL = ObjectType.NOMINAL


@dataclass(frozen=True)
class Flag:
    user: User
    day: date
    records: int  # different people's records
    usual: float | None = None  # busy days: the usual day's median, if there is one


# Pages that show the access log about a person rather than the person's record.
VIEWERS_PAGE = r"^/nominals/[0-9]+/viewers/$"


def _governance_prefix() -> str:
    return reverse("governance:index")


def _reads(agency: Agency, start: date, end: date) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(
        agency=agency,
        object_type=NOMINAL,
        outcome=AccessOutcome.ALLOWED,
        at__gte=day_start(start),
        at__lt=day_start(end + timedelta(days=1)),
    ).exclude(Q(endpoint__startswith=_governance_prefix()) | Q(endpoint__regex=VIEWERS_PAGE))


def _with_users(rows: list[tuple[int, date, int, float | None]]) -> list[Flag]:
    users = User.objects.in_bulk({row[0] for row in rows})
    return [
        Flag(user=users[user_id], day=day, records=records, usual=usual)
        for user_id, day, records, usual in rows
        if user_id in users
    ]


# Distinct records per member of staff per local day, from the baseline's first day to the
# window's last; then each day in the window against the median of the same person's days
# in the baseline before it. One statement, however many rows the log holds.
_BUSY_DAYS = """
WITH daily AS (
    SELECT user_id,
           (at AT TIME ZONE %(tz)s)::date AS day,
           COUNT(DISTINCT object_id) AS records
      FROM accounts_accesslog
     WHERE agency_id = %(agency)s
       AND object_type = %(nominal)s
       AND outcome = %(allowed)s
       AND user_id IS NOT NULL
       AND at >= %(since)s AND at < %(until)s
       AND NOT starts_with(endpoint, %(governance)s)
       AND endpoint !~ %(viewers)s
     GROUP BY user_id, day
), judged AS (
    SELECT d.user_id, d.day, d.records,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY b.records)
              FROM daily b
             WHERE b.user_id = d.user_id
               AND b.day >= d.day - %(baseline)s
               AND b.day < d.day) AS usual
      FROM daily d
     WHERE d.day >= %(start)s
       AND d.records >= %(minimum)s
)
SELECT user_id, day, records, usual
  FROM judged
 WHERE usual IS NULL OR records > %(factor)s * usual
 ORDER BY day DESC, records DESC
"""


def busy_days(agency: Agency, start: date, end: date) -> list[Flag]:
    baseline = settings.GOVERNANCE_BASELINE_DAYS
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY_DAYS,
            {
                "tz": settings.TIME_ZONE,
                "agency": agency.pk,
                "nominal": str(NOMINAL),
                "allowed": str(AccessOutcome.ALLOWED),
                "since": day_start(start - timedelta(days=baseline)),
                "until": day_start(end + timedelta(days=1)),
                "baseline": baseline,
                "start": start,
                "minimum": settings.GOVERNANCE_BUSY_DAY_MINIMUM,
                "factor": settings.GOVERNANCE_BUSY_DAY_FACTOR,
                "governance": _governance_prefix(),
                "viewers": VIEWERS_PAGE,
            },
        )
        rows = [
            (user_id, day, records, float(usual) if usual is not None else None)
            for user_id, day, records, usual in cursor.fetchall()
        ]
    return _with_users(rows)


# Shown in the cohort of a panel, a person is a case of the panel's coordinating and member
# agencies while the referral is open or the membership active.
CURRENT_STATUSES = [MembershipStatus.REFERRED, MembershipStatus.ACTIVE]


def has_a_case(agency: Agency) -> Q:
    """Whether the agency has a case with a person (for a Nominal query), today:
    - the agency recorded the person (owns the record), or its staff are their lead
      professional;
    - the person is referred to or active on the cohort of a panel the agency coordinates
      or is a member of;
    - or the agency referred them to a panel (whatever came of the referral).
    A panel's cohort the agency sees only as a party to an agreement, without sitting on
    the panel, is not a case."""
    panels = Panel.objects.filter(Q(coordinating_agency=agency) | Q(member_agencies=agency))
    on_panel = CohortMembership.objects.filter(
        nominal=OuterRef("pk"), status__in=CURRENT_STATUSES, panel__in=panels.values("pk")
    )
    referred = CohortMembership.objects.filter(nominal=OuterRef("pk"), referring_agency=agency)
    return (
        Q(owning_agency=agency)
        | Q(lead_professional__agency=agency)
        | Q(Exists(on_panel))
        | Q(Exists(referred))
    )


def reads_without_a_case(agency: Agency, start: date, end: date) -> list[Flag]:
    # The log keeps ids as text; only rows whose id is a number are cast (CASE keeps the
    # cast from ever seeing another value), so the record is found by its primary key.
    record_id = Case(
        When(object_id__regex=r"^[0-9]{1,18}$", then=Cast("object_id", BigIntegerField())),
        default=None,
        output_field=BigIntegerField(),
    )
    with_case = Nominal.objects.filter(pk=OuterRef("record_id")).filter(has_a_case(agency))
    rows = (
        _reads(agency, start, end)
        # A search lists people before anyone knows who they are.
        .exclude(endpoint=reverse("offenders:index"))
        .annotate(record_id=record_id)
        .filter(record_id__isnull=False)
        .filter(~Exists(with_case))
        .annotate(day=TruncDate("at"))
        .values("user_id", "day")
        .annotate(records=Count("object_id", distinct=True))
        .order_by("-day", "-records")
    )
    return _with_users([(row["user_id"], row["day"], row["records"], None) for row in rows])


def reads_out_of_hours(agency: Agency, start: date, end: date) -> list[Flag]:
    hours = (settings.GOVERNANCE_WORKING_HOURS_START, settings.GOVERNANCE_WORKING_HOURS_END)
    rows = (
        _reads(agency, start, end)
        .annotate(hour=ExtractHour("at"), weekday=ExtractIsoWeekDay("at"))
        .filter(Q(hour__lt=hours[0]) | Q(hour__gte=hours[1]) | Q(weekday__gte=6))
        .annotate(day=TruncDate("at"))
        .values("user_id", "day")
        .annotate(records=Count("object_id", distinct=True))
        .order_by("-day", "-records")
    )
    return _with_users([(row["user_id"], row["day"], row["records"], None) for row in rows])
