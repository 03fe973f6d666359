"""Writes for a person's time on a panel's cohort: referral, the coordinator's decision,
exit, and the panel's own fields about them.

Who sees a person follows from these rows: `Nominal.objects.visible_to` joins to the
memberships in SQL (referred, active and exited ones are shared with the panel's agencies;
a declined referral is not), so a referral shares the record with the panel at once and a
decline withdraws it. Nothing else needs recomputing.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from accounts.notifications import send
from accounts.permissions import user_may_see_casework
from offenders.models import Nominal
from panels.models import CohortMembership, MembershipStatus, Panel, PanelKind
from panels.permissions import require_coordinator

# The fields each kind of panel records about a person on its cohort. A kind not listed
# records none.
PANEL_FIELDS: dict[str, tuple[str, ...]] = {
    PanelKind.MAPPA: ("mappa_category", "mappa_level"),
    PanelKind.IOM: ("iom_strand", "statutory", "ogrs_band", "consent_to_share", "consent_on"),
    PanelKind.DIP: ("treatment_requirement", "treatment_start", "treatment_completed"),
}
ALL_PANEL_FIELDS = tuple(name for names in PANEL_FIELDS.values() for name in names)
# Which kind of panel each field belongs to, named as partners say it, for error messages.
_KIND_OF_FIELD = {
    name: label
    for kind, label in ((PanelKind.MAPPA, "MAPPA"), (PanelKind.IOM, "IOM"), (PanelKind.DIP, "DIP"))
    for name in PANEL_FIELDS[kind]
}
# Statuses in which a person counts as already on (or on the way onto) a cohort.
OPEN_STATUSES = (MembershipStatus.REFERRED, MembershipStatus.ACTIVE)


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _label(name: str) -> str:
    field = CohortMembership._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name} is not a field of a cohort membership")
    label = str(field.verbose_name)
    return label[0].upper() + label[1:]


def _check_panel_fields(panel: Panel, fields: dict[str, Any]) -> dict[str, Any]:
    """Only the fields of this panel's kind; another kind's field with a value is refused.

    An empty value for another kind's field (an API client sending every field) is
    harmless and dropped.
    """
    unknown = set(fields) - set(ALL_PANEL_FIELDS)
    if unknown:
        raise TypeError(f"not panel fields: {sorted(unknown)}")
    own = PANEL_FIELDS.get(panel.kind, ())
    errors = {
        name: f"{_label(name)} is only recorded on {_KIND_OF_FIELD[name]} panels"
        for name, value in fields.items()
        if name not in own and not _empty(value)
    }
    if errors:
        raise ValidationError(errors)
    return {name: value for name, value in fields.items() if name in own}


def _kind_rule_problems(membership: CohortMembership) -> dict[str, list[str]]:
    """Rules between the panel fields that the model's own `clean` does not know about."""
    errors: dict[str, list[str]] = {}
    consent_given = membership.consent_to_share is not None or membership.consent_on
    if consent_given and membership.statutory is not False:
        errors["consent_to_share"] = [
            "Consent to share is only recorded for non-statutory cases: "
            "choose non-statutory, or leave consent blank"
        ]
    if (membership.treatment_start or membership.treatment_completed) and not (
        membership.treatment_requirement
    ):
        errors["treatment_requirement"] = [
            "Select the treatment requirement (DRR or ATR) the dates are for"
        ]
    if membership.treatment_completed and not membership.treatment_start:
        errors["treatment_start"] = ["Enter the treatment start date as well as its completion"]
    return errors


def panel_fields_problems(
    panel: Panel, values: dict[str, Any], membership: CohortMembership | None = None
) -> dict[str, list[str]]:
    """What would be wrong with the panel's fields about a person set to `values` (on
    `membership` as it stands, or on a new referral), by field: the panel's rules and the
    record's own, without saving anything. A form runs them on the fields it could read, so
    every problem is named in one answer."""
    # A copy, so the record as it stands is not touched.
    trial = (
        copy.copy(membership)
        if membership is not None
        else CohortMembership(panel=panel, status=MembershipStatus.REFERRED)
    )
    for name, value in values.items():
        setattr(trial, name, value)
    errors = _kind_rule_problems(trial)
    try:
        trial.clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    return errors


def _check_membership(
    membership: CohortMembership, errors: dict[str, list[str]] | None = None
) -> None:
    """The panel's rules and the model's own checks together, with any `errors` found
    before, so one answer names every problem rather than the first of them."""
    errors = {**(errors or {})}
    for field, messages in _kind_rule_problems(membership).items():
        errors.setdefault(field, []).extend(messages)
    try:
        membership.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(
                message for message in messages if message not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)


def _not_future(value: date, field: str, what: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _locked(membership: CohortMembership) -> CohortMembership:
    """The row as it is now, locked until the transaction ends, so two decisions made at
    once cannot both pass the status check."""
    return (
        CohortMembership.objects.select_for_update()
        .select_related("panel", "nominal")
        .get(pk=membership.pk)
    )


def _changes(before: dict[str, Any], after: CohortMembership) -> dict[str, list[Any]]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    return {
        name: [plain(value), plain(getattr(after, name))]
        for name, value in before.items()
        if value != getattr(after, name)
    }


def membership_refer(
    *,
    actor: User,
    panel: Panel,
    nominal: Nominal,
    reason: str,
    **panel_fields: Any,
) -> CohortMembership:
    """Refer a person to a panel. Any casework member of staff of an agency that sees both
    the panel and the person may refer; the referral waits for the coordinator's decision.

    The person must not already be referred to, or active on, the panel. IOM scope and
    MAPPA warnings do not stop a referral: `cohorts.selectors.cohort.referral_warnings`
    gives them to the pages, which show them to the referrer and to the coordinator.
    """
    from offenders.selectors import nominals_for

    if not (
        user_may_see_casework(actor)
        and Panel.objects.visible_to(actor).filter(pk=panel.pk).exists()
        and nominals_for(actor).filter(pk=nominal.pk).exists()
    ):
        raise PermissionDenied
    fields = _check_panel_fields(panel, panel_fields)
    with transaction.atomic():
        # Lock the person so two referrals to the same panel made at once cannot both pass.
        Nominal.objects.select_for_update().filter(pk=nominal.pk).first()
        existing = CohortMembership.objects.filter(
            panel=panel, nominal=nominal, status__in=OPEN_STATUSES
        ).first()
        if existing is not None:
            if existing.status == MembershipStatus.ACTIVE:
                message = f"{nominal.full_name} is already on the {panel.name} cohort"
            else:
                message = (
                    f"{nominal.full_name} was already referred to {panel.name} on "
                    f"{existing.referred_on:%-d %B %Y} and is waiting for the coordinator's "
                    "decision"
                )
            raise ValidationError(message)
        membership = CohortMembership(
            panel=panel,
            nominal=nominal,
            status=MembershipStatus.REFERRED,
            referred_on=timezone.localdate(),
            referred_by=actor,
            referring_agency=actor.agency,
            reason=reason.strip(),
            **fields,
        )
        _check_membership(
            membership,
            {} if membership.reason else {"reason": ["Enter why you are referring this person"]},
        )
        membership.save()
        audit(
            actor=actor,
            verb=Verb.MEMBERSHIP_REFERRED,
            target=membership,
            detail={"panel": panel.pk, "nominal": nominal.pk, "fields": sorted(fields)},
        )
    return membership


def _tell_referrer(membership: CohortMembership, outcome: str) -> None:
    """The member of staff who made the referral hears the decision (no name: the panel and
    the record number)."""
    if membership.referred_by is None:
        return
    send(
        [membership.referred_by],
        kind="referral_decided",
        key=f"{membership.pk}:{outcome}",
        text=f"Your referral of record {membership.nominal_id} to {membership.panel.name} "
        f"was {outcome}",
        url=reverse("offenders:profile", args=[membership.nominal_id]),
    )


def membership_accept(
    *, actor: User, membership: CohortMembership, start: date
) -> CohortMembership:
    """The coordinator accepts a referral: the person joins the cohort on `start`."""
    require_coordinator(actor, membership.panel)
    with transaction.atomic():
        current = _locked(membership)
        if current.status != MembershipStatus.REFERRED:
            raise ValidationError(
                f"This referral has already been decided: {current.get_status_display().lower()}"
            )
        _not_future(start, "start", "The start date")
        if start < current.referred_on:
            raise ValidationError(
                {
                    "start": "The start date must be the same as or after the referral date, "
                    f"{current.referred_on:%-d %B %Y}"
                }
            )
        current.status = MembershipStatus.ACTIVE
        current.start = start
        current.decided_by = actor
        current.decided_on = timezone.localdate()
        current.full_clean()
        current.save(update_fields=["status", "start", "decided_by", "decided_on"])
        _tell_referrer(current, "accepted")
        audit(
            actor=actor,
            verb=Verb.MEMBERSHIP_ACCEPTED,
            target=current,
            detail={"start": start.isoformat()},
        )
    return current


def membership_decline(
    *, actor: User, membership: CohortMembership, reason: str
) -> CohortMembership:
    """The coordinator declines a referral. The person never joined the cohort, so the
    panel's partner agencies stop seeing them (unless they see them another way)."""
    require_coordinator(actor, membership.panel)
    reason = reason.strip()
    with transaction.atomic():
        current = _locked(membership)
        if current.status != MembershipStatus.REFERRED:
            raise ValidationError(
                f"This referral has already been decided: {current.get_status_display().lower()}"
            )
        if not reason:
            raise ValidationError({"decline_reason": "Enter why the referral is declined"})
        current.status = MembershipStatus.DECLINED
        current.decline_reason = reason
        current.decided_by = actor
        current.decided_on = timezone.localdate()
        current.full_clean()
        current.save(update_fields=["status", "decline_reason", "decided_by", "decided_on"])
        _tell_referrer(current, "declined")
        audit(actor=actor, verb=Verb.MEMBERSHIP_DECLINED, target=current)
    return current


def exit_problems(
    membership: CohortMembership, *, end: date | None, reason: str | None, today: date
) -> dict[str, list[str]]:
    """Every problem with recording that someone left the cohort, by field: why, and an
    exit date not in the future nor before they joined. A part given as None was not
    readable and is not checked, so the rest are named in the same answer."""
    errors: dict[str, list[str]] = {}
    if reason is not None and not reason.strip():
        errors["exit_reason"] = ["Enter why they are leaving the cohort"]
    if end is not None and end > today:
        errors["end"] = ["The exit date must be today or in the past"]
    elif end is not None and membership.start and end < membership.start:
        errors["end"] = ["The exit date must be the same as or after the start date"]
    return errors


def membership_exit(
    *, actor: User, membership: CohortMembership, end: date, reason: str
) -> CohortMembership:
    """The coordinator records that an active member left the cohort on `end`."""
    require_coordinator(actor, membership.panel)
    reason = reason.strip()
    with transaction.atomic():
        current = _locked(membership)
        if current.status != MembershipStatus.ACTIVE:
            raise ValidationError(
                "Only someone active on the cohort can leave it: this person is "
                f"{current.get_status_display().lower()}"
            )
        problems = exit_problems(current, end=end, reason=reason, today=timezone.localdate())
        current.status = MembershipStatus.EXITED
        current.end = end
        current.exit_reason = reason
        _check_membership(current, problems)
        current.save(update_fields=["status", "end", "exit_reason"])
        audit(
            actor=actor,
            verb=Verb.MEMBERSHIP_EXITED,
            target=current,
            # The reason stays on the membership: free text about the person is kept out of
            # the append-only trail, which outlives a deletion of their record.
            detail={"end": end.isoformat()},
        )
    return current


class StaleDetails(ValidationError):
    """The details were changed by someone else after the form was opened."""


def panel_fields_version(membership: CohortMembership) -> str:
    """A short fingerprint of the panel fields as they are now. A form carries the one it
    was opened with, so a change made meanwhile by someone else is not overwritten."""
    values = {name: getattr(membership, name) for name in ALL_PANEL_FIELDS}
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def membership_update(
    *,
    actor: User,
    membership: CohortMembership,
    seen_version: str | None = None,
    **panel_fields: Any,
) -> CohortMembership:
    """The coordinator changes the panel's own fields about a person (MAPPA category and
    level, IOM strand and OGRS band, DIP treatment requirement and dates...).

    With `seen_version` (from `panel_fields_version` when the form was opened), an edit
    made on details someone else has changed since is refused rather than lost.
    """
    require_coordinator(actor, membership.panel)
    fields = _check_panel_fields(membership.panel, panel_fields)
    with transaction.atomic():
        current = _locked(membership)
        if current.status == MembershipStatus.DECLINED:
            raise ValidationError("A declined referral cannot be changed")
        if seen_version is not None and seen_version != panel_fields_version(current):
            raise StaleDetails(
                "Someone else changed these details while you were editing them. Your changes "
                "have not been saved: check the details below and make them again."
            )
        before = {name: getattr(current, name) for name in fields}
        for name, value in fields.items():
            setattr(current, name, value)
        diff = _changes(before, current)
        if not diff:
            return current
        _check_membership(current)
        current.save(update_fields=list(diff))
        audit(actor=actor, verb=Verb.MEMBERSHIP_CHANGED, target=current, detail={"changes": diff})
    return current
