"""Every read that shows a person in a list names them in the access log, so the person's
"who has viewed this record" page is complete: one test per kind of route."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from panels.models import RagReview
from tests.factories import make_nominal
from tests.offenders.test_search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(partnership):
    p = partnership
    nominal = make_nominal(
        p.coordinator,
        given_names="Wendell",
        family_name="Oyelaran",
        date_of_birth=date(1991, 2, 3),
        on_panel=p.panel,
    )
    RagReview.objects.create(
        nominal=nominal,
        panel=p.panel,
        rag="amber",
        reviewed_on=timezone.localdate(),
        author=p.coordinator,
    )
    return nominal


def _named_by(user, nominal) -> list[str]:
    """The pages and endpoints at which `user` was logged reading `nominal`."""
    return list(
        AccessLog.objects.filter(
            user=user, object_type="offenders.nominal", object_id=str(nominal.pk)
        )
        .order_by("pk")
        .values_list("endpoint", flat=True)
    )


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(lambda c, p: c.get("/api/v1/nominals/"), id="api-nominal-list"),
        pytest.param(
            lambda c, p: c.post(
                "/api/v1/nominals/search/",
                {"name": "Wendell Oyelaran"},
                content_type="application/json",
            ),
            id="api-search",
        ),
        pytest.param(lambda c, p: c.get("/api/v1/memberships/"), id="api-membership-list"),
        pytest.param(lambda c, p: c.get("/api/v1/reviews/"), id="api-review-list"),
        pytest.param(lambda c, p: search(c, name="Wendell Oyelaran"), id="search-page"),
        pytest.param(lambda c, p: c.get(f"/panels/{p.panel.pk}/cohort/"), id="cohort-tracker"),
    ],
)
def test_a_list_that_shows_a_person_names_them_in_the_access_log(
    partnership, client_for, person, read
):
    p = partnership
    response = read(client_for(p.member_partner), p)
    assert response.status_code == 200
    # Named (pages print the family name in capitals), or given by record number.
    body = response.content.decode().lower()
    assert "oyelaran" in body or f'"nominal":{person.pk}' in body
    assert len(_named_by(p.member_partner, person)) == 1


def test_the_who_has_viewed_page_shows_someone_who_saw_the_person_in_a_list(
    partnership, client_for, person
):
    p = partnership
    client_for(p.member_partner).get("/api/v1/nominals/")
    page = client_for(p.governance_lead).get(reverse("offenders:viewers", args=[person.pk]))
    assert page.status_code == 200
    assert p.member_partner.get_full_name() in page.content.decode()


def test_a_person_not_shown_is_not_logged(partnership, client_for, person):
    p = partnership
    client_for(p.outsider_partner).get("/api/v1/nominals/")
    assert _named_by(p.outsider_partner, person) == []


def test_an_action_whose_person_is_hidden_names_no_one(partnership, client_for):
    """Probation sees its own agency's action on a person whose record it may not see: the
    list shows the action, not the person, and logs no read of them."""
    from datetime import timedelta

    from meetings.models import CaseAction

    p = partnership
    hidden = make_nominal(p.outsider_partner, given_names="Hidden", family_name="Person")
    CaseAction.objects.create(
        panel=p.panel,
        nominal=hidden,
        description="Check in",
        owner_agency=p.probation,
        due=timezone.localdate() + timedelta(days=7),
        created_by=p.coordinator,
    )
    response = client_for(p.member_partner).get("/api/v1/case-actions/")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert "Person" not in response.content.decode()
    assert _named_by(p.member_partner, hidden) == []


def test_a_search_names_only_the_people_on_the_page_shown(partnership, client_for):
    """Results come 20 a page: the people on the page read are named, one row each in one
    insert, and those on pages never opened are not; the count row says how many were found."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from offenders.views.search import PAGE_SIZE

    p = partnership
    people = [
        make_nominal(
            p.coordinator,
            given_names="Wendell",
            family_name="Oyelaran",
            date_of_birth=date(1970, 1, 1) + timedelta(days=number * 50),
            on_panel=p.panel,
        )
        for number in range(PAGE_SIZE + 5)
    ]
    client = client_for(p.member_partner)
    with CaptureQueriesContext(connection) as captured:
        first = search(client, name="Wendell Oyelaran")
    assert first.status_code == 200
    named = set(
        AccessLog.objects.filter(
            user=p.member_partner, object_type="offenders.nominal"
        ).values_list("object_id", flat=True)
    )
    assert len(named) == PAGE_SIZE
    assert named < {str(person.pk) for person in people}
    assert AccessLog.objects.get(
        user=p.member_partner, object_type="offenders.search"
    ).object_id == (str(len(people)))
    inserts = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('INSERT INTO "accounts_accesslog"')
        and "offenders.nominal" in q["sql"]
    ]
    assert len(inserts) == 1

    search(client, name="Wendell Oyelaran", page="2")
    everyone = set(
        AccessLog.objects.filter(
            user=p.member_partner, object_type="offenders.nominal"
        ).values_list("object_id", flat=True)
    )
    assert everyone == {str(person.pk) for person in people}


def test_the_merge_comparison_names_both_records_in_one_insert(partnership, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = partnership
    survivor = make_nominal(p.coordinator, given_names="Wendell", family_name="Oyelaran")
    duplicate = make_nominal(p.coordinator, given_names="Wendel", family_name="Oyelaran")
    url = reverse("offenders:merge-confirm", args=[survivor.pk, duplicate.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client_for(p.coordinator).get(url)
    assert response.status_code == 200
    assert len([q for q in captured.captured_queries if "offenders.nominal" in q["sql"]]) == 1
    for person in (survivor, duplicate):
        assert _named_by(p.coordinator, person) == [url]
