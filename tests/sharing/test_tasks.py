"""The access recomputation job: eagerly, from beat's schedule, and on a real worker."""

import time

import pytest
from django.conf import settings

from config.celery import app
from panels.models import Panel, PanelGroupObjectPermission
from sharing.tasks import recompute_access
from tests.workers import real_worker


def test_beat_runs_the_recomputation_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["recompute-panel-access-nightly"]
    assert entry["task"] == "sharing.tasks.recompute_access"
    assert entry["schedule"].hour == {0}


@pytest.mark.django_db
def test_task_repairs_grants_and_is_idempotent(partnership):
    PanelGroupObjectPermission.objects.filter(group=partnership.probation.group).delete()
    assert partnership.panel not in Panel.objects.visible_to(partnership.member_partner)

    assert recompute_access.delay().get() == {"granted": 1, "revoked": 0}
    assert recompute_access.delay().get() == {"granted": 0, "revoked": 0}
    assert partnership.panel in Panel.objects.visible_to(partnership.member_partner)


def test_tasks_are_acknowledged_late_and_requeued_if_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_recomputation_from_redis(partnership):
    """Send through real Redis to a real `celery worker` process on a private queue."""
    PanelGroupObjectPermission.objects.filter(group=partnership.probation.group).delete()
    with real_worker() as (queue, worker):
        app.send_task("sharing.tasks.recompute_access", queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if partnership.panel in Panel.objects.visible_to(partnership.member_partner):
                break
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.25)
        else:
            pytest.fail("the worker did not run the task within 60 seconds")


@pytest.mark.django_db
def test_system_admin_recomputes_access_on_demand(
    partnership, client_for, django_capture_on_commit_callbacks
):
    PanelGroupObjectPermission.objects.filter(group=partnership.probation.group).delete()
    client = client_for(partnership.system_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sharing/recompute-access/", follow=True)
    assert b"Panel access is being recomputed" in response.content
    assert partnership.panel in Panel.objects.visible_to(partnership.member_partner)


@pytest.mark.django_db
def test_only_system_admins_may_recompute_on_demand(partnership, client_for):
    assert client_for(partnership.coordinator).post("/sharing/recompute-access/").status_code == 403
