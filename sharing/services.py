"""Writes for agencies, staff accounts and information-sharing agreements.

Every function takes the acting user, checks they may act, validates, saves, writes its
audit row in the same transaction, and recomputes panel access where the change can
alter who sees what.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.audit import audit
from accounts.models import Agency, Role, User, Verb
from accounts.permissions import is_governance_lead
from panels.models import Panel
from panels.permissions import can_coordinate
from sharing.access import recompute_panel_access
from sharing.models import AgreementStatus, InformationSharingAgreement, Signature


def _require_system_admin_or_party_lead(
    actor: User | None, agreement: InformationSharingAgreement
) -> None:
    """System administrators, or an information governance lead of a party agency."""
    if actor is None or actor.has_role(Role.SYSTEM_ADMIN):
        return
    is_party = agreement.pk and agreement.parties.filter(pk=actor.agency_id).exists()
    if not (is_governance_lead(actor) and is_party):
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
        actor.has_role(Role.SYSTEM_ADMIN) or (is_governance_lead(actor) and actor.agency in parties)
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
    _require_system_admin_or_party_lead(actor, agreement)
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
    _require_system_admin_or_party_lead(actor, agreement)
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


def panel_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    coordinating_agency: Agency,
    member_agencies: list[Agency],
    description: str = "",
) -> Panel:
    """Set up a panel. System administrators, or a coordinator for their own agency."""
    if actor is not None and not (
        actor.has_role(Role.SYSTEM_ADMIN)
        or (actor.has_role(Role.COORDINATOR) and actor.agency_id == coordinating_agency.pk)
    ):
        raise PermissionDenied
    with transaction.atomic():
        panel = Panel(
            kind=kind, name=name, coordinating_agency=coordinating_agency, description=description
        )
        panel.full_clean()
        panel.save()
        panel.member_agencies.set(member_agencies)
        audit(actor=actor, verb=Verb.PANEL_CREATED, target=panel)
        recompute_panel_access(actor=actor)
    return panel


def panel_set_members(*, actor: User | None, panel: Panel, member_agencies: list[Agency]) -> Panel:
    """Replace the panel's member agencies; an agency removed loses sight of it at once."""
    if actor is not None and not (
        actor.has_role(Role.SYSTEM_ADMIN) or can_coordinate(actor, panel)
    ):
        raise PermissionDenied
    with transaction.atomic():
        before = set(panel.member_agencies.values_list("code", flat=True))
        panel.member_agencies.set(member_agencies)
        after = {agency.code for agency in member_agencies}
        audit(
            actor=actor,
            verb=Verb.PANEL_MEMBERS_CHANGED,
            target=panel,
            detail={"added": sorted(after - before), "removed": sorted(before - after)},
        )
        recompute_panel_access(actor=actor)
    return panel
