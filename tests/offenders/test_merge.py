"""Merging two records of one person: who may, what moves, and where the old record goes."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Verb
from offenders.models import CaseEvent, EventKind, Identifier, Nominal
from offenders.services import event_add, identifier_add
from panels.models import CohortMembership
from tests.factories import make_nominal, make_panel

pytestmark = pytest.mark.django_db

DOB = date(1985, 11, 2)


def pair(p):
    """Two council records of one person, both on the IOM panel."""
    survivor = make_nominal(
        p.coordinator,
        given_names="Daniel",
        family_name="Okafor",
        date_of_birth=DOB,
        on_panel=p.panel,
    )
    duplicate = make_nominal(
        p.partner,
        given_names="Danny",
        family_name="Okafor",
        date_of_birth=DOB,
        on_panel=p.panel,
    )
    return survivor, duplicate


def confirm_url(survivor, duplicate):
    return reverse("offenders:merge-confirm", args=[survivor.pk, duplicate.pk])


def test_merge_moves_identifiers_events_and_memberships_and_the_old_id_redirects(
    partnership, client_for
):
    survivor, duplicate = pair(partnership)
    identifier_add(actor=partnership.partner, nominal=duplicate, kind="crn", value="X123456")
    event_add(
        actor=partnership.partner,
        nominal=duplicate,
        kind=EventKind.VISIT,
        occurred_on=date(2026, 1, 20),
        summary="Home visit",
    )
    second_panel = make_panel(partnership.council, [], name="SGV panel")
    CohortMembership.objects.create(
        nominal=duplicate, panel=second_panel, status="active", referred_on=date(2026, 1, 5)
    )
    client = client_for(partnership.coordinator)

    response = client.post(confirm_url(survivor, duplicate), {"merge": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("offenders:profile", args=[survivor.pk])

    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert Identifier.objects.get(value="X123456").nominal == survivor
    assert CaseEvent.objects.get(summary="Home visit").nominal == survivor
    assert CaseEvent.objects.filter(nominal=survivor, kind=EventKind.MERGED).exists()
    assert set(
        CohortMembership.objects.filter(nominal=survivor).values_list("panel__name", flat=True)
    ) == {"Test IOM panel", "SGV panel"}
    assert not CohortMembership.objects.filter(nominal=duplicate).exists()
    assert AuditEvent.objects.filter(verb=Verb.NOMINALS_MERGED, object_id=str(survivor.pk)).exists()

    old = client.get(reverse("offenders:profile", args=[duplicate.pk]))
    assert old.status_code == 302
    assert old["Location"] == reverse("offenders:profile", args=[survivor.pk])
    # And the merged record is never a search result again.
    body = client.post(reverse("offenders:index"), {"name": "Danny Okafor"}).content.decode()
    assert "1 person found" in body


def test_the_comparison_shows_both_records_side_by_side_with_the_reasons(partnership, client_for):
    survivor, duplicate = pair(partnership)
    response = client_for(partnership.coordinator).get(confirm_url(survivor, duplicate))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Record {survivor.pk} (kept)" in body
    assert f"Record {duplicate.pk} (merged into it)" in body
    assert "Daniel" in body and "Danny" in body
    assert "Given name: Danny is a short form of Daniel" in body
    assert "Date of birth: same (02/11/1985)" in body
    assert "Merge these records" in body
    assert confirm_url(duplicate, survivor) in body  # keep the other one instead
    # Showing both records is a read of each, logged with the purpose.
    for nominal in (survivor, duplicate):
        row = AccessLog.objects.get(object_type="offenders.nominal", object_id=str(nominal.pk))
        assert row.purpose == "data_quality"
    assert not Nominal.objects.filter(merged_into__isnull=False).exists()


def test_an_empty_post_merges_nothing(partnership, client_for):
    survivor, duplicate = pair(partnership)
    response = client_for(partnership.coordinator).post(confirm_url(survivor, duplicate))
    assert response.status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_choosing_suggests_likely_duplicates_and_takes_a_record_number(partnership, client_for):
    survivor, duplicate = pair(partnership)
    make_nominal(partnership.coordinator, given_names="Rita", family_name="Patel")
    client = client_for(partnership.coordinator)
    url = reverse("offenders:merge", args=[survivor.pk])

    body = client.get(url).content.decode()
    assert confirm_url(survivor, duplicate) in body
    assert "Patel" not in body

    searched = client.post(url, {"action": "search", "name": "Rita Patel"}).content.decode()
    assert "PATEL" in searched

    response = client.post(url, {"action": "number", "other": str(duplicate.pk)})
    assert response["Location"] == confirm_url(survivor, duplicate)
    itself = client.post(url, {"action": "number", "other": str(survivor.pk)})
    assert "Enter the number of a different record" in itself.content.decode()


def test_merge_is_refused_403_for_a_partner_of_another_agency(partnership, client_for):
    """Probation can see the council's records through the agreement, but may not change
    who they are: that is for the owning agency or the panel's coordinator."""
    survivor, duplicate = pair(partnership)
    client = client_for(partnership.member_partner)
    assert client.get(reverse("offenders:merge", args=[survivor.pk])).status_code == 403
    assert client.get(confirm_url(survivor, duplicate)).status_code == 403
    assert client.post(confirm_url(survivor, duplicate), {"merge": "yes"}).status_code == 403
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert (
        AccessLog.objects.filter(
            user=partnership.member_partner, outcome=AccessOutcome.DENIED
        ).count()
        == 3
    )


def test_a_record_the_user_may_not_see_is_404_whichever_side_it_is_on(partnership, client_for):
    survivor, _ = pair(partnership)
    hidden = make_nominal(
        partnership.outsider_partner, given_names="Daniel", family_name="Okafor", date_of_birth=DOB
    )
    client = client_for(partnership.coordinator)
    assert client.get(confirm_url(survivor, hidden)).status_code == 404
    assert client.post(confirm_url(survivor, hidden), {"merge": "yes"}).status_code == 404
    assert client.get(confirm_url(hidden, survivor)).status_code == 404
    assert client.get(reverse("offenders:merge", args=[hidden.pk])).status_code == 404
    hidden.refresh_from_db()
    assert hidden.merged_into is None
    # Nor is it suggested, though it is the same person.
    body = client.get(reverse("offenders:merge", args=[survivor.pk])).content.decode()
    assert confirm_url(survivor, hidden) not in body


def test_outsiders_get_404_for_the_partnerships_records(partnership, client_for):
    survivor, duplicate = pair(partnership)
    client = client_for(partnership.outsider_coordinator)
    assert client.get(reverse("offenders:merge", args=[survivor.pk])).status_code == 404
    assert client.post(confirm_url(survivor, duplicate), {"merge": "yes"}).status_code == 404


def test_merging_a_record_with_itself_goes_back_to_choosing(partnership, client_for):
    survivor, _ = pair(partnership)
    client = client_for(partnership.coordinator)
    response = client.get(confirm_url(survivor, survivor))
    assert response["Location"] == reverse("offenders:merge", args=[survivor.pk])


def test_a_record_already_merged_away_cannot_be_merged_again(partnership, client_for):
    survivor, duplicate = pair(partnership)
    client = client_for(partnership.coordinator)
    client.post(confirm_url(survivor, duplicate), {"merge": "yes"})
    third = make_nominal(
        partnership.coordinator, given_names="Dan", family_name="Okafor", date_of_birth=DOB
    )
    response = client.post(confirm_url(third, duplicate), {"merge": "yes"})
    assert response["Location"] == reverse("offenders:merge", args=[third.pk])
    # Starting from the merged-away record leads to the one that was kept.
    response = client.get(reverse("offenders:merge", args=[duplicate.pk]))
    assert response["Location"] == reverse("offenders:merge", args=[survivor.pk])
