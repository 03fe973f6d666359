"""The Word export at length: each objective's cell spans its actions' rows (merged once
for the objective, written as Word writes it), the text is right whatever it holds, and a
plan longer than PLAN_EXPORT_BACKGROUND_STEPS is made by the worker with its progress on
the page, then downloaded by the person who asked and nobody else."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Verb
from actions import exports
from actions.exports import RAG_FILL, plan_docx
from actions.models import ExportStatus, PlanExport, Rag
from actions.services.exports import plan_export_make, plan_export_request
from tests.actions.factories import add_update, make_plan, steps_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 7)
MERGE = qn("w:vMerge")


@pytest.fixture
def plan(partnership):
    """Three objectives of three, one and two actions; text with markup characters, a
    line break, a tab and a control character."""
    p = partnership
    plan = make_plan(
        p.coordinator,
        [p.police, p.probation],
        objectives=[
            (
                "Reduce <reoffending> & harm",
                [
                    ("Share information", [("Sign the ISA", p.probation), ("Review", p.council)]),
                    ("Analyse data", [("Agree offences\tto monitor", p.police)]),
                    ("Report to committee", [("Quarterly report", p.council)]),
                ],
            ),
            ("Accommodation", [("Rent deposits", [("Fund the scheme", p.council)])]),
            (
                "Employment",
                [
                    ("Work placements", [("Find employers\x07", p.probation)]),
                    ("Training", [("Book courses", p.council)]),
                ],
            ),
        ],
    )
    sign, review, *_ = steps_of(plan)
    add_update(sign, rag=Rag.RED, written_on=date(2026, 8, 1), text="Awaiting\nsign-off")
    add_update(review, rag=Rag.GREEN, written_on=date(2026, 8, 2), text="Done <early>")
    return plan


def _merge(row) -> str | None:
    """The vertical merge of the row's own first cell (`row.cells` would give the cell at
    the top of its span)."""
    properties = row._tr.tc_lst[0].tcPr
    found = properties.find(MERGE) if properties is not None else None
    return None if found is None else (found.get(qn("w:val")) or "continue")


def test_each_objectives_cell_is_merged_once_over_its_actions_rows(partnership, plan):
    document = Document(io.BytesIO(plan_docx(plan, viewer=partnership.coordinator, today=TODAY)))
    rows = document.tables[0].rows[1:]
    assert len(rows) == 6  # one per action

    # As Word writes a vertical merge: the first row's cell starts it, the others continue.
    assert [_merge(row) for row in rows] == [
        "restart",
        "continue",
        "continue",
        None,  # one action: nothing to merge
        "restart",
        "continue",
    ]
    xml = document.tables[0]._tbl.xml
    assert xml.count('w:vMerge w:val="restart"') == 2  # once per objective spanning rows
    # Each span reads back as one cell holding the objective's title once.
    spans = [rows[0:3], rows[3:4], rows[4:6]]
    titles = ["Reduce <reoffending> & harm", "Accommodation", "Employment"]
    for span, title in zip(spans, titles, strict=True):
        top = span[0].cells[0]._tc
        assert all(row.cells[0]._tc is top for row in span)
        assert span[0].cells[0].text == title
    # The continued cells hold nothing of their own.
    for row in (*rows[1:3], rows[5]):
        assert "".join(row._tr.tc_lst[0].itertext()) == ""


def test_every_cell_of_a_merged_plan_reads_back_right(partnership, plan):
    document = Document(io.BytesIO(plan_docx(plan, viewer=partnership.coordinator, today=TODAY)))
    rows = document.tables[0].rows[1:]
    first = [cell.text for cell in rows[0].cells]
    assert first[1].splitlines() == ["Share information", "1. Sign the ISA", "2. Review"]
    assert first[2] == "Outcomes of share information"
    assert first[3] == "March 2030"
    assert first[4].splitlines() == ["1. Probation", "2. Council CST"]
    # A line break in an update is a line break in the cell, as python-docx writes one.
    assert first[5].splitlines() == [
        "1. Red 1 August 2026: Awaiting",
        "sign-off",
        "2. Green 2 August 2026: Done <early>",
    ]
    assert first[6] == "Red"
    assert rows[0].cells[1].paragraphs[0].runs[0].bold
    assert not rows[0].cells[1].paragraphs[1].runs[0].bold
    badge = rows[0].cells[5].paragraphs[0].runs[1]
    assert (badge.text, badge.bold) == ("Red", True)
    assert badge._r.rPr.find(qn("w:shd")).get(qn("w:fill")) == RAG_FILL[Rag.RED]
    rag = rows[0].cells[6]
    assert rag._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == RAG_FILL[Rag.RED]
    assert str(rag.paragraphs[0].runs[0].font.color.rgb) == exports.TEXT_COLOUR

    # A tab is a tab; a character XML cannot hold is left out rather than break the file.
    assert rows[1].cells[1].text.splitlines()[1] == "1. Agree offences\tto monitor"
    assert rows[4].cells[1].text.splitlines()[1] == "1. Find employers"
    assert [row.cells[6].text for row in rows] == [
        "Red",
        "Not started",
        "Not started",
        "Not started",
        "Not started",
        "Not started",
    ]
    # Widths as in the committee paper, on the grid and on every cell.
    twips = [width.twips for width in exports.WIDTHS]
    grid = document.tables[0]._tbl.tblGrid.gridCol_lst
    assert [column.w.twips for column in grid] == twips
    assert [cell.width.twips for cell in rows[2].cells[1:]] == twips[1:]


def test_the_export_says_how_far_it_has_got(partnership, plan, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    told = []
    plan_docx(plan, viewer=partnership.coordinator, today=TODAY, progress=lambda *n: told.append(n))
    assert told == [(2, 6), (4, 6), (6, 6), (6, 6)]


# --- A long plan, made by the worker ------------------------------------------------------


@pytest.fixture
def long_plans(settings):
    """Plans of more than 3 steps are long."""
    settings.PLAN_EXPORT_BACKGROUND_STEPS = 3


def _page(plan) -> str:
    return reverse("actions:plan-export", args=[plan.pk])


def _file(plan) -> str:
    return reverse("actions:plan-export-download", args=[plan.pk])


def test_a_long_plan_is_made_by_the_worker_and_downloaded_by_who_asked(
    long_plans, partnership, plan, client_for, django_capture_on_commit_callbacks
):
    p = partnership
    client = client_for(p.coordinator)
    # The plan's page and its old download link both lead to the export page.
    assert (
        f'href="{_page(plan)}"'
        in client.get(reverse("actions:plan", args=[plan.pk])).content.decode()
    )
    response = client.get(reverse("actions:plan-docx", args=[plan.pk]))
    assert (response.status_code, response["Location"]) == (302, _page(plan))
    page = client.get(_page(plan)).content.decode()
    assert "This plan has 7 steps" in page and "Make the Word document" in page
    assert not PlanExport.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_page(plan), {"make": "docx"})
    assert (response.status_code, response["Location"]) == (302, _page(plan))
    assert len(callbacks) == 1  # the worker is asked once the request is committed
    export = PlanExport.objects.get()
    assert (export.status, export.done, export.total) == (ExportStatus.DONE, 6, 6)
    event = AuditEvent.objects.get(verb=Verb.PLAN_EXPORTED)
    assert event.detail == {"format": "docx", "in_background": True}

    page = client.get(_page(plan)).content.decode()
    assert "Your Word document is ready" in page and f'href="{_file(plan)}"' in page
    response = client.get(_file(plan))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'-{export.as_at.isoformat()}.docx"')
    assert "no-store" in response["Cache-Control"]
    table = Document(io.BytesIO(response.content)).tables[0]
    assert len(table.rows) == 1 + 6
    assert table.rows[1].cells[0].text == "Reduce <reoffending> & harm"


@pytest.mark.parametrize("persona", ["outsider_partner", "outsider_coordinator"])
def test_someone_who_does_not_see_the_plan_gets_404(
    long_plans, partnership, plan, client_for, persona
):
    p = partnership
    plan_export_request(plan=plan, actor=p.coordinator, today=TODAY)
    outsider = getattr(p, persona)
    client = client_for(outsider)
    assert client.get(_page(plan)).status_code == 404
    assert client.post(_page(plan), {"make": "docx"}).status_code == 404
    assert client.get(_file(plan)).status_code == 404
    assert PlanExport.objects.filter(requested_by=outsider).count() == 0
    refused = AccessLog.objects.filter(user=outsider, outcome=AccessOutcome.DENIED)
    assert refused.filter(object_type="actions.actionplan", object_id=str(plan.pk)).count() == 3


def test_a_document_is_its_requesters_alone(long_plans, partnership, plan, client_for):
    """Probation sees the plan, but the council coordinator's document holds the council's
    view of it (its staff's names): probation gets 404 and makes its own."""
    p = partnership
    plan_export_make(plan_export_request(plan=plan, actor=p.coordinator, today=TODAY).pk)
    client = client_for(p.member_partner)
    assert client.get(_file(plan)).status_code == 404
    page = client.get(_page(plan)).content.decode()
    assert "Make the Word document" in page and "is ready" not in page


def test_the_page_shows_progress_and_htmx_is_sent_on_when_it_is_ready(
    long_plans, partnership, plan, client_for
):
    p = partnership
    client = client_for(p.coordinator)
    # Asked for, and the worker not started yet.
    export = plan_export_request(plan=plan, actor=p.coordinator, today=TODAY)
    assert export.status == ExportStatus.QUEUED
    page = client.get(_page(plan)).content.decode()
    assert "0 of 6 actions written" in page and "Waiting to start" in page
    assert 'hx-trigger="every 2s"' in page and "Make the Word document" not in page
    fragment = client.get(_page(plan), {"progress": "1"}, headers={"HX-Request": "true"})
    assert 'id="plan-export-progress"' in fragment.content.decode()
    assert client.get(_file(plan)).status_code == 404  # nothing to download yet
    # Asked again while it waits: the same export, not another.
    assert plan_export_request(plan=plan, actor=p.coordinator, today=TODAY) == export

    plan_export_make(export.pk)

    ready = client.get(_page(plan), {"progress": "1"}, headers={"HX-Request": "true"})
    assert ready.headers["HX-Redirect"] == _page(plan)
    assert client.get(_file(plan)).status_code == 200


def test_the_task_delivered_twice_keeps_the_first_document(long_plans, partnership, plan):
    export = plan_export_request(plan=plan, actor=partnership.coordinator, today=TODAY)
    first = plan_export_make(export.pk)
    assert first is not None and first.status == ExportStatus.DONE
    again = plan_export_make(export.pk)
    assert again is not None and bytes(again.content) == bytes(first.content)
    assert again.attempts == 1


def test_a_failed_export_says_so_and_can_be_tried_again(
    long_plans, partnership, plan, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from actions.services import exports as service

    p = partnership
    export = plan_export_request(plan=plan, actor=p.coordinator, today=TODAY)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "plan_docx", broken)
    with pytest.raises(RuntimeError):
        plan_export_make(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    client = client_for(p.coordinator)
    page = client.get(_page(plan)).content.decode()
    assert "could not be made" in page and "Try again" in page
    assert "disk full" not in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_page(plan), {"make": "docx"})
    [latest] = PlanExport.objects.all()  # the failed one is not kept
    assert latest.pk != export.pk and latest.status == ExportStatus.DONE


def test_an_empty_post_asks_for_nothing(long_plans, partnership, plan, client_for):
    response = client_for(partnership.coordinator).post(_page(plan), {})
    assert response.status_code == 200
    assert not PlanExport.objects.exists()


def test_a_short_plan_still_downloads_at_once(partnership, plan, client_for, settings):
    settings.PLAN_EXPORT_BACKGROUND_STEPS = 7
    response = client_for(partnership.coordinator).get(reverse("actions:plan-docx", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.DOCX_TYPE
    assert not PlanExport.objects.exists()
