"""Writes to agencies and staff accounts, each audited in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.audit import audit
from accounts.models import Agency, Role, User, Verb
from accounts.permissions import can_administer

# Roles an agency administrator may give; system administration is granted centrally.
ASSIGNABLE_BY_AGENCY_ADMIN = (
    Role.PARTNER,
    Role.COORDINATOR,
    Role.COMMITTEE,
    Role.AGENCY_ADMIN,
    Role.GOVERNANCE_LEAD,
)


def role_group(role: Role) -> Group:
    group, _ = Group.objects.get_or_create(name=role.value)
    return group


def agency_create(*, actor: User | None, name: str, code: str, kind: str) -> Agency:
    """Create an agency with the group that its staff's panel grants are held by."""
    if actor is not None and not actor.has_role(Role.SYSTEM_ADMIN):
        raise PermissionDenied
    with transaction.atomic():
        group = Group.objects.create(name=f"agency:{code}")
        agency = Agency(name=name, code=code, kind=kind, group=group)
        agency.full_clean()
        agency.save()
        audit(actor=actor, verb=Verb.AGENCY_CREATED, target=agency, detail={"code": code})
    return agency


@dataclass(frozen=True)
class NewAccount:
    user: User
    set_up_path: str


def set_up_path_for(user: User) -> str:
    """The one-time link a new member of staff follows to choose their password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"/account/set-up/{uid}/{token}/"


def user_create(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str = "",
    roles: list[Role],
    agency: Agency | None = None,
) -> NewAccount:
    """Create a staff account in the actor's own agency, with no usable password yet."""
    agency = agency or actor.agency
    if not actor.has_role(Role.AGENCY_ADMIN) or agency.pk != actor.agency_id:
        raise PermissionDenied
    if any(role not in ASSIGNABLE_BY_AGENCY_ADMIN for role in roles):
        raise PermissionDenied
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            job_title=job_title,
            agency=agency,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        user.groups.set([role_group(role) for role in roles])
        audit(
            actor=actor,
            verb=Verb.ACCOUNT_CREATED,
            target=user,
            detail={"roles": sorted(roles)},
        )
    return NewAccount(user=user, set_up_path=set_up_path_for(user))


def user_set_first_password(*, user: User, password: str) -> User:
    """Called from the set-up link; the link's token was checked by the view."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit(actor=user, verb=Verb.ACCOUNT_ACTIVATED, target=user)
    return user


def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate an account; its open sessions end at once."""
    if not can_administer(actor, user):
        raise PermissionDenied
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate your own account.")
    with transaction.atomic():
        user.is_active = False
        # Sessions are checked against is_active on every request, so the account's
        # open sessions stop working on their next request without being hunted down.
        user.save(update_fields=["is_active"])
        audit(actor=actor, verb=Verb.ACCOUNT_DEACTIVATED, target=user)
    return user


def user_reactivate(*, actor: User, user: User) -> User:
    if not can_administer(actor, user):
        raise PermissionDenied
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit(actor=actor, verb=Verb.ACCOUNT_REACTIVATED, target=user)
    return user
