"""Access matrix rows for the information governance pages (vocabulary in dsl.py).

- The landing page: information governance leads and system administrators (who reach the
  retention review from it); everyone else 403 (logged).
- The access log search, its export, unusual reading and finding a record for a subject
  access export: information governance leads only (the council's `governance_lead`),
  each for their own agency; everyone else 403 (logged) before anything is read. An empty
  POST to the search (a name search with no name) shows the form's error.
- A subject access export (its page and the document), as "who has viewed this record":
  the council's governance lead gets the records the council's casework staff may see
  (its own record, and probation's referral to the council's panel); those who see the
  record but are not governance leads get 403; everyone else 404 (logged), as for a
  missing record. A merged-away record sends those who see the survivor to it.
"""

from __future__ import annotations

from tests.security.dsl import (
    COUNCIL_PANEL_VIEWERS,
    ELSEWHERE_CASEWORK,
    SIGN_IN,
    ByPersona,
    Kwargs,
    Record,
    Redirect,
    Route,
    missing,
    page,
    pk_at,
    read_only,
    statuses,
)

LEADS_ONLY = page(403, governance_lead=200)
SURVIVOR = "/governance/subject-access/{w.nominal.pk}/"

# Record -> (URL arguments, who sees the record, whether the council's lead may export it).
PEOPLE: dict[str, tuple[Kwargs, tuple[str, ...], bool]] = {
    "council-nominal": (pk_at("nominal"), COUNCIL_PANEL_VIEWERS, True),
    "member-nominal": (pk_at("member_nominal"), COUNCIL_PANEL_VIEWERS, True),
    "declined-nominal": (pk_at("declined_nominal"), ("member_partner",), False),
    "elsewhere-nominal": (pk_at("outsider_nominal"), ELSEWHERE_CASEWORK, False),
    "missing": (missing, (), False),
}


def _expect(viewers: tuple[str, ...], lead: bool) -> ByPersona:
    expected = statuses(404, anonymous=SIGN_IN, **dict.fromkeys(viewers, 403))
    return expected | ({"governance_lead": 200} if lead else {})


def _subject_access(name: str, *, then: str) -> Route:
    records = {
        label: Record(kwargs, read_only(_expect(viewers, lead)))
        for label, (kwargs, viewers, lead) in PEOPLE.items()
    }
    to_survivor = Redirect(SURVIVOR + then)
    merged = statuses(
        404,
        anonymous=SIGN_IN,
        **dict.fromkeys((*COUNCIL_PANEL_VIEWERS, "governance_lead"), to_survivor),
    )
    records["merged-away"] = Record(pk_at("merged_nominal"), read_only(merged))
    return Route(name, audited_as="offenders.nominal", records=records)


GOVERNANCE_ROUTES: tuple[Route, ...] = (
    Route("governance:index", expect=read_only(page(403, governance_lead=200, system_admin=200))),
    Route("governance:access-log", expect={"GET": LEADS_ONLY, "POST": LEADS_ONLY}),
    Route("governance:access-log-xlsx", expect=read_only(LEADS_ONLY)),
    Route("governance:access-log-csv", expect=read_only(LEADS_ONLY)),
    Route("governance:unusual-reading", expect=read_only(LEADS_ONLY)),
    Route("governance:subject-access-find", expect=read_only(LEADS_ONLY)),
    _subject_access("governance:subject-access", then=""),
    _subject_access("governance:subject-access-docx", then="export.docx"),
)
