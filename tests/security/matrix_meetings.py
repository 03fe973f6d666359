"""Access matrix rows for the panel meetings routes (vocabulary in dsl.py).

Each area keeps its rows in its own block below and adds the block to MEETINGS_ROUTES at
the end of the module.
"""

from __future__ import annotations

from tests.security.dsl import (
    COUNCIL_PANEL_VIEWERS,
    ELSEWHERE_PANEL_VIEWERS,
    ByPersona,
    Expected,
    Kwargs,
    Record,
    Route,
    any_method,
    missing,
    page,
    pk_at,
    read_only,
    seen_by,
)

# --- Meeting rules, meetings, moving and cancelling, the agenda builder, sharing and the
# --- agenda pack (panels/views/meetings.py and panels/views/agenda.py) -----------------
#
# Everyone who sees a panel sees its meeting rules and meetings. Only the panel's
# coordinator changes them; others who see the panel get 403. The world's meetings are
# not shared yet, so their agenda items are seen by the coordinating agency only: a member
# agency gets 404 for an item, and 403 for the agenda pack of a meeting it sees.

COUNCIL_COORDINATOR = "coordinator"
ELSEWHERE_COORDINATOR = "outsider_coordinator"
# See the council's IOM panel but do not coordinate it.
COUNCIL_NOT_COORDINATING = tuple(p for p in COUNCIL_PANEL_VIEWERS if p != COUNCIL_COORDINATOR)
ELSEWHERE_NOT_COORDINATING = tuple(p for p in ELSEWHERE_PANEL_VIEWERS if p != ELSEWHERE_COORDINATOR)
# The coordinating agency's staff see an agenda that is not shared yet.
COUNCIL_AGENCY_VIEWERS = ("coordinator", "partner")


def _coordinator_only(
    viewers: tuple[str, ...], coordinator: str, allowed: Expected = 200
) -> ByPersona:
    """Those who see the record get 403 unless they coordinate it; everyone else 404."""
    others = tuple(p for p in viewers if p != coordinator)
    return seen_by(viewers) | dict.fromkeys(others, 403) | {coordinator: allowed}


def _records(
    council: Kwargs,
    elsewhere: Kwargs,
    expect: callable,
    *,
    council_viewers: tuple[str, ...] = COUNCIL_PANEL_VIEWERS,
) -> dict[str, Record]:
    """The council's record, the other borough's, and a missing one: `expect(viewers,
    coordinator)` gives each record's answers."""
    return {
        "council": Record(council, expect(council_viewers, COUNCIL_COORDINATOR)),
        "elsewhere": Record(elsewhere, expect(ELSEWHERE_PANEL_VIEWERS, ELSEWHERE_COORDINATOR)),
        "missing": Record(missing, expect((), "")),
    }


def _panel_route(name: str, expect: callable) -> Route:
    return Route(
        name,
        audited_as="panels.panel",
        records=_records(pk_at("p.panel"), pk_at("outsider_panel"), expect),
    )


def _meeting_route(name: str, expect: callable) -> Route:
    return Route(
        name,
        audited_as="meetings.meeting",
        records=_records(pk_at("work.meeting"), pk_at("outsider_work.meeting"), expect),
    )


def _with_reason(kwargs: Kwargs) -> Kwargs:
    """A meeting's URL arguments with one of the builder's reasons (its group of people)."""
    return lambda w: {**kwargs(w), "reason": "review_due"}


def _group_route(name: str, expect: callable) -> Route:
    """A route about one group of the builder's suggestions for a meeting."""
    records = _records(pk_at("work.meeting"), pk_at("outsider_work.meeting"), expect)
    return Route(
        name,
        audited_as="meetings.meeting",
        records={
            key: Record(_with_reason(record.kwargs), record.expect)
            for key, record in records.items()
        },
    )


def _item_route(name: str, expect: callable) -> Route:
    return Route(
        name,
        audited_as="meetings.agendaitem",
        records=_records(
            pk_at("work.agenda_item"),
            pk_at("outsider_work.agenda_item"),
            expect,
            council_viewers=COUNCIL_AGENCY_VIEWERS,
        ),
    )


def _read(viewers: tuple[str, ...], coordinator: str) -> dict[str, ByPersona]:
    return read_only(seen_by(viewers))


def _coordinator_form(viewers: tuple[str, ...], coordinator: str) -> dict[str, ByPersona]:
    """A coordinator's form: shown on GET; an empty POST shows it again with its errors."""
    return any_method(_coordinator_only(viewers, coordinator))


def _coordinator_page(viewers: tuple[str, ...], coordinator: str) -> dict[str, ByPersona]:
    return read_only(_coordinator_only(viewers, coordinator))


def _coordinator_button(allowed: Expected):
    """A POST-only action of the coordinator: an empty POST is answered `allowed` (400:
    the button's value is missing, nothing changes)."""

    def expect(viewers: tuple[str, ...], coordinator: str) -> dict[str, ByPersona]:
        return {"GET": page(405), "POST": _coordinator_only(viewers, coordinator, allowed)}

    return expect


def _rules_page(viewers: tuple[str, ...], coordinator: str) -> dict[str, ByPersona]:
    """Everyone who sees the panel reads its rules; an empty POST (the coordinator's form)
    shows the errors."""
    return {"GET": seen_by(viewers), "POST": _coordinator_only(viewers, coordinator)}


def _agenda_pack(viewers: tuple[str, ...], coordinator: str) -> dict[str, ByPersona]:
    """The coordinating agency's staff download the pack of an agenda not yet shared; a
    member agency that sees the meeting gets 403 until it is shared."""
    agency = COUNCIL_AGENCY_VIEWERS if coordinator == COUNCIL_COORDINATOR else viewers
    expected = seen_by(viewers) | {p: 403 for p in viewers if p not in agency}
    return read_only(expected)


SCHEDULE_AND_AGENDA_ROUTES: tuple[Route, ...] = (
    _panel_route("meetings:meetings", _read),
    _panel_route("meetings:meetings-past", _read),
    _panel_route("meetings:meeting-rules", _rules_page),
    Route(
        "meetings:meeting-rule-stop",
        audited_as="meetings.meetingrule",
        records=_records(pk_at("work.rule"), pk_at("outsider_work.rule"), _coordinator_button(400)),
    ),
    _meeting_route("meetings:meeting", _read),
    _meeting_route("meetings:meeting-move", _coordinator_form),
    _meeting_route("meetings:meeting-cancel", _coordinator_form),
    _meeting_route("meetings:agenda", _coordinator_page),
    # The person picker; an empty "add" shows it again with what to fix.
    _meeting_route("meetings:agenda-people", _coordinator_page),
    _meeting_route("meetings:agenda-add", _coordinator_button(200)),
    # A group of suggestions; an empty "add" shows the group again with what to fix.
    _group_route("meetings:agenda-group", _coordinator_page),
    _group_route("meetings:agenda-add-suggested", _coordinator_button(200)),
    _meeting_route("meetings:agenda-share", _coordinator_button(400)),
    _meeting_route("meetings:agenda-pack", _agenda_pack),
    _item_route("meetings:agenda-item-edit", _coordinator_form),
    _item_route("meetings:agenda-item-move", _coordinator_button(400)),
    _item_route("meetings:agenda-item-remove", _coordinator_button(400)),
)

# --- End of meeting rules, meetings and agendas ------------------------------------------


MEETINGS_ROUTES: tuple[Route, ...] = (*SCHEDULE_AND_AGENDA_ROUTES,)
