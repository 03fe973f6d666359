"""The plan's DOCX and XLSX exports read back in the committee paper's layout, with RAG
colours, the summary by RAG, formulas neutralised, and an audit row for each download."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from accounts.models import AuditEvent, Verb
from actions.exports import RAG_FILL, plan_docx, plan_xlsx
from actions.models import Rag
from tests.actions.factories import add_update, make_plan, steps_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 7)
EXPECTED_HEADINGS = [
    "Strategy Objective",
    "Project / Action",
    "Outcomes",
    "Timescale",
    "Responsible Service / Lead",
    "Progress to date",
    "RAG",
]


@pytest.fixture
def plan(partnership):
    """Two objectives; the first action has two steps (probation Red, council Green), the
    second a housing step not started; the second objective one complete action."""
    p = partnership
    plan = make_plan(
        p.coordinator,
        [p.police, p.probation, p.housing],
        objectives=[
            (
                "Information and intelligence development",
                [
                    (
                        "Clear information sharing agreement",
                        [("Review current agreement", p.probation), ("Add members", p.council)],
                    ),
                    ('=HYPERLINK("http://evil.example","Data")', [("Agree data", p.housing)]),
                ],
            ),
            ("Supporting offenders", [("Accommodation", [("Rent deposit scheme", p.council)])]),
        ],
    )
    review, members, _, deposits = steps_of(plan)
    add_update(review, rag=Rag.RED, written_on=date(2026, 8, 1), text="Awaiting sign-off")
    add_update(members, rag=Rag.GREEN, written_on=date(2026, 8, 2), text="-2 members left")
    add_update(deposits, rag=Rag.COMPLETE, written_on=date(2026, 7, 1), text="Scheme funded")
    return plan


def _shading(cell) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return shd.get(qn("w:fill")) if shd is not None else None


def test_docx_has_the_committee_papers_columns_one_row_per_action_and_rag_shading(
    partnership, plan
):
    document = Document(io.BytesIO(plan_docx(plan, viewer=partnership.coordinator, today=TODAY)))
    table = document.tables[0]

    assert [cell.text for cell in table.rows[0].cells] == EXPECTED_HEADINGS
    rows = table.rows[1:]
    assert len(rows) == 3  # one per action

    first = [cell.text for cell in rows[0].cells]
    assert first[0] == "Information and intelligence development"
    assert first[1].splitlines() == [
        "Clear information sharing agreement",
        "1. Review current agreement",
        "2. Add members",
    ]
    assert first[2] == "Outcomes of clear information sharing agreement"
    assert first[3] == "March 2030"
    assert first[4].splitlines() == ["1. Probation", "2. Council CST"]
    assert first[5].splitlines() == [
        "1. Red 1 August 2026: Awaiting sign-off",
        "2. Green 2 August 2026: -2 members left",
    ]
    assert first[6] == "Red"
    assert _shading(rows[0].cells[6]) == RAG_FILL[Rag.RED] == "FF0000"
    # The objective spans its two actions' rows, as in the paper.
    assert rows[1].cells[0]._tc is rows[0].cells[0]._tc
    assert rows[1].cells[5].text == "1. Not started No update yet"
    assert _shading(rows[1].cells[6]) == RAG_FILL[Rag.NOT_STARTED]
    assert [rows[2].cells[0].text, rows[2].cells[6].text] == ["Supporting offenders", "Complete"]

    # Each step's RAG in the progress cell is shaded in its colour too.
    badge = rows[0].cells[5].paragraphs[0].runs[1]
    assert badge.text == "Red"
    assert badge._r.rPr.find(qn("w:shd")).get(qn("w:fill")) == RAG_FILL[Rag.RED]


def test_docx_ends_with_the_summary_of_actions_by_rag(partnership, plan):
    document = Document(io.BytesIO(plan_docx(plan, viewer=partnership.coordinator, today=TODAY)))
    summary = document.tables[1]
    rows = {row.cells[0].text: (row.cells[1].text, row.cells[2].text) for row in summary.rows}
    assert rows["RAG"] == ("Actions", "Steps")
    assert rows["Red"] == ("1", "1")
    assert rows["Complete"] == ("1", "1")
    assert rows["Not started"] == ("1", "1")
    assert rows["Green"] == ("0", "1")
    assert rows["Total"] == ("3", "4")
    assert _shading(summary.rows[1].cells[0]) == RAG_FILL[Rag.RED]


def test_xlsx_reads_back_in_the_same_layout_with_fills_and_neutralised_formulas(partnership, plan):
    workbook = load_workbook(
        io.BytesIO(plan_xlsx(plan, viewer=partnership.coordinator, today=TODAY))
    )
    sheet = workbook["Action plan"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == plan.title
    assert rows[1][0] == "Progress as at 7 September 2026"
    assert list(rows[2]) == EXPECTED_HEADINGS
    actions = rows[3:]
    assert len(actions) == 3
    first = actions[0]
    assert first[1].splitlines() == [
        "Clear information sharing agreement",
        "1. Review current agreement",
        "2. Add members",
    ]
    assert first[4].splitlines() == ["1. Probation", "2. Council CST"]
    assert first[5].splitlines() == [
        "1. Red 1 August 2026: Awaiting sign-off",
        "2. Green 2 August 2026: -2 members left",
    ]
    assert first[6] == "Red"
    assert sheet.cell(row=4, column=7).fill.fgColor.rgb == "00FF0000"
    assert sheet.cell(row=6, column=7).fill.fgColor.rgb == "00" + RAG_FILL[Rag.COMPLETE]

    # A title that begins like a formula is stored as text, with the apostrophe.
    formula = sheet.cell(row=5, column=2)
    assert formula.data_type == "s"
    assert formula.value.startswith("'=HYPERLINK")

    summary = {row[0]: row[1:] for row in workbook["Summary by RAG"].iter_rows(values_only=True)}
    assert summary["Red"] == (1, 1)
    assert summary["Total"] == (3, 4)


def test_exports_name_staff_only_to_their_own_agency(partnership, plan):
    p = partnership
    review = steps_of(plan)[0]
    review.lead_person = p.member_partner
    review.save()
    bob = p.member_partner.get_full_name()
    council = Document(io.BytesIO(plan_docx(plan, viewer=p.coordinator, today=TODAY)))
    probation = Document(io.BytesIO(plan_docx(plan, viewer=p.member_partner, today=TODAY)))
    assert bob not in council.tables[0].rows[1].cells[4].text
    assert bob in probation.tables[0].rows[1].cells[4].text


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        (
            "actions:plan-docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("actions:plan-xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_download_is_audited_and_never_cached(partnership, plan, client_for, name, content_type):
    response = client_for(partnership.member_partner).get(reverse(name, args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "no-store" in response["Cache-Control"]
    today = timezone.localdate()
    extension = name.rsplit("-", 1)[1]
    assert response["Content-Disposition"] == (
        f'attachment; filename="reducing-reoffending-action-plan-{today.isoformat()}.{extension}"'
    )
    event = AuditEvent.objects.get(verb=Verb.PLAN_EXPORTED)
    assert (event.actor, event.object_id, event.detail) == (
        partnership.member_partner,
        str(plan.pk),
        {"format": extension},
    )


def test_outsiders_cannot_download_the_plan(partnership, plan, client_for):
    client = client_for(partnership.outsider_partner)
    assert client.get(reverse("actions:plan-docx", args=[plan.pk])).status_code == 404
    assert not AuditEvent.objects.filter(verb=Verb.PLAN_EXPORTED).exists()


def test_a_large_plan_exports_in_a_fixed_number_of_queries(
    partnership, django_assert_max_num_queries
):
    from tests.actions.factories import make_large_plan

    plan = make_large_plan(
        partnership.coordinator,
        [partnership.probation],
        objectives=3,
        actions=6,
        steps=5,
        updates_per_step=2,
        written_on=TODAY - timedelta(days=3),
    )
    with django_assert_max_num_queries(6):
        content = plan_xlsx(plan, viewer=partnership.coordinator, today=TODAY)
    rows = list(load_workbook(io.BytesIO(content))["Action plan"].iter_rows(values_only=True))
    assert len(rows) == 3 + 18
