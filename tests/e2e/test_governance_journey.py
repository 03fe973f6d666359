"""The information governance lead's pages: the landing page from the menu, the access log
searched by record number and by name, unusual reading, and a subject access export
downloaded and read back, every page scanned with axe."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect

from accounts.models import AccessLog, AccessOutcome, ObjectType
from tests.e2e.browser import sign_in
from tests.factories import make_nominal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def _late_reads(p, nominal) -> None:
    """Yesterday at 11pm: carol opened the person's record, out of hours."""
    yesterday = timezone.localdate() - timedelta(days=1)
    late = datetime(
        yesterday.year, yesterday.month, yesterday.day, 23, tzinfo=timezone.get_current_timezone()
    )
    AccessLog.objects.create(
        user=p.partner,
        agency=p.council,
        outcome=AccessOutcome.ALLOWED,
        object_type=ObjectType.NOMINAL,
        object_id=str(nominal.pk),
        endpoint=f"/nominals/{nominal.pk}/",
        purpose="case_management",
        at=late,
    )


def test_governance_lead_searches_the_log_and_exports_a_subject_access_request(
    page: Page, check_page, partnership
):
    p = partnership
    nominal = make_nominal(
        p.coordinator, given_names="Ottoline", family_name="Brackenbury", on_panel=p.panel
    )
    _late_reads(p, nominal)
    sign_in(page, check_page, p.governance_lead)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Governance").click()
    expect(heading(page)).to_have_text("Information governance")
    check_page()

    page.get_by_role("link", name="Search the access log").click()
    expect(heading(page)).to_have_text("Search the access log")
    check_page()
    page.get_by_label("Record numbers").fill(str(nominal.pk))
    page.get_by_role("button", name="Search", exact=True).click()
    table = page.get_by_role("table")
    expect(table).to_contain_text(p.partner.get_full_name())
    expect(table).to_contain_text(f"record number {nominal.pk}")
    check_page()

    # A name goes by POST and comes back as the record's number; it is never in the address.
    page.get_by_label("Name").fill("Ottoline Brackenbury")
    page.get_by_role("button", name="Find records").click()
    expect(page.get_by_label("Record numbers")).to_have_value(str(nominal.pk))
    assert "Brackenbury" not in page.url
    check_page()

    page.goto("/governance/")
    check_page()
    page.get_by_role("link", name="Unusual reading").click()
    expect(heading(page)).to_have_text("Unusual reading")
    expect(page.get_by_role("heading", name="Out of hours")).to_be_visible()
    check_page()

    page.goto("/governance/")
    check_page()
    page.get_by_role("link", name="Subject access export").click()
    expect(heading(page)).to_have_text("Subject access export")
    check_page()
    page.get_by_label("Record number").fill(str(nominal.pk))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(f"Record {nominal.pk}", exact=True)).to_be_visible()
    check_page()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the document (DOCX)").click()
    download = download_info.value
    document = Document(io.BytesIO(download_info.value.path().read_bytes()))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert download.suggested_filename == f"subject-access-record-{nominal.pk}.docx"
    assert "Who has read the record" in text
