"""Writes for information-sharing agreements, from the first draft to withdrawal.

The rules, as the agreement's page states them:
- A draft grants nothing. A governance lead of a party (or a system administrator) writes
  it, then circulates it; it cannot change once circulated.
- Each party's governance lead signs for their own agency. The agreement is in force from
  its first signature, and each party sees the panels it covers only once that party has
  signed the current version (`sharing.access`): a party that has not signed sees nothing.
- A new version of a signed agreement is a new draft with the same reference. The
  previous version stays in force, to its own review date and grace, until every party
  has signed the new one; then the new one replaces it (status superseded).
- A party that withdraws (or refuses a new version) stops being a party to every live
  version at once; withdrawing the whole agreement or marking it expired ends it for all.

Every function checks the actor may act, validates, saves, audits and recomputes panel
access in one transaction, so access follows the agreement on the very next request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Agency, Role, User, Verb
from accounts.notifications import send
from accounts.permissions import is_governance_lead
from panels.models import Panel
from sharing.access import recompute_panel_access
from sharing.documents import Document
from sharing.models import (
    EDITABLE_STATUSES,
    FINAL_STATUSES,
    IN_FORCE_STATUSES,
    SIGNABLE_STATUSES,
    AgreementStatus,
    InformationSharingAgreement,
    PartyWithdrawal,
    Signature,
)

logger = logging.getLogger(__name__)

CIRCULATED_KIND = "agreement_to_sign"


@dataclass(frozen=True)
class AgreementDetails:
    """What a governance lead writes in a draft."""

    title: str
    reference: str
    parties: list[Agency]
    panels: list[Panel]
    legal_basis: str = ""
    purpose: str = ""
    review_interval_months: int = 12
    retention_period_months: int | None = None


def is_party_lead(actor: User, agreement: InformationSharingAgreement) -> bool:
    return bool(
        agreement.pk
        and is_governance_lead(actor)
        and agreement.parties.filter(pk=actor.agency_id).exists()
    )


def may_govern(actor: User, agreement: InformationSharingAgreement) -> bool:
    """System administrators, or an information governance lead of a party agency."""
    return actor.has_role(Role.SYSTEM_ADMIN) or is_party_lead(actor, agreement)


def _require_system_admin_or_party_lead(
    actor: User | None, agreement: InformationSharingAgreement
) -> None:
    if actor is not None and not may_govern(actor, agreement):
        raise PermissionDenied


def _require_may_draft_for(actor: User | None, parties: Iterable[Agency]) -> None:
    """A governance lead drafts only agreements their own agency is a party to."""
    if actor is None or actor.has_role(Role.SYSTEM_ADMIN):
        return
    if not (is_governance_lead(actor) and actor.agency_id in {a.pk for a in parties}):
        raise PermissionDenied


def _set_details(agreement: InformationSharingAgreement, details: AgreementDetails) -> None:
    agreement.title = details.title
    agreement.reference = details.reference
    agreement.legal_basis = details.legal_basis
    agreement.purpose = details.purpose
    agreement.review_interval_months = details.review_interval_months
    agreement.retention_period_months = details.retention_period_months


def _set_document(agreement: InformationSharingAgreement, document: Document | None) -> None:
    if document is not None:
        agreement.document_name = document.name
        agreement.document_content_type = document.content_type
        agreement.document_content = document.content


def agreement_create(
    *,
    actor: User | None,
    title: str,
    reference: str,
    parties: list[Agency],
    panels: list,
    legal_basis: str = "",
    review_interval_months: int = 12,
    purpose: str = "",
    retention_period_months: int | None = None,
    document: Document | None = None,
) -> InformationSharingAgreement:
    """Draft a new agreement. Drafts grant nothing until signed."""
    _require_may_draft_for(actor, parties)
    details = AgreementDetails(
        title=title,
        reference=reference,
        parties=parties,
        panels=panels,
        legal_basis=legal_basis,
        purpose=purpose,
        review_interval_months=review_interval_months,
        retention_period_months=retention_period_months,
    )
    with transaction.atomic():
        agreement = InformationSharingAgreement()
        _set_details(agreement, details)
        _set_document(agreement, document)
        agreement.full_clean()
        agreement.save()
        agreement.parties.set(parties)
        agreement.panels.set(panels)
        audit(actor=actor, verb=Verb.AGREEMENT_CREATED, target=agreement)
        if document is not None:
            audit(
                actor=actor,
                verb=Verb.AGREEMENT_DOCUMENT_UPLOADED,
                target=agreement,
                detail={"name": document.name, "bytes": len(document.content)},
            )
    return agreement


def agreement_update(
    *,
    actor: User,
    agreement: InformationSharingAgreement,
    details: AgreementDetails,
    document: Document | None = None,
) -> InformationSharingAgreement:
    """Change a draft. The actor's agency must stay a party, and a new version keeps its
    reference (it is the same agreement)."""
    _require_system_admin_or_party_lead(actor, agreement)
    _require_may_draft_for(actor, details.parties)
    if agreement.status not in EDITABLE_STATUSES:
        raise ValidationError("Only a draft can be changed. Start a new version instead.")
    # A changed reference is named beside the details' own problems, in one answer.
    errors: dict[str, list[str]] = {}
    if agreement.previous_version_id and details.reference != agreement.reference:
        errors["reference"] = ["A new version keeps the agreement's reference."]
    with transaction.atomic():
        _set_details(agreement, details)
        _set_document(agreement, document)
        try:
            agreement.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        agreement.save()
        agreement.parties.set(details.parties)
        agreement.panels.set(details.panels)
        audit(actor=actor, verb=Verb.AGREEMENT_CHANGED, target=agreement)
        if document is not None:
            audit(
                actor=actor,
                verb=Verb.AGREEMENT_DOCUMENT_UPLOADED,
                target=agreement,
                detail={"name": document.name, "bytes": len(document.content)},
            )
    return agreement


def circulation_problems(agreement: InformationSharingAgreement) -> dict[str, str]:
    """What a draft still needs before the parties can be asked to sign it, by field."""
    problems: dict[str, str] = {}
    if not agreement.parties.exists():
        problems["parties"] = "Choose the agencies that are parties to the agreement."
    if not agreement.panels.exists():
        problems["panels"] = "Choose the panels the agreement covers."
    if not agreement.legal_basis.strip():
        problems["legal_basis"] = "Enter the legal basis for sharing."
    if not agreement.purpose.strip():
        problems["purpose"] = "Enter the purpose of sharing."
    if agreement.retention_period_months is None:
        problems["retention_period_months"] = (
            "Enter how many months records are kept after a person leaves the cohort."
        )
    if not agreement.document_name:
        problems["document"] = "Upload the agreement's document for the parties to sign."
    return problems


def agreement_circulate(
    *, actor: User | None, agreement: InformationSharingAgreement
) -> InformationSharingAgreement:
    """Send a complete draft to the parties for signature, and tell their governance leads."""
    _require_system_admin_or_party_lead(actor, agreement)
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError("Only a draft can be circulated.")
    problems = circulation_problems(agreement)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        agreement.status = AgreementStatus.IN_CIRCULATION
        agreement.circulated_on = timezone.localdate()
        agreement.save(update_fields=["status", "circulated_on", "updated_at"])
        notified = notify_unsigned_leads(agreement)
        audit(
            actor=actor,
            verb=Verb.AGREEMENT_CIRCULATED,
            target=agreement,
            detail={"version": agreement.version, "notified": notified},
        )
    return agreement


def unsigned_parties(agreement: InformationSharingAgreement) -> list[Agency]:
    signed = set(
        agreement.signatures.filter(version=agreement.version).values_list("agency_id", flat=True)
    )
    return [party for party in agreement.parties.order_by("name") if party.pk not in signed]


def governance_leads(agencies: Iterable[Agency]) -> list[User]:
    return list(
        User.objects.filter(
            agency__in=list(agencies),
            agency__active=True,
            is_active=True,
            groups__name=Role.GOVERNANCE_LEAD,
        )
        .distinct()
        .order_by("pk")
    )


def notify_leads(
    users: list[User], *, kind: str, key: str, text: str, url: str, subject: str
) -> int:
    """An in-app notification and an e-mail to each, once per kind and key
    (`accounts.notifications.send`). Both say only the agreement's title and where to find
    it: an agreement's register entry holds no personal data. Returns how many were new."""
    return send(users, kind=kind, key=key, text=text, url=url, subject=subject)


def notify_unsigned_leads(agreement: InformationSharingAgreement) -> int:
    return notify_leads(
        governance_leads(unsigned_parties(agreement)),
        kind=CIRCULATED_KIND,
        key=f"{agreement.pk}:v{agreement.version}",
        text=f"{agreement.title} (version {agreement.version}) is ready for your agency to sign",
        url=reverse("sharing:agreement", args=[agreement.pk]),
        subject="An information-sharing agreement is ready to sign",
    )


def agreement_sign(
    *,
    actor: User,
    agreement: InformationSharingAgreement,
    agency: Agency,
    signed_by_name: str,
    signed_by_role: str,
    signed_on: date,
) -> Signature:
    """Record that a party signed the current version of an agreement.

    A governance lead signs for their own agency only; a system administrator may record
    any party's signature (a paper signature, say)."""
    _require_system_admin_or_party_lead(actor, agreement)
    if not actor.has_role(Role.SYSTEM_ADMIN) and actor.agency_id != agency.pk:
        raise PermissionDenied
    if not agreement.parties.filter(pk=agency.pk).exists():
        raise ValidationError(f"{agency} is not a party to {agreement.reference}.")
    if agreement.status not in SIGNABLE_STATUSES:
        raise ValidationError("Only an agreement in circulation or in force can be signed.")
    if agreement.signatures.filter(agency=agency, version=agreement.version).exists():
        raise ValidationError(f"{agency} has already signed version {agreement.version}.")
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
        if agreement.status == AgreementStatus.IN_CIRCULATION:
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
        _replace_previous_if_all_signed(actor, agreement)
        recompute_panel_access(actor=actor)
    return signature


def _replace_previous_if_all_signed(
    actor: User | None, agreement: InformationSharingAgreement
) -> None:
    """Once every party has signed a new version, the version it replaces ends."""
    previous = agreement.previous_version
    if (
        previous is None
        or agreement.status not in IN_FORCE_STATUSES
        or previous.status in FINAL_STATUSES
        or unsigned_parties(agreement)
    ):
        return
    from_status = previous.status
    previous.status = AgreementStatus.SUPERSEDED
    previous.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        verb=Verb.AGREEMENT_SUPERSEDED,
        target=previous,
        detail={"from": from_status, "by_version": agreement.version},
    )


def live_versions(agreement: InformationSharingAgreement) -> list[InformationSharingAgreement]:
    """Every version of the agreement not yet ended, this one included."""
    return list(
        InformationSharingAgreement.objects.filter(reference=agreement.reference)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("version")
    )


def agreement_new_version(
    *, actor: User, agreement: InformationSharingAgreement
) -> InformationSharingAgreement:
    """Start version N+1 of a signed agreement: a draft with the same text, parties and
    panels and no document, for the lead to change and circulate."""
    _require_system_admin_or_party_lead(actor, agreement)
    if agreement.status not in IN_FORCE_STATUSES:
        raise ValidationError("Only an agreement that has been signed can have a new version.")
    latest = (
        InformationSharingAgreement.objects.filter(reference=agreement.reference)
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.pk != agreement.pk:
        raise ValidationError(
            f"Version {latest.version} of this agreement has already been started."
        )
    with transaction.atomic():
        draft = InformationSharingAgreement(
            title=agreement.title,
            reference=agreement.reference,
            previous_version=agreement,
            version=agreement.version + 1,
            legal_basis=agreement.legal_basis,
            purpose=agreement.purpose,
            review_interval_months=agreement.review_interval_months,
            retention_period_months=agreement.retention_period_months,
        )
        draft.full_clean()
        draft.save()
        draft.parties.set(agreement.parties.all())
        draft.panels.set(agreement.panels.all())
        audit(
            actor=actor,
            verb=Verb.AGREEMENT_NEW_VERSION,
            target=draft,
            detail={"previous": agreement.pk, "version": draft.version},
        )
    return draft


def agreement_withdraw_party(
    *, actor: User, agreement: InformationSharingAgreement, agency: Agency, reason: str
) -> PartyWithdrawal:
    """Take a party out of every live version of the agreement, at once. Its own
    governance lead may, or a system administrator."""
    if not (
        actor.has_role(Role.SYSTEM_ADMIN)
        or (is_governance_lead(actor) and actor.agency_id == agency.pk)
    ):
        raise PermissionDenied
    if agreement.status in FINAL_STATUSES:
        raise ValidationError("This agreement has already ended.")
    if not agreement.parties.filter(pk=agency.pk).exists():
        raise ValidationError(f"{agency} is not a party to {agreement.reference}.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the agency is withdrawing."})
    with transaction.atomic():
        withdrawal = None
        versions = live_versions(agreement)
        for version in versions:
            if version.parties.filter(pk=agency.pk).exists():
                version.parties.remove(agency)
                row = PartyWithdrawal.objects.create(
                    agreement=version, agency=agency, reason=reason, withdrawn_by=actor
                )
                if version.pk == agreement.pk:
                    withdrawal = row
                audit(
                    actor=actor,
                    verb=Verb.AGREEMENT_PARTY_WITHDRAWN,
                    target=version,
                    detail={"agency": agency.code, "version": version.version},
                )
        # Its signature was all a new version was waiting for: the new one now replaces
        # the old.
        for version in versions:
            version.refresh_from_db()
            _replace_previous_if_all_signed(actor, version)
        recompute_panel_access(actor=actor)
    if withdrawal is None:  # pragma: no cover - a live agreement is always among its versions
        raise ValidationError(f"{agency} is not a party to {agreement.reference}.")
    return withdrawal


def agreement_withdraw(
    *, actor: User, agreement: InformationSharingAgreement, reason: str
) -> InformationSharingAgreement:
    """End the whole agreement, every live version of it, at once."""
    _require_system_admin_or_party_lead(actor, agreement)
    if agreement.status in FINAL_STATUSES:
        raise ValidationError("This agreement has already ended.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the agreement is being withdrawn."})
    return _end(actor, agreement, AgreementStatus.WITHDRAWN, Verb.AGREEMENT_WITHDRAWN, reason)


def agreement_expire(
    *, actor: User | None, agreement: InformationSharingAgreement
) -> InformationSharingAgreement:
    """Record that the agreement has expired: every live version ends at once."""
    _require_system_admin_or_party_lead(actor, agreement)
    if agreement.status in FINAL_STATUSES:
        raise ValidationError("This agreement has already ended.")
    return _end(actor, agreement, AgreementStatus.EXPIRED, Verb.AGREEMENT_EXPIRED, "")


def _end(
    actor: User | None,
    agreement: InformationSharingAgreement,
    status: AgreementStatus,
    verb: Verb,
    reason: str,
) -> InformationSharingAgreement:
    with transaction.atomic():
        for version in live_versions(agreement):
            from_status = version.status
            version.status = status
            version.withdrawal_reason = reason
            version.save(update_fields=["status", "withdrawal_reason", "updated_at"])
            audit(
                actor=actor,
                verb=verb,
                target=version,
                detail={"from": from_status, "version": version.version, "reason": reason},
            )
        recompute_panel_access(actor=actor)
    agreement.refresh_from_db()
    return agreement


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
