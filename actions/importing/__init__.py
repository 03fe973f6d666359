"""Reading an action plan given as a table: pasted text (tab-separated, as Word and Excel copy
a table), a CSV file or an Excel workbook, into objectives, actions and numbered steps with
their leads and progress.

No database here: `actions.services.imports` stores what this reads. A table that cannot be
read raises `UnreadablePlan`, whose message says what is wrong and what to do about it.

Plans are written for a committee paper, not for a computer, so the reading is tolerant of
what such papers hold:
- the heading row repeated after each page break, and a title above the headings;
- an objective written only on its first row: the rows after it belong to it;
- a row split by a page break: the rest of it is a row whose first cells are empty, and its
  text continues the previous row's cells;
- HTML fragments (<p>, <ol>, <ul>, <li>) and "•" bullets;
- numbered steps inside one cell ("Title 1. step 2. step"), with leads and progress numbered
  to match ("1. DWP 2. CRC"), entries for several steps at once ("1 & 2) ...",
  "... (1,2 and 3)"), and one lead or progress text, without numbers, for the whole action.

`tables` reads the table and knows the columns, `text` reads one cell, `plan` builds the plan.
"""

from actions.importing.plan import (
    AgencyName,
    ParsedAction,
    ParsedPlan,
    ParsedStep,
    agency_names_for_matching,
    match_agency,
    parse_plan,
)
from actions.importing.tables import (
    FIELDS,
    FIELDS_BY_KEY,
    MAX_FILE_BYTES,
    MAX_PASTE_CHARACTERS,
    MAX_ROWS,
    REQUIRED_KEYS,
    PlanField,
    Table,
    UnreadablePlan,
    read_file,
    read_pasted,
    suggest_mapping,
)
from actions.importing.text import (
    Entry,
    Numbered,
    clean_line,
    clean_text,
    first_date,
    says_not_started,
    split_numbered,
)

__all__ = [
    "FIELDS",
    "FIELDS_BY_KEY",
    "MAX_FILE_BYTES",
    "MAX_PASTE_CHARACTERS",
    "MAX_ROWS",
    "REQUIRED_KEYS",
    "AgencyName",
    "Entry",
    "Numbered",
    "ParsedAction",
    "ParsedPlan",
    "ParsedStep",
    "PlanField",
    "Table",
    "UnreadablePlan",
    "agency_names_for_matching",
    "clean_line",
    "clean_text",
    "first_date",
    "match_agency",
    "parse_plan",
    "read_file",
    "read_pasted",
    "says_not_started",
    "split_numbered",
    "suggest_mapping",
]
