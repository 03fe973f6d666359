"""Reads of an agency's access log for its information governance lead.

Which rows: reads made by the lead's own agency's staff (the rows whose `agency` is the
lead's agency), whichever agency's record they read. Each agency answers for what its own
staff do; how other agencies' staff read a shared record is their own lead's to answer
(a person's "who has viewed this record" page shows every agency's reads of one record).

People are found by record number, or by a name that is resolved here, on the server, to
the numbers of records the lead's agency's staff may see: a name never reaches a URL, and a
name the agency may not see finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, Agency, ObjectType, User
from matching.names import normalise_name
from offenders.models import Alias, Nominal
from offenders.selectors import merged_ids

NOMINAL = ObjectType.NOMINAL
# A name search lists at most this many records; a longer list means the name was too short.
NAME_MATCH_LIMIT = 20


@dataclass(frozen=True)
class LogFilters:
    """What a search of the access log asks for; every field is optional."""

    records: tuple[int, ...] = ()
    staff: User | None = None
    start: date | None = None
    end: date | None = None


def day_start(day: date) -> datetime:
    """Midnight at the start of a local day, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def staff_of(agency: Agency) -> QuerySet[User]:
    """Every account of the agency, deactivated ones too: their reads stay in the log."""
    return User.objects.filter(agency=agency).order_by("last_name", "first_name", "username")


def with_merged(records: Iterable[int]) -> list[str]:
    """The records' ids as the log holds them, with the ids of records merged into them,
    so a search by the surviving record finds reads of its duplicates too."""
    ids = list(dict.fromkeys(records))
    found = {str(pk) for pk in ids}
    for nominal in Nominal.objects.filter(pk__in=ids):
        found.update(str(pk) for pk in merged_ids(nominal))
    return sorted(found, key=int)


def agency_access_log(agency: Agency, filters: LogFilters) -> QuerySet[AccessLog]:
    """Rows written by the agency's staff that match the filters, newest first."""
    rows = AccessLog.objects.filter(agency=agency)
    if filters.records:
        rows = rows.filter(object_type=NOMINAL, object_id__in=with_merged(filters.records))
    if filters.staff is not None:
        rows = rows.filter(user=filters.staff)
    if filters.start is not None:
        rows = rows.filter(at__gte=day_start(filters.start))
    if filters.end is not None:
        rows = rows.filter(at__lt=day_start(filters.end + timedelta(days=1)))
    return rows.select_related("user").order_by("-at", "-pk")


def records_named(agency: Agency, name: str) -> list[int]:
    """Numbers of the records the agency's staff may see whose name or an alias holds every
    word typed (in any order, accents and case ignored), lowest first, at most
    NAME_MATCH_LIMIT + 1 so the caller can say there were more."""
    words = normalise_name(name).split()
    if not words:
        return []
    on_record = Q()
    on_alias = Q()
    for word in words:
        on_record &= Q(search_name__contains=word)
        on_alias &= Q(search_name__contains=word)
    aliased = Alias.objects.filter(on_alias).values("nominal_id")
    return list(
        Nominal.objects.related_to(agency)
        .filter(on_record | Q(pk__in=aliased))
        .order_by("pk")
        .values_list("pk", flat=True)[: NAME_MATCH_LIMIT + 1]
    )


@dataclass(frozen=True)
class LogLine:
    """One access-log row in plain English."""

    at: datetime
    who: str
    what: str
    page: str
    why: str
    outcome: str
    person: int | None  # the record read, when the row is about one person


# Rows about many records at once keep how many were shown as their id.
_MANY = ("_list", "search")


def describe(row: AccessLog) -> LogLine:
    try:
        label = str(ObjectType(row.object_type).label)
    except ValueError:
        label = row.object_type
    if any(marker in row.object_type for marker in _MANY):
        what = f"{label} ({row.object_id} shown)"
    else:
        what = f"{label} {row.object_id}".strip()
    person = None
    if row.object_type == NOMINAL and row.object_id.isdigit():
        person = int(row.object_id)
        what = f"Person's record, record number {row.object_id}"
    who = (row.user.get_full_name() or row.user.username) if row.user else "Not signed in"
    return LogLine(
        at=row.at,
        who=who,
        what=what,
        page=row.endpoint,
        why=row.purpose_label or "Not given",
        outcome="Refused" if row.outcome == AccessOutcome.DENIED else "Allowed",
        person=person,
    )


def people_in(lines: Iterable[LogLine]) -> list[int]:
    """The records named by these rows, each once: reading them is reading those people."""
    return list(dict.fromkeys(line.person for line in lines if line.person is not None))
