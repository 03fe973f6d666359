"""Access matrix rows for the action plan's API and for the notifications pages
(vocabulary in dsl.py).

The plan holds no personal data: every member of staff of the plan's agencies reads it
(PARTNERSHIP: the council's staff, committee officers and system administrators included,
probation and housing); the other borough reads only its own plan. Progress on a step is
added by its lead agency's casework staff and whoever edits the plan; others who see the
step get 403, and the roles that do no casework (committee officers, agency administrators,
governance leads, system administrators) are refused (403) before the step is looked up. The matrix sends empty bodies, which change nothing: those who may
add progress get 400 with the fields to give.

A notification is its own person's only: anyone else gets 404, as for a missing one.
"""

from __future__ import annotations

from accounts.models import Notification
from tests.security.dsl import (
    API_WRITES,
    ELSEWHERE_CASEWORK,
    OUTSIDERS,
    PARTNERSHIP,
    ByPersona,
    Kwargs,
    Record,
    Redirect,
    Route,
    api,
    api_read_only,
    everyone,
    missing,
    page,
    pk_at,
    read_only,
    seen_by,
    statuses,
)
from tests.security.dsl import NOT_CASEWORK as NOT_CASEWORK_ROLES
from tests.security.world import World

NOT_CASEWORK = dict.fromkeys(NOT_CASEWORK_ROLES, 403)


def _records(attribute: str) -> dict[str, tuple[Kwargs, tuple[str, ...]]]:
    """The council's record, the other borough's, and a missing one, with who sees each."""
    return {
        "council": (pk_at(f"plans.{attribute}"), PARTNERSHIP),
        "elsewhere": (pk_at(f"outsider_plans.{attribute}"), OUTSIDERS),
        "missing": (missing, ()),
    }


def _read_only_detail(name: str, audited_as: str, attribute: str) -> Route:
    return Route(
        name,
        audited_as=audited_as,
        records={
            label: Record(kwargs, api_read_only(seen_by(viewers, anonymous=403)))
            for label, (kwargs, viewers) in _records(attribute).items()
        },
    )


def _adds_progress(viewers: tuple[str, ...], writers: tuple[str, ...]) -> ByPersona:
    """400 (the empty body) for those who may add progress to the step, 403 for the others
    who see it, 404 for casework roles who do not; roles that never write are refused
    first."""
    seen = statuses(404, anonymous=403, **dict.fromkeys(viewers, 403))
    return seen | dict.fromkeys(writers, 400) | NOT_CASEWORK


# The council's step is led by probation: its partner and the plan's owner (the council's
# coordinator, alice) add progress. The other borough's step is led by its own agency,
# whose partner and coordinator (the plan's owner) may.
STEP_WRITERS = {
    "council": ("member_partner", "coordinator"),
    "elsewhere": ELSEWHERE_CASEWORK,
    "missing": (),
}

PLAN_API: tuple[Route, ...] = (
    Route("plan-list", expect=api_read_only(api())),
    _read_only_detail("plan-detail", "actions.actionplan", "plan"),
    Route("plan-action-list", expect=api_read_only(api())),
    _read_only_detail("plan-action-detail", "actions.action", "action"),
    Route("plan-step-list", expect=api_read_only(api())),
    _read_only_detail("plan-step-detail", "actions.actionstep", "step"),
    Route(
        "plan-step-updates",
        audited_as="actions.actionstep",
        records={
            label: Record(
                kwargs,
                # Only POST is an action of the route; anything else is refused.
                dict.fromkeys(("GET", "PUT", "PATCH", "DELETE"), everyone(403))
                | {"POST": _adds_progress(viewers, STEP_WRITERS[label])},
            )
            for label, (kwargs, viewers) in _records("step").items()
        },
    ),
    # The list of updates is read by everyone; a new update names its step in the body,
    # so the empty body is a 400 for every role that may write at all.
    Route(
        "plan-update-list",
        expect={"GET": api(), "POST": api(400, **NOT_CASEWORK)}
        | dict.fromkeys(API_WRITES[1:], everyone(403)),
    ),
)


def _carols_notification(w: World) -> dict[str, object]:
    """A notification of the council partner's (carol), made for the test that asks: the
    world has none, and each test's savepoint removes it again."""
    notification, _ = Notification.objects.get_or_create(
        user=w.p.partner,
        kind="matrix",
        key="1",
        defaults={"text": "Steps your agency leads need an update", "url": "/action-plan/"},
    )
    return {"pk": notification.pk}


NOTIFICATIONS = Redirect("/sharing/notifications/")

NOTIFICATION_PAGES: tuple[Route, ...] = (
    # Everyone's own list, whoever they are.
    Route("accounts:notifications", expect=read_only(page())),
    Route(
        "accounts:notifications-read-all", expect={"GET": page(405), "POST": page(NOTIFICATIONS)}
    ),
    Route(
        "accounts:notification-read",
        audited_as="accounts.notification",
        records={
            "partners-own": Record(
                _carols_notification,
                {"GET": page(405), "POST": page(404, partner=NOTIFICATIONS)},
            ),
            "missing": Record(missing, {"GET": page(405), "POST": page(404)}),
        },
    ),
)

PLAN_API_ROUTES: tuple[Route, ...] = (*PLAN_API, *NOTIFICATION_PAGES)
