"""Other councils' plans, in layouts the seed plan does not use: one row per milestone under
each action, RAGs written at the start of comments or in a column of their own, due dates as
quarters, months, financial years and "ongoing", and a strategic links column. Nothing is
merged silently: a row read as the rest of the row above is named, and can be kept apart."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook

from actions.importing import FIELDS_BY_KEY, read_file, suggest_mapping
from actions.models import Action, ActionStep, PlanImport, ProgressUpdate, Rag
from actions.services.imports import (
    plan_import_commit,
    plan_import_keep_apart,
    plan_import_map,
    plan_import_start,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append([cell or None for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read(actor, data: bytes, name: str) -> PlanImport:
    """Upload and read through the suggested columns, as a coordinator who accepts them."""
    plan_import = plan_import_start(actor=actor, data=data, file_name=name)
    return plan_import_map(actor=actor, plan_import=plan_import, mapping=plan_import.mapping)


def steps_of(plan_import: PlanImport) -> list[list[dict]]:
    return [
        action["steps"]
        for objective in plan_import.parsed["objectives"]
        for action in objective["actions"]
    ]


# A plan laid out one row per milestone: the action named on its first row only, each
# milestone with its own lead, due date and comment opening with a RAG.
MILESTONES = [
    ["Hilltown Reducing Reoffending Plan 2016/17"],
    [
        "Priority",
        "Action",
        "Milestones",
        "Lead",
        "Due",
        "Comments",
        "Strategic links",
    ],
    [
        "Reduce reoffending by young adults",
        "Set up a transitions panel",
        "Agree terms of reference",
        "Youth Offending Service",
        "Q1",
        "Green - agreed at the June board",
        "Youth Justice Plan",
    ],
    ["", "", "Recruit panel members", "Probation", "Q2", "Amber/Red: two posts vacant", ""],
    ["", "", "First panel meeting", "Probation", "Sept 16", "AR: date to be set", ""],
    ["", "", "Review after six months", "Council", "Q4", "Not started", ""],
    [
        "",
        "Joint visits with housing",
        "Map current visits",
        "Housing",
        "April 16",
        "Complete - map shared",
        "Homelessness Strategy",
    ],
    ["", "", "Agree a joint visit protocol", "Housing", "2016/17", "Amber - draft out", ""],
    ["", "", "Run joint visits", "Police", "Ongoing", "Green", ""],
    [
        "Support people into work",
        "Employment pathway",
        "Refer ten people to DWP mentors",
        "DWP",
        "Q1-Q4",
        "Red - no referrals yet",
        "Economic Plan",
    ],
    ["", "", "Track job starts", "Council", "March 2017", "", ""],
]


def test_the_milestone_column_is_suggested_by_its_heading():
    table = read_file(as_csv(MILESTONES), "hilltown.csv")
    mapping = suggest_mapping(table.headers)
    assert {key: table.headers[index] for key, index in mapping.items()} == {
        "objective": "Priority",
        "action": "Action",
        "milestone": "Milestones",
        "timescale": "Due",
        "lead": "Lead",
        "progress": "Comments",
        "strategic_links": "Strategic links",
    }
    assert FIELDS_BY_KEY["milestone"].required is False


@pytest.mark.parametrize(("make", "name"), [(as_csv, "hilltown.csv"), (as_xlsx, "hilltown.xlsx")])
def test_one_row_per_milestone_imports_each_milestone_as_a_step(partnership, make, name):
    plan_import = read(partnership.coordinator, make(MILESTONES), name)

    assert plan_import.parsed["joined"] == []  # nothing merged
    steps = steps_of(plan_import)
    assert [len(each) for each in steps] == [4, 3, 2]
    transitions, visits, employment = steps
    assert [step["text"] for step in transitions] == [
        "Agree terms of reference",
        "Recruit panel members",
        "First panel meeting",
        "Review after six months",
    ]
    # Each milestone's own due date, as the last day of the period it names, in the plan's
    # financial year (2016/17, from its dated rows).
    assert [step["due"] for step in transitions] == [
        "2016-06-30",
        "2016-09-30",
        "2016-09-30",
        "2017-03-31",
    ]
    assert [step["due"] for step in visits] == ["2016-04-30", "2017-03-31", "2017-03-31"]
    assert [step["due"] for step in employment] == ["2017-03-31", "2017-03-31"]
    # The RAG at the start of each comment is the step's, "Not started" included.
    assert [step["rag"] for step in transitions] == [
        Rag.GREEN,
        Rag.AMBER_RED,
        Rag.AMBER_RED,
        Rag.NOT_STARTED,
    ]
    assert [step["rag"] for step in visits] == [Rag.COMPLETE, Rag.AMBER_RED, Rag.GREEN]
    assert transitions[3]["not_started"] is True
    assert [step["lead_text"] for step in transitions] == [
        "Youth Offending Service",
        "Probation",
        "Probation",
        "Council",
    ]
    actions = [a for o in plan_import.parsed["objectives"] for a in o["actions"]]
    assert [a["strategic_links"] for a in actions] == [
        "Youth Justice Plan",
        "Homelessness Strategy",
        "Economic Plan",
    ]
    # "Amber" alone is read as Amber-Red, and the preview says so.
    assert any("rated “Amber”" in warning["text"] for warning in plan_import.parsed["warnings"])


def test_the_milestone_plan_commits_with_each_steps_own_rag_and_due_date(partnership):
    p = partnership
    plan_import = read(p.coordinator, as_csv(MILESTONES), "hilltown.csv")

    plan = plan_import_commit(
        actor=p.coordinator,
        plan_import=plan_import,
        title="Hilltown plan",
        agencies=[p.council, p.probation],
        progress_rag=Rag.AMBER_GREEN,
    )

    steps = ActionStep.objects.filter(action__objective__plan=plan)
    assert steps.count() == 9
    recruit = steps.get(text="Recruit panel members")
    assert (recruit.current_rag, recruit.due) == (Rag.AMBER_RED, date(2016, 9, 30))
    assert ProgressUpdate.objects.get(step=recruit).rag == Rag.AMBER_RED
    joint = steps.get(text="Run joint visits")
    assert joint.current_rag == Rag.GREEN
    track = steps.get(text="Track job starts")
    assert track.current_rag == Rag.NOT_STARTED  # no comment, no RAG
    review = steps.get(text="Review after six months")
    assert review.current_rag == Rag.NOT_STARTED  # its comment says so
    transitions = Action.objects.get(objective__plan=plan, title="Set up a transitions panel")
    assert transitions.strategic_links == "Youth Justice Plan"
    # The action falls due with its last milestone; the wording of each is kept.
    assert transitions.due == date(2017, 3, 31)
    assert transitions.timescale == "Q1; Q2; Sept 16; Q4"
    employment = Action.objects.get(objective__plan=plan, title="Employment pathway")
    assert employment.timescale == "Q1-Q4; March 2017"


# A plan whose action rows carry no milestone, with a RAG column of its own.
HEADER_ROWS = [
    ["Objective", "Action", "Step", "Owner", "Deadline", "RAG", "Update"],
    ["Safer streets", "Night-time economy", "", "Police", "2017/18", "", ""],
    ["", "", "Street pastors on Fridays", "Police", "June 2017", "AG", "Running since May"],
    ["", "", "Taxi marshals", "Council", "Q3", "R", "Funding not agreed"],
    ["", "", "Licensing review", "Council", "Q4 2017/18", "Purple", "Board in March"],
]


def test_an_action_row_without_a_milestone_takes_its_steps_from_the_rows_below(partnership):
    plan_import = read(partnership.coordinator, as_csv(HEADER_ROWS), "safer.csv")

    [steps] = steps_of(plan_import)
    assert [(s["text"], s["rag"], s["due"]) for s in steps] == [
        ("Street pastors on Fridays", Rag.AMBER_GREEN, "2017-06-30"),
        ("Taxi marshals", Rag.RED, "2017-12-31"),
        ("Licensing review", None, "2018-03-31"),
    ]
    warnings = [warning["text"] for warning in plan_import.parsed["warnings"]]
    assert any("The RAG “Purple” of step 3 is not a RAG rating" in text for text in warnings)


# The seed layout: numbered steps in one cell, and a row split by a page break.
SPLIT = [
    ["Strategy Objective", "Project / Action", "Timescale", "Lead", "Progress to date"],
    ["Housing", "Tenancy support 1. Assess need 2. Refer", "March 2017", "Housing", "Started"],
    ["", "", "", "", "continued from the page before"],
    ["", "", "", "Probation", "A second officer joins in May"],
]


def test_rows_joined_to_the_row_above_are_named_and_can_be_kept_apart(partnership):
    actor = partnership.coordinator
    plan_import = read(actor, as_csv(SPLIT), "split.csv")
    assert [(item["row"], item["into"]) for item in plan_import.parsed["joined"]] == [
        (3, 2),
        (4, 2),
    ]
    [steps] = steps_of(plan_import)
    assert len(steps) == 2

    kept = plan_import_keep_apart(actor=actor, plan_import=plan_import, rows=[4])

    assert kept.kept_apart == [4]
    assert [(item["row"], item["into"]) for item in kept.parsed["joined"]] == [(3, 2)]
    [steps] = steps_of(kept)
    assert [step["number"] for step in steps] == [1, 2, 3]
    assert steps[2]["lead_text"] == "Probation"
    assert steps[2]["progress"] == "A second officer joins in May"
    assert any("imported as step 3, as you chose" in w["text"] for w in kept.parsed["warnings"])

    # Choosing again with no row ticked joins it again.
    again = plan_import_keep_apart(actor=actor, plan_import=kept, rows=[])
    assert len(again.parsed["joined"]) == 2
    assert len(steps_of(again)[0]) == 2


def test_keeping_apart_a_row_that_is_not_in_the_table_is_refused(partnership):
    from django.core.exceptions import ValidationError

    plan_import = read(partnership.coordinator, as_csv(SPLIT), "split.csv")

    with pytest.raises(ValidationError):
        plan_import_keep_apart(actor=partnership.coordinator, plan_import=plan_import, rows=[99])
    plan_import.refresh_from_db()
    assert plan_import.kept_apart == []


def test_the_preview_names_joined_rows_and_keeps_one_apart_when_ticked(partnership, client_for):
    from django.urls import reverse

    client = client_for(partnership.coordinator)
    plan_import = read(partnership.coordinator, as_csv(SPLIT), "split.csv")
    preview = reverse("actions:plan-import-preview", args=[plan_import.pk])

    page = client.get(preview).content.decode()
    assert "Rows joined to the row above" in page
    assert "Row 3, joined to row 2: “continued from the page before”" in page
    assert "Row 4, joined to row 2: “Probation”" in page

    response = client.post(
        reverse("actions:plan-import-keep-apart", args=[plan_import.pk]),
        {"keep_apart": ["4"]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 row is imported as steps of their own" in page
    assert 'id="keep-apart-4" name="keep_apart" type="checkbox" value="4" checked' in page
    assert "Row 4, a step of its own" in page
    plan_import.refresh_from_db()
    assert plan_import.kept_apart == [4]
