"""Reads of staff accounts for the person asking."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.access import refuse
from accounts.http import request_user
from accounts.models import ObjectType, User
from accounts.permissions import may_manage_staff


def staff_visible_to(actor: User) -> QuerySet[User]:
    """Accounts an agency administrator manages: their own agency's, and no others."""
    if not may_manage_staff(actor):
        return User.objects.none()
    return User.objects.filter(agency_id=actor.agency_id).prefetch_related("groups")


def staff_member_for(request: HttpRequest, pk: int) -> User:
    user = staff_visible_to(request_user(request)).filter(pk=pk).first()
    if user is None:
        refuse(request, object_type=ObjectType.STAFF_ACCOUNT, object_id=pk)
    return user
