"""The governance lead's retention review in a browser, checked with axe on every page: from
the night's notification to the list, keeping one record and deleting another."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from offenders.models import Nominal
from retention.models import DeletionLog
from retention.services import reviews_list
from tests.e2e.browser import sign_in
from tests.retention.test_schedule import person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_governance_lead_keeps_one_record_and_deletes_another(
    page: Page, check_page, partnership
):
    p = partnership
    kept = person(p, last_seen=date(2010, 1, 1))
    deleted = person(p, last_seen=date(2010, 1, 2))
    reviews_list()

    sign_in(page, check_page, p.governance_lead)
    page.goto("/sharing/notifications/")
    check_page()
    page.get_by_role("link", name="Records your agency owns are due for a retention review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records due for a retention review")
    check_page()
    expect(page.get_by_role("table")).to_contain_text(kept.family_name.upper())

    page.get_by_role("link", name=f"Keep record {kept.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Keep record {kept.pk}")
    check_page()
    page.get_by_role("button", name="Keep the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the record is being kept"
    )
    check_page()
    page.get_by_label("Why is the record being kept?").fill("An appeal is pending")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill(str(timezone.localdate().year + 2))
    page.get_by_role("button", name="Keep the record").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Record {kept.pk} kept")
    check_page()

    page.get_by_role("link", name=f"Delete record {deleted.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete record {deleted.pk}")
    check_page()
    page.get_by_role("button", name="Delete the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that the record can be deleted"
    )
    check_page()
    page.get_by_label("I have checked that this record is no longer needed").check()
    page.get_by_role("button", name="Delete the record").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Record {deleted.pk} and everything about the person have been deleted"
    )
    check_page()
    expect(page.get_by_role("main")).to_contain_text("No records are waiting")
    assert not Nominal.objects.filter(pk=deleted.pk).exists()
    assert DeletionLog.objects.filter(object_id=str(deleted.pk)).exists()
