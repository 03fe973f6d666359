"""A long monthly list is matched by the worker, with its progress on the page: no request
waits on it, the coordinator is told when it is ready, and a task delivered twice changes
nothing the second time."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Notification
from cohorts.models import ImportStatus, RowOutcome
from cohorts.selectors import imports as import_selectors
from cohorts.services.imports import (
    import_map_columns,
    import_match_in_background,
    import_upload,
)
from tests.panels.import_samples import MAPPING, csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [[f"Family{n}", f"Given{n}", f"0{n + 1}/01/1990", "", ""] for n in range(6)]


@pytest.fixture(autouse=True)
def _long_lists(settings, monkeypatch):
    """Lists of more than 3 rows count as long, and candidates are found 2 rows at a time,
    so the progress moves in steps."""
    from django.utils import timezone

    settings.IMPORT_BACKGROUND_ROWS = 3
    monkeypatch.setattr(import_selectors, "CHUNK_ROWS", 2)
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 20))


def uploaded(p):
    return import_upload(
        actor=p.coordinator,
        panel=p.panel,
        month=date(2026, 5, 1),
        file_name="long.csv",
        data=csv_bytes(ROWS),
    )


def test_a_long_list_waits_for_the_worker_and_the_page_shows_progress(partnership, client_for):
    p = partnership
    cohort_import = import_map_columns(
        actor=p.coordinator, cohort_import=uploaded(p), mapping=MAPPING
    )
    assert cohort_import.status == ImportStatus.MATCHING
    assert cohort_import.rows.filter(outcome=RowOutcome.CREATED).count() == 0
    client = client_for(p.coordinator)
    url = reverse("cohorts:import", args=[cohort_import.pk])

    page = client.get(url).content.decode()
    assert "Matching the May 2026 list" in page and "0 of 6 rows matched" in page
    fragment = client.get(url, {"progress": "1"}, HTTP_HX_REQUEST="true")
    assert 'id="matching-progress"' in fragment.content.decode()

    done = import_match_in_background(cohort_import.pk, p.coordinator.pk)

    assert done is not None and done.status == ImportStatus.PREVIEW
    assert (done.match_done, done.match_total) == (6, 6)
    assert done.rows.filter(outcome=RowOutcome.CREATED).count() == 6
    [told] = Notification.objects.filter(user=p.coordinator, kind="list_waiting")
    assert "is matched and ready to check" in told.text
    # The page's next poll sends the browser to the list, ready to check.
    ready = client.get(url, {"progress": "1"}, HTTP_HX_REQUEST="true")
    assert ready.headers["HX-Redirect"] == url
    assert "What the matching found" in client.get(url).content.decode()


def test_the_task_delivered_twice_changes_nothing_the_second_time(partnership):
    p = partnership
    cohort_import = import_map_columns(
        actor=p.coordinator, cohort_import=uploaded(p), mapping=MAPPING
    )
    import_match_in_background(cohort_import.pk, p.coordinator.pk)
    outcomes = list(cohort_import.rows.order_by("number").values_list("outcome", "message"))

    assert import_match_in_background(cohort_import.pk, p.coordinator.pk) is None

    assert list(cohort_import.rows.order_by("number").values_list("outcome", "message")) == outcomes
    assert Notification.objects.filter(user=p.coordinator, kind="list_waiting").count() == 1


def test_the_worker_is_asked_when_the_choice_of_columns_is_saved(
    partnership, django_capture_on_commit_callbacks
):
    p = partnership
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cohort_import = import_map_columns(
            actor=p.coordinator, cohort_import=uploaded(p), mapping=MAPPING
        )

    assert callbacks  # the worker is asked once the choice is committed
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.PREVIEW  # the eager worker ran it


def test_a_short_list_is_matched_at_once(partnership, settings):
    settings.IMPORT_BACKGROUND_ROWS = 1000
    p = partnership

    cohort_import = import_map_columns(
        actor=p.coordinator, cohort_import=uploaded(p), mapping=MAPPING
    )

    assert cohort_import.status == ImportStatus.PREVIEW
