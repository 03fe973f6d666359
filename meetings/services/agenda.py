"""Writes for a meeting's agenda: adding people with a reason, removing, reordering, and
sharing the agenda with the panel's member agencies.

Every change locks the meeting's row first, so two coordinators working on one agenda
at once cannot give two items the same place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from meetings.models import AgendaItem, AgendaReason, Meeting
from meetings.selectors.agenda import ON_COHORT
from meetings.selectors.meetings import OPEN_STATUSES
from offenders.models import Nominal
from panels.models import CohortMembership
from panels.permissions import can_coordinate


@dataclass(frozen=True)
class NewItem:
    nominal: Nominal
    reason: str
    reason_detail: str = ""


def _locked_open_meeting(actor: User | None, meeting: Meeting) -> Meeting:
    """The meeting's row, locked for this transaction, if its agenda may still change."""
    if actor is not None and not can_coordinate(actor, meeting.panel):
        raise PermissionDenied
    locked = Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            f"The agenda cannot change: the meeting is {locked.get_status_display().lower()}"
        )
    return locked


def _check_reason(reason: str, reason_detail: str) -> None:
    if reason not in AgendaReason.values:
        raise ValidationError({"reason": "Select why they are on the agenda"})
    if reason == AgendaReason.OTHER and not reason_detail.strip():
        raise ValidationError({"reason_detail": "Enter why they are on the agenda"})


def _renumber(meeting: Meeting) -> list[AgendaItem]:
    """The agenda in order, numbered 1, 2, 3... with no gaps or ties."""
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    changed = []
    for number, item in enumerate(items, start=1):
        if item.position != number:
            item.position = number
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])
    return items


def agenda_items_add(
    *, actor: User | None, meeting: Meeting, entries: list[NewItem]
) -> list[AgendaItem]:
    """Add people to the end of the agenda, each with a reason. Everyone must be on the
    panel's cohort (or referred to it); anyone already on the agenda is left where they
    are. One audit row per person added."""
    for entry in entries:
        _check_reason(entry.reason, entry.reason_detail)
    with transaction.atomic():
        meeting = _locked_open_meeting(actor, meeting)
        wanted = {entry.nominal.pk for entry in entries}
        on_cohort = set(
            CohortMembership.objects.filter(
                panel_id=meeting.panel_id, status__in=ON_COHORT, nominal_id__in=wanted
            ).values_list("nominal_id", flat=True)
        )
        outside = [entry.nominal for entry in entries if entry.nominal.pk not in on_cohort]
        if outside:
            raise ValidationError(
                {"nominal": f"{outside[0].full_name} is not on this panel's cohort"}
            )
        items = _renumber(meeting)
        present = {item.nominal_id for item in items}
        position = len(items)
        added = []
        for entry in entries:
            if entry.nominal.pk in present:
                continue
            present.add(entry.nominal.pk)
            position += 1
            item = AgendaItem(
                meeting=meeting,
                nominal=entry.nominal,
                reason=entry.reason,
                reason_detail=entry.reason_detail.strip(),
                position=position,
                added_by=actor,
            )
            item.full_clean()
            item.save()
            audit(
                actor=actor,
                verb=Verb.AGENDA_ITEM_ADDED,
                target=item,
                # The reason's words stay on the item: free text about the person is kept
                # out of the append-only trail, which outlives a deletion of their record.
                detail={
                    "meeting": meeting.pk,
                    "nominal": entry.nominal.pk,
                    "reason": item.reason,
                    "reason_detail_given": bool(item.reason_detail),
                },
            )
            added.append(item)
    return added


def agenda_item_add(
    *, actor: User | None, meeting: Meeting, nominal: Nominal, reason: str, reason_detail: str = ""
) -> AgendaItem:
    """Add one person to the end of the agenda with a reason."""
    added = agenda_items_add(
        actor=actor,
        meeting=meeting,
        entries=[NewItem(nominal=nominal, reason=reason, reason_detail=reason_detail)],
    )
    if not added:
        raise ValidationError({"nominal": f"{nominal.full_name} is already on the agenda"})
    return added[0]


def agenda_item_change(
    *, actor: User | None, item: AgendaItem, reason: str, reason_detail: str
) -> AgendaItem:
    """Change why a person is on the agenda."""
    _check_reason(reason, reason_detail)
    with transaction.atomic():
        _locked_open_meeting(actor, item.meeting)
        before = {"reason": item.reason}
        detail_changed = item.reason_detail != reason_detail.strip()
        item.reason, item.reason_detail = reason, reason_detail.strip()
        item.full_clean()
        item.save(update_fields=["reason", "reason_detail"])
        audit(
            actor=actor,
            verb=Verb.AGENDA_ITEM_CHANGED,
            target=item,
            detail={
                "meeting": item.meeting_id,
                "nominal": item.nominal_id,
                "reason": item.reason,
                # Whether the words changed, not the words (see agenda_items_add).
                "reason_detail_changed": detail_changed,
                "changed_from": before,
            },
        )
    return item


def agenda_item_remove(*, actor: User | None, item: AgendaItem) -> None:
    """Take a person off the agenda, unless the panel has already discussed them."""
    with transaction.atomic():
        meeting = _locked_open_meeting(actor, item.meeting)
        item = AgendaItem.objects.select_related("nominal").get(pk=item.pk)
        if item.discussed or item.notes or item.rag_review_id or item.actions.exists():
            raise ValidationError(
                f"{item.nominal.full_name} has been discussed at this meeting, so stays on "
                "its agenda"
            )
        audit(
            actor=actor,
            verb=Verb.AGENDA_ITEM_REMOVED,
            target=item,
            detail={"meeting": meeting.pk, "nominal": item.nominal_id, "reason": item.reason},
        )
        item.delete()
        _renumber(meeting)


def agenda_item_move(*, actor: User | None, item: AgendaItem, direction: str) -> bool:
    """Move an item one place up or down the agenda. False when it is already first (up)
    or last (down), and nothing changes."""
    if direction not in ("up", "down"):
        raise ValidationError("Choose whether to move the item up or down")
    with transaction.atomic():
        meeting = _locked_open_meeting(actor, item.meeting)
        items = _renumber(meeting)
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        neighbour = index - 1 if direction == "up" else index + 1
        if not 0 <= neighbour < len(items):
            return False
        first, second = items[index], items[neighbour]
        first.position, second.position = second.position, first.position
        AgendaItem.objects.bulk_update([first, second], ["position"])
        items[index], items[neighbour] = second, first
        audit(
            actor=actor,
            verb=Verb.AGENDA_REORDERED,
            target=meeting,
            detail={
                "moved": first.nominal_id,
                "direction": direction,
                "order": [other.nominal_id for other in items],
            },
        )
    return True


def agenda_share(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Share the agenda with the panel's member agencies: their staff then see who is on
    it and why on the meeting's page, as it stands, changes included. Nothing is sent to
    anyone."""
    with transaction.atomic():
        locked = _locked_open_meeting(actor, meeting)
        if locked.agenda_shared_on is not None:
            raise ValidationError(
                f"The agenda was already shared on {timezone.localtime(locked.agenda_shared_on):%-d %B %Y}"
            )
        count = AgendaItem.objects.filter(meeting=locked).count()
        if not count:
            raise ValidationError("Add at least one person to the agenda before sharing it")
        locked.agenda_shared_on = timezone.now()
        locked.save(update_fields=["agenda_shared_on"])
        audit(actor=actor, verb=Verb.AGENDA_SHARED, target=locked, detail={"items": count})
    meeting.agenda_shared_on = locked.agenda_shared_on
    return meeting
