"""Who may see what (DESIGN.md section 4), in one place.

django-guardian stores one `view_panel` grant per (panel, agency group), and beside each
grant the windows of days on which it is in force (`panels.models.PanelGrantWindow`). The
grants are derived data: `recompute_panel_access` rebuilds them, with their windows, from
panel membership and the information-sharing agreements in force today or later, whenever
either changes, and nightly to tidy away grants whose windows have all passed.

Why windows: an agreement also lapses by date (its review overdue beyond the grace period)
and starts by date (its sign-off date), with nothing being saved at that moment. Each
grant carries the days between which the agreements behind it keep it in force, so every
read, `Panel.objects.visible_to(user)` and the selectors built on it, keeps only grants
whose window covers the day of the request. A lapse by date is then denied on the very
next request, in SQL; nothing calls `has_perm` per row, and model-wide permissions are
never granted or consulted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit
from accounts.models import User, Verb
from panels.models import VIEW_PANEL, Panel, PanelGrantWindow, PanelGroupObjectPermission
from sharing.models import InformationSharingAgreement, Signature

# Any constant works; it only has to be the same for every recomputation.
_RECOMPUTE_LOCK_KEY = 7_341_001

# (first day, last day), both inclusive; None at an open end.
Window = tuple[date | None, date | None]
ALWAYS: Window = (None, None)


@dataclass(frozen=True)
class RecomputeResult:
    granted: int
    revoked: int
    # Grants kept whose windows changed (a review recorded, a second agreement signed...).
    rescheduled: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.granted or self.revoked or self.rescheduled)


def _view_panel_permission() -> Permission:
    content_type = ContentType.objects.get_for_model(Panel)
    return Permission.objects.get(content_type=content_type, codename=VIEW_PANEL)


def merge_windows(windows: list[Window]) -> tuple[Window, ...]:
    """The union of windows as the fewest disjoint ones, in order. Windows that overlap or
    touch (one ends the day before the next starts) become one."""

    def start_key(window: Window) -> date:
        return window[0] or date.min

    merged: list[Window] = []
    for starts_on, ends_on in sorted(windows, key=start_key):
        if merged:
            last_start, last_end = merged[-1]
            touches = (
                last_end is None or starts_on is None or starts_on <= last_end + timedelta(days=1)
            )
            if touches:
                end = None if last_end is None or ends_on is None else max(last_end, ends_on)
                merged[-1] = (last_start, end)
                continue
        merged.append((starts_on, ends_on))
    return tuple(merged)


def desired_panel_grants(on: date | None = None) -> dict[tuple[int, int], tuple[Window, ...]]:
    """(panel id, agency group id) pairs that the access rules call for on `on` (today by
    default) or later, each with the windows of days on which it is in force.

    A panel's coordinating agency always sees it. A member agency sees it on the days an
    agreement covering the panel is in force, if the agency has signed that agreement's
    current version: the union of those agreements' windows.
    """
    today = on or timezone.localdate()
    active_panels = Panel.objects.filter(active=True, coordinating_agency__active=True)
    windows: dict[tuple[int, int], list[Window]] = {
        pair: [ALWAYS] for pair in active_panels.values_list("pk", "coordinating_agency__group_id")
    }

    agreements = {
        agreement.pk: agreement.in_force_window()
        for agreement in InformationSharingAgreement.objects.in_force_on_or_after(today).only(
            "pk", "signed_off_on", "next_review_due"
        )
    }
    signed = Signature.objects.filter(
        agreement__in=list(agreements),
        version=F("agreement__version"),
        agreement__parties=F("agency"),
        agency__active=True,
    ).values_list("agreement_id", "agency_id")
    agencies_by_agreement: dict[int, set[int]] = {}
    for agreement_id, agency_id in signed:
        agencies_by_agreement.setdefault(agreement_id, set()).add(agency_id)
    covers = InformationSharingAgreement.panels.through.objects.filter(
        informationsharingagreement__in=list(agreements)
    ).values_list("informationsharingagreement_id", "panel_id")
    signed_for_panel: dict[tuple[int, int], list[Window]] = {}
    for agreement_id, panel_id in covers:
        for agency_id in agencies_by_agreement.get(agreement_id, ()):
            signed_for_panel.setdefault((panel_id, agency_id), []).append(agreements[agreement_id])

    memberships = Panel.member_agencies.through.objects.filter(
        panel__in=active_panels, agency__active=True
    ).values_list("panel_id", "agency_id", "agency__group_id")
    for panel_id, agency_id, group_id in memberships:
        for window in signed_for_panel.get((panel_id, agency_id), ()):
            windows.setdefault((panel_id, group_id), []).append(window)
    return {pair: merge_windows(found) for pair, found in windows.items()}


def recompute_panel_access(*, actor: User | None = None) -> RecomputeResult:
    """Make the stored grants and their windows equal the rules. Idempotent: a second run
    the same day changes nothing.

    A grant is stored while any of its windows has a day from today on, so one whose
    agreement starts in the future is written now and counts from its first day, with no
    job needed then; one whose windows have all passed is deleted (it was already refused
    since the day after its window ended).
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two recomputations at once would each delete what the other inserted.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RECOMPUTE_LOCK_KEY])
        permission = _view_panel_permission()
        wanted = desired_panel_grants()
        stored = PanelGroupObjectPermission.objects.filter(permission=permission)
        row_ids = {
            (panel_id, group_id): row_id
            for row_id, panel_id, group_id in stored.values_list(
                "pk", "content_object_id", "group_id"
            )
        }
        stored_windows: dict[int, list[Window]] = {}
        for grant_id, starts_on, ends_on in PanelGrantWindow.objects.filter(
            grant__permission=permission
        ).values_list("grant_id", "starts_on", "ends_on"):
            stored_windows.setdefault(grant_id, []).append((starts_on, ends_on))

        to_add = set(wanted) - set(row_ids)
        to_remove = set(row_ids) - set(wanted)
        to_reschedule = {
            pair
            for pair in set(wanted) & set(row_ids)
            if tuple(sorted(stored_windows.get(row_ids[pair], []), key=_window_key))
            != tuple(sorted(wanted[pair], key=_window_key))
        }

        created = PanelGroupObjectPermission.objects.bulk_create(
            PanelGroupObjectPermission(
                content_object_id=panel_id, group_id=group_id, permission=permission
            )
            for panel_id, group_id in to_add
        )
        new_ids = {(row.content_object_id, row.group_id): row.pk for row in created}
        rescheduled_ids = [row_ids[pair] for pair in to_reschedule]
        PanelGrantWindow.objects.filter(grant_id__in=rescheduled_ids).delete()
        PanelGrantWindow.objects.bulk_create(
            PanelGrantWindow(grant_id=grant_id, starts_on=starts_on, ends_on=ends_on)
            for pair, grant_id in [
                *new_ids.items(),
                *((pair, row_ids[pair]) for pair in to_reschedule),
            ]
            for starts_on, ends_on in wanted[pair]
        )
        stored.filter(pk__in=[row_ids[pair] for pair in to_remove]).delete()

        result = RecomputeResult(
            granted=len(to_add), revoked=len(to_remove), rescheduled=len(to_reschedule)
        )
        if result.changed:
            audit(
                actor=actor,
                verb=Verb.ACCESS_RECOMPUTED,
                target=permission,
                detail={
                    "granted": result.granted,
                    "revoked": result.revoked,
                    "rescheduled": result.rescheduled,
                },
            )
        return result


def _window_key(window: Window) -> tuple[date, date]:
    return (window[0] or date.min, window[1] or date.max)
