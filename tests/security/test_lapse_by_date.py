"""An agreement that lapses or starts by date changes access on the very next request.

Nothing is saved on the day an agreement's review becomes overdue beyond the grace
period, or on the day its sign-off date arrives. These tests move the clock
(`timezone.localdate`) and run no recomputation in between: the grant windows written
when the agreement last changed must be enough (SECURITY.md pitfall 10).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, AgencyKind, AuditEvent, ObjectType, Role, Verb
from offenders.models import Nominal
from panels.models import Panel, PanelGrantWindow, PanelGroupObjectPermission
from panels.selectors import agencies_seeing_panel
from sharing.access import merge_windows, recompute_panel_access
from tests.factories import make_agency, make_nominal, make_panel, make_signed_agreement, make_user

pytestmark = pytest.mark.django_db

GRACE = 30


class Clock:
    """`timezone.localdate()` answers `today`; calls converting a given value are untouched."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = timezone.localdate
        self.today = self.real()

        def localdate(value=None, timezone=None):
            return self.today if value is None else self.real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    def set(self, day: date) -> None:
        self.today = day


@pytest.fixture
def clock(monkeypatch, settings) -> Clock:
    settings.ISA_REVIEW_GRACE_DAYS = GRACE
    return Clock(monkeypatch)


def recomputations() -> int:
    return AuditEvent.objects.filter(verb=Verb.ACCESS_RECOMPUTED).count()


def api_ids(client, route: str) -> list[int]:
    response = client.get(route)
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_review_overdue_beyond_grace_denies_the_next_request_without_a_recomputation(
    partnership, client_for, clock
):
    p = partnership
    person = make_nominal(p.coordinator, on_panel=p.panel)
    membership = person.memberships.get()
    last_day = p.agreement.next_review_due + timedelta(days=GRACE)
    assert p.agreement.access_ends_on == last_day
    client = client_for(p.member_partner)
    panel_page = reverse("panels:detail", args=[p.panel.pk])
    cohort_page = reverse("cohorts:cohort", args=[p.panel.pk])
    record = reverse("offenders:profile", args=[person.pk])

    for day in (last_day - timedelta(days=1), last_day):
        clock.set(day)
        assert client.get(panel_page).status_code == 200
        cohort = client.get(cohort_page)
        assert cohort.status_code == 200
        assert "ASHBY" in cohort.content.decode()
        client.post(reverse("offenders:purpose", args=[person.pk]), {"purpose": "case_management"})
        profile = client.get(record)
        assert profile.status_code == 200
        assert "ASHBY" in profile.content.decode()
        assert p.panel.pk in api_ids(client, "/api/v1/panels/")
        assert person.pk in api_ids(client, "/api/v1/nominals/")
        assert membership.pk in api_ids(client, "/api/v1/memberships/")

    recomputed = recomputations()
    denied = AccessLog.objects.filter(user=p.member_partner, outcome=AccessOutcome.DENIED)
    assert not denied.exists()

    clock.set(last_day + timedelta(days=1))

    assert client.get(panel_page).status_code == 404
    assert client.get(cohort_page).status_code == 404
    assert client.get(record).status_code == 404
    assert client.get(reverse("panel-detail", args=[p.panel.pk])).status_code == 404
    assert client.get(reverse("nominal-detail", args=[person.pk])).status_code == 404
    assert api_ids(client, "/api/v1/panels/") == []
    assert api_ids(client, "/api/v1/nominals/") == []
    assert api_ids(client, "/api/v1/memberships/") == []
    assert person not in Nominal.objects.visible_to(p.member_partner)
    refused = {(row.object_type, row.object_id) for row in denied}
    assert (ObjectType.NOMINAL, str(person.pk)) in refused
    assert (ObjectType.PANEL, str(p.panel.pk)) in refused
    # No recomputation ran: the grant is still stored, it is only out of its window.
    assert recomputations() == recomputed
    assert PanelGroupObjectPermission.objects.filter(
        content_object=p.panel, group=p.probation.group
    ).exists()
    # The coordinating agency keeps its panel, and its page no longer lists Probation.
    assert client_for(p.coordinator).get(panel_page).status_code == 200
    assert p.probation not in agencies_seeing_panel(p.panel)
    assert p.council in agencies_seeing_panel(p.panel)


def test_the_nightly_recomputation_then_deletes_the_lapsed_grant(partnership, clock):
    p = partnership
    clock.set(p.agreement.access_ends_on + timedelta(days=1))
    assert p.panel not in Panel.objects.visible_to(p.member_partner)

    result = recompute_panel_access()

    # Probation and Police lost the panel; the council coordinates it and keeps it.
    assert (result.granted, result.revoked) == (0, 2)
    assert not PanelGroupObjectPermission.objects.filter(group=p.probation.group).exists()
    assert p.panel in Panel.objects.visible_to(p.coordinator)
    assert not recompute_panel_access().changed


def test_an_agreement_signed_off_in_the_future_grants_from_that_day_at_once(
    partnership, client_for, clock
):
    p = partnership
    drugs = make_agency("drugs", name="Drug Service", kind=AgencyKind.DRUG_SERVICE)
    worker = make_user(drugs, Role.PARTNER, username="dana")
    dip = make_panel(p.council, [drugs], name="DIP panel")
    person = make_nominal(p.coordinator, family_name="Treadwell", on_panel=dip)
    starts = clock.today + timedelta(days=5)
    agreement = make_signed_agreement(
        panels=[dip],
        parties=[p.council, drugs],
        signer=p.system_admin,
        reference="ISA-DIP",
        signed_on=starts,
    )
    assert agreement.signed_off_on == starts
    client = client_for(worker)
    page = reverse("panels:detail", args=[dip.pk])
    recomputed = recomputations()

    clock.set(starts - timedelta(days=1))
    assert client.get(page).status_code == 404
    assert api_ids(client, "/api/v1/nominals/") == []
    body = client_for(p.coordinator).get(f"/sharing/agreements/{agreement.pk}/").content.decode()
    assert f"Access starts on {starts:%-d %B %Y}, the sign-off date." in body
    assert "Not yet in force" in body
    assert "Review overdue" not in body

    clock.set(starts)
    assert client.get(page).status_code == 200
    assert api_ids(client, "/api/v1/panels/") == [dip.pk]
    assert api_ids(client, "/api/v1/nominals/") == [person.pk]
    assert recomputations() == recomputed


def test_a_second_agreement_covering_the_panel_keeps_access_when_the_first_lapses(
    partnership, client_for, clock
):
    p = partnership
    first_ends = p.agreement.access_ends_on
    second = make_signed_agreement(
        panels=[p.panel],
        parties=[p.council, p.probation],
        signer=p.system_admin,
        reference="ISA-2",
        signed_on=clock.today + timedelta(days=60),
    )
    second_ends = second.access_ends_on
    assert second_ends > first_ends
    client = client_for(p.member_partner)
    page = reverse("panels:detail", args=[p.panel.pk])
    recomputed = recomputations()

    clock.set(first_ends + timedelta(days=1))
    assert client.get(page).status_code == 200
    # Police signed only the first agreement: it loses the panel.
    assert p.panel not in Panel.objects.visible_to(make_user(p.police, Role.PARTNER))
    clock.set(second_ends)
    assert client.get(page).status_code == 200
    clock.set(second_ends + timedelta(days=1))
    assert client.get(page).status_code == 404
    assert recomputations() == recomputed
    grant = PanelGroupObjectPermission.objects.get(content_object=p.panel, group=p.probation.group)
    # The two agreements' windows overlap, so the grant has one window spanning both.
    assert list(grant.windows.values_list("starts_on", "ends_on")) == [
        (p.agreement.signed_off_on, second_ends)
    ]


def test_access_pauses_between_agreements_that_do_not_overlap(partnership, client_for, clock):
    p = partnership
    gap_starts = p.agreement.access_ends_on + timedelta(days=1)
    resumes = gap_starts + timedelta(days=10)
    make_signed_agreement(
        panels=[p.panel],
        parties=[p.council, p.probation],
        signer=p.system_admin,
        reference="ISA-NEXT",
        signed_on=resumes,
    )
    client = client_for(p.member_partner)
    page = reverse("panels:detail", args=[p.panel.pk])

    clock.set(gap_starts - timedelta(days=1))
    assert client.get(page).status_code == 200
    clock.set(gap_starts)
    assert client.get(page).status_code == 404
    clock.set(resumes - timedelta(days=1))
    assert client.get(page).status_code == 404
    clock.set(resumes)
    assert client.get(page).status_code == 200


def test_recording_the_review_moves_the_end_of_access(partnership, clock):
    p = partnership
    old_end = p.agreement.access_ends_on
    p.agreement.next_review_due += timedelta(days=365)
    p.agreement.save(update_fields=["next_review_due"])

    result = recompute_panel_access()

    # Police and Probation keep their grants, each with a later end.
    assert (result.granted, result.revoked, result.rescheduled) == (0, 0, 2)
    clock.set(old_end + timedelta(days=1))
    assert p.panel in Panel.objects.visible_to(p.member_partner)
    assert not recompute_panel_access().changed


def test_a_grant_without_a_window_grants_nothing(partnership):
    """Only the recomputation writes grants; a row written any other way is inert."""
    p = partnership
    PanelGroupObjectPermission.objects.create(
        content_object=p.panel,
        group=p.outsider.group,
        permission=Permission.objects.get(codename="view_panel"),
    )
    assert p.panel not in Panel.objects.visible_to(p.outsider_partner)


def test_windows_go_with_their_grant(partnership):
    p = partnership
    assert PanelGrantWindow.objects.filter(grant__content_object=p.panel).exists()
    p.panel.memberships.all().delete()
    PanelGroupObjectPermission.objects.filter(content_object=p.panel).delete()
    assert not PanelGrantWindow.objects.exists()


def test_the_agreement_page_says_when_access_ends_unless_the_review_is_recorded(
    partnership, client_for, clock
):
    p = partnership
    p.agreement.next_review_due = date(2026, 12, 7)
    p.agreement.save(update_fields=["next_review_due"])
    recompute_panel_access()
    page = f"/sharing/agreements/{p.agreement.pk}/"
    client = client_for(p.member_partner)

    clock.set(date(2026, 12, 1))
    body = client.get(page).content.decode()
    assert "Access ends on 6 January 2027 unless the review is recorded." in body
    assert "30 days&#x27; grace" in body or "30 days' grace" in body

    clock.set(date(2027, 1, 6))
    assert "Access ends on 6 January 2027 unless the review is recorded." in (
        client.get(page).content.decode()
    )

    clock.set(date(2027, 1, 7))
    body = client.get(page).content.decode()
    assert "Access ended on 6 January 2027 because the review was not recorded." in body
    assert "Review overdue" in body


def test_merging_windows_joins_those_that_overlap_or_touch():
    d = date(2027, 1, 1)

    def day(n: int) -> date:
        return d + timedelta(days=n)

    assert merge_windows([(day(10), day(20)), (day(0), day(5))]) == (
        (day(0), day(5)),
        (day(10), day(20)),
    )
    assert merge_windows([(day(0), day(5)), (day(6), day(9))]) == ((day(0), day(9)),)
    assert merge_windows([(day(0), day(9)), (day(3), day(4))]) == ((day(0), day(9)),)
    assert merge_windows([(day(0), None), (day(3), day(40))]) == ((day(0), None),)
    assert merge_windows([(day(5), day(9)), (None, None)]) == ((None, None),)
    assert merge_windows([(None, day(2)), (day(1), day(7))]) == ((None, day(7)),)
