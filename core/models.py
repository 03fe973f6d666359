"""The one table of plumbing: jobs asked for and not yet handed to the broker."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class QueuedJob(models.Model):
    """A Celery task asked for by a request or a service, written in the same transaction as
    the change that asked for it (a transactional outbox). It is sent to the broker once that
    transaction commits, or by the dispatcher later when the broker could not be reached
    then, so a job asked for while Redis is down runs once Redis is back.

    Its id is the Celery task id. Every task sent this way is idempotent by the record it
    works on (a report version, a cross-reference run, a monthly list), so a job sent twice
    (a dispatcher that stopped between sending and marking it sent) still runs once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The kind of error of the last failed send (never its message), for the logs and admin.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="core_job_unsent"
            ),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "waiting"
        return f"{self.task}{tuple(self.args)} ({state})"
