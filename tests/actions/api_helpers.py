"""Set-up shared by the action plan's API tests: the council's plan, seen by the police,
probation and housing, with steps led by each, and the other borough's plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from actions.models import ActionPlan, ActionStep, Rag
from tests.actions.factories import add_update, make_plan, steps_of
from tests.conftest import Partnership


@dataclass
class Plans:
    plan: ActionPlan  # the council's: owner alice, agencies council, police, probation, housing
    review: ActionStep  # 1.1.1, led by probation, Red, overdue
    renewal: ActionStep  # 1.1.2, led by the council, Green, updated this week
    training: ActionStep  # 1.2.1, led by the police, never updated
    routes: ActionStep  # 2.1.1, led by housing, Complete
    elsewhere: ActionPlan  # the other borough's
    elsewhere_step: ActionStep


def build_plans(p: Partnership) -> Plans:
    today = timezone.localdate()
    plan = make_plan(
        p.coordinator,
        [p.police, p.probation, p.housing],
        starts_on=today - timedelta(days=400),
        objectives=[
            (
                "Information sharing",
                [
                    (
                        "Clear information sharing agreement",
                        [("Review current agreement", p.probation), ("Agree renewal", p.council)],
                    ),
                    ("Joint training", [("Run training sessions", p.police)]),
                ],
            ),
            ("Accommodation", [("Housing pathway", [("Map referral routes", p.housing)])]),
        ],
    )
    review, renewal, training, routes = steps_of(plan)
    ActionStep.objects.filter(pk=review.pk).update(due=today - timedelta(days=10))
    add_update(review, rag=Rag.AMBER_GREEN, written_on=date(2026, 1, 5), text="Draft circulated")
    add_update(
        review,
        rag=Rag.RED,
        written_on=today - timedelta(days=2),
        text="Stalled: waiting for legal",
        author=p.member_partner,
    )
    add_update(renewal, rag=Rag.GREEN, written_on=today - timedelta(days=3), author=p.partner)
    add_update(routes, rag=Rag.COMPLETE, written_on=today - timedelta(days=30))
    elsewhere = make_plan(p.outsider_coordinator, [], title="Elsewhere plan")
    for step in (review, renewal, training, routes):
        step.refresh_from_db()
    return Plans(
        plan=plan,
        review=review,
        renewal=renewal,
        training=training,
        routes=routes,
        elsewhere=elsewhere,
        elsewhere_step=steps_of(elsewhere)[0],
    )


# Who sees the council's plan: the staff of its four agencies, whatever their role.
PARTNERSHIP_STAFF = (
    "coordinator",
    "partner",
    "member_partner",
    "unsigned_partner",
    "committee",
    "agency_admin",
    "system_admin",
)
OUTSIDERS = ("outsider_partner", "outsider_coordinator", "outsider_admin")


def get(client: Client, url: str, **params: str):
    return client.get(url, params)


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]
