"""Access matrix rows for the panels' API: memberships, meetings, agenda items, RAG reviews
and case actions.

Case data is for casework roles: committee officers, agency administrators, information
governance leads and system administrators are refused
(403) before any record is looked up, and so is anyone whose role could never make the
change asked for (a partner sharing an agenda, say). A record outside the caller's sight
answers 404; one they see but may not change, 403. The matrix sends empty bodies, which
change nothing: those who may make the change get 400 with the fields to give.
"""

from __future__ import annotations

from collections.abc import Callable

from panels.models import CohortMembership
from tests.security.dsl import (
    API_WRITES,
    COUNCIL_CASEWORK,
    COUNCIL_PANEL_VIEWERS,
    ELSEWHERE_CASEWORK,
    ByPersona,
    Kwargs,
    Record,
    Route,
    api,
    everyone,
    missing,
    pk_at,
    statuses,
)
from tests.security.dsl import NOT_CASEWORK as NOT_CASEWORK_ROLES
from tests.security.world import World

NOT_CASEWORK = dict.fromkeys(NOT_CASEWORK_ROLES, 403)
COORDINATORS = ("coordinator", "outsider_coordinator")
# The council's agendas are built by its own staff and shared with members later: the
# world's meeting has not been shared yet.
COUNCIL_STAFF = COUNCIL_CASEWORK
# The council's case action is owned by probation: probation's staff report on it, and so
# does the panel's coordinator. The other borough owns its own.
COUNCIL_ACTION_REPORTERS = ("coordinator", "member_partner")


def _seen_by(viewers: tuple[str, ...], allowed: int = 200) -> ByPersona:
    """`allowed` for those who see the record, 404 for other casework roles."""
    return statuses(404, anonymous=403, **dict.fromkeys(viewers, allowed)) | NOT_CASEWORK


def _changed_by(viewers: tuple[str, ...], changers: tuple[str, ...]) -> ByPersona:
    """A change several roles may make: 400 (the empty body) for those who may make it,
    403 for those who only see the record, 404 for the others."""
    return _seen_by(viewers, 403) | dict.fromkeys(changers, 400)


def _coordinated_by(coordinator: str | None) -> ByPersona:
    """A coordinator's change: every other role is refused before the lookup; a
    coordinator who does not see the record gets 404, the panel's own 400."""
    answer = api(403) | dict.fromkeys(COORDINATORS, 404)
    return answer | ({coordinator: 400} if coordinator else {})


def _only(**methods: ByPersona) -> dict[str, ByPersona]:
    """The methods given; any other write method of the route is refused to everyone."""
    return dict.fromkeys(API_WRITES, everyone(403)) | methods


def _declined_referral(w: World) -> dict[str, object]:
    """Probation's person, whose referral to the council's panel was declined; no referring
    agency is recorded on it, so it is shared with nobody."""
    return {"pk": CohortMembership.objects.get(nominal=w.declined_nominal).pk}


# (URL arguments, who sees the record, who coordinates its panel among the personas)
Target = tuple[Kwargs, tuple[str, ...], str | None]


def _targets(attribute: str, council_viewers: tuple[str, ...], **more: Target) -> dict:
    return {
        "council": (pk_at(f"work.{attribute}"), council_viewers, "coordinator"),
        "elsewhere": (
            pk_at(f"outsider_work.{attribute}"),
            ELSEWHERE_CASEWORK,
            "outsider_coordinator",
        ),
        **more,
        "missing": (missing, (), None),
    }


MEMBERSHIPS = _targets(
    "membership",
    COUNCIL_PANEL_VIEWERS,
    referral=(pk_at("work.referral"), COUNCIL_PANEL_VIEWERS, "coordinator"),
    declined=(_declined_referral, (), None),
)
MEETINGS = _targets("meeting", COUNCIL_PANEL_VIEWERS)
AGENDA_ITEMS = _targets("agenda_item", COUNCIL_STAFF)
REVIEWS = _targets("review", COUNCIL_PANEL_VIEWERS)
CASE_ACTIONS = _targets("case_action", COUNCIL_PANEL_VIEWERS)
# Who reports on each case action: its owning agency's casework staff and the coordinator.
REPORTERS = {"council": COUNCIL_ACTION_REPORTERS, "elsewhere": ELSEWHERE_CASEWORK, "missing": ()}


# What each persona gets from one record: a function of the record's label, who sees it
# and who coordinates its panel.
Expect = Callable[[str, tuple[str, ...], str | None], ByPersona]


def _by_coordinator(_label: str, _viewers: tuple[str, ...], coordinator: str | None) -> ByPersona:
    return _coordinated_by(coordinator)


def _by_reporters(label: str, viewers: tuple[str, ...], _coordinator: str | None) -> ByPersona:
    return _changed_by(viewers, REPORTERS[label])


def _read(_label: str, viewers: tuple[str, ...], _coordinator: str | None) -> ByPersona:
    return _seen_by(viewers)


def _list(name: str, *, post: ByPersona | None = None) -> Route:
    """A list: casework roles read it; POST creates, where the viewset allows it."""
    reads = api(200, **NOT_CASEWORK)
    return Route(f"{name}-list", expect=_only(GET=reads, **({"POST": post} if post else {})))


def _detail(name: str, audited_as: str, targets: dict, **writes: Expect) -> Route:
    """A record: those who see it read it (GET); `writes` gives the write methods the
    viewset allows, and every other write method is refused to everyone."""
    return Route(
        f"{name}-detail",
        audited_as=audited_as,
        records={
            label: Record(
                kwargs,
                _only(
                    GET=_seen_by(viewers),
                    **{method: expect(label, viewers, coord) for method, expect in writes.items()},
                ),
            )
            for label, (kwargs, viewers, coord) in targets.items()
        },
    )


def _action(name: str, audited_as: str, targets: dict, **methods: Expect) -> Route:
    """A detail action, answering the methods given."""
    return Route(
        name,
        audited_as=audited_as,
        records={
            label: Record(
                kwargs,
                {method: expect(label, viewers, coord) for method, expect in methods.items()},
            )
            for label, (kwargs, viewers, coord) in targets.items()
        },
    )


def _coordinator_actions(prefix: str, audited_as: str, targets: dict, *names: str) -> list:
    """POST-only actions of the panel's coordinator."""
    return [
        _action(f"{prefix}-{name}", audited_as, targets, POST=_by_coordinator) for name in names
    ]


# Creating a record from another one named in the body (an agenda item on a meeting, an
# action on an agenda item): coordinators only, and the empty body names nothing.
COORDINATORS_CREATE = api(403) | dict.fromkeys(COORDINATORS, 400)

MEMBERSHIP_ROUTES = (
    # Any casework role refers someone (POST); the coordinator decides and changes.
    _list("membership", post=api(400, **NOT_CASEWORK)),
    _detail("membership", "panels.cohortmembership", MEMBERSHIPS, PATCH=_by_coordinator),
    *_coordinator_actions(
        "membership", "panels.cohortmembership", MEMBERSHIPS, "accept", "decline", "exit"
    ),
)

MEETING_ROUTES = (
    _list("meeting"),
    _detail("meeting", "meetings.meeting", MEETINGS),
    *_coordinator_actions(
        "meeting", "meetings.meeting", MEETINGS, "move", "cancel", "share", "attendance", "minutes"
    ),
)

AGENDA_ITEM_ROUTES = (
    _list("agenda-item", post=COORDINATORS_CREATE),
    # The world's items have an action set on them, so they stay on the agenda: DELETE by
    # the panel's coordinator is refused with the reason (400).
    _detail(
        "agenda-item",
        "meetings.agendaitem",
        AGENDA_ITEMS,
        PATCH=_by_coordinator,
        DELETE=_by_coordinator,
    ),
    *_coordinator_actions("agenda-item", "meetings.agendaitem", AGENDA_ITEMS, "move", "decision"),
)

REVIEW_ROUTES = (
    # Recorded as decisions on agenda items: read only.
    _list("review"),
    _detail("review", "panels.ragreview", REVIEWS),
)

CASE_ACTION_ROUTES = (
    _list("case-action", post=COORDINATORS_CREATE),
    _detail("case-action", "meetings.caseaction", CASE_ACTIONS, PATCH=_by_coordinator),
    *_coordinator_actions("case-action", "meetings.caseaction", CASE_ACTIONS, "cancel"),
    _action("case-action-complete", "meetings.caseaction", CASE_ACTIONS, POST=_by_reporters),
    # The action's history is read by those who see it; progress is reported by its
    # owning agency and the coordinator.
    _action(
        "case-action-updates", "meetings.caseaction", CASE_ACTIONS, GET=_read, POST=_by_reporters
    ),
)

PANELS_API_ROUTES: tuple[Route, ...] = (
    *MEMBERSHIP_ROUTES,
    *MEETING_ROUTES,
    *AGENDA_ITEM_ROUTES,
    *REVIEW_ROUTES,
    *CASE_ACTION_ROUTES,
)
