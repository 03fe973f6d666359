"""Finding a person: spelling slips, nicknames, swapped names, aliases, dates of birth and
identifiers; only ever among the records the user may see; terms never in URLs or logs."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessLog, AccessOutcome
from matching.identifiers import pnc_check_letter
from offenders.search import search_nominals
from offenders.services import alias_add, identifier_add
from tests.factories import make_nominal

pytestmark = pytest.mark.django_db

SEARCH = reverse("offenders:index")
DOB = date(1988, 3, 14)
# A name that must never reach anyone outside the agency that recorded it.
CANARY = ("Quillon", "Xervantes")


def william_smith(p, **fields):
    """A council record on the IOM panel: probation (bob) sees it through the agreement."""
    return make_nominal(
        p.coordinator,
        given_names="William",
        family_name="Smith",
        date_of_birth=DOB,
        on_panel=p.panel,
        **fields,
    )


def outsiders_canary(p):
    return make_nominal(
        p.outsider_partner, given_names=CANARY[0], family_name=CANARY[1], date_of_birth=DOB
    )


def search(client, **data):
    fields = {"name": "", "identifier": "", "sort": "relevance", "page": "1"}
    dob = data.pop("date_of_birth", None)
    fields.update(data)
    if dob:
        fields.update(
            {
                "date_of_birth-day": str(dob.day),
                "date_of_birth-month": str(dob.month),
                "date_of_birth-year": str(dob.year),
            }
        )
    return client.post(SEARCH, fields)


def result_rows(body):
    table = body[body.index("<tbody") : body.index("</tbody>")]
    return table.split('<tr class="govuk-table__row">')[1:]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Wiliam Smyth", "Family name: "),  # a slip in each name
        ("Bill Smith", "Bill is a short form of William"),  # a nickname
        ("Smith William", "given and family names swapped"),  # names the wrong way round
        ("Smith, Bill", "Bill is a short form of William"),  # family name first, with a comma
    ],
)
def test_misspelt_nicknamed_or_swapped_name_finds_the_person_and_says_why(
    partnership, client_for, typed, reason
):
    person = william_smith(partnership)
    response = search(client_for(partnership.member_partner), name=typed)
    body = response.content.decode()
    assert response.status_code == 200
    rows = result_rows(body)
    assert reverse("offenders:profile", args=[person.pk]) in rows[0]
    assert reason in rows[0]
    assert "Test IOM panel" in rows[0]  # the panel the viewer may see
    assert "Council CST" in rows[0]  # the owning agency


def test_nickname_search_explains_the_nickname_and_the_date_of_birth(partnership):
    person = william_smith(partnership)
    hits = search_nominals(partnership.member_partner, name="Bill Smith", date_of_birth=DOB)
    assert hits[0].nominal == person
    assert "Given name: Bill is a short form of William" in hits[0].why
    assert "Date of birth: same (14/03/1988)" in hits[0].why
    assert hits[0].decision in ("likely", "definite")


def test_an_alias_finds_the_person(partnership):
    person = william_smith(partnership)
    alias_add(
        actor=partnership.coordinator,
        nominal=person,
        given_names="Wayne",
        family_name="Kowalczyk",
    )
    hits = search_nominals(partnership.member_partner, name="Wayne Kowalczyk")
    assert [hit.nominal for hit in hits] == [person]
    assert "alias" in hits[0].why


def test_date_of_birth_alone_finds_the_person_including_day_and_month_swapped(partnership):
    person = william_smith(partnership)
    assert search_nominals(partnership.member_partner, date_of_birth=DOB)[0].nominal == person
    other = make_nominal(
        partnership.coordinator,
        given_names="Amy",
        family_name="Tran",
        date_of_birth=date(1991, 7, 4),
        on_panel=partnership.panel,
    )
    hits = search_nominals(partnership.member_partner, date_of_birth=date(1991, 4, 7))
    assert [hit.nominal for hit in hits] == [other]
    assert "day and month swapped" in hits[0].why


def test_identifier_search_is_exact_on_the_normalised_value(partnership):
    person = william_smith(partnership)
    check = pnc_check_letter("08", 56560)
    identifier_add(
        actor=partnership.coordinator, nominal=person, kind="pnc", value=f"08/{56560}{check}"
    )
    # The long form, no slash, lower case: the same PNC ID once normalised.
    hits = search_nominals(partnership.member_partner, identifier=f"20080056560{check.lower()}")
    assert [hit.nominal for hit in hits] == [person]
    assert f"PNC ID: same (08/0056560{check})" in hits[0].why
    # A different serial is not a near miss: identifiers match exactly or not at all.
    other_check = pnc_check_letter("08", 56561)
    assert search_nominals(partnership.member_partner, identifier=f"08/56561{other_check}") == []


def test_a_local_reference_is_found_exactly(partnership):
    person = william_smith(partnership)
    identifier_add(actor=partnership.coordinator, nominal=person, kind="local", value="IOM-0042")
    hits = search_nominals(partnership.member_partner, identifier="IOM-0042")
    assert [hit.nominal for hit in hits] == [person]
    assert "Local reference: same (IOM-0042)" in hits[0].why


def test_outsiders_nominal_never_appears_in_anyone_elses_results(partnership, client_for):
    outsiders_canary(partnership)
    william_smith(partnership)
    for persona in ("member_partner", "coordinator", "partner", "unsigned_partner"):
        client = client_for(getattr(partnership, persona))
        for data in (
            {"name": " ".join(CANARY)},
            {"name": CANARY[1]},
            {"name": "Quillan Xervantez"},
            {"date_of_birth": DOB},
            {"name": "Smith", "date_of_birth": DOB},
        ):
            body = search(client, **data).content.decode()
            # The form shows back what was typed; nothing after it may name the person.
            results = body[body.index('id="results"') :]
            assert CANARY[0] not in results and CANARY[1] not in results, (persona, data)
            assert CANARY[1].upper() not in results
            assert "Elsewhere Police" not in body
    # The outsider's own staff do find it: the canary is really there to be found.
    body = search(client_for(partnership.outsider_partner), name=" ".join(CANARY)).content
    assert CANARY[1].upper().encode() in body


def test_a_merged_away_record_is_not_listed(partnership):
    from offenders.services import nominals_merge

    person = william_smith(partnership)
    duplicate = william_smith(partnership)
    nominals_merge(actor=partnership.coordinator, survivor=person, duplicate=duplicate)
    hits = search_nominals(partnership.coordinator, name="William Smith")
    assert [hit.nominal for hit in hits] == [person]


def test_search_terms_are_posted_never_in_the_url_or_the_access_log(partnership, client_for):
    person = william_smith(partnership)
    client = client_for(partnership.member_partner)
    page = client.get(SEARCH).content.decode()
    assert 'method="post"' in page
    # Terms in a query string are ignored: a link can never carry them or run a search.
    assert "people found" not in client.get(SEARCH + "?name=William+Smith").content.decode()

    response = search(client, name="William Smith", date_of_birth=DOB)
    assert response.status_code == 200
    assert "1 person found" in response.content.decode()
    row = AccessLog.objects.get(user=partnership.member_partner, object_type="offenders.search")
    assert row.outcome == AccessOutcome.ALLOWED
    assert row.object_id == "1"  # how many were listed
    assert row.endpoint == SEARCH
    # The person listed is logged by record number, as every read of them is.
    people = AccessLog.objects.filter(object_type="offenders.nominal")
    assert list(people.values_list("object_id", flat=True)) == [str(person.pk)]
    logged = " ".join(
        str(value)
        for value in AccessLog.objects.exclude(object_type="offenders.nominal").values_list(
            "object_id", "endpoint", "purpose"
        )
    )
    logged += " ".join(people.values_list("endpoint", "purpose").first() or ())
    for term in ("William", "Smith", "1988", "14"):
        assert term.lower() not in logged.lower()


def test_an_empty_search_says_what_to_enter(partnership, client_for):
    response = search(client_for(partnership.member_partner))
    body = response.content.decode()
    assert "Enter a name, a date of birth or an identifier" in body
    assert "govuk-error-summary" in body
    assert not AccessLog.objects.filter(object_type="offenders.search").exists()


def test_a_half_typed_date_of_birth_is_an_error(partnership, client_for):
    response = client_for(partnership.member_partner).post(
        SEARCH, {"name": "", "date_of_birth-day": "14", "date_of_birth-month": "3"}
    )
    assert "Date of birth must include a year" in response.content.decode()


def test_no_results_says_so_and_offers_to_create(partnership, client_for):
    body = search(client_for(partnership.member_partner), name="Nobody Atall").content.decode()
    assert "0 people found" in body
    assert reverse("offenders:create") in body


def test_results_are_paged_in_twenties_and_sortable_by_date_of_birth(partnership, client_for):
    for number in range(25):
        make_nominal(
            partnership.coordinator,
            given_names="Jordan",
            family_name="Ashby",
            date_of_birth=date(1970 + number, 1, 2),
            on_panel=partnership.panel,
        )
    client = client_for(partnership.member_partner)
    first = search(client, name="Jordan Ashby", sort="dob")
    body = first.content.decode()
    assert "25 people found" in body
    assert len(result_rows(body)) == 20
    assert "Page 1 of 2" in body
    assert body.index("2 Jan 1970") < body.index("2 Jan 1971")
    second = search(client, name="Jordan Ashby", sort="dob", page="2").content.decode()
    assert len(result_rows(second)) == 5
    assert "2 Jan 1994" in second and "2 Jan 1970" not in second


def test_results_by_name_are_in_family_name_order(partnership):
    from offenders.search import sort_hits

    for given, family in (("Sam", "Young"), ("Sam", "Abbott"), ("Sam", "Morris")):
        make_nominal(
            partnership.coordinator,
            given_names=given,
            family_name=family,
            date_of_birth=DOB,
            on_panel=partnership.panel,
        )
    hits = sort_hits(search_nominals(partnership.member_partner, date_of_birth=DOB), "name")
    assert [hit.nominal.family_name for hit in hits] == ["Abbott", "Morris", "Young"]


def test_search_uses_the_trigram_operator_with_a_lowered_threshold(partnership):
    william_smith(partnership)
    with CaptureQueriesContext(connection) as queries:
        search_nominals(partnership.member_partner, name="Wiliam Smyth")
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert "set_config('pg_trgm.similarity_threshold'" in sql
    assert '"search_name" % ' in sql
    assert "&&" in sql  # the match-keys overlap


def test_search_queries_do_not_grow_with_the_number_of_results(partnership, client_for):
    for _ in range(3):
        william_smith(partnership)
    client = client_for(partnership.member_partner)
    with CaptureQueriesContext(connection) as few:
        search(client, name="William Smith")
    for _ in range(12):
        william_smith(partnership)
    with CaptureQueriesContext(connection) as many:
        search(client, name="William Smith")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_committee_officers_are_not_offered_a_search(partnership, client_for):
    william_smith(partnership)
    client = client_for(partnership.committee)
    assert 'name="name"' not in client.get(SEARCH).content.decode()
    body = search(client, name="William Smith").content.decode()
    assert "Smith" not in body.replace("Smyth", "")
