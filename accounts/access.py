"""The one way a page refuses: log the refusal against the record, then answer 404 for a
record the user may not see (the same as a missing one) or 403 for one they may see but not change."""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from accounts.audit import log_access
from accounts.models import AccessOutcome


def refuse(request: HttpRequest, *, object_type: str, object_id: object) -> NoReturn:
    """Log the refused read and answer 404, the same answer as for a missing record."""
    log_access(
        request=request,
        object_type=object_type,
        object_id=object_id,
        outcome=AccessOutcome.DENIED,
    )
    raise Http404


def visible_or_404[M: Model](
    request: HttpRequest, queryset: QuerySet[M], pk: int | str, *, object_type: str
) -> M:
    """The record with this pk from the caller's visible `queryset`, or 404 (logged) whether
    it is hidden or missing: one get-or-refuse for every model's `<model>_for` helper."""
    record = queryset.filter(pk=int(pk)).first()
    if record is None:
        refuse(request, object_type=object_type, object_id=pk)
    return record


def forbid(request: HttpRequest, *, object_type: str, object_id: object = "") -> NoReturn:
    """Log the refusal and answer 403: the record is visible, the action is not allowed."""
    log_access(
        request=request,
        object_type=object_type,
        object_id=object_id,
        outcome=AccessOutcome.DENIED,
    )
    raise PermissionDenied


def require(
    request: HttpRequest, allowed: bool, *, object_type: str, object_id: object = ""
) -> None:
    """403 (logged) for someone who sees the record but may not do this: the one refusal
    of pages and API views alike. Asked before any input is read, so the answer does not
    depend on what was sent."""
    if not allowed:
        forbid(request, object_type=object_type, object_id=object_id)
