"""The two audit trails: AuditEvent for writes, AccessLog for reads and refusals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from accounts.models import AccessLog, AccessOutcome, AuditEvent, User, Verb


def _type_name(target: models.Model) -> str:
    return target._meta.label_lower


def audit(
    *, actor: User | None, verb: Verb, target: models.Model, detail: dict[str, Any] | None = None
) -> AuditEvent:
    """Record a write. Call inside the service's transaction so both commit or neither."""
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        object_type=_type_name(target),
        object_id=str(target.pk),
        detail=detail or {},
    )


def log_access(
    *,
    request: HttpRequest,
    object_type: str,
    object_id: object,
    outcome: AccessOutcome = AccessOutcome.ALLOWED,
    purpose: str = "",
) -> AccessLog:
    """Record a read of personal data, or a refused attempt to read something."""
    user = request.user if request.user.is_authenticated else None
    return AccessLog.objects.create(
        user=user,
        agency_id=getattr(user, "agency_id", None),
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id)[:64],
        endpoint=request.path[:300],
        purpose=purpose,
    )


def log_access_many(
    *,
    request: HttpRequest,
    object_type: str,
    object_ids: Iterable[object],
    purpose: str = "",
) -> int:
    """Record reads of several records shown together (a page or document naming many
    people): one row each, written in one query. Returns how many rows were written."""
    user = request.user if request.user.is_authenticated else None
    rows = [
        AccessLog(
            user=user,
            agency_id=getattr(user, "agency_id", None),
            outcome=AccessOutcome.ALLOWED,
            object_type=object_type,
            object_id=str(object_id)[:64],
            endpoint=request.path[:300],
            purpose=purpose,
        )
        for object_id in dict.fromkeys(object_ids)
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)
