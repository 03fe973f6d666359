"""Reports carry aggregates only: no one's name, identifier, address or alias reaches a
report page, the figures API, or a report's Word, PDF or spreadsheet.

People on the council's IOM cohort are given names, PNC IDs, postcodes and aliases found
nowhere else, and the records the figures count: RAG reviews, offences, custody and
discussion at a meeting held in the period. A version of the council's report is then
produced, and every page, API answer and document a report writer gets is searched for
those strings.
"""

from __future__ import annotations

import io
import uuid
from datetime import date

import openpyxl
import pypdf
from django.urls import reverse
from docx import Document

from matching.identifiers import pnc_check_letter
from meetings.models import AgendaItem, AgendaReason, Meeting, MeetingKind, MeetingStatus
from offenders.models import Address, CustodyEpisode, CustodyReason, Offence, OffenceType
from offenders.services import alias_add, event_add, identifier_add
from panels.models import RagReview
from reporting.models import VersionStatus
from reporting.services import version_generate, version_request
from tests.factories import make_nominal

PEOPLE = 6
# Letters, not digits: a figure in a report must never be mistaken for a match.
SUFFIXES = "BCDFGH"


def _strings(i: int) -> dict[str, str]:
    suffix = SUFFIXES[i]
    serial = 4815160 + i
    return {
        "given name": f"Quillonveth{suffix}",
        "family name": f"Zarquendale{suffix}",
        "PNC ID": f"97/{serial:07d}{pnc_check_letter(97, serial)}",
        "postcode": f"QX7 3Z{suffix}",
        "alias": f"Vornithwaite{suffix}",
    }


def _plant_people(world) -> list[str]:
    """People on the council's IOM cohort with every kind of record the figures count."""
    p = world.p
    meeting = Meeting.objects.create(
        panel=p.panel,
        kind=MeetingKind.MAIN,
        date=date(2026, 2, 3),
        status=MeetingStatus.HELD,
    )
    planted = []
    for i in range(PEOPLE):
        strings = _strings(i)
        planted += strings.values()
        person = make_nominal(
            p.coordinator,
            given_names=strings["given name"],
            family_name=strings["family name"],
            date_of_birth=date(1985, 3, 1 + i),
            on_panel=p.panel,
            status="active",
        )
        identifier_add(actor=p.coordinator, nominal=person, kind="pnc", value=strings["PNC ID"])
        alias_add(
            actor=p.coordinator,
            nominal=person,
            given_names=strings["given name"],
            family_name=strings["alias"],
        )
        Address.objects.create(
            nominal=person,
            line="1 High Street",
            postcode=strings["postcode"],
            from_date=date(2025, 1, 1),
            recorded_by_agency=p.council,
        )
        event_add(
            actor=p.coordinator,
            nominal=person,
            kind="arrest",
            occurred_on=date(2026, 2, 1),
            summary=f"Arrested: {strings['family name']}",
        )
        offence = Offence.objects.create(
            nominal=person,
            offence_type=OffenceType.BURGLARY,
            committed_on=date(2026, 1, 20),
            outcome="Charged",
            recorded_by_agency=p.police,
        )
        CustodyEpisode.objects.create(
            nominal=person,
            entered_on=date(2026, 2, 10),
            reason=CustodyReason.SENTENCE if i % 2 else CustodyReason.REMAND,
            offence=offence,
            establishment="HMP Example",
            recorded_by_agency=p.probation,
        )
        review = RagReview.objects.create(
            nominal=person,
            panel=p.panel,
            meeting=meeting,
            rag=("red", "amber", "green")[i % 3],
            reviewed_on=date(2026, 2, 3),
            author=p.coordinator,
            note=f"Reviewed {strings['family name']}",
        )
        AgendaItem.objects.create(
            meeting=meeting,
            nominal=person,
            reason=AgendaReason.RED_RAG,
            position=i + 1,
            notes=f"Discussed {strings['given name']} {strings['family name']}",
            rag_decided=review.rag,
            rag_review=review,
            discussed=True,
        )
    return planted


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [paragraph.text for paragraph in section.header.paragraphs]
        parts += [paragraph.text for paragraph in section.footer.paragraphs]
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def test_no_persons_details_reach_a_report_its_documents_or_the_api(world, client_as):
    planted = _plant_people(world)
    report = world.reports.report
    version = version_request(actor=world.p.coordinator, report=report, request_token=uuid.uuid4())
    version = version_generate(version.pk)
    assert version is not None and version.status == VersionStatus.DONE
    assert version.docx and version.pdf and version.xlsx

    # The figures counted the people planted: they differ from the world's own version.
    def counted(figures: dict) -> dict:
        return {key: value for key, value in figures.items() if key != "taken_at"}

    assert counted(version.figures) != counted(world.reports.version.figures)

    pk, number = report.pk, version.number
    pages = {
        "report": reverse("reporting:report", args=[pk]),
        "version": reverse("reporting:version", args=[pk, number]),
        "progress": reverse("reporting:version-progress", args=[pk, number]),
        "list": reverse("reporting:index"),
        "dashboard": reverse("reporting:figures"),
        "definitions": reverse("reporting:definitions"),
        "figures API": reverse("figures"),
        "reports API": reverse("report-list"),
        "report API": reverse("report-detail", args=[pk]),
    }
    documents = {
        "Word": (reverse("reporting:version-docx", args=[pk, number]), _docx_text),
        "PDF": (reverse("reporting:version-pdf", args=[pk, number]), _pdf_text),
        "spreadsheet": (reverse("reporting:version-xlsx", args=[pk, number]), _xlsx_text),
    }
    leaks = []
    for persona in ("committee", "coordinator"):
        client = client_as(persona)
        seen: dict[str, str] = {}
        for what, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, f"{persona} {what} {url}"
            seen[what] = response.content.decode(errors="replace") + str(response.headers)
        for what, (url, read) in documents.items():
            response = client.get(url)
            assert response.status_code == 200, f"{persona} {what} {url}"
            seen[what] = read(response.content) + str(response.headers)
        assert report.title in seen["Word"] and report.title in seen["spreadsheet"]
        leaks += [
            f"{persona}: {what} shows {token!r}"
            for what, text in seen.items()
            for token in planted
            if token.casefold() in text.casefold()
        ]
    assert not leaks, "Personal details in reports:\n  " + "\n  ".join(leaks)
