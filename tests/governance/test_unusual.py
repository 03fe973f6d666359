"""Unusual reading, from constructed access logs: busy days against the reader's own usual
day, reads of people with whom the reader's agency has no case, and reads out of hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, ObjectType
from governance.selectors import unusual
from panels.models import CohortMembership
from tests.factories import make_nominal, make_panel

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)  # a Tuesday
PAGE = reverse("governance:unusual-reading")


def at(day, hour=10, minute=0):
    return datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def reads(user, ids, day, *, hour=10, endpoint=None, outcome=AccessOutcome.ALLOWED):
    AccessLog.objects.bulk_create(
        AccessLog(
            user=user,
            agency=user.agency,
            outcome=outcome,
            object_type=ObjectType.NOMINAL,
            object_id=str(pk),
            endpoint=endpoint or f"/nominals/{pk}/",
            at=at(day, hour, index % 60),
        )
        for index, pk in enumerate(ids)
    )


@override_settings(GOVERNANCE_BUSY_DAY_FACTOR=3, GOVERNANCE_BUSY_DAY_MINIMUM=10)
def test_a_day_far_above_the_readers_usual_day_is_flagged(partnership):
    p = partnership
    # Usually 4 records a day (the median of 3, 4, 5 and 4)...
    for back, count in ((1, 3), (2, 4), (5, 5), (9, 4)):
        reads(p.partner, range(count), DAY - timedelta(days=back))
    # ...then 13 different records (20 reads, some twice): over 3 x 4 and the minimum.
    reads(p.partner, [*range(13), *range(7)], DAY)
    # A colleague who always reads 12 a day is never flagged.
    for back in range(0, 6):
        reads(p.coordinator, range(12), DAY - timedelta(days=back))
    flags = unusual.busy_days(p.council, DAY, DAY)
    assert [(f.user, f.day, f.records, f.usual) for f in flags] == [(p.partner, DAY, 13, 4.0)]


@override_settings(GOVERNANCE_BUSY_DAY_FACTOR=3, GOVERNANCE_BUSY_DAY_MINIMUM=10)
def test_the_minimum_and_the_baseline_window(partnership):
    p = partnership
    reads(p.partner, range(1), DAY - timedelta(days=2))
    reads(p.partner, range(9), DAY)  # 9 x the usual, but under the minimum of 10
    assert unusual.busy_days(p.council, DAY, DAY) == []
    # Reads older than the baseline do not make a usual day: no usual day, at the minimum.
    reads(p.coordinator, range(40), DAY - timedelta(days=45))
    reads(p.coordinator, range(10), DAY)
    flags = unusual.busy_days(p.council, DAY, DAY)
    assert [(f.user, f.records, f.usual) for f in flags] == [(p.coordinator, 10, None)]
    # Reading the access log is not reading records.
    reads(p.partner, range(30), DAY, endpoint="/governance/access-log/")
    reads(p.partner, range(30, 60), DAY, endpoint="/nominals/5/viewers/")
    # Refusals, and other agencies' staff, are not counted.
    reads(p.member_partner, range(50), DAY)
    reads(p.committee, range(50), DAY, outcome=AccessOutcome.DENIED)
    assert {f.user for f in unusual.busy_days(p.council, DAY, DAY)} == {p.coordinator}


def test_reads_of_people_with_whom_the_agency_has_no_case(partnership):
    p = partnership
    ours = make_nominal(p.partner, given_names="Owned")  # the council recorded them
    on_our_panel = make_nominal(p.member_partner, given_names="Cohort", on_panel=p.panel)
    # Probation's person on a panel the council neither coordinates nor sits on.
    other_panel = make_panel(p.probation, [p.police], name="Probation panel")
    elsewhere = make_nominal(p.member_partner, given_names="Elsewhere", on_panel=other_panel)
    exited = make_nominal(p.member_partner, given_names="Exited", on_panel=p.panel, status="exited")
    reads(p.partner, [ours.pk, on_our_panel.pk, elsewhere.pk, exited.pk], DAY)
    # Through the search, or the governance pages: not counted.
    reads(p.coordinator, [elsewhere.pk], DAY, endpoint=reverse("offenders:index"))
    reads(p.coordinator, [elsewhere.pk], DAY, endpoint="/governance/access-log/")
    flags = unusual.reads_without_a_case(p.council, DAY, DAY)
    assert [(f.user, f.day, f.records) for f in flags] == [(p.partner, DAY, 2)]
    # Referring the person is a case, whatever came of it.
    CohortMembership.objects.filter(nominal=exited).update(referring_agency=p.council)
    flags = unusual.reads_without_a_case(p.council, DAY, DAY)
    assert [f.records for f in flags] == [1]


@override_settings(GOVERNANCE_WORKING_HOURS_START=7, GOVERNANCE_WORKING_HOURS_END=19)
def test_reads_out_of_hours_and_at_weekends(partnership):
    p = partnership
    reads(p.partner, [1, 2], DAY, hour=10)
    reads(p.partner, [3], DAY, hour=6)
    reads(p.partner, [4, 5], DAY, hour=19)
    reads(p.coordinator, [6], DAY - timedelta(days=2), hour=11)  # a Sunday
    flags = unusual.reads_out_of_hours(p.council, DAY - timedelta(days=7), DAY)
    assert [(f.user, f.day, f.records) for f in flags] == [
        (p.partner, DAY, 3),
        (p.coordinator, DAY - timedelta(days=2), 1),
    ]


@override_settings(GOVERNANCE_BUSY_DAY_MINIMUM=5)
def test_the_page_explains_each_flag_and_links_to_the_search(partnership, client_for):
    p = partnership
    reads(p.partner, range(6), DAY, hour=22)
    query = {"start-day": "1", "start-month": "3", "start-year": "2026"}
    query |= {"end-day": "31", "end-month": "3", "end-year": "2026"}
    response = client_for(p.governance_lead).get(PAGE, query)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Far more records than usual" in body and "median" in body
    assert "Records with no case in your agency" in body
    assert "Out of hours" in body
    link = f"staff={p.partner.pk}&amp;start-day=10&amp;start-month=3&amp;start-year=2026"
    assert link in body
    assert AccessLog.objects.filter(
        user=p.governance_lead, object_type=ObjectType.UNUSUAL_READING
    ).exists()
    assert client_for(p.partner).get(PAGE).status_code == 403
