"""In-app notifications: the services that send and mark them, and the reads of a user's own.

A notification belongs to one member of staff and is only ever read or changed by them:
every read starts from `notifications_for(user)`, and another user's notification answers
404 like one that does not exist. Marking as read changes nothing anyone else relies on,
so it is not audited; what sent the notification (a reminder job, say) audits that.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import Notification, ObjectType, User

NOTIFICATION = ObjectType.NOTIFICATION


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
