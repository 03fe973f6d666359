"""The agenda builder's suggestions: each reason, its edge cases, and flat queries."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from meetings.models import Meeting
from meetings.selectors.agenda import agenda_builder
from panels.models import CohortMembership
from tests.factories import make_panel
from tests.panels.agenda_helpers import (
    detail_for,
    meeting_on,
    member,
    on_agenda,
    recorded_days_ago,
    review,
    suggested,
    today,
    visit,
)

NEW, RED, DUE, OTHER = "new_referral", "red_rag", "review_due", "other_panels"
NOT_3, NOT_6, ESCALATED = "not_engaged_3", "not_engaged_6", "escalated"


def next_main(panel, *, previous_days_ago: int | None = 21) -> Meeting:
    """The main meeting a fortnight ahead, after one held three weeks ago."""
    if previous_days_ago is not None:
        meeting_on(panel, today() - timedelta(days=previous_days_ago), status="held")
    return meeting_on(panel, today() + timedelta(days=14))


def build(user, meeting):
    return agenda_builder(user, meeting)


# --- New referrals -----------------------------------------------------------------------


def test_referrals_awaiting_a_decision_are_suggested_with_who_referred_them(partnership):
    p = partnership
    meeting = next_main(p.panel)
    member(p.coordinator, p.panel, "Waiting", status="referred", referring_agency=p.probation)

    builder = build(p.coordinator, meeting)
    assert (("Waiting", NEW)) in suggested(builder)
    assert detail_for(builder, "Waiting", NEW) == (
        "Referred by Probation on 5 January 2026, awaiting a decision"
    )
    # A referral is not yet on the cohort: it is not due a review or anything else.
    assert {reason for name, reason in suggested(builder) if name == "Waiting"} == {NEW}


def test_people_accepted_since_the_previous_meeting_are_new_and_earlier_ones_are_not(
    partnership,
):
    p = partnership
    meeting = next_main(p.panel, previous_days_ago=21)
    previous = today() - timedelta(days=21)
    member(p.coordinator, p.panel, "Fresh", decided_on=previous + timedelta(days=3))
    member(p.coordinator, p.panel, "Sameday", decided_on=previous)
    member(p.coordinator, p.panel, "Before", decided_on=previous - timedelta(days=1))
    # Without a decision date, the start date says when they joined.
    member(p.coordinator, p.panel, "Started", start=previous + timedelta(days=1))

    builder = build(p.coordinator, meeting)
    new = {name for name, reason in suggested(builder) if reason == NEW}
    assert new == {"Fresh", "Sameday", "Started"}
    assert detail_for(builder, "Fresh", NEW).startswith("Accepted onto the cohort on ")


def test_a_cancelled_meeting_is_not_the_previous_meeting(partnership):
    p = partnership
    meeting = next_main(p.panel, previous_days_ago=40)
    meeting_on(p.panel, today() - timedelta(days=10), status="cancelled")
    member(p.coordinator, p.panel, "Between", decided_on=today() - timedelta(days=20))
    assert ("Between", NEW) in suggested(build(p.coordinator, meeting))


def test_a_panels_first_meeting_counts_one_review_interval_back(partnership):
    p = partnership
    meeting = next_main(p.panel, previous_days_ago=None)  # meets in 14 days; interval 28
    member(p.coordinator, p.panel, "Recent", decided_on=today() - timedelta(days=14))
    member(p.coordinator, p.panel, "Longago", decided_on=today() - timedelta(days=15))
    new = {name for name, reason in suggested(build(p.coordinator, meeting)) if reason == NEW}
    assert new == {"Recent"}


# --- Red RAG and reviews due -------------------------------------------------------------


def test_red_rag_is_the_latest_review_on_this_panel(partnership):
    p = partnership
    meeting = next_main(p.panel)
    other = make_panel(p.council, [], name="SGV panel", kind="sgv")
    red = member(p.coordinator, p.panel, "Red")
    review(red, p.panel, "amber", today() - timedelta(days=60), p.coordinator)
    review(red, p.panel, "red", today() - timedelta(days=5), p.coordinator)
    better = member(p.coordinator, p.panel, "Better")
    review(better, p.panel, "red", today() - timedelta(days=40), p.coordinator)
    review(better, p.panel, "green", today() - timedelta(days=5), p.coordinator)
    elsewhere = member(p.coordinator, p.panel, "Elsewhere")
    review(elsewhere, p.panel, "amber", today() - timedelta(days=5), p.coordinator)
    review(elsewhere, other, "red", today() - timedelta(days=2), p.coordinator)

    builder = build(p.coordinator, meeting)
    assert {name for name, reason in suggested(builder) if reason == RED} == {"Red"}
    assert detail_for(builder, "Red", RED).startswith("Red at the review on ")


def test_reviews_are_due_when_none_falls_within_the_panels_interval_before_the_meeting(
    partnership,
):
    p = partnership
    meeting = next_main(p.panel)  # in 14 days; the interval is 28 days
    day = meeting.date
    never = member(p.coordinator, p.panel, "Never")
    edge = member(p.coordinator, p.panel, "Edge")
    review(edge, p.panel, "green", day - timedelta(days=28), p.coordinator)
    late = member(p.coordinator, p.panel, "Late")
    review(late, p.panel, "green", day - timedelta(days=29), p.coordinator)
    other_panel_only = member(p.coordinator, p.panel, "Otheronly")
    sgv = make_panel(p.council, [], name="SGV panel", kind="sgv")
    review(other_panel_only, sgv, "green", today(), p.coordinator)

    builder = build(p.coordinator, meeting)
    due = {name for name, reason in suggested(builder) if reason == DUE}
    assert due == {"Never", "Late", "Otheronly"}
    assert detail_for(builder, "Never", DUE) == "Not reviewed by this panel yet"
    assert "more than 28 days before the meeting" in detail_for(builder, "Late", DUE)
    assert never  # named for the reader


def test_the_panels_own_review_interval_decides_when_a_review_is_due(partnership):
    p = partnership
    meeting = next_main(p.panel)
    person = member(p.coordinator, p.panel, "Monthly")
    review(person, p.panel, "green", meeting.date - timedelta(days=20), p.coordinator)
    assert ("Monthly", DUE) not in suggested(build(p.coordinator, meeting))
    p.panel.review_interval_days = 14
    p.panel.save()
    meeting.refresh_from_db()
    assert ("Monthly", DUE) in suggested(build(p.coordinator, meeting))


# --- Other panels ------------------------------------------------------------------------


def test_people_on_another_panel_name_it_only_to_those_who_may_see_it(partnership):
    p = partnership
    meeting = next_main(p.panel)
    dip = make_panel(p.council, [p.probation], name="Council DIP panel", kind="dip")
    hidden = make_panel(p.outsider, [], name="Elsewhere MAPPA", kind="mappa")
    both = member(p.coordinator, p.panel, "Both")
    CohortMembership.objects.create(
        nominal=both, panel=dip, status="active", referred_on=today(), start=today()
    )
    secret = member(p.coordinator, p.panel, "Secret")
    CohortMembership.objects.create(
        nominal=secret, panel=hidden, status="active", referred_on=today(), start=today()
    )
    CohortMembership.objects.create(
        nominal=both, panel=hidden, status="active", referred_on=today(), start=today()
    )
    left = member(p.coordinator, p.panel, "Left")
    CohortMembership.objects.create(
        nominal=left,
        panel=dip,
        status="exited",
        referred_on=today() - timedelta(days=90),
        start=today() - timedelta(days=80),
        end=today() - timedelta(days=10),
        exit_reason="Completed treatment",
    )

    builder = build(p.coordinator, meeting)
    assert {name for name, reason in suggested(builder) if reason == OTHER} == {"Both", "Secret"}
    assert detail_for(builder, "Both", OTHER) == (
        "Also on Council DIP panel and known to another panel"
    )
    assert detail_for(builder, "Secret", OTHER) == "Also known to another panel"
    assert "Elsewhere MAPPA" not in str(builder)


# --- Non-engagement ----------------------------------------------------------------------


def test_not_engaged_for_three_and_for_six_months_by_the_last_visit_or_treatment(partnership):
    p = partnership
    meeting = next_main(p.panel)
    three = member(p.coordinator, p.panel, "Three")
    visit(three, today() - timedelta(days=100), p.coordinator)
    six = member(p.coordinator, p.panel, "Six")
    visit(six, today() - timedelta(days=200), p.coordinator)
    recent = member(p.coordinator, p.panel, "Recent")
    visit(recent, today() - timedelta(days=200), p.coordinator)
    visit(recent, today() - timedelta(days=30), p.coordinator)
    silent = member(p.coordinator, p.panel, "Silent")
    recorded_days_ago(silent, 120)
    new_record = member(p.coordinator, p.panel, "Newrecord")

    builder = build(p.coordinator, meeting)
    found = suggested(builder)
    assert {name for name, reason in found if reason == NOT_3} == {"Three", "Silent"}
    # Six months and more is one suggestion, not both.
    assert {name for name, reason in found if reason == NOT_6} == {"Six"}
    assert detail_for(builder, "Three", NOT_3).startswith("Last visit or treatment on ")
    assert detail_for(builder, "Silent", NOT_3).startswith(
        "No visit or treatment recorded since the record was made on "
    )
    assert new_record and not {r for n, r in found if n == "Newrecord"} & {NOT_3, NOT_6}


def test_the_builder_applies_the_profiles_rule_for_engagement(partnership):
    from offenders.selectors import derived_flags

    p = partnership
    meeting = next_main(p.panel)
    people = []
    for days in (90, 91, 92, 182, 183):
        person = member(p.coordinator, p.panel, f"Day{days}")
        visit(person, today() - timedelta(days=days), p.coordinator)
        people.append(person)
    found = suggested(build(p.coordinator, meeting))
    for person in people:
        flags = derived_flags(person, today=today())
        assert ((person.family_name, NOT_6) in found) == flags.not_engaged_6_months
        assert ((person.family_name, NOT_3) in found) == (
            flags.not_engaged_3_months and not flags.not_engaged_6_months
        )


# --- Escalations from the mid-month meeting ------------------------------------------------


def test_escalations_from_mid_month_meetings_since_the_last_main_meeting(partnership):
    p = partnership
    meeting = next_main(p.panel, previous_days_ago=21)  # the last main meeting
    since = meeting_on(p.panel, today() - timedelta(days=7), kind="mid_month", status="held")
    before = meeting_on(p.panel, today() - timedelta(days=30), kind="mid_month", status="held")
    called_off = meeting_on(
        p.panel, today() - timedelta(days=3), kind="mid_month", status="cancelled"
    )
    up = member(p.coordinator, p.panel, "Escalated")
    old = member(p.coordinator, p.panel, "Oldnews")
    kept = member(p.coordinator, p.panel, "Kept")
    off = member(p.coordinator, p.panel, "Calledoff")
    on_agenda(since, up, escalate=True)
    on_agenda(since, kept, escalate=False, position=2)
    on_agenda(before, old, escalate=True)
    on_agenda(called_off, off, escalate=True)

    builder = build(p.coordinator, meeting)
    assert {name for name, reason in suggested(builder) if reason == ESCALATED} == {"Escalated"}
    assert detail_for(builder, "Escalated", ESCALATED) == (
        f"Escalated from the mid-month panel on {since.date:%-d %B %Y}"
    )


def test_a_mid_month_meeting_gets_no_escalation_suggestions(partnership):
    p = partnership
    earlier = meeting_on(p.panel, today() - timedelta(days=7), kind="mid_month", status="held")
    person = member(p.coordinator, p.panel, "Escalated")
    on_agenda(earlier, person, escalate=True)
    mid_month = meeting_on(p.panel, today() + timedelta(days=14), kind="mid_month")
    assert ESCALATED not in {reason for _, reason in suggested(build(p.coordinator, mid_month))}


# --- Who is suggested at all ---------------------------------------------------------------


def test_people_already_on_the_agenda_are_not_suggested_or_offered_again(partnership):
    p = partnership
    meeting = next_main(p.panel)
    added = member(p.coordinator, p.panel, "Added")
    review(added, p.panel, "red", today(), p.coordinator)
    on_agenda(meeting, added, reason="other", reason_detail="Asked by police")
    waiting = member(p.coordinator, p.panel, "Waiting")

    builder = build(p.coordinator, meeting)
    assert not {reason for name, reason in suggested(builder) if name == "Added"}
    assert [n.family_name for n in builder.addable] == ["Waiting"]
    assert waiting


def test_exited_and_declined_people_are_neither_suggested_nor_offered(partnership):
    p = partnership
    meeting = next_main(p.panel)
    member(
        p.coordinator,
        p.panel,
        "Gone",
        status="exited",
        start=today() - timedelta(days=100),
        end=today() - timedelta(days=5),
    )
    member(p.coordinator, p.panel, "Declined", status="declined")
    builder = build(p.coordinator, meeting)
    assert builder.groups == []
    assert builder.addable == []


def _cohort_with_every_reason(p, meeting, count: int, offset: int) -> None:
    sgv = make_panel(p.council, [], name=f"SGV {offset}", kind="sgv")
    mid = meeting_on(p.panel, today() - timedelta(days=7 + offset), kind="mid_month")
    for i in range(count):
        person = member(p.coordinator, p.panel, f"Person{offset}x{i}")
        review(person, p.panel, "red", today() - timedelta(days=40), p.coordinator)
        visit(person, today() - timedelta(days=120), p.coordinator)
        CohortMembership.objects.create(
            nominal=person, panel=sgv, status="active", referred_on=today(), start=today()
        )
        on_agenda(mid, person, escalate=True, position=i)
        member(p.coordinator, p.panel, f"Referral{offset}x{i}", status="referred")


def test_suggestions_take_the_same_number_of_queries_for_5_or_60_members(partnership):
    p = partnership
    small = next_main(p.panel)

    def queries(meeting) -> int:
        # Loaded as a request loads them: the user with their agency, the meeting with its panel.
        user = User.objects.get(pk=p.coordinator.pk)
        meeting = Meeting.objects.select_related("panel").get(pk=meeting.pk)
        with CaptureQueriesContext(connection) as captured:
            builder = build(user, meeting)
        assert builder.count
        return len(captured)

    _cohort_with_every_reason(p, small, 5, 0)
    few = queries(small)
    _cohort_with_every_reason(p, small, 55, 1)
    many = queries(small)
    assert few == many
    assert many <= 12
