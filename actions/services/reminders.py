"""The weekly reminder to the agencies that lead plan steps needing attention.

A step needs attention when it is overdue or needs an update, as `actions.selectors.plans`
defines both for the plan's table and the dashboard. Each lead agency's partners and
coordinators get one in-app notification per plan per week, and one e-mail that says only
that steps their agency leads on the plan need an update, with a link: the steps
themselves, and anything about anyone, stay in the service.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Agency, Notification, Role, User, Verb
from accounts.notifications import notify
from actions.models import ActionPlan
from actions.selectors.plans import steps_needing_attention

logger = logging.getLogger(__name__)

KIND = "plan_steps"
# Partners and coordinators do the work of the steps; committee officers and
# administrators of the lead agency are not asked to update them.
REMINDED_ROLES = (Role.PARTNER, Role.COORDINATOR)
EMAIL_SUBJECT = "Action plan steps need an update"


def iso_week(day: date) -> str:
    """The ISO week a day falls in, as "2026-W07": a reminder is sent once per week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def reminder_key(plan: ActionPlan, day: date) -> str:
    return f"{plan.pk}:{iso_week(day)}"


def reminder_text(plan: ActionPlan) -> str:
    """All a reminder says, in the service and by e-mail: the plan's title and no step."""
    return f"Steps your agency leads on {plan.title} need an update"


# Per lead agency: how many of its steps are overdue, and how many only need an update.
AgencyCounts = dict[int, dict[str, int]]


def _reminders(today: date) -> list[tuple[ActionPlan, AgencyCounts]]:
    """The plans with steps needing attention, each with its lead agencies' counts: the
    same steps the lead agency's dashboard flags. One query per agency leading steps."""
    by_plan: dict[int, AgencyCounts] = defaultdict(dict)
    leading = Agency.objects.filter(active=True, action_steps__isnull=False).distinct()
    for agency in leading.order_by("pk"):
        rows = steps_needing_attention(agency, today).values_list(
            "action__objective__plan_id", "overdue"
        )
        for plan_id, overdue in rows:
            counts = by_plan[plan_id].setdefault(agency.pk, {"overdue": 0, "needs_update": 0})
            counts["overdue" if overdue else "needs_update"] += 1
    plans = ActionPlan.objects.in_bulk(list(by_plan))
    # A plan whose period has ended stays flagged on its own page, but nobody is asked
    # every week to update a finished plan.
    return [
        (plans[pk], by_plan[pk])
        for pk in sorted(by_plan)
        if (ends_on := plans[pk].ends_on) is None or ends_on >= today
    ]


def plan_reminder_url(plan: ActionPlan, agency_id: int) -> str:
    """Where a reminder leads: the plan's table, showing the steps the agency leads."""
    return f"{reverse('actions:plan', args=[plan.pk])}?{urlencode({'lead': agency_id})}"


def _staff_to_remind(agency_ids: list[int]) -> dict[int, list[User]]:
    staff = (
        User.objects.filter(
            agency_id__in=agency_ids, is_active=True, groups__name__in=REMINDED_ROLES
        )
        .distinct()
        .order_by("pk")
    )
    by_agency: dict[int, list[User]] = defaultdict(list)
    for user in staff:
        by_agency[user.agency_id].append(user)
    return by_agency


def plan_reminders_send(*, actor: User | None = None, today: date | None = None) -> dict[str, int]:
    """Remind the lead agencies of steps needing attention: in the service, then by e-mail.

    Idempotent within an ISO week: a notification is keyed by plan and week, so a second
    run sends nothing more, and an e-mail goes only with notifications not yet e-mailed
    (a run stopped between the two finishes the e-mails next time). Each plan whose leads
    were notified gets one audit row with the counts.
    """
    today = today or timezone.localdate()
    reminders = _reminders(today)
    staff = _staff_to_remind(sorted({a for _, agencies in reminders for a in agencies}))
    counts = {"plans": len(reminders), "steps": 0, "notified": 0, "emailed": 0}
    for plan, agencies in reminders:
        counts["steps"] += sum(sum(steps.values()) for steps in agencies.values())
        with transaction.atomic():
            notified = {
                agency_id: _notify_staff(plan, agency_id, staff.get(agency_id, []), today)
                for agency_id in sorted(agencies)
            }
            notified = {agency_id: people for agency_id, people in notified.items() if people}
            if notified:
                audit(
                    actor=actor,
                    verb=Verb.PLAN_REMINDERS_SENT,
                    target=plan,
                    detail={
                        "week": iso_week(today),
                        "notified": sum(notified.values()),
                        "agencies": [
                            {"agency": agency_id, "people": people, **agencies[agency_id]}
                            for agency_id, people in notified.items()
                        ],
                    },
                )
        counts["notified"] += sum(notified.values())
    counts["emailed"] = _email_pending(today)
    return counts


def _notify_staff(plan: ActionPlan, agency_id: int, staff: list[User], today: date) -> int:
    """This week's notification about the plan to each of them; returns how many were new."""
    return sum(
        notify(
            user=user,
            kind=KIND,
            key=reminder_key(plan, today),
            text=reminder_text(plan),
            url=plan_reminder_url(plan, agency_id),
        )
        is not None
        for user in staff
    )


def _email_pending(today: date) -> int:
    """One e-mail per person for this week's reminders not yet e-mailed; returns how many
    were sent. Each person's notifications are marked e-mailed with their e-mail, so a
    failure leaves theirs for the next run and the others still go."""
    pending = (
        Notification.objects.filter(
            kind=KIND,
            key__endswith=f":{iso_week(today)}",
            emailed_at__isnull=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        # Those who turned these e-mails off still see the reminder in the service.
        .exclude(user__email_muted__contains=[KIND])
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in sorted(pending):
        with transaction.atomic():
            # Locked, so that two runs at once cannot both e-mail the same person.
            mine = list(
                Notification.objects.filter(
                    user_id=user_id,
                    kind=KIND,
                    key__endswith=f":{iso_week(today)}",
                    emailed_at__isnull=True,
                )
                .select_related("user")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
            )
            if not mine:
                continue
            try:
                send_mail(
                    subject=EMAIL_SUBJECT,
                    message=_email_body(mine),
                    from_email=None,
                    recipient_list=[mine[0].user.email],
                )
            except OSError:
                # An unreachable mail server: leave this person's for the next run.
                logger.exception("Could not send a plan reminder e-mail")
                continue
            Notification.objects.filter(pk__in=[n.pk for n in mine]).update(
                emailed_at=timezone.now()
            )
            sent += 1
    return sent


def _email_body(notifications: list[Notification]) -> str:
    """The reminders' own words and links: nothing about the steps, and no names."""
    lines = []
    for notification in notifications:
        lines += [f"{notification.text}.", f"{settings.SITE_URL}{notification.url}", ""]
    return "\n".join(lines)
