"""Reading a plan's table: the seed plan action by action, numbered cells, dates, the three
ways in (paste, CSV, Excel) and every way a table can be refused. No database needed."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from actions.importing import (
    MAX_FILE_BYTES,
    MAX_PASTE_CHARACTERS,
    MAX_ROWS,
    ParsedAction,
    UnreadablePlan,
    clean_text,
    first_date,
    parse_plan,
    read_file,
    read_pasted,
    says_not_started,
    split_numbered,
    suggest_mapping,
)
from tests.actions.import_samples import (
    COUNCIL,
    HEADINGS,
    PARTNERSHIP,
    POLICE,
    PROBATION,
    seed_csv,
    seed_text,
    seed_xlsx,
    table_text,
)

TODAY = date(2026, 11, 20)


def _parse(table):
    return parse_plan(table.rows, suggest_mapping(table.headers), today=TODAY, agencies=PARTNERSHIP)


@pytest.fixture(scope="module")
def seed():
    return _parse(read_pasted(seed_text()))


def _action(plan, title_start: str) -> ParsedAction:
    found = [
        action
        for objective in plan.objectives
        for action in objective.actions
        if action.title.startswith(title_start)
    ]
    assert len(found) == 1, [a.title for o in plan.objectives for a in o.actions]
    return found[0]


def _steps(action: ParsedAction) -> list[tuple[int, str]]:
    return [(step.number, step.text) for step in action.steps]


def _leads(action: ParsedAction) -> list[str]:
    return [step.lead_text for step in action.steps]


def _progress(action: ParsedAction) -> list[str]:
    return [step.progress for step in action.steps]


# --- The table --------------------------------------------------------------------------------


def test_seed_table_is_read_with_its_title_and_without_its_repeated_headings():
    table = read_pasted(seed_text())
    assert table.headers == HEADINGS
    assert table.title == "Reducing Reoffending Strategy: Action plan"
    assert table.repeated_headings == 9
    assert len(table.rows) == 22
    assert suggest_mapping(table.headers) == {
        "objective": 0,
        "action": 1,
        "outcomes": 2,
        "timescale": 3,
        "lead": 4,
        "progress": 5,
    }


def test_seed_has_three_objectives_each_with_its_actions(seed):
    assert [objective.title for objective in seed.objectives] == [
        "Information and intelligence development",
        "Supporting Offenders • Accommodation, • Education, Training and Employment "
        "• Finance and Debt • Drugs and Alcohol",
        "Enforcement & Compliance This is a joint operation between London Probation and the "
        "IOM Police Team, predominantly focusing on offenders released on licence, suspended "
        "sentence order or community payback orders. Exceptions to this will be offenders "
        "convicted of domestic abuse offences or those subject to public protection",
    ]
    # An objective is written only on its first row: the rows below belong to it.
    assert [len(objective.actions) for objective in seed.objectives] == [4, 6, 5]
    assert [[len(a.steps) for a in objective.actions] for objective in seed.objectives] == [
        [3, 4, 3, 3],
        [5, 5, 6, 4, 3, 2],
        [4, 4, 1, 1, 6],
    ]
    # Seven rows split by a page break were joined to the row above them.
    assert seed.continuations == 7


# --- Action by action ------------------------------------------------------------------------


def test_information_sharing_action_has_three_steps_and_three_leads(seed):
    action = _action(seed, "Clear information sharing agreement")
    assert action.title == (
        "Clear information sharing agreement for Reducing Reoffending Group and all sub groups"
    )
    assert _steps(action) == [
        (1, "Review current agreement"),
        (2, "Add/ remove members"),
        (3, "Agree frequency of renewal"),
    ]
    assert _leads(action) == [
        "LBH Community Safety and Police",
        "LBH Community Safety",
        "Reducing Reoffending Group decision",
    ]
    # The first agency a lead names is the lead agency; a group is no agency.
    assert [step.lead_agency for step in action.steps] == [COUNCIL, COUNCIL, None]
    assert action.timescale == "March 2017"
    assert action.due == date(2017, 3, 31)
    assert action.outcomes == "Free flowing information exchange between partnerships"
    # Progress without numbers is for the whole action: each step records it.
    assert (
        _progress(action)
        == [
            "There are 3 Information Sharing agreements currently in circulation\n• HCSP\n• IOM"
            "\n• SGV/ Gangs"
        ]
        * 3
    )
    assert not any(step.not_started for step in action.steps)


def test_agreed_data_analysis_has_one_lead_for_every_step(seed):
    action = _action(seed, "Agreed Data Analysis")
    assert _steps(action) == [
        (1, "What offences will be monitored"),
        (2, "What data needs to be collected"),
        (
            3,
            "Agree which organisations need to provide data and single points of contact to "
            "liaise with",
        ),
        (4, "Frequency of the data sharing"),
    ]
    lead = (
        "Decision to be made at the Reducing Reoffending Group meeting and action to be "
        "followed through by LBH Community Safety"
    )
    assert _leads(action) == [lead] * 4
    assert [step.lead_agency for step in action.steps] == [COUNCIL] * 4
    assert (
        _progress(action)
        == ["To be discussed at the next Reducing Reoffending group, 22 nd November 2017"] * 4
    )
    assert all(step.not_started for step in action.steps)


def test_sub_group_action_progress_that_has_not_begun_is_not_started(seed):
    action = _action(seed, "Develop a sub group to focus on data analysis")
    assert len(action.steps) == 3
    assert _progress(action) == ["Will begin after the agreed data analysis."] * 3
    assert all(step.not_started for step in action.steps)


def test_progress_for_steps_one_and_two_is_recorded_on_both(seed):
    action = _action(seed, "Cohort monitoring and information sharing")
    assert _steps(action)[2] == (
        3,
        "Find a secure online system/ portal, which stakeholders can log into and securely "
        "access and share information, without sending it.",
    )
    assert _leads(action) == ["LBH Community Safety"] * 3
    first, second, third = _progress(action)
    assert first == second
    assert first.startswith(
        "• All risk management panels have cohort lists kept up to date on a monthly basis."
    )
    # The page break split "cross reference / nominals from SGV/ Missing/ CSE." in two.
    assert (
        "• Community Safety has hired a new data analyst to cross reference nominals from "
        "SGV/ Missing/ CSE.\n• IOM nominals are regularly cross referenced" in first
    )
    assert first.endswith(
        "• At present there has been no feedback on whether or not the volume of pre and post "
        "information has been reduced."
    )
    # Step 3's progress ran over a second page break, mid-sentence.
    assert third == (
        "No secure online portal has been identified as of yet. All partners are being asked "
        "to only use secure email accounts and if they do not have one then to create one "
        "using the free Criminal Justice Secure Email (CJSM). Within IOM and SGV we are "
        "phasing out password encryption."
    )
    assert action.due == date(2018, 3, 31)
    assert action.outcomes.split("\n")[0].startswith("• Instant updates and snapshots")


def test_accommodation_progress_numbered_without_stops(seed):
    action = _action(seed, "Supporting offenders with accommodation needs")
    assert len(action.steps) == 5
    assert _leads(action) == [
        "LBH Community Safety",
        "Family Mosaic",
        "LBH Community Safety and LBH Housing",
        "CRC/ NPS and Police",
        "CRC",
    ]
    assert [step.lead_agency for step in action.steps] == [
        COUNCIL,
        None,
        COUNCIL,
        PROBATION,
        PROBATION,
    ]
    progress = _progress(action)
    assert progress[0].startswith("No further funding has been applied")
    assert progress[0].endswith("as part of a Pan London/ Regional bid.")
    assert progress[1].startswith("Derby Avenue is still being used")
    assert progress[2].startswith(
        "No official Emergency Accommodation has been put aside for offenders, however"
    )
    assert progress[3:] == ["", ""]
    assert action.outcomes == (
        "Increased number of individuals in safe and stable accommodation\n"
        "Improved partnership working"
    )


def test_ete_action_steps_leads_and_numbered_progress(seed):
    action = _action(seed, "Supporting offenders with education, training and employment")
    assert _steps(action) == [
        (1, "Jobcentre Plus Drop- in session at Probation"),
        (2, "Probation based Education/ Training / Employment workshops to take place"),
        (3, "Probation based CV writing workshops including the focus on disclosure of offences"),
        (
            4,
            "New Jobcentre contracts to contain an element of equal opportunities for "
            "ex-offenders seeking employment.",
        ),
        # Not numbered in the plan: the paragraph after step 4, which lead 5 is for.
        (
            5,
            "For offenders who are unable to use computers, develop a sensitive disclosure "
            "pathway for benefits application.(For offenders who are A) Sex offences B) "
            "literacy issue)",
        ),
    ]
    assert _leads(action) == ["DWP", "CRC", "CRC", "DWP", "NPS/CRC and DWP"]
    assert [step.lead_agency for step in action.steps] == [
        None,
        PROBATION,
        PROBATION,
        None,
        PROBATION,
    ]
    progress = _progress(action)
    assert progress[0] == (
        "DWP drop in sessions take place every Tuesday at Victoria Road Probation Centre"
    )
    assert progress[1] == (
        "There are a number of ETE providers working out of the Probation Centre.\n"
        "• Jobcentre plus (DWP)\n• Shaw Trust\n• National Career Service\n• Catch 22"
    )
    # Continued over a page break: "working within Probation / all provide ...".
    assert progress[2] == (
        "The following services working within Probation all provide or have access to "
        "services CV writing workshops\n"
        "• Jobcentre plus (DWP)\n• Shaw Trust\n• National Career Service\n• Catch 22"
    )
    assert progress[3] == "Need update from DWP. To be done on the 22nd November 2017"
    assert progress[4] == ""
    assert [step.not_started for step in action.steps] == [False, False, False, True, False]
    warnings = [w["text"] for w in seed.warnings if w["action"] == "2.2"]
    assert any(text.startswith("Step 5 has no number in the plan") for text in warnings)


def test_finance_action_progress_on_steps_three_and_four(seed):
    action = _action(seed, "Supporting offenders with finance, benefits")
    assert [number for number, _text in _steps(action)] == [1, 2, 3, 4, 5, 6]
    assert _steps(action)[3][1] == (
        "Debt advice training for frontline staff working with offenders. (To be aware of how "
        "to do a basic budgeting form and to be aware of the allocated limit/ trigger marks)"
    )
    assert _steps(action)[5][1] == (
        "Develop a clear benefits pathway for Joint claimants: A) Victims of Domestic Violence "
        "B) Perpetrators of Domestic violence"
    )
    assert _leads(action) == [
        "DWP",
        "DWP",
        "CRC & NPS",
        "CRC & NPS (LBH Community Safety to work with them on this)",
        "CRC and NPS",
        "NPS/ CRC and WDP",
    ]
    progress = _progress(action)
    assert progress[0] == (
        "DWP run advice and support sessions at the probation centre every Tuesday."
    )
    assert progress[1].startswith("Efua Edusei and Beverly Gayle are the Jobcentre/ DWP")
    assert progress[2] == progress[3] == "Update needed from CRC and NPS"
    # "5." ends the cell with nothing after it: steps 5 and 6 have no progress.
    assert progress[4:] == ["", ""]
    assert [step.not_started for step in action.steps] == [
        False,
        False,
        True,
        True,
        False,
        False,
    ]
    assert action.due == date(2017, 3, 31)


def test_drugs_action_timescale_keeps_its_words_and_the_first_date(seed):
    action = _action(seed, "Supporting offenders with drugs and alcohol issues")
    assert action.timescale == (
        "March 2020; 3.Baseline to be established in year 1. (Looking at a 5% increase)"
    )
    assert action.due == date(2020, 3, 31)
    assert _leads(action) == ["WDP"] * 4
    progress = _progress(action)
    assert progress[1] == (
        "WDP workers are going into Probation Officers Team meetings to promote the work that "
        "they do. Further work being done around"
    )
    # "1 day a week" and "4 months" are not step numbers.
    assert progress[2].endswith(
        "This has been running for 4 months however the referrals into the service are slow"
    )
    assert progress[3].endswith(
        "Individuals being referred through Risk Management panels and linked to Criminal "
        "Justice will need to be seen/ offered an appointment within a certain amount of "
        "time. (details being finalised)"
    )


def test_progress_for_steps_named_at_its_end(seed):
    action = _action(seed, "Offenders who have difficulties with accommodation")
    assert len(action.steps) == 3
    assert _progress(action) == ["Yet to be looked into"] * 3
    assert all(step.not_started for step in action.steps)
    assert action.steps[2].lead_text.startswith("Decision to made at the Reducing Reoffending")


def test_mental_health_action_steps_get_their_own_dates(seed):
    action = _action(seed, "Addressing the mental health needs of offenders")
    assert action.timescale == "March 2017; August 2017"
    assert action.due == date(2017, 3, 31)
    assert [step.due for step in action.steps] == [date(2017, 3, 31), date(2017, 8, 31)]
    assert _leads(action) == ["Clinical Commissioning Group", "LBH Public Health"]
    assert action.steps[0].progress.endswith(
        "This in turn will enable ex-offenders to access a variety of health services "
        "including mental health referrals."
    )
    assert action.steps[1].progress == "Update needed from Public Health."
    assert action.steps[1].not_started


def test_enforcement_action_continued_over_a_page_break(seed):
    action = _action(seed, "Tasking borough resources to target offenders")
    assert _leads(action) == ["Police", "CRC/ NPS", "Police", "Police"]
    assert [step.lead_agency for step in action.steps] == [POLICE, PROBATION, POLICE, POLICE]
    progress = _progress(action)
    assert progress[2] == (
        "In Place – non engaging offenders who go off radar/ wanted/ fail to engage will have "
        "checks carried out on them after 3 months (unless required earlier)"
    )
    assert progress[3] == (
        "In Place - the use of Media to locate offenders who go off radar/ wanted/ fail to "
        "engage for +6months"
    )


def test_police_visits_step_four_has_a_lead_and_no_progress(seed):
    action = _action(seed, "The IOM Police Team will visit offenders to:")
    assert _leads(action) == ["Police", "Police", "Police", "Police/ NPS/ CRC"]
    assert _progress(action)[3] == ""
    assert _progress(action)[2].startswith("Offenders made fully aware")


def test_action_without_numbered_steps_is_one_step(seed):
    action = _action(seed, "Offender Managers will take enforcement actions")
    assert action.description == "• Warning letters\n• Breaches,\n• Extra licence conditions"
    assert _steps(action) == [
        (
            1,
            "Offender Managers will take enforcement actions if the offender does not comply "
            "with their licence or order. This will include:,\n• Warning letters\n"
            "• Breaches,\n• Extra licence conditions",
        )
    ]
    assert _leads(action) == ["NPS/ CRC"]
    assert _progress(action) == ["Regularly reviewed on a case by case basis."]
    civil = _action(seed, "For non-statutory cases the IOM single points of contact")
    assert _leads(civil) == ["All Partners"]
    assert civil.steps[0].lead_agency is None


def test_regular_running_of_panels_has_six_steps_six_leads_and_progress_per_step(seed):
    action = _action(seed, "Regular running of multi-agency risk management panels")
    assert [text for _number, text in _steps(action)] == [
        "Facilitate and coordinate the IOM main panel meeting on a monthly basis",
        "Facilitate and coordinate the IOM mid-month panel meeting on a monthly basis",
        "Facilitate and coordinate the MAPPA panel meeting on a monthly basis",
        "Facilitate and coordinate the SGV panel meeting on a monthly basis",
        "Facilitate and coordinate the DIP panel meeting on a monthly basis",
        "Facilitate and coordinate the ASB & Community MARAC panel to take place monthly",
    ]
    assert _leads(action) == [
        "LBH Community Safety",
        "LBH Community Safety",
        "NPS",
        "LBH Community Safety",
        "LBH Community Safety",
        "LBH Community Safety",
    ]
    assert [step.lead_agency for step in action.steps] == [
        COUNCIL,
        COUNCIL,
        PROBATION,
        COUNCIL,
        COUNCIL,
        COUNCIL,
    ]
    assert _progress(action) == [
        "Meeting is coordinated & facilitated by LBH on the first Wednesday of every month.",
        "Meeting is coordinated & facilitated by LBH on the third Wednesday of every month",
        "Meeting is coordinated and facilitated by NPS on a monthly basis.",
        "Meeting is coordinated & facilitated by LBH on the first Tuesday of every month",
        "Meeting is coordinated & facilitated by LBH on the last Thursday of every month.",
        "",
    ]


def test_seed_warnings_name_the_leads_that_are_no_agency(seed):
    unmatched = sorted(
        {
            w["text"].split("“")[1].split("”")[0]
            for w in seed.warnings
            if "names no agency" in w["text"]
        }
    )
    assert unmatched == [
        "All Partners",
        "Clinical Commissioning Group",
        "DWP",
        "Family Mosaic",
        "Reducing Reoffending Group decision",
        "WDP",
    ]
    # Every numbered lead and progress entry found its step.
    assert not [w for w in seed.warnings if "has no step" in w["text"]]


# --- Three ways in, one plan -----------------------------------------------------------------


def test_paste_csv_and_xlsx_give_the_same_plan():
    pasted = _parse(read_pasted(seed_text()))
    from_csv = read_file(seed_csv(), "plan.csv")
    from_xlsx = read_file(seed_xlsx(), "plan.xlsx")
    assert from_csv.read_as.startswith("CSV file, UTF-8, values separated by commas")
    assert from_xlsx.read_as == "Excel workbook, first sheet (Action plan)"
    assert _parse(from_csv).as_json() == pasted.as_json()
    assert _parse(from_xlsx).as_json() == pasted.as_json()


def test_a_tab_separated_file_is_read_as_such():
    table = read_file(seed_text().encode("cp1252"), "plan.txt")
    assert table.read_as == "CSV file, Windows-1252, values separated by tabs"
    assert _parse(table).as_json() == _parse(read_pasted(seed_text())).as_json()


def test_cells_quoted_by_excel_keep_their_line_breaks():
    text = (
        "Objective\tAction\tLead\n"
        'Safer streets\t"Patrol plan\n1. Map hotspots\n2. Agree patrols"\t"1. Police\n2. Council"\n'
    )
    plan = _parse(read_pasted(text))
    action = plan.objectives[0].actions[0]
    assert action.title == "Patrol plan"
    assert _steps(action) == [(1, "Map hotspots"), (2, "Agree patrols")]
    assert _leads(action) == ["Police", "Council"]


def test_a_cell_that_starts_with_a_quotation_mark_is_read_as_written():
    text = 'Objective\tAction\n"Think family" approach\tJoin up 1. Refer 2. Review\n'
    plan = _parse(read_pasted(text))
    assert plan.objectives[0].title == '"Think family" approach'
    assert len(plan.objectives[0].actions[0].steps) == 2


# --- Numbered cells, dates, words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "preamble", "entries"),
    [
        ("Title 1. first 2. second", "Title", [((1,), "first"), ((2,), "second")]),
        ("1 & 2) both 3) third", "", [((1, 2), "both"), ((3,), "third")]),
        ("Yet to be looked into (1,2 and 3)", "", [((1, 2, 3), "Yet to be looked into")]),
        ("(1) one (2) two", "", [((1,), "one"), ((2,), "two")]),
        ("1-3) all three 4. four", "", [((1, 2, 3), "all three"), ((4,), "four")]),
        (
            "1 No funding yet 2 Derby Avenue in 2019",
            "",
            [((1,), "No funding yet"), ((2,), "Derby Avenue in 2019")],
        ),
        (
            "There are 3 Information Sharing agreements",
            "There are 3 Information Sharing agreements",
            [],
        ),
        # A first number must be 1, or open the cell; "year 1. (" is not a step either.
        (
            "March 2020\n3.Baseline in year 1. (Looking at 5%)",
            "March 2020\n3.Baseline in year 1. (Looking at 5%)",
            [],
        ),
        ("2. Update needed", "", [((2,), "Update needed")]),
        ("Seen within 24hours 1.5 days", "Seen within 24hours 1.5 days", []),
        ("1. done 2. started 5.", "", [((1,), "done"), ((2,), "started"), ((5,), "")]),
    ],
)
def test_split_numbered(text, preamble, entries):
    numbered = split_numbered(text)
    assert numbered.preamble == preamble
    assert [(entry.numbers, entry.text) for entry in numbered.entries] == entries


def test_html_lists_become_lines_and_unnumbered_list_items_are_numbered():
    assert clean_text("<p>Title</p><ol><li>First</li><li>Second</li></ol>") == (
        "Title\n1. First\n2. Second"
    )
    assert clean_text("<ul><li>One</li><li>Two &amp; three</li></ul>") == "• One\n• Two & three"
    assert clean_text("Plain • one • two & more") == "Plain\n• one\n• two & more"
    numbered = split_numbered("<p>Title</p><ol><li>First</li><li>Second</li></ol>")
    assert numbered.preamble == "Title"
    assert [entry.text for entry in numbered.entries] == ["First", "Second"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 2017", date(2017, 3, 31)),
        ("February 2020", date(2020, 2, 29)),
        ("March 2020 3.Baseline to be established in year 1.", date(2020, 3, 31)),
        ("By 22nd November 2017, then March 2018", date(2017, 11, 22)),
        ("31/03/2018", date(2018, 3, 31)),
        ("2019-06-30", date(2019, 6, 30)),
        ("Sept 2018", date(2018, 9, 30)),
        ("Ongoing", None),
        ("Year 1", None),
    ],
)
def test_first_date(text, expected):
    assert first_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yet to be looked into", True),
        ("Update needed from CRC and NPS", True),
        ("Need update from DWP. To be done on the 22nd November 2017", True),
        ("To be discussed at the next Reducing Reoffending group", True),
        ("Will begin after the agreed data analysis.", True),
        ("Not started", True),
        ("Home visits constantly carried out.", False),
        ("No further funding has been applied for", False),
    ],
)
def test_progress_that_says_nothing_has_happened(text, expected):
    assert says_not_started(text) is expected


def test_leads_and_progress_numbers_without_a_step_are_warned_about():
    text = table_text(
        ["Objective", "Action", "Lead", "Progress"],
        [
            "Safer streets",
            "Patrols 1. Map 2. Agree",
            "1. Police 2. Police 3. Council",
            "1. Done 4. Later",
        ],
    )
    plan = _parse(read_pasted(text))
    action = plan.objectives[0].actions[0]
    assert _leads(action) == ["Police", "Police"]
    assert _progress(action) == ["Done", ""]
    warnings = [w["text"] for w in plan.warnings]
    assert "The lead numbered 3 has no step 3, so it was not imported: “Council”" in warnings
    assert "The progress numbered 4 has no step 4, so it was not imported: “Later”" in warnings


def test_objective_rows_and_stray_rows():
    text = table_text(
        ["Objective", "Action", "Lead"],
        ["", "Before any objective", "Police"],
        ["Safer streets", "", ""],
        ["", "Patrols", "Police"],
    )
    plan = _parse(read_pasted(text))
    assert [objective.title for objective in plan.objectives] == [
        "Objective not given",
        "Safer streets",
    ]
    assert [len(objective.actions) for objective in plan.objectives] == [1, 1]


# --- Refused tables ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste the plan's table"),
        ("   \n\t \n", "Paste the plan's table"),
        ("Just some words\nwith no columns", "The pasted text has no columns"),
        (
            "Information sharing\tReview the agreement 1. Review 2. Renew\tMarch 2017\n",
            "The table has no row of column headings: row 1",
        ),
        ("Title only\n\nObjective\tAction\n", "The table has column headings but no rows"),
        # Short cells, but none of them a heading a plan has: the plan without its headings.
        (
            "Safer streets\tPatrols\tPolice\nSafer homes\tLighting\tCouncil\n",
            "row 1 \\(Safer streets",
        ),
        ("x" * (MAX_PASTE_CHARACTERS + 1), "The pasted text is 1,000,001 characters long"),
    ],
)
def test_pasted_text_that_cannot_be_read(text, message):
    with pytest.raises(UnreadablePlan, match=message):
        read_pasted(text)


def test_too_many_rows_are_refused():
    text = table_text(HEADINGS, *([["Objective", "Action"]] * (MAX_ROWS + 1)))
    with pytest.raises(UnreadablePlan, match="more than 2,000 rows"):
        read_pasted(text)


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "plan.csv", "The file is empty"),
        (b"%PDF-1.7 ...", "plan.pdf", "The file is a PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "plan.xls", "older Excel"),
        (_docx(), "plan.docx", "The file is a Word document"),
        (b"PK\x03\x04not really a workbook", "plan.xlsx", "could not be opened as an Excel"),
        (b"Objective,Action\n", "plan.xlsx", "plan.xlsx is not an Excel workbook"),
        (b"Objective,Action\nA,B\n", "plan.odt", "plan.odt is not a CSV or Excel"),
        (b"Objective,Action\nA,\x01B\n", "plan.csv", "holds characters that are not text"),
        (b"x" * (MAX_FILE_BYTES + 1), "plan.csv", "The file is 5.0 MB"),
    ],
)
def test_files_that_cannot_be_read(data, name, message):
    with pytest.raises(UnreadablePlan, match=message):
        read_file(data, name)


def test_an_action_of_bare_numbers_is_one_step():
    plan = _parse(read_pasted(table_text(["Objective", "Action"], ["Safer streets", "1. 2."])))
    assert _steps(plan.objectives[0].actions[0]) == [(1, "1. 2.")]
