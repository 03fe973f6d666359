"""The demo borough's action plan comes in through the importer, once."""

import io

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent, User, Verb
from actions.models import ActionPlan, ActionStep, PlanImport, ProgressUpdate, Rag

pytestmark = pytest.mark.django_db


def test_seeding_imports_the_demo_plan_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Imported the reducing reoffending action plan: 8 actions." in out.getvalue()
    plan = ActionPlan.objects.get()
    coordinator = User.objects.get(username="coordinator")
    assert (plan.owner, plan.owner_agency) == (coordinator, coordinator.agency)
    # Every agency of the demo borough is in the plan's partnership.
    assert plan.agencies.count() == 9
    assert plan.objectives.count() == 3
    steps = ActionStep.objects.filter(action__objective__plan=plan)
    assert steps.count() == 23
    police_led = steps.get(action__title__startswith="Joint home visits", number=1)
    assert police_led.lead_agency.code == "police"
    assert police_led.lead_text == "Police and Probation"
    # The page break in the drugs action's progress is joined back together.
    referral = steps.get(action__title="Drugs and alcohol", number=2).updates.get()
    assert referral.text.endswith("referrals from the panels are now seen within two working days.")
    assert referral.rag == Rag.AMBER_GREEN
    assert steps.get(action__title="Accommodation on release", number=1).current_rag == (
        Rag.NOT_STARTED
    )
    assert AuditEvent.objects.filter(verb=Verb.PLAN_IMPORTED, actor=coordinator).count() == 1

    updates = ProgressUpdate.objects.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert ActionPlan.objects.count() == 1
    assert ProgressUpdate.objects.count() == updates
    assert PlanImport.objects.count() == 1
    assert "Imported the reducing reoffending action plan" not in out.getvalue()
