"""Notifications raised by the services that make a change, in the service and by e-mail
(title and link only), once each, and only by e-mail to those who want them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from cohorts.services.membership import membership_accept, membership_decline, membership_refer
from meetings.models import CaseAction
from meetings.services.case_actions import case_actions_flag_overdue
from meetings.services.meeting_mode import minutes_publish
from tests.factories import make_nominal
from tests.panels.meeting_mode_helpers import add_items, make_action, make_meeting, make_people
from tests.panels.test_meeting_mode_minutes import held, take_register  # noqa: F401

pytestmark = pytest.mark.django_db


def texts(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_an_action_set_at_a_meeting_tells_its_owner_in_the_service_and_by_email(
    partnership,
    held,  # noqa: F811 (the fixture imported above)
):
    p = partnership
    [action] = CaseAction.objects.all()
    told = Notification.objects.get(user=p.member_partner, kind="case_action_assigned")
    assert told.url == reverse("meetings:case-action", args=[action.pk])
    assert "Test IOM panel" in told.text
    # Nothing about the person, in the service or in the e-mail.
    name = action.nominal.family_name
    assert name not in told.text


def test_the_email_carries_the_title_and_link_only_and_respects_the_persons_choice(
    partnership, django_capture_on_commit_callbacks, client_for
):
    p = partnership
    meeting = make_meeting(p.panel)
    [item] = add_items(meeting, make_people(p.coordinator, p.panel, 1))
    take_register(p, meeting)
    from meetings.services.case_actions import ActionInput, case_action_create

    with django_capture_on_commit_callbacks(execute=True):
        case_action_create(
            actor=p.coordinator,
            agenda_item=item,
            data=ActionInput(
                description="Visit Mr Person0 at home",
                owner_agency=p.probation,
                owner=p.member_partner,
                due=timezone.localdate() + timedelta(days=5),
            ),
        )
    [email] = mail.outbox
    assert email.to == [p.member_partner.email]
    assert "Person0" not in email.body and "Visit" not in email.body
    assert "/panels/actions/" in email.body

    # Bob turns these e-mails off: the next one is in the service only.
    client = client_for(p.member_partner)
    page = client.get(reverse("accounts:notification-settings")).content.decode()
    assert "A case action is set for your agency or for you" in page
    saved = client.post(
        reverse("accounts:notification-settings"), {"email_kinds": ["minutes_published"]}
    )
    assert saved.status_code == 302
    p.member_partner.refresh_from_db()
    assert "case_action_assigned" in p.member_partner.email_muted
    [second] = add_items(meeting, make_people(p.coordinator, p.panel, 1, prefix="B"))
    with django_capture_on_commit_callbacks(execute=True):
        case_action_create(
            actor=p.coordinator,
            agenda_item=second,
            data=ActionInput(
                description="Check in",
                owner_agency=p.probation,
                owner=p.member_partner,
                due=timezone.localdate() + timedelta(days=5),
            ),
        )
    assert len(mail.outbox) == 1
    assert (
        Notification.objects.filter(user=p.member_partner, kind="case_action_assigned").count() == 2
    )


def test_published_minutes_tell_the_agencies_that_see_the_panel(
    partnership,
    held,  # noqa: F811 (the fixture imported above)
):
    p = partnership
    meeting, _items = held
    minutes_publish(actor=p.coordinator, meeting=meeting)
    assert any("are published" in text for text in texts(p.member_partner))
    assert any("are published" in text for text in texts(p.partner))
    # Housing is a member that has not signed: it does not see the panel, so is not told.
    assert not texts(p.unsigned_partner)
    assert not texts(p.outsider_partner)


def test_the_referrer_hears_the_decision(partnership):
    p = partnership
    accepted = membership_refer(
        actor=p.member_partner,
        nominal=make_nominal(p.member_partner, family_name="Refer"),
        panel=p.panel,
        reason="Prolific burglar",
    )
    membership_accept(actor=p.coordinator, membership=accepted, start=timezone.localdate())
    declined = membership_refer(
        actor=p.member_partner,
        nominal=make_nominal(p.member_partner, family_name="Other"),
        panel=p.panel,
        reason="Two offences",
    )
    membership_decline(actor=p.coordinator, membership=declined, reason="Below the threshold")
    told = texts(p.member_partner)
    assert f"Your referral of record {accepted.nominal_id} to Test IOM panel was accepted" in told
    assert f"Your referral of record {declined.nominal_id} to Test IOM panel was declined" in told
    assert not any("Refer" in text or "burglar" in text for text in told)


def test_owners_hear_once_when_an_action_is_due_soon_and_when_it_is_overdue(partnership):
    p = partnership
    meeting = make_meeting(p.panel, on=date(2026, 1, 7))
    [item] = add_items(meeting, make_people(p.coordinator, p.panel, 1))
    action = make_action(item, p.probation, due=date(2026, 2, 10), created_by=p.coordinator)

    case_actions_flag_overdue(actor=None, today=date(2026, 2, 8))
    case_actions_flag_overdue(actor=None, today=date(2026, 2, 9))
    soon = Notification.objects.filter(kind="case_action_due", key=f"{action.pk}:due-soon")
    # Probation's casework staff (no named owner), once each however often the job runs.
    assert soon.count() == 1 and soon.get().user == p.member_partner

    case_actions_flag_overdue(actor=None, today=date(2026, 2, 11))
    case_actions_flag_overdue(actor=None, today=date(2026, 2, 12))
    overdue = Notification.objects.filter(kind="case_action_due", key=f"{action.pk}:overdue")
    assert overdue.count() == 1
    assert "is overdue" in overdue.get().text


def test_a_list_with_rows_waiting_tells_the_panels_other_coordinators(partnership):
    from accounts.models import Role
    from tests.factories import make_user
    from tests.panels.test_import_pages import matched

    p = partnership
    colleague = make_user(p.council, Role.COORDINATOR, Role.PARTNER, username="dev")
    make_nominal(
        p.partner, given_names="Morgan", family_name="Blake", date_of_birth=date(1985, 7, 9)
    )
    cohort_import = matched(p)
    told = Notification.objects.filter(user=colleague, kind="list_waiting")
    assert told.count() == 1
    assert "waiting for a decision" in told.get().text
    assert told.get().url == reverse("cohorts:import", args=[cohort_import.pk])
    # The coordinator who uploaded it is on the page already.
    assert not Notification.objects.filter(user=p.coordinator, kind="list_waiting").exists()


def test_a_finished_cross_reference_tells_the_coordinators_with_open_findings(partnership):
    from crossref.services.run import _tell_coordinators
    from tests.panels.test_crossref_review import make_finding, make_run

    p = partnership
    run = make_run()
    ours = make_nominal(p.coordinator, on_panel=p.panel)
    theirs = make_nominal(p.partner, family_name="Ashbey", on_panel=p.panel)
    make_finding(run, ours, theirs, [p.panel])
    _tell_coordinators(run)
    _tell_coordinators(run)
    told = Notification.objects.filter(kind="crossref_findings")
    assert [n.user for n in told] == [p.coordinator]
    assert told.get().url == reverse("crossref:inbox")


def test_saving_with_no_box_ticked_turns_every_email_off(partnership, client_for):
    from accounts.notifications import KINDS

    user = partnership.member_partner
    response = client_for(user).post(reverse("accounts:notification-settings"), {})
    assert response.status_code == 302
    user.refresh_from_db()
    assert sorted(user.email_muted) == sorted(KINDS)
