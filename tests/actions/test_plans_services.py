"""The plan's writes: who may record progress and change the plan, what a step keeps of
its latest update, and the rules each change is held to."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, Role, Verb
from actions.models import ActionPlan, ProgressUpdate, Rag
from actions.services.plans import (
    StaleEdit,
    action_update,
    plan_create,
    plan_update,
    progress_add,
    step_update,
    version_of,
)
from tests.actions.factories import add_update, make_plan, steps_of
from tests.factories import make_user

TODAY = date(2026, 9, 7)


@pytest.fixture
def plan(partnership):
    """The council's plan: step 1 led by probation, step 2 by the council."""
    p = partnership
    return make_plan(
        p.coordinator,
        [p.police, p.probation, p.housing],
        objectives=[
            (
                "Information sharing",
                [
                    (
                        "Clear information sharing agreement",
                        [("Review current agreement", p.probation), ("Add members", p.council)],
                    )
                ],
            )
        ],
    )


def _add(actor, step, **overrides):
    values = {"written_on": TODAY, "rag": Rag.AMBER_GREEN, "text": "Draft circulated"}
    return progress_add(actor=actor, step=step, today=TODAY, **(values | overrides))


# --- Progress -------------------------------------------------------------------------------


def test_lead_agency_partner_records_progress_and_the_step_takes_its_rag(partnership, plan):
    probation_step, _ = steps_of(plan)

    update = _add(partnership.member_partner, probation_step, rag=Rag.RED)

    probation_step.refresh_from_db()
    assert (probation_step.current_rag, probation_step.last_update_on) == (Rag.RED, TODAY)
    assert update.author == partnership.member_partner
    assert update.author_agency == partnership.probation
    event = AuditEvent.objects.get(verb=Verb.PROGRESS_RECORDED)
    assert event.object_id == str(update.pk)
    assert event.detail == {"step": probation_step.pk, "rag": "red", "written_on": "2026-09-07"}


def test_partner_of_another_agency_in_the_plan_may_not_update_a_step_it_does_not_lead(
    partnership, plan
):
    probation_step, _ = steps_of(plan)
    for user in (
        partnership.partner,
        partnership.unsigned_partner,
        partnership.committee,
        partnership.agency_admin,
        partnership.system_admin,
    ):
        with pytest.raises(PermissionDenied):
            _add(user, probation_step)
    assert not ProgressUpdate.objects.exists()


def test_owner_and_owning_agency_coordinators_update_any_step(partnership, plan):
    probation_step, council_step = steps_of(plan)
    second_coordinator = make_user(partnership.council, Role.COORDINATOR, username="dora")

    _add(partnership.coordinator, probation_step)
    _add(second_coordinator, council_step)

    assert ProgressUpdate.objects.count() == 2


def test_council_partner_updates_the_council_led_step(partnership, plan):
    _, council_step = steps_of(plan)
    _add(partnership.partner, council_step, rag=Rag.GREEN)
    council_step.refresh_from_db()
    assert council_step.current_rag == Rag.GREEN


def test_committee_officer_of_the_lead_agency_does_not_update_steps(partnership, plan):
    """Committee officers report on the plan; the lead agency's working staff update it."""
    _, council_step = steps_of(plan)
    with pytest.raises(PermissionDenied):
        _add(partnership.committee, council_step)


def test_an_older_update_joins_the_history_without_changing_the_current_rag(partnership, plan):
    step, _ = steps_of(plan)
    _add(partnership.member_partner, step, rag=Rag.GREEN, written_on=TODAY - timedelta(days=2))

    _add(partnership.member_partner, step, rag=Rag.RED, written_on=TODAY - timedelta(days=30))

    step.refresh_from_db()
    assert (step.current_rag, step.last_update_on) == (Rag.GREEN, TODAY - timedelta(days=2))
    assert step.updates.count() == 2


def test_a_second_update_on_the_same_day_becomes_the_current_one(partnership, plan):
    step, _ = steps_of(plan)
    _add(partnership.member_partner, step, rag=Rag.AMBER_RED)
    _add(partnership.member_partner, step, rag=Rag.COMPLETE)
    step.refresh_from_db()
    assert step.current_rag == Rag.COMPLETE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"rag": "amber"}, "rag"),
        ({"written_on": TODAY + timedelta(days=1)}, "written_on"),
        ({"written_on": date(1999, 12, 31)}, "written_on"),
    ],
)
def test_bad_progress_is_refused_with_the_field_named(partnership, plan, overrides, field):
    step, _ = steps_of(plan)
    with pytest.raises(ValidationError) as refused:
        _add(partnership.member_partner, step, **overrides)
    assert field in refused.value.message_dict
    assert not ProgressUpdate.objects.exists()


# --- The plan -------------------------------------------------------------------------------


def test_coordinator_creates_a_plan_owned_by_their_agency(partnership):
    p = partnership
    plan = plan_create(
        actor=p.coordinator,
        title="Reducing reoffending 2026 to 2030",
        agencies=[p.probation, p.police],
        starts_on=date(2026, 4, 1),
        ends_on=date(2030, 3, 31),
    )
    assert (plan.owner, plan.owner_agency) == (p.coordinator, p.council)
    assert set(plan.agencies.all()) == {p.council, p.probation, p.police}
    assert AuditEvent.objects.filter(verb=Verb.PLAN_CREATED, object_id=str(plan.pk)).exists()


def test_only_coordinators_create_plans(partnership):
    with pytest.raises(PermissionDenied):
        plan_create(actor=partnership.partner, title="A plan", agencies=[])
    assert not ActionPlan.objects.exists()


def _settings(plan, **overrides):
    values = {
        "title": plan.title,
        "agencies": list(plan.agencies.all()),
        "owner": plan.owner,
        "strategy": plan.strategy,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "needs_update_days": plan.needs_update_days,
    }
    return values | overrides


def test_owner_changes_the_update_interval_and_the_change_is_audited(partnership, plan):
    plan_update(
        actor=partnership.coordinator,
        plan=plan,
        seen_version=version_of(plan),
        **_settings(plan, needs_update_days=30),
    )
    plan.refresh_from_db()
    assert plan.needs_update_days == 30
    event = AuditEvent.objects.get(verb=Verb.PLAN_CHANGED)
    assert event.detail["changed"] == ["needs_update_days"]


def test_others_who_see_the_plan_may_not_change_it(partnership, plan):
    for user in (partnership.partner, partnership.member_partner, partnership.committee):
        with pytest.raises(PermissionDenied):
            plan_update(actor=user, plan=plan, **_settings(plan, title="Renamed"))


def test_an_agency_that_leads_steps_stays_in_the_partnership(partnership, plan):
    p = partnership
    with pytest.raises(ValidationError) as refused:
        plan_update(
            actor=p.coordinator, plan=plan, **_settings(plan, agencies=[p.council, p.police])
        )
    assert "Probation leads steps" in refused.value.message_dict["agencies"][0]
    assert set(plan.agencies.all()) == {p.council, p.police, p.probation, p.housing}


def test_the_owning_agency_stays_in_the_partnership(partnership, plan):
    p = partnership
    with pytest.raises(ValidationError) as refused:
        plan_update(actor=p.coordinator, plan=plan, **_settings(plan, agencies=[p.probation]))
    assert "agencies" in refused.value.message_dict


def test_agencies_without_steps_may_leave_and_the_audit_names_them(partnership, plan):
    p = partnership
    plan_update(
        actor=p.coordinator, plan=plan, **_settings(plan, agencies=[p.council, p.probation])
    )
    assert set(plan.agencies.all()) == {p.council, p.probation}
    event = AuditEvent.objects.get(verb=Verb.PLAN_CHANGED)
    assert event.detail["removed"] == ["housing", "police"]


def test_the_owner_is_one_of_the_owning_agencys_staff(partnership, plan):
    with pytest.raises(ValidationError) as refused:
        plan_update(
            actor=partnership.coordinator,
            plan=plan,
            **_settings(plan, owner=partnership.member_partner),
        )
    assert "owner" in refused.value.message_dict


def test_a_change_made_meanwhile_is_not_overwritten(partnership, plan):
    opened = version_of(plan)
    plan_update(actor=partnership.coordinator, plan=plan, **_settings(plan, title="First"))
    with pytest.raises(StaleEdit):
        plan_update(
            actor=partnership.coordinator,
            plan=plan,
            seen_version=opened,
            **_settings(plan, title="Second"),
        )
    plan.refresh_from_db()
    assert plan.title == "First"


# --- Actions and steps ----------------------------------------------------------------------


def test_owner_changes_an_action(partnership, plan):
    action = steps_of(plan)[0].action
    action_update(
        actor=partnership.coordinator,
        action=action,
        title="Agree one information sharing agreement",
        outcomes="Free flowing information",
        timescale="March 2027",
        due=date(2027, 3, 31),
        seen_version=version_of(action),
    )
    action.refresh_from_db()
    assert (action.timescale, action.due) == ("March 2027", date(2027, 3, 31))
    assert AuditEvent.objects.filter(verb=Verb.ACTION_CHANGED).count() == 1


def test_a_lead_agency_partner_may_not_change_the_action(partnership, plan):
    action = steps_of(plan)[0].action
    with pytest.raises(PermissionDenied):
        action_update(actor=partnership.member_partner, action=action, title="Mine now")


def test_owner_gives_a_step_a_lead_agency_person_and_due_date(partnership, plan):
    p = partnership
    step = steps_of(plan)[1]
    step_update(
        actor=p.coordinator,
        step=step,
        text=step.text,
        lead_agency=p.probation,
        lead_person=p.member_partner,
        lead_text="Probation",
        due=date(2026, 12, 31),
        seen_version=version_of(step),
    )
    step.refresh_from_db()
    assert (step.lead_agency, step.lead_person, step.due) == (
        p.probation,
        p.member_partner,
        date(2026, 12, 31),
    )
    event = AuditEvent.objects.get(verb=Verb.STEP_CHANGED)
    assert event.detail["lead_agency"] == "probation"


def test_a_step_is_led_by_an_agency_of_the_plan(partnership, plan):
    step = steps_of(plan)[0]
    with pytest.raises(ValidationError) as refused:
        step_update(
            actor=partnership.coordinator,
            step=step,
            text=step.text,
            lead_agency=partnership.outsider,
        )
    assert "lead_agency" in refused.value.message_dict


def test_a_named_lead_works_for_the_lead_agency(partnership, plan):
    step = steps_of(plan)[0]
    with pytest.raises(ValidationError) as refused:
        step_update(
            actor=partnership.coordinator,
            step=step,
            text=step.text,
            lead_agency=partnership.probation,
            lead_person=partnership.partner,
        )
    assert "lead_person" in refused.value.message_dict


def test_factory_updates_keep_the_step_in_step_like_the_service(partnership, plan):
    step = steps_of(plan)[0]
    add_update(step, rag=Rag.RED, written_on=TODAY)
    add_update(step, rag=Rag.GREEN, written_on=TODAY - timedelta(days=1))
    step.refresh_from_db()
    assert step.current_rag == Rag.RED
