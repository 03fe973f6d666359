"""Writes to nominals' records. Each takes the acting user, checks they may act, validates,
saves, and writes its audit row in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from accounts.permissions import user_may_see_casework
from matching.identifiers import validate_identifier
from matching.keys import match_keys
from matching.names import normalise_name
from offenders.models import (
    RECORDED_WITH_THEIR_RECORD,
    Alias,
    CaseEvent,
    CustodyEpisode,
    EventKind,
    Identifier,
    Need,
    Nominal,
    Offence,
    RiskScore,
)
from offenders.permissions import can_edit_identity

# The identity fields a person's record carries; changes to each are kept in the history.
IDENTITY_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "dob_approximate",
    "gender",
    "ethnicity",
    "postcode",
    "ward",
    "lead_professional",
)


class StaleEdit(ValidationError):
    """Someone else changed the record after this form was opened."""


def search_name_of(given_names: str, family_name: str) -> str:
    """The normalised name the trigram indexes of nominals and aliases hold."""
    return normalise_name(f"{given_names} {family_name}")


def match_fields(
    given_names: str, family_name: str, date_of_birth: date | None, aliases: Iterable[Alias] = ()
) -> tuple[str, list[str]]:
    """(search_name, match_keys) of a record with these names and aliases.

    The one place they are computed: the services below, and the synthetic data generator,
    which loads records in bulk without going through them.
    """
    keys = set(match_keys(given_names, family_name, date_of_birth))
    for alias in aliases:
        keys |= match_keys(
            alias.given_names, alias.family_name, alias.date_of_birth or date_of_birth
        )
    return search_name_of(given_names, family_name), sorted(keys)


def _refresh_match_fields(nominal: Nominal) -> None:
    """Keep the search and matching columns in step with the identity fields."""
    nominal.search_name, nominal.match_keys = match_fields(
        nominal.given_names,
        nominal.family_name,
        nominal.date_of_birth,
        nominal.aliases.all() if nominal.pk else (),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def nominal_create(
    *,
    actor: User,
    given_names: str,
    family_name: str,
    date_of_birth: date | None,
    dob_approximate: bool = False,
    gender: str = "unknown",
    ethnicity: str = "",
    postcode: str = "",
    ward: str = "",
    identifiers: list[tuple[str, str]] | None = None,
) -> Nominal:
    """Record a new person, owned by the actor's agency."""
    if not user_may_see_casework(actor):
        raise PermissionDenied
    with transaction.atomic():
        nominal = Nominal(
            given_names=given_names.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
            dob_approximate=dob_approximate,
            gender=gender,
            ethnicity=ethnicity,
            postcode=postcode.strip().upper(),
            ward=ward,
            owning_agency=actor.agency,
            created_by=actor,
        )
        _refresh_match_fields(nominal)
        nominal.full_clean()
        nominal.save()
        for kind, value in identifiers or []:
            identifier_add(actor=actor, nominal=nominal, kind=kind, value=value, audited=False)
        audit(
            actor=actor,
            verb=Verb.NOMINAL_CREATED,
            target=nominal,
            detail={"identifiers": [kind for kind, _ in identifiers or []]},
        )
    return nominal


def nominal_update(
    *, actor: User, nominal: Nominal, version: int, changes: dict[str, Any]
) -> Nominal:
    """Change identity fields; refuses an edit made on an out-of-date copy of the record."""
    if not can_edit_identity(actor, nominal):
        raise PermissionDenied
    unknown = set(changes) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"not identity fields: {sorted(unknown)}")
    with transaction.atomic():
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        if current.version != version:
            raise StaleEdit(
                "Someone else changed this record while you were editing it. "
                "Your changes have not been saved: check the record and make them again."
            )
        diff = {
            field: [_plain(getattr(current, field)), _plain(value)]
            for field, value in changes.items()
            if getattr(current, field) != value
        }
        if not diff:
            return current
        for field, value in changes.items():
            setattr(current, field, value)
        _refresh_match_fields(current)
        current.version = F("version") + 1
        current.full_clean(exclude=["version"])
        current.save()
        current.refresh_from_db()
        # Which fields changed, never their values: the audit trail is append-only, so a
        # name or date of birth written here could not be erased with the record.
        audit(
            actor=actor, verb=Verb.NOMINAL_UPDATED, target=current, detail={"fields": sorted(diff)}
        )
    return current


def identifier_add(
    *, actor: User, nominal: Nominal, kind: str, value: str, audited: bool = True
) -> Identifier:
    """Add a PNC ID, CRO number, CRN, prison or NHS number, or local reference."""
    try:
        normalised = validate_identifier(kind, value)
    except ValueError as error:
        raise ValidationError({"value": str(error)}) from error
    try:
        with transaction.atomic():
            identifier = Identifier.objects.create(
                nominal=nominal, kind=kind, value=normalised, recorded_by_agency=actor.agency
            )
    except IntegrityError as error:
        raise ValidationError(
            {
                "value": f"{normalised} is already recorded for another person. "
                "It may be the same person: search for it before adding a new record."
            }
        ) from error
    # A new identifier changes who the record may match: the version moves, so a dismissed
    # cross-reference finding about this record is looked at again.
    Nominal.objects.filter(pk=nominal.pk).update(version=F("version") + 1)
    nominal.version += 1  # the caller's copy stays current for its next edit
    if audited:
        audit(
            actor=actor,
            verb=Verb.IDENTIFIER_ADDED,
            target=nominal,
            detail={"kind": kind},
        )
    return identifier


def alias_add(
    *,
    actor: User,
    nominal: Nominal,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
) -> Alias:
    with transaction.atomic():
        alias = Alias(
            nominal=nominal,
            given_names=given_names.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
            recorded_by_agency=actor.agency,
        )
        alias.search_name = search_name_of(alias.given_names, alias.family_name)
        alias.full_clean()
        alias.save()
        _refresh_match_fields(nominal)
        Nominal.objects.filter(pk=nominal.pk).update(
            match_keys=nominal.match_keys, version=F("version") + 1
        )
        nominal.version += 1  # the caller's copy stays current for its next edit
        audit(actor=actor, verb=Verb.ALIAS_ADDED, target=nominal)
    return alias


def event_add(
    *, actor: User, nominal: Nominal, kind: str, occurred_on: date, summary: str
) -> CaseEvent:
    """Put an event on the timeline as the actor's agency."""
    if not user_may_see_casework(actor):
        raise PermissionDenied
    if kind in RECORDED_WITH_THEIR_RECORD:
        raise ValidationError(
            {"kind": "Record offences, custody and risk assessments on their own pages"}
        )
    with transaction.atomic():
        event = CaseEvent(
            nominal=nominal,
            kind=kind,
            occurred_on=occurred_on,
            summary=summary.strip(),
            agency=actor.agency,
            author=actor,
        )
        event.full_clean()
        event.save()
        audit(actor=actor, verb=Verb.EVENT_ADDED, target=nominal, detail={"kind": kind})
    return event


def need_set(
    *, actor: User, nominal: Nominal, pathway: str, level: str, note: str, on: date
) -> Need:
    """Record the current need on a pathway; the previous level stays in the history."""
    with transaction.atomic():
        need = Need.objects.filter(nominal=nominal, pathway=pathway).first()
        before = need.level if need else None
        need = need or Need(nominal=nominal, pathway=pathway)
        need.level, need.note, need.updated_on, need.updated_by = level, note, on, actor
        need.full_clean()
        need.save()
        audit(
            actor=actor,
            verb=Verb.NEED_SET,
            target=nominal,
            detail={"pathway": pathway, "from": before, "to": level},
        )
    return need


# Rows that belong to a person and move to the surviving record in a merge. The access
# log is append-only, so it is not moved: it is keyed by record id, and the survivor's
# "who has viewed this" page reads the merged ids too (offenders.selectors.merged_ids).
_MOVED_WITH_THE_PERSON = (
    "identifiers",
    "aliases",
    "addresses",
    "offences",
    "custody",
    "risk_scores",
    "events",
    "memberships",
    "rag_reviews",
    "case_actions",
)


def nominals_merge(*, actor: User, survivor: Nominal, duplicate: Nominal) -> Nominal:
    """Merge two records of one person: everything moves to the survivor, the duplicate
    is kept (so old links redirect) and marked merged, and the merge is on the timeline."""
    from offenders.selectors import nominals_for

    if survivor.pk == duplicate.pk:
        raise ValidationError("Choose two different records to merge.")
    visible = nominals_for(actor).filter(pk__in=[survivor.pk, duplicate.pk]).count() == 2
    if not (visible and can_edit_identity(actor, survivor) and can_edit_identity(actor, duplicate)):
        raise PermissionDenied
    return nominals_merge_agreed(actor=actor, survivor=survivor, duplicate=duplicate)


def nominals_merge_agreed(*, actor: User, survivor: Nominal, duplicate: Nominal) -> Nominal:
    """The merge itself, for a merge already authorised: by `nominals_merge`'s check that
    the actor may change both records, or by every agency holding one of them having agreed
    (crossref.services.merges). `actor` is who made the final decision, for the audit."""
    if survivor.pk == duplicate.pk:
        raise ValidationError("Choose two different records to merge.")
    with transaction.atomic():
        locked = {
            n.pk: n
            for n in Nominal.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
        }
        if locked[duplicate.pk].merged_into_id or locked[survivor.pk].merged_into_id:
            raise ValidationError("One of these records has already been merged.")
        moved: dict[str, int] = {}
        for relation in _MOVED_WITH_THE_PERSON:
            manager = getattr(duplicate, relation)
            moved[relation] = manager.update(nominal=survivor)
        # One agenda item per person per meeting: where both records were on the same
        # agenda, the duplicate's item stays with the duplicate, whose address redirects.
        survivor_meetings = survivor.agenda_items.values("meeting_id")
        moved["agenda_items"] = duplicate.agenda_items.exclude(
            meeting_id__in=survivor_meetings
        ).update(nominal=survivor)
        # One current need per pathway: keep the most recently updated of each pair.
        for need in Need.objects.filter(nominal=duplicate):
            kept = Need.objects.filter(nominal=survivor, pathway=need.pathway).first()
            if kept is None:
                Need.objects.filter(pk=need.pk).update(nominal=survivor)
            elif need.updated_on > kept.updated_on:
                kept.delete()
                Need.objects.filter(pk=need.pk).update(nominal=survivor)
        Nominal.objects.filter(pk=duplicate.pk).update(
            merged_into=survivor, version=F("version") + 1
        )
        refreshed = Nominal.objects.get(pk=survivor.pk)
        _refresh_match_fields(refreshed)
        Nominal.objects.filter(pk=survivor.pk).update(
            match_keys=refreshed.match_keys, version=F("version") + 1
        )
        CaseEvent.objects.create(
            nominal=survivor,
            kind=EventKind.MERGED,
            occurred_on=timezone.localdate(),
            summary=f"Record {duplicate.pk} ({duplicate}) was merged into this record.",
            agency=actor.agency,
            author=actor,
        )
        audit(
            actor=actor,
            verb=Verb.NOMINALS_MERGED,
            target=survivor,
            detail={"merged": duplicate.pk, "moved": moved},
        )
        audit(
            actor=actor,
            verb=Verb.NOMINALS_MERGED,
            target=duplicate,
            detail={"into": survivor.pk},
        )
    return Nominal.objects.get(pk=survivor.pk)


# --- Offences, custody and risk -------------------------------------------------------------
#
# Each also puts an event on the timeline, written by the same agency and person in the
# same transaction, so the timeline reads as the whole story in order.

EARLIEST_RECORD_YEAR = 1900


def _check_day(errors: dict[str, str], field: str, day: date | None, what: str, today: date):
    if day is None:
        return
    if day > today:
        errors[field] = f"The {what} must be today or in the past"
    elif day.year < EARLIEST_RECORD_YEAR:
        errors[field] = f"The {what} must be in or after {EARLIEST_RECORD_YEAR}"


def _casework_only(actor: User) -> None:
    if not user_may_see_casework(actor):
        raise PermissionDenied


def _timeline(actor: User, nominal: Nominal, kind: str, on: date, summary: str) -> None:
    CaseEvent.objects.create(
        nominal=nominal,
        kind=kind,
        occurred_on=on,
        summary=summary,
        agency=actor.agency,
        author=actor,
    )


def offence_add(
    *,
    actor: User,
    nominal: Nominal,
    offence_type: str,
    committed_on: date | None = None,
    outcome: str = "",
    today: date | None = None,
) -> Offence:
    """Record an offence (its type, date if known, and outcome) as the actor's agency."""
    _casework_only(actor)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    _check_day(errors, "committed_on", committed_on, "date of the offence", today)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offence = Offence(
            nominal=nominal,
            offence_type=offence_type,
            committed_on=committed_on,
            outcome=outcome.strip(),
            recorded_by_agency=actor.agency,
        )
        offence.full_clean()
        offence.save()
        summary = offence.get_offence_type_display()
        if offence.outcome:
            summary += f". Outcome: {offence.outcome}"
        _timeline(actor, nominal, EventKind.OFFENCE, committed_on or today, summary)
        audit(
            actor=actor,
            verb=Verb.OFFENCE_ADDED,
            target=nominal,
            detail={"offence": offence.pk, "type": offence_type},
        )
    return offence


def custody_problems(
    *,
    nominal: Nominal,
    entered_on: date | None,
    released_on: date | None,
    offence: Offence | None,
    today: date,
) -> dict[str, str]:
    """Every problem with a new time in custody, by field: dates not in the future (nor
    before records began), a release on or after the day custody began, one of the person's
    own offences, and no earlier time in custody still open. A date given as None was not
    readable and is not checked, so the rest are named in the same answer."""
    errors: dict[str, str] = {}
    _check_day(errors, "entered_on", entered_on, "date custody began", today)
    _check_day(errors, "released_on", released_on, "date of release", today)
    if released_on and entered_on and released_on < entered_on and "released_on" not in errors:
        errors["released_on"] = "The date of release must be on or after the date custody began"
    if offence is not None and offence.nominal_id != nominal.pk:
        errors["offence"] = "Select one of this person's offences"
    open_episode = CustodyEpisode.objects.filter(nominal=nominal, released_on__isnull=True).first()
    if open_episode is not None and "entered_on" not in errors:
        errors["entered_on"] = (
            f"The record shows this person in custody since "
            f"{open_episode.entered_on:%-d %B %Y}. Record that release first."
        )
    return errors


def custody_add(
    *,
    actor: User,
    nominal: Nominal,
    entered_on: date,
    reason: str,
    released_on: date | None = None,
    establishment: str = "",
    offence: Offence | None = None,
    today: date | None = None,
) -> CustodyEpisode:
    """Record time in custody: when it began, why, where, and the release if it has come.
    A person already in custody is released before a new episode begins."""
    _casework_only(actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        # Lock the open episode, if any, so two episodes begun at once cannot both pass.
        list(
            CustodyEpisode.objects.select_for_update().filter(
                nominal=nominal, released_on__isnull=True
            )
        )
        errors = custody_problems(
            nominal=nominal,
            entered_on=entered_on,
            released_on=released_on,
            offence=offence,
            today=today,
        )
        if errors:
            raise ValidationError(errors)
        episode = CustodyEpisode(
            nominal=nominal,
            entered_on=entered_on,
            released_on=released_on,
            reason=reason,
            establishment=establishment.strip(),
            offence=offence,
            recorded_by_agency=actor.agency,
        )
        episode.full_clean()
        episode.save()
        where = f" at {episode.establishment}" if episode.establishment else ""
        _timeline(
            actor, nominal, EventKind.CUSTODY, entered_on, f"{episode.get_reason_display()}{where}"
        )
        if released_on:
            _timeline(actor, nominal, EventKind.RELEASE, released_on, f"Released{where}")
        audit(
            actor=actor,
            verb=Verb.CUSTODY_ADDED,
            target=nominal,
            detail={"episode": episode.pk, "reason": reason, "released": bool(released_on)},
        )
    return episode


def custody_release(
    *,
    actor: User,
    episode: CustodyEpisode,
    released_on: date,
    today: date | None = None,
) -> CustodyEpisode:
    """Record the release that ends a person's time in custody."""
    _casework_only(actor)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    _check_day(errors, "released_on", released_on, "date of release", today)
    with transaction.atomic():
        current = CustodyEpisode.objects.select_for_update().get(pk=episode.pk)
        if current.released_on is not None:
            errors["released_on"] = (
                f"This time in custody already ended on {current.released_on:%-d %B %Y}"
            )
        elif released_on < current.entered_on and "released_on" not in errors:
            errors["released_on"] = (
                "The date of release must be on or after the date custody began "
                f"({current.entered_on:%-d %B %Y})"
            )
        if errors:
            raise ValidationError(errors)
        current.released_on = released_on
        current.save(update_fields=["released_on"])
        where = f" from {current.establishment}" if current.establishment else ""
        _timeline(actor, current.nominal, EventKind.RELEASE, released_on, f"Released{where}")
        audit(
            actor=actor,
            verb=Verb.CUSTODY_RELEASED,
            target=current.nominal,
            detail={"episode": current.pk},
        )
    return current


def risk_record(
    *,
    actor: User,
    nominal: Nominal,
    assessed_on: date,
    ogrs_percent: int | None = None,
    rosh_level: str = "",
    source: str = "OASys",
    today: date | None = None,
) -> RiskScore:
    """Record a risk assessment: the OGRS score, the RoSH level, or both."""
    _casework_only(actor)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    _check_day(errors, "assessed_on", assessed_on, "date of the assessment", today)
    if ogrs_percent is None and not rosh_level:
        errors["ogrs_percent"] = "Enter the OGRS score, the RoSH level, or both"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        score = RiskScore(
            nominal=nominal,
            assessed_on=assessed_on,
            ogrs_percent=ogrs_percent,
            rosh_level=rosh_level,
            source=source.strip() or "OASys",
            recorded_by_agency=actor.agency,
        )
        score.full_clean()
        score.save()
        parts = []
        if ogrs_percent is not None:
            parts.append(f"OGRS {ogrs_percent}%")
        if rosh_level:
            parts.append(f"RoSH {score.get_rosh_level_display().lower()}")
        _timeline(
            actor,
            nominal,
            EventKind.RISK_ASSESSMENT,
            assessed_on,
            f"{', '.join(parts)} ({score.source})",
        )
        audit(actor=actor, verb=Verb.RISK_RECORDED, target=nominal, detail={"score": score.pk})
    return score
