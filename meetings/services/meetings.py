"""Writes for panel meetings: the rules a panel meets by, the meetings created ahead from
them, and moving or cancelling one meeting.

A meeting made from a rule keeps the date the rule gave (`occurrence`) for good, and the
database allows one meeting per (rule, occurrence). Creating meetings ahead therefore
only ever adds the occurrences that have no meeting yet: a moved meeting is not made
again on its old date, and a cancelled one is not brought back.
"""

from __future__ import annotations

from datetime import date, time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Role, User, Verb
from meetings.models import AgendaItem, Attendance, Meeting, MeetingRule, MeetingStatus
from meetings.schedule import add_months, month_end, occurrences
from panels.models import Panel
from panels.permissions import require_coordinator

# Any constant works; it only has to be the same for every run that creates meetings.
_SCHEDULE_LOCK_KEY = 7_341_002


def schedule_window(today: date, months_ahead: int) -> tuple[date, date]:
    """From today to the end of the month `months_ahead` months on: whole months, so a
    panel always has the same number of meetings ahead whatever day the job runs."""
    return today, month_end(add_months(today, months_ahead))


def _create_meetings(rules: list[MeetingRule], *, start: date, end: date) -> tuple[int, int]:
    """Create the rules' missing meetings from start to end; (created, already there)."""
    with connection.cursor() as cursor:
        # Two runs at once (the nightly job and a coordinator adding a rule) would both
        # find an occurrence missing; the second waits here and then finds it made.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK_KEY])
    wanted = {(rule.pk, day): rule for rule in rules for day in occurrences(rule, start, end)}
    existing = set(
        Meeting.objects.filter(
            rule__in=[rule.pk for rule in rules], occurrence__gte=start, occurrence__lte=end
        ).values_list("rule_id", "occurrence")
    )
    new = [
        Meeting(
            panel_id=rule.panel_id,
            rule=rule,
            occurrence=day,
            date=day,
            kind=rule.kind,
            starts_at=rule.starts_at,
            location=rule.location,
        )
        for (rule_pk, day), rule in wanted.items()
        if (rule_pk, day) not in existing
    ]
    Meeting.objects.bulk_create(new)
    return len(new), len(wanted) - len(new)


def _months_ahead(months_ahead: int | None) -> int:
    return settings.MEETINGS_MONTHS_AHEAD if months_ahead is None else months_ahead


def meetings_schedule(
    *, actor: User | None, today: date | None = None, months_ahead: int | None = None
) -> dict[str, int]:
    """Create the meetings of every active rule of every active panel for the months ahead
    (MEETINGS_MONTHS_AHEAD unless given). Idempotent: a second run creates nothing more.
    One MEETINGS_SCHEDULED audit row records each run and its counts."""
    if actor is not None and not actor.has_role(Role.SYSTEM_ADMIN):
        raise PermissionDenied
    start, end = schedule_window(today or timezone.localdate(), _months_ahead(months_ahead))
    with transaction.atomic():
        rules = list(MeetingRule.objects.filter(active=True, panel__active=True).order_by("pk"))
        created, existing = _create_meetings(rules, start=start, end=end)
        counts = {"rules": len(rules), "created": created, "existing": existing}
        audit(
            actor=actor,
            verb=Verb.MEETINGS_SCHEDULED,
            # A run covers every panel: the row is about meetings as a whole.
            target=ContentType.objects.get_for_model(Meeting),
            detail={**counts, "from": start.isoformat(), "to": end.isoformat()},
        )
    return counts


def _rule_detail(rule: MeetingRule) -> dict[str, object]:
    return {
        "rule": str(rule),
        "kind": rule.kind,
        "week": rule.week,
        "weekday": rule.weekday,
        "starts_at": rule.starts_at.strftime("%H:%M"),
        "location": rule.location,
    }


def meeting_rule_add(
    *,
    actor: User | None,
    panel: Panel,
    kind: str,
    week: int,
    weekday: int,
    starts_at: time,
    location: str = "",
    today: date | None = None,
    months_ahead: int | None = None,
) -> tuple[MeetingRule, int]:
    """Add a meeting rule to the panel, or start a stopped rule for the same slot again,
    and create its meetings ahead at once. Returns the rule and how many meetings it made."""
    require_coordinator(actor, panel)
    start, end = schedule_window(today or timezone.localdate(), _months_ahead(months_ahead))
    with transaction.atomic():
        rule = (
            MeetingRule.objects.select_for_update()
            .filter(panel=panel, kind=kind, week=week, weekday=weekday)
            .first()
        )
        if rule is not None and rule.active:
            raise ValidationError(f"The panel already has this rule: {rule}")
        restarted = rule is not None
        if rule is None:
            rule = MeetingRule(panel=panel, kind=kind, week=week, weekday=weekday)
        rule.starts_at, rule.location, rule.active = starts_at, location.strip(), True
        rule.full_clean()
        rule.save()
        created = _create_meetings([rule], start=start, end=end)[0] if panel.active else 0
        audit(
            actor=actor,
            verb=Verb.MEETING_RULE_SET,
            target=rule,
            detail={
                "action": "restarted" if restarted else "added",
                **_rule_detail(rule),
                "meetings_created": created,
            },
        )
    return rule, created


def meeting_rule_stop(
    *, actor: User | None, rule: MeetingRule, today: date | None = None
) -> tuple[int, int]:
    """Stop using a rule: no more meetings are made from it. Its future meetings that
    nobody has worked on yet (no agenda, no attendance, not moved, not shared) go too;
    the others stay for the coordinator to hold or cancel. Returns (removed, kept)."""
    require_coordinator(actor, rule.panel)
    today = today or timezone.localdate()
    with transaction.atomic():
        rule = MeetingRule.objects.select_for_update().get(pk=rule.pk)
        if not rule.active:
            raise ValidationError("This rule is already stopped")
        rule.active = False
        rule.save(update_fields=["active"])
        future = Meeting.objects.filter(rule=rule, date__gte=today)
        untouched = future.filter(
            status=MeetingStatus.SCHEDULED,
            status_reason="",
            agenda_shared_on__isnull=True,
            date=F("occurrence"),
        ).exclude(
            Exists(AgendaItem.objects.filter(meeting=OuterRef("pk")))
            | Exists(Attendance.objects.filter(meeting=OuterRef("pk")))
        )
        removed = untouched.delete()[1].get(Meeting._meta.label, 0)
        kept = future.exclude(status=MeetingStatus.CANCELLED).count()
        audit(
            actor=actor,
            verb=Verb.MEETING_RULE_SET,
            target=rule,
            detail={
                "action": "stopped",
                **_rule_detail(rule),
                "meetings_removed": removed,
                "meetings_kept": kept,
            },
        )
    return removed, kept


def meeting_move_problems(
    meeting: Meeting,
    *,
    new_date: date | None,
    starts_at: time | None,
    reason: str | None,
    today: date,
) -> dict[str, list[str]]:
    """Every problem with moving the meeting, by field: a new date not in the past and
    different (with the time) from the current one, and a reason. A part given as None was
    not readable and is not checked, so the rest are still named in the same answer."""
    errors: dict[str, list[str]] = {}
    if new_date is not None and new_date < today:
        errors["date"] = ["The new date must be today or in the future"]
    elif new_date is not None and (new_date, starts_at) == (meeting.date, meeting.starts_at):
        errors["date"] = ["Enter a different date or time from the meeting's current one"]
    if reason is not None and not reason.strip():
        errors["reason"] = ["Enter why the meeting is moving"]
    return errors


def meeting_move(
    *,
    actor: User | None,
    meeting: Meeting,
    new_date: date,
    starts_at: time,
    reason: str,
    today: date | None = None,
) -> Meeting:
    """Move a scheduled meeting to another date or time, with the reason. The date its
    rule gave stays recorded, so the meeting is not created again there."""
    require_coordinator(actor, meeting.panel)
    today = today or timezone.localdate()
    reason = reason.strip()
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}")
    errors = meeting_move_problems(
        meeting, new_date=new_date, starts_at=starts_at, reason=reason, today=today
    )
    if errors:
        raise ValidationError(errors)
    before = {"date": meeting.date.isoformat(), "starts_at": meeting.starts_at.strftime("%H:%M")}
    with transaction.atomic():
        meeting.date, meeting.starts_at, meeting.status_reason = new_date, starts_at, reason
        meeting.full_clean()
        meeting.save(update_fields=["date", "starts_at", "status_reason"])
        audit(
            actor=actor,
            verb=Verb.MEETING_MOVED,
            target=meeting,
            detail={
                "from": before,
                "to": {"date": new_date.isoformat(), "starts_at": starts_at.strftime("%H:%M")},
                "reason": reason,
            },
        )
    return meeting


def meeting_cancel(*, actor: User | None, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting, with the reason. It stays listed as cancelled and is
    never created again from its rule."""
    require_coordinator(actor, meeting.panel)
    reason = reason.strip()
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}")
    if not reason:
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    with transaction.atomic():
        meeting.status, meeting.status_reason = MeetingStatus.CANCELLED, reason
        meeting.full_clean()
        meeting.save(update_fields=["status", "status_reason"])
        audit(
            actor=actor,
            verb=Verb.MEETING_CANCELLED,
            target=meeting,
            detail={"date": meeting.date.isoformat(), "reason": reason},
        )
    return meeting
