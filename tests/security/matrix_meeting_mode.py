"""Access matrix rows for meeting mode, minutes and case actions (vocabulary in dsl.py).

The world's meetings are in the future, so the coordinator's empty POSTs are answered with
the page and the reason nothing was recorded (200); nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from tests.security.dsl import (
    COUNCIL_PANEL_VIEWERS,
    ELSEWHERE_PANEL_VIEWERS,
    SIGN_IN,
    ByPersona,
    Kwargs,
    Record,
    Route,
    missing,
    page,
    pk_at,
    read_only,
    seen_by,
    statuses,
)

MEETING = "meetings.meeting"
AGENDA_ITEM = "meetings.agendaitem"
CASE_ACTION = "meetings.caseaction"


def allowed_among(viewers: Iterable[str], allowed: Iterable[str]) -> ByPersona:
    """`allowed` get 200; others who see the record 403; everyone else signed in 404."""
    answers = dict.fromkeys(viewers, 403) | dict.fromkeys(allowed, 200)
    return statuses(404, anonymous=SIGN_IN, **answers)


# (URL arguments, who sees the record, who may act on it)
Target = tuple[Kwargs, tuple[str, ...], tuple[str, ...]]

# A meeting: its panel's viewers see it; its coordinator runs it.
MEETINGS: dict[str, Target] = {
    "council-meeting": (pk_at("work.meeting"), COUNCIL_PANEL_VIEWERS, ("coordinator",)),
    "elsewhere-meeting": (
        pk_at("outsider_work.meeting"),
        ELSEWHERE_PANEL_VIEWERS,
        ("outsider_coordinator",),
    ),
    "missing": (missing, (), ()),
}
# An agenda not yet shared: only the coordinating agency's staff see its items.
ITEMS: dict[str, Target] = {
    "council-item": (
        pk_at("work.agenda_item"),
        ("coordinator", "partner"),
        ("coordinator",),
    ),
    "elsewhere-item": (
        pk_at("outsider_work.agenda_item"),
        ELSEWHERE_PANEL_VIEWERS,
        ("outsider_coordinator",),
    ),
    "missing": (missing, (), ()),
}


def _actions(reporters: tuple[str, ...], elsewhere: tuple[str, ...]) -> dict[str, Target]:
    """The council's action is owned by probation; the other borough's by its own police."""
    return {
        "council-action": (pk_at("work.case_action"), COUNCIL_PANEL_VIEWERS, reporters),
        "elsewhere-action": (
            pk_at("outsider_work.case_action"),
            ELSEWHERE_PANEL_VIEWERS,
            elsewhere,
        ),
        "missing": (missing, (), ()),
    }


# Progress and "done": the owning agency's staff, and the panel's coordinator.
REPORTERS = _actions(("coordinator", "member_partner"), ELSEWHERE_PANEL_VIEWERS)
# Change and cancel: the panel's coordinator only.
COORDINATORS = _actions(("coordinator",), ("outsider_coordinator",))


def _route(name: str, audited_as: str, targets: dict[str, Target], expect) -> Route:
    return Route(
        name,
        audited_as=audited_as,
        records={
            label: Record(kwargs, expect(viewers, allowed))
            for label, (kwargs, viewers, allowed) in targets.items()
        },
    )


def _page(viewers, allowed):
    return read_only(allowed_among(viewers, allowed))


def _post_only(viewers, allowed):
    return {"GET": page(405), "POST": allowed_among(viewers, allowed)}


def _form(viewers, allowed):
    return {"GET": allowed_among(viewers, allowed), "POST": allowed_among(viewers, allowed)}


def _read(viewers, allowed):
    return read_only(seen_by(viewers))


MEETING_MODE_ROUTES: tuple[Route, ...] = (
    _route("meetings:meeting-mode", MEETING, MEETINGS, _page),
    _route("meetings:meeting-mode-attendance", MEETING, MEETINGS, _post_only),
    _route("meetings:meeting-mode-item", AGENDA_ITEM, ITEMS, _form),
    # Everyone who sees the panel opens the minutes; before they are published, only the
    # coordinator reads anything on the page.
    _route("meetings:meeting-minutes", MEETING, MEETINGS, _read),
    _route("meetings:meeting-minutes-publish", MEETING, MEETINGS, _post_only),
    # Every member of staff opens the list; it shows only actions of panels they see.
    Route("meetings:case-actions", expect=read_only(page())),
    _route("meetings:case-action", CASE_ACTION, REPORTERS, _read),
    _route("meetings:case-action-done", CASE_ACTION, REPORTERS, _post_only),
    _route("meetings:case-action-update", CASE_ACTION, REPORTERS, _post_only),
    _route("meetings:case-action-change", CASE_ACTION, COORDINATORS, _form),
    _route("meetings:case-action-cancel", CASE_ACTION, COORDINATORS, _post_only),
)
