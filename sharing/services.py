"""Writes for agencies, staff accounts and information-sharing agreements.

Every function takes the acting user, checks they may act, validates, saves, writes its
audit row in the same transaction, and recomputes panel access where the change can
alter who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sharing.access import recompute_panel_access
from sharing.audit import audit
from sharing.models import (
    Agency,
    AgreementStatus,
    InformationSharingAgreement,
    Role,
    Signature,
    User,
    Verb,
)

# Roles an agency administrator may give; system administration is granted centrally.
ASSIGNABLE_BY_AGENCY_ADMIN = (Role.PARTNER, Role.COORDINATOR, Role.COMMITTEE, Role.AGENCY_ADMIN)


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


def can_administer(actor: User, user: User) -> bool:
    """Agency administrators manage their own agency's accounts, and no other agency's."""
    return (
        actor.is_active and actor.has_role(Role.AGENCY_ADMIN) and actor.agency_id == user.agency_id
    )


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


def _require_system_or_party_admin(actor: User | None, agreement: InformationSharingAgreement):
    if actor is None or actor.has_role(Role.SYSTEM_ADMIN):
        return
    is_party = agreement.pk and agreement.parties.filter(pk=actor.agency_id).exists()
    if not (actor.has_role(Role.AGENCY_ADMIN) and is_party):
        raise PermissionDenied


def agreement_create(
    *,
    actor: User | None,
    title: str,
    reference: str,
    parties: list[Agency],
    panels: list,
    legal_basis: str = "",
    review_interval_months: int = 12,
) -> InformationSharingAgreement:
    """Draft a new agreement. Drafts grant nothing until signed."""
    if actor is not None and not (
        actor.has_role(Role.SYSTEM_ADMIN)
        or (actor.has_role(Role.AGENCY_ADMIN) and actor.agency in parties)
    ):
        raise PermissionDenied
    with transaction.atomic():
        agreement = InformationSharingAgreement(
            title=title,
            reference=reference,
            legal_basis=legal_basis,
            review_interval_months=review_interval_months,
        )
        agreement.full_clean()
        agreement.save()
        agreement.parties.set(parties)
        agreement.panels.set(panels)
        audit(actor=actor, verb=Verb.AGREEMENT_CREATED, target=agreement)
    return agreement


def agreement_sign(
    *,
    actor: User,
    agreement: InformationSharingAgreement,
    agency: Agency,
    signed_by_name: str,
    signed_by_role: str,
    signed_on: date,
) -> Signature:
    """Record that a party signed the current version of an agreement."""
    _require_system_or_party_admin(actor, agreement)
    if not agreement.parties.filter(pk=agency.pk).exists():
        raise ValidationError(f"{agency} is not a party to {agreement.reference}.")
    if agreement.status in (AgreementStatus.EXPIRED, AgreementStatus.WITHDRAWN):
        raise ValidationError("An expired or withdrawn agreement cannot be signed.")
    with transaction.atomic():
        signature = Signature(
            agreement=agreement,
            agency=agency,
            version=agreement.version,
            signed_by_name=signed_by_name,
            signed_by_role=signed_by_role,
            signed_on=signed_on,
            recorded_by=actor,
        )
        signature.full_clean()
        signature.save()
        # The first signature puts the agreement in force; each agency's access still
        # depends on its own signature, so the parties that have not signed see nothing.
        if agreement.status in (AgreementStatus.DRAFT, AgreementStatus.IN_CIRCULATION):
            agreement.status = AgreementStatus.SIGNED
            agreement.signed_off_on = signed_on
            agreement.next_review_due = signed_on + relativedelta(
                months=agreement.review_interval_months
            )
            agreement.save(update_fields=["status", "signed_off_on", "next_review_due"])
        audit(
            actor=actor,
            verb=Verb.AGREEMENT_SIGNED,
            target=agreement,
            detail={"agency": agency.code, "version": agreement.version},
        )
        recompute_panel_access(actor=actor)
    return signature


def agreement_set_status(
    *, actor: User | None, agreement: InformationSharingAgreement, status: AgreementStatus
) -> InformationSharingAgreement:
    """Move an agreement to under review, expired or withdrawn; access follows at once."""
    _require_system_or_party_admin(actor, agreement)
    with transaction.atomic():
        previous = agreement.status
        agreement.status = status
        agreement.full_clean()
        agreement.save(update_fields=["status"])
        audit(
            actor=actor,
            verb=Verb.AGREEMENT_STATUS_CHANGED,
            target=agreement,
            detail={"from": previous, "to": status},
        )
        recompute_panel_access(actor=actor)
    return agreement
