"""The panels' scheduled jobs: on beat's schedule, and on a real worker through Redis."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from config.celery import app
from meetings.models import Meeting, MeetingKind, MeetingRule
from tests.workers import real_worker


def test_beat_creates_meetings_and_flags_overdue_actions_every_night():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["schedule-meetings-daily"]["task"] == "meetings.tasks.schedule_meetings"
    assert (
        schedule["flag-overdue-case-actions-nightly"]["task"]
        == "meetings.tasks.flag_overdue_case_actions"
    )


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_creates_the_meetings_of_a_new_rule(partnership):
    # Written directly, so that only the job can have made the meetings.
    rule = MeetingRule.objects.create(
        panel=partnership.panel, kind=MeetingKind.MID_MONTH, week=3, weekday=2
    )
    with real_worker() as (queue, worker):
        app.send_task("meetings.tasks.schedule_meetings", queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Meeting.objects.filter(rule=rule).count() >= settings.MEETINGS_MONTHS_AHEAD:
                break
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.25)
        else:
            pytest.fail("the worker did not create the meetings within 60 seconds")
        # Third Wednesdays, each once.
        dates = list(Meeting.objects.filter(rule=rule).values_list("date", flat=True))
        assert all(day.weekday() == 2 and 15 <= day.day <= 21 for day in dates)
        assert len(dates) == len(set(dates))
