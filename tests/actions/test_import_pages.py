"""The plan import's pages: coordinators and agency administrators import plans, the seed plan
imports with every action, step, lead and progress entry in place, bad input is refused with
the reason and saves nothing, and a failure part way through the commit saves nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from accounts.models import AuditEvent, Verb
from actions.models import (
    Action,
    ActionPlan,
    ActionStep,
    Objective,
    PlanImport,
    PlanImportStatus,
    ProgressUpdate,
    Rag,
)
from actions.services.imports import plan_import_map, plan_import_start
from tests.actions.import_samples import seed_csv, seed_text, seed_xlsx, table_text
from tests.form_errors import errors_shown

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)
START = reverse("actions:plan-import")
SEED_MAPPING = {
    "objective": "0",
    "action": "1",
    "outcomes": "2",
    "timescale": "3",
    "lead": "4",
    "progress": "5",
    "progress_date": "",
}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def _preview_url(plan_import: PlanImport) -> str:
    return reverse("actions:plan-import-preview", args=[plan_import.pk])


def _columns_url(plan_import: PlanImport) -> str:
    return reverse("actions:plan-import-columns", args=[plan_import.pk])


def _commit_url(plan_import: PlanImport) -> str:
    return reverse("actions:plan-import-commit", args=[plan_import.pk])


def _commit_form(agencies, **fields) -> dict:
    return {
        "commit": "yes",
        "title": "Reducing Reoffending Strategy: Action plan",
        "strategy": "Reducing Reoffending Strategy 2016 to 2020",
        "starts_on-day": "1",
        "starts_on-month": "4",
        "starts_on-year": "2016",
        "ends_on-day": "31",
        "ends_on-month": "3",
        "ends_on-year": "2020",
        "agencies": [str(agency.pk) for agency in agencies],
        "progress_rag": Rag.AMBER_GREEN,
        **fields,
    }


def _read(client, **form) -> PlanImport:
    response = client.post(START, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan_import = PlanImport.objects.latest("pk")
    assert response["Location"] == _columns_url(plan_import)
    return plan_import


def _import_seed(client, p, form: dict) -> ActionPlan:
    """Read, choose the columns, check the preview and import: the whole journey."""
    plan_import = _read(client, **form)
    page = client.get(_columns_url(plan_import))
    assert page.status_code == 200
    response = client.post(_columns_url(plan_import), SEED_MAPPING)
    assert response.status_code == 302
    assert response["Location"] == _preview_url(plan_import)
    preview = client.get(_preview_url(plan_import))
    assert preview.status_code == 200
    response = client.post(_commit_url(plan_import), _commit_form([p.council, p.police]))
    assert response.status_code == 302, response.content.decode()[:3000]
    plan_import.refresh_from_db()
    assert plan_import.status == PlanImportStatus.IMPORTED
    assert response["Location"] == reverse("actions:plan", args=[plan_import.plan_id])
    return plan_import.plan


def _layout(plan: ActionPlan) -> list:
    """The plan as imported, for comparing two imports."""
    return [
        (
            objective.title,
            [
                (
                    action.title,
                    action.outcomes,
                    action.timescale,
                    action.due,
                    [
                        (
                            step.number,
                            step.text,
                            step.lead_text,
                            step.lead_agency_id,
                            step.current_rag,
                            [(u.text, u.rag, u.written_on) for u in step.updates.all()],
                        )
                        for step in action.steps.order_by("number")
                    ],
                )
                for action in objective.actions.order_by("number")
            ],
        )
        for objective in plan.objectives.order_by("number")
    ]


def _step(plan: ActionPlan, action_title: str, number: int) -> ActionStep:
    return ActionStep.objects.select_related("lead_agency").get(
        action__objective__plan=plan, action__title__startswith=action_title, number=number
    )


# --- Who may import ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("agency_admin", 200),
        ("outsider_coordinator", 200),
        ("partner", 403),
        ("member_partner", 403),
        ("unsigned_partner", 403),
        ("committee", 403),
        ("system_admin", 403),
    ],
)
def test_who_may_open_the_import_page(partnership, client_for, persona, status):
    response = client_for(getattr(partnership, persona)).get(START)
    assert response.status_code == status


def test_an_import_is_its_agencys(partnership, client_for):
    p = partnership
    plan_import = plan_import_start(actor=p.coordinator, text=seed_text())
    url = _columns_url(plan_import)
    assert client_for(p.agency_admin).get(url).status_code == 200
    assert client_for(p.partner).get(url).status_code == 403
    assert client_for(p.committee).get(url).status_code == 403
    assert client_for(p.member_partner).get(url).status_code == 404
    assert client_for(p.outsider_coordinator).get(url).status_code == 404


# --- The seed plan ------------------------------------------------------------------------------


def test_seed_plan_imports_with_every_step_lead_and_progress_in_place(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    plan = _import_seed(client, p, {"pasted": seed_text()})

    assert plan.title == "Reducing Reoffending Strategy: Action plan"
    assert plan.strategy == "Reducing Reoffending Strategy 2016 to 2020"
    assert (plan.starts_on, plan.ends_on) == (date(2016, 4, 1), date(2020, 3, 31))
    assert plan.owner == p.coordinator
    assert plan.owner_agency == p.council
    # Chosen on the form: council and police; probation leads steps but was left out, so
    # its steps keep their lead as written, with no lead agency.
    assert set(plan.agencies.all()) == {p.council, p.police}
    assert Objective.objects.filter(plan=plan).count() == 3
    assert Action.objects.filter(objective__plan=plan).count() == 15
    assert ActionStep.objects.filter(action__objective__plan=plan).count() == 54

    info = ActionStep.objects.filter(
        action__objective__plan=plan, action__title__startswith="Clear information sharing"
    ).order_by("number")
    assert [(s.number, s.text, s.lead_text, s.lead_agency) for s in info] == [
        (1, "Review current agreement", "LBH Community Safety and Police", p.council),
        (2, "Add/ remove members", "LBH Community Safety", p.council),
        (3, "Agree frequency of renewal", "Reducing Reoffending Group decision", None),
    ]
    nps = _step(plan, "Regular running of multi-agency", 3)
    assert (nps.lead_text, nps.lead_agency) == ("NPS", None)
    police = _step(plan, "Tasking borough resources", 1)
    assert (police.lead_text, police.lead_agency) == ("Police", p.police)

    # Progress the text says has not happened is Not started; the rest has the chosen RAG.
    finance_3 = _step(plan, "Supporting offenders with finance", 3)
    update = finance_3.updates.get()
    assert (update.text, update.rag, update.written_on) == (
        "Update needed from CRC and NPS",
        Rag.NOT_STARTED,
        TODAY,
    )
    assert (update.author, update.author_agency) == (p.coordinator, p.council)
    assert (finance_3.current_rag, finance_3.last_update_on) == (Rag.NOT_STARTED, TODAY)
    finance_1 = _step(plan, "Supporting offenders with finance", 1)
    assert finance_1.current_rag == Rag.AMBER_GREEN
    assert finance_1.updates.get().rag == Rag.AMBER_GREEN
    # A step with no progress has no update and is Not started.
    finance_6 = _step(plan, "Supporting offenders with finance", 6)
    assert not finance_6.updates.exists()
    assert (finance_6.current_rag, finance_6.last_update_on) == (Rag.NOT_STARTED, None)
    # "1 & 2)": the same progress on both steps.
    cohort = [_step(plan, "Cohort monitoring", n).updates.get().text for n in (1, 2)]
    assert cohort[0] == cohort[1]
    assert cohort[0].startswith("• All risk management panels have cohort lists")
    mental_health = _step(plan, "Addressing the mental health", 2)
    assert mental_health.due == date(2017, 8, 31)
    assert mental_health.action.due == date(2017, 3, 31)

    audit = AuditEvent.objects.get(verb=Verb.PLAN_IMPORTED)
    assert audit.actor == p.coordinator
    assert audit.object_id == str(plan.pk)
    assert audit.detail["objectives"] == 3
    assert audit.detail["actions"] == 15
    assert audit.detail["steps"] == 54
    assert (
        audit.detail["progress_updates"]
        == ProgressUpdate.objects.filter(step__action__objective__plan=plan).count()
    )
    # 54 steps, of which 7 have no progress: accommodation 4 and 5, ETE 5, finance 5 and 6,
    # police visits 4, and the panels' step 6.
    assert audit.detail["progress_updates"] == 47


def test_preview_shows_the_plan_its_counts_and_warnings(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    plan_import = _read(client, pasted=seed_text())
    client.post(_columns_url(plan_import), SEED_MAPPING)
    page = client.get(_preview_url(plan_import)).content.decode()
    assert "Check the plan before you import it" in page
    assert "9 repeated heading rows (page breaks) left out" in page
    assert "7 rows split by a page break joined to the row above" in page
    assert "Agree frequency of renewal" in page
    assert "Lead agency: Borough Police" in page
    assert "The lead “Family Mosaic” (step 2) names no agency of the partnership" in page
    assert "Step 5 has no number in the plan" in page
    assert "RAG for progress the plan gives no RAG for" in page
    # The suggested partnership: the importer's agency and every agency matched as a lead.
    form = client.get(_preview_url(plan_import)).context["form"]
    assert sorted(form.initial["agencies"]) == sorted([p.council.pk, p.police.pk, p.probation.pk])
    assert form.initial["title"] == "Reducing Reoffending Strategy: Action plan"
    assert not ActionPlan.objects.exists()


def test_paste_csv_and_xlsx_import_the_same_plan(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    pasted = _import_seed(client, p, {"pasted": seed_text()})
    from_csv = _import_seed(
        client, p, {"plan_file": SimpleUploadedFile("plan.csv", seed_csv(), "text/csv")}
    )
    from_xlsx = _import_seed(
        client,
        p,
        {
            "plan_file": SimpleUploadedFile(
                "plan.xlsx",
                seed_xlsx(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
    assert PlanImport.objects.get(plan=from_csv).source_name == "plan.csv"
    assert _layout(from_csv) == _layout(pasted)
    assert _layout(from_xlsx) == _layout(pasted)


def test_agency_admin_imports_and_owns_the_plan(partnership, client_for):
    p = partnership
    plan = _import_seed(client_for(p.agency_admin), p, {"pasted": seed_text()})
    assert plan.owner == p.agency_admin
    assert plan.owner_agency == p.council


def test_progress_dates_from_the_table(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    text = table_text(
        ["Objective", "Action", "Lead", "Progress", "Last updated"],
        ["Safer streets", "Patrols 1. Map 2. Agree", "Police", "1. Mapped", "14 October 2026"],
        ["", "Lighting 1. Survey", "Council", "1. Surveyed", "next year"],
    )
    plan_import = _read(client, pasted=text)
    assert plan_import.mapping == {
        "objective": 0,
        "action": 1,
        "lead": 2,
        "progress": 3,
        "progress_date": 4,
    }
    client.post(
        _columns_url(plan_import),
        {"objective": "0", "action": "1", "lead": "2", "progress": "3", "progress_date": "4"},
    )
    response = client.post(
        _commit_url(plan_import), _commit_form([p.council, p.police], progress_rag=Rag.GREEN)
    )
    assert response.status_code == 302
    plan = PlanImport.objects.get(pk=plan_import.pk).plan
    mapped = _step(plan, "Patrols", 1).updates.get()
    assert (mapped.written_on, mapped.rag) == (date(2026, 10, 14), Rag.GREEN)
    assert not _step(plan, "Patrols", 2).updates.exists()
    assert _step(plan, "Lighting", 1).updates.get().written_on == TODAY


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Paste the plan&#x27;s table, or choose a file to upload"),
        ({"pasted": "   "}, "Paste the plan&#x27;s table, or choose a file to upload"),
        (
            {"pasted": "Information sharing\tReview 1. Review 2. Renew\tMarch 2017\n"},
            "The table has no row of column headings",
        ),
        ({"pasted": "Objective\tAction\n"}, "The table has column headings but no rows"),
        (
            {"plan_file": SimpleUploadedFile("plan.pdf", b"%PDF-1.7", "application/pdf")},
            "The file is a PDF",
        ),
        (
            {"plan_file": SimpleUploadedFile("plan.odt", b"Objective,Action\nA,B\n")},
            "plan.odt is not a CSV or Excel (XLSX) file",
        ),
        (
            {"plan_file": SimpleUploadedFile("plan.xlsx", b"PK\x03\x04broken")},
            "could not be opened as an Excel workbook",
        ),
        (
            {"plan_file": SimpleUploadedFile("plan.csv", b"O,A\n" + b"x" * (5 * 1024 * 1024))},
            "the largest plan that can be imported is 5 MB",
        ),
        (
            {
                "pasted": seed_text(),
                "plan_file": SimpleUploadedFile("plan.csv", seed_csv(), "text/csv"),
            },
            "Paste the table or choose a file, not both",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(partnership, client_for, form, message):
    response = client_for(partnership.coordinator).post(START, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not PlanImport.objects.exists()


def test_a_required_column_left_out_is_refused(partnership, client_for):
    client = client_for(partnership.coordinator)
    plan_import = _read(client, pasted=seed_text())
    response = client.post(_columns_url(plan_import), {**SEED_MAPPING, "objective": ""})
    assert response.status_code == 200
    assert "Choose the column with the strategy objective" in response.content.decode()
    response = client.post(_columns_url(plan_import), {**SEED_MAPPING, "lead": "1"})
    assert "Column B is already chosen for project or action" in response.content.decode()
    plan_import.refresh_from_db()
    assert "objectives" not in plan_import.parsed
    # The preview waits for the columns.
    assert client.get(_preview_url(plan_import))["Location"] == _columns_url(plan_import)
    assert not ActionPlan.objects.exists()


def test_a_column_without_actions_is_refused(partnership, client_for):
    client = client_for(partnership.coordinator)
    plan_import = _read(client, pasted=seed_text())
    # The outcomes column is empty on the continuation rows only; the timescale is never a
    # project: choose a column that is empty on every row.
    text = table_text(["Objective", "Action", "Notes"], ["Safer streets", "Patrols", ""])
    empty = _read(client, pasted=text)
    response = client.post(_columns_url(empty), {"objective": "0", "action": "2"})
    assert "No row of the table has a project or action in this column" in (
        response.content.decode()
    )
    assert plan_import.status == PlanImportStatus.PREVIEW


def test_commit_form_errors_import_nothing(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    plan_import = _read(client, pasted=seed_text())
    client.post(_columns_url(plan_import), SEED_MAPPING)
    response = client.post(
        _commit_url(plan_import),
        _commit_form([p.council], title="", progress_rag="", **{"ends_on-year": "2015"}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the plan&#x27;s title" in page
    assert "Choose the RAG for the imported progress" in page
    assert "The plan must end after it starts" in page
    assert not ActionPlan.objects.exists()
    plan_import.refresh_from_db()
    assert plan_import.status == PlanImportStatus.PREVIEW


# --- All or nothing ------------------------------------------------------------------------------


def test_a_failure_part_way_through_the_commit_saves_nothing(partnership, client_for, monkeypatch):
    p = partnership
    client = client_for(p.coordinator)
    plan_import = _read(client, pasted=seed_text())
    client.post(_columns_url(plan_import), SEED_MAPPING)

    def fail(*args, **kwargs):
        raise DatabaseError("the disk is full")

    # The plan, its objectives, actions and steps are written by then; the updates fail.
    monkeypatch.setattr(ProgressUpdate.objects, "bulk_create", fail)
    response = client.post(_commit_url(plan_import), _commit_form([p.council, p.police]))
    assert response.status_code == 400
    assert "The plan could not be imported, and nothing was saved" in response.content.decode()
    assert not ActionPlan.objects.exists()
    assert not Objective.objects.exists()
    assert not Action.objects.exists()
    assert not ActionStep.objects.exists()
    assert not ProgressUpdate.objects.exists()
    assert not AuditEvent.objects.filter(verb=Verb.PLAN_IMPORTED).exists()
    plan_import.refresh_from_db()
    assert (plan_import.status, plan_import.plan) == (PlanImportStatus.PREVIEW, None)

    # Once the fault is gone, the same preview imports.
    monkeypatch.undo()
    response = client.post(_commit_url(plan_import), _commit_form([p.council, p.police]))
    assert response.status_code == 302
    assert ActionPlan.objects.count() == 1


def test_an_imported_plan_is_not_imported_twice(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    plan = _import_seed(client, p, {"pasted": seed_text()})
    plan_import = PlanImport.objects.get(plan=plan)
    response = client.post(_commit_url(plan_import), _commit_form([p.council]))
    assert response["Location"] == reverse("actions:plan", args=[plan.pk])
    assert ActionPlan.objects.count() == 1
    assert client.get(_columns_url(plan_import))["Location"] == reverse(
        "actions:plan", args=[plan.pk]
    )


# --- Discard -------------------------------------------------------------------------------------


def test_discarding_keeps_nothing(partnership, client_for):
    p = partnership
    client = client_for(p.coordinator)
    plan_import = _read(client, pasted=seed_text())
    client.post(_columns_url(plan_import), SEED_MAPPING)
    discard = reverse("actions:plan-import-discard", args=[plan_import.pk])
    assert client.get(discard).status_code == 200
    response = client.post(discard, {"discard": "yes"})
    assert response["Location"] == START
    plan_import.refresh_from_db()
    assert plan_import.status == PlanImportStatus.DISCARDED
    assert (plan_import.headers, plan_import.rows, plan_import.parsed, plan_import.mapping) == (
        [],
        [],
        {},
        {},
    )
    assert not ActionPlan.objects.exists()
    assert client.get(_preview_url(plan_import))["Location"] == START
    response = client.post(_commit_url(plan_import), _commit_form([p.council]))
    assert response["Location"] == START
    assert not ActionPlan.objects.exists()


def test_unfinished_imports_are_listed_for_the_agency(partnership, client_for):
    p = partnership
    plan_import = plan_import_start(actor=p.coordinator, text=seed_text())
    plan_import_map(
        actor=p.coordinator,
        plan_import=plan_import,
        mapping={key: int(value) for key, value in SEED_MAPPING.items() if value},
    )
    page = client_for(p.agency_admin).get(START).content.decode()
    assert _preview_url(plan_import) in page
    assert "Reducing Reoffending Strategy: Action plan" in page
    assert (
        _preview_url(plan_import)
        not in client_for(p.outsider_coordinator).get(START).content.decode()
    )


def test_preview_page_queries_do_not_grow_with_the_plan(
    partnership, client_for, django_assert_max_num_queries
):
    client = client_for(partnership.coordinator)
    plan_import = _read(client, pasted=seed_text())
    client.post(_columns_url(plan_import), SEED_MAPPING)
    # Session, user and roles, the import, the matched agencies and the agencies to choose
    # from: the same for 54 steps as for one.
    with django_assert_max_num_queries(9):
        assert client.get(_preview_url(plan_import)).status_code == 200


def test_a_file_too_large_and_a_paste_as_well_are_both_named_at_once(partnership, client_for):
    too_large = SimpleUploadedFile("plan.csv", b"O,A\n" + b"x" * (5 * 1024 * 1024))
    response = client_for(partnership.coordinator).post(
        START, {"pasted": seed_text(), "plan_file": too_large}
    )

    assert response.status_code == 200
    summary = errors_shown(response.content).summary_messages()
    assert "Paste the table or choose a file, not both: clear one of them" in summary
    assert any("the largest plan that can be imported is 5 MB" in line for line in summary)
    assert not PlanImport.objects.exists()
