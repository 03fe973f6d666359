"""In-app notifications: the services that send and mark them, and the reads of a user's own.

A notification belongs to one member of staff and is only ever read or changed by them:
every read starts from `notifications_for(user)`, and another user's notification answers
404 like one that does not exist. Marking as read changes nothing anyone else relies on,
so it is not audited; what sent the notification (a reminder job, say) audits that.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import Notification, ObjectType, User

NOTIFICATION = ObjectType.NOTIFICATION
logger = logging.getLogger(__name__)

# Every kind of notification, as the settings page offers it for e-mail. The e-mail says
# only what the notification says (a title, never a name) and links to the service.
KINDS = {
    "case_action_assigned": "A case action is set for your agency or for you",
    "case_action_due": "A case action of your agency's is due soon or overdue",
    "minutes_published": "Minutes are published for a panel your agency works on",
    "referral_decided": "A referral you made is accepted or declined",
    "list_waiting": "A monthly list has rows waiting for a decision",
    "crossref_findings": "A cross-reference run has open findings for your panels",
    "merge_request": "A merge of two records waits for your agency, or one you asked for is decided",
    "lead_panel": "A lead panel is proposed for a person on your panel, or one you proposed is decided",
    "plan_steps": "Action plan steps your agency leads need an update",
    "agreement_to_sign": "An information-sharing agreement is circulated for your agency to sign",
    "agreement_review": "An information-sharing agreement's review is due",
    "retention_review": "Records are due for a retention review",
}


def send(
    users: Iterable[User], *, kind: str, key: str, text: str, url: str, subject: str = ""
) -> int:
    """Notify each user once per kind and key, in the service, and by e-mail (sent when the
    transaction commits) unless they turned e-mail off for this kind. Returns how many
    notifications were new."""
    sent = 0
    for user in users:
        notification = notify(user=user, kind=kind, key=key, text=text, url=url)
        if notification is None:
            continue
        sent += 1
        if user.email and kind not in user.email_muted:
            transaction.on_commit(partial(_email, notification, subject or text))
    return sent


def _email(notification: Notification, subject: str) -> None:
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}"
    try:
        send_mail(
            subject=f"{settings.SERVICE_NAME}: {subject}",
            message=f"{notification.text}\n\nOpen it in the service: {link}\n",
            from_email=None,
            recipient_list=[notification.user.email],
        )
    except OSError:
        # An unreachable mail server: the notification is in the service all the same.
        logger.exception("Could not send a notification e-mail")
        return
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def casework_staff(agency_ids: Iterable[int]) -> list[User]:
    """The active staff of these agencies who work on cases: who is told when an agency
    must act."""
    from accounts.models import CASEWORK_ROLES

    return list(
        User.objects.filter(
            agency_id__in=list(agency_ids), is_active=True, groups__name__in=CASEWORK_ROLES
        )
        .distinct()
        .order_by("pk")
    )


def coordinators_of(agency_ids: Iterable[int]) -> list[User]:
    """The active panel coordinators of these agencies who work on cases."""
    from accounts.models import Role

    return [user for user in casework_staff(agency_ids) if user.has_role(Role.COORDINATOR)]


def email_settings_save(*, actor: User, wanted: Iterable[str]) -> User:
    """Keep which kinds the actor wants by e-mail: every other known kind is muted."""
    wanted = set(wanted)
    actor.email_muted = sorted(kind for kind in KINDS if kind not in wanted)
    actor.save(update_fields=["email_muted"])
    return actor


def notify(*, user: User, kind: str, key: str, text: str, url: str) -> Notification | None:
    """Send `user` a notification about `key`, once: a second call with the same kind and
    key sends nothing and returns None, so a job that runs twice notifies once.

    `url` is a path within the service: the page opens it as a link, so nothing that
    could lead off the site (another host, a script) is accepted.
    """
    # "//host" and "/\\host" are read by browsers as another site's address.
    if not url.startswith("/") or url[1:2] in ("/", "\\"):
        raise ValidationError({"url": "Give a path within the service, starting with /."})
    notification = Notification(user=user, kind=kind, key=key, text=text, url=url)
    # The uniqueness of (user, kind, key) is checked by the insert below; check the rest.
    notification.full_clean(validate_unique=False, validate_constraints=False)
    if Notification.objects.filter(user=user, kind=kind, key=key).exists():
        return None
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        # Another run sent the same notification between the check and the insert.
        return None
    return notification


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications as read (once: the first time is kept)."""
    if notification.user_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor's as read; returns how many were."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nobody else's, whatever their role."""
    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_for(request: HttpRequest, pk: int) -> Notification:
    """One of the user's own notifications; anyone else's answers 404, as a missing one."""
    notification = notifications_for(request_user(request)).filter(pk=pk).first()
    if notification is None:
        refuse(request, object_type=NOTIFICATION, object_id=pk)
    return notification


def notifications_unread_count(user: User) -> int:
    """How many of the user's notifications are unread: one query."""
    return notifications_for(user).filter(read_at__isnull=True).count()
