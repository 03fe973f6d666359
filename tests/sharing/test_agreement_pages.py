"""Information-sharing agreement pages: parties see their agreements, paged, with signatures."""

import pytest

from sharing.services import agreement_create

pytestmark = pytest.mark.django_db


def test_agreement_page_shows_who_signed_the_current_version(partnership, client_for):
    response = client_for(partnership.member_partner).get(
        f"/sharing/agreements/{partnership.agreement.pk}/"
    )
    body = response.content.decode()
    assert "In force" in body
    housing_row = body[body.index('<td class="govuk-table__cell">Housing</td>') :]
    assert "Not signed" in housing_row.split("</tr>")[0]


def test_agreements_list_is_paged_in_fifties(partnership, client_for):
    for number in range(55):
        agreement_create(
            actor=None,
            title=f"Agreement {number}",
            reference=f"ISA-X{number:02d}",
            parties=[partnership.council],
            panels=[],
        )
    client = client_for(partnership.coordinator)
    first = client.get("/sharing/").content.decode()
    assert "56 agreements" in first
    assert first.count("/sharing/agreements/") == 50
    second = client.get("/sharing/?page=2").content.decode()
    assert second.count("/sharing/agreements/") == 6


def test_a_draft_agreement_is_shown_as_draft_and_grants_nothing(partnership, client_for):
    draft = agreement_create(
        actor=None,
        title="Draft ASB agreement",
        reference="ISA-DRAFT",
        parties=[partnership.council, partnership.outsider],
        panels=[partnership.panel],
    )
    body = client_for(partnership.coordinator).get(f"/sharing/agreements/{draft.pk}/").content
    assert b"Draft" in body
    assert b"Not yet" in body
