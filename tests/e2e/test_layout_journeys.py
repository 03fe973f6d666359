"""The front end's own plumbing, in a browser: htmx loads within the pages' CSP and sends the
CSRF token, and the cohort tracker, the widest table, shows every column on a 1280-pixel
screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Notification
from accounts.notifications import notify
from offenders.models import Need, Nominal
from panels.models import CohortMembership, RagReview
from tests.e2e.browser import sign_in
from tests.panels.agenda_helpers import member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_htmx_loads_within_the_csp_and_sends_the_csrf_token(page: Page, check_page, partnership):
    p = partnership
    notify(
        user=p.coordinator,
        kind="plan_steps",
        key="htmx",
        text="Steps your agency leads need an update",
        url="/action-plan/",
    )
    sign_in(page, check_page, p.coordinator)
    page.goto("/sharing/notifications/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    loaded = page.evaluate(
        """() => ({
          version: window.htmx && htmx.version,
          config: window.htmx && {
            includeIndicatorStyles: htmx.config.includeIndicatorStyles,
            allowEval: htmx.config.allowEval,
            allowScriptTags: htmx.config.allowScriptTags,
            historyCacheSize: htmx.config.historyCacheSize,
          },
          styleElements: document.querySelectorAll('style').length,
          headers: JSON.parse(document.body.getAttribute('hx-headers')),
        })"""
    )
    assert loaded["version"].startswith("2."), loaded
    assert loaded["config"] == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "historyCacheSize": 0,
    }
    # The indicator rules come from tandem.css, not a <style> element the CSP would refuse.
    assert loaded["styleElements"] == 0
    assert len(loaded["headers"]["X-CSRFToken"]) >= 32

    # A POST made by htmx, with no form and so no token but the header, passes Django's
    # CSRF check: "Mark all as read" takes effect.
    with page.expect_request(lambda request: request.method == "POST") as sent:
        status = page.evaluate(
            """(url) => new Promise((resolve) => {
              document.body.addEventListener(
                'htmx:afterRequest', (event) => resolve(event.detail.xhr.status), {once: true})
              htmx.ajax('POST', url, {source: document.body, swap: 'none'})
            })""",
            "/sharing/notifications/read-all/",
        )
    assert sent.value.headers["x-csrftoken"] == loaded["headers"]["X-CSRFToken"]
    assert sent.value.headers["hx-request"] == "true"
    assert status == 200
    assert not Notification.objects.filter(user=p.coordinator, read_at__isnull=True).exists()
    check_page()


def test_the_cohort_tracker_shows_every_column_at_1280_pixels(page: Page, check_page, partnership):
    """The tracker has a column for each of the panel's own fields: on a 1280-pixel screen
    all of them show, none cut off or hidden off to the side of the table's pane."""
    p = partnership
    today = timezone.localdate()
    people = [
        member(p.coordinator, p.panel, family, given_names=given)
        for family, given in [
            ("Brennan", "Kyle"),
            ("Nowicki", "Marek"),
            ("Okoro", "Daniel"),
            ("Fitzgerald-Whitmore", "Alexandra"),
        ]
    ]
    Nominal.objects.filter(pk__in=[n.pk for n in people]).update(lead_professional=p.partner)
    CohortMembership.objects.filter(panel=p.panel).update(
        iom_strand="fixed", statutory=True, ogrs_band="75+"
    )
    for person, rag in zip(people, ["red", "amber", "green", "red"], strict=True):
        RagReview.objects.create(
            nominal=person,
            panel=p.panel,
            rag=rag,
            reviewed_on=today - timedelta(days=40),
            author=p.coordinator,
        )
        for pathway in ("accommodation", "finance"):
            Need.objects.create(
                nominal=person,
                pathway=pathway,
                level="high",
                updated_on=today,
                updated_by=p.coordinator,
            )

    sign_in(page, check_page, p.coordinator)
    assert page.viewport_size == {"width": 1280, "height": 900}
    page.goto(f"/panels/{p.panel.pk}/cohort/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort")
    check_page()  # nothing scrolls sideways or is cut off, and axe passes

    pane = page.get_by_role("region", name="4 people on the cohort")
    headers = pane.get_by_role("columnheader")
    expect(headers.last).to_have_text("Actions")
    expect(headers).to_have_count(11)  # 7 of every panel, 3 of an IOM panel's, actions
    fits = pane.evaluate(
        "(pane) => ({scroll: pane.scrollWidth, width: pane.clientWidth,"
        " right: pane.getBoundingClientRect().right,"
        " lastRight: pane.querySelector('thead th:last-child').getBoundingClientRect().right})"
    )
    assert fits["scroll"] <= fits["width"], f"the table scrolls inside its pane: {fits}"
    assert fits["lastRight"] <= fits["right"] <= 1280, fits
