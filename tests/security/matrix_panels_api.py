"""Access matrix rows for the panels' API: memberships, meetings, agenda items, RAG reviews
and case actions. Case data is for casework roles: committee officers and system
administrators are refused (403) before any record is looked up."""

from __future__ import annotations

from tests.security.dsl import (
    COUNCIL_PANEL_VIEWERS,
    OUTSIDERS,
    ByPersona,
    Kwargs,
    Record,
    Route,
    api,
    api_read_only,
    missing,
    pk_at,
    statuses,
)

NOT_CASEWORK = dict.fromkeys(("committee", "system_admin"), 403)
# The council's agendas are built by its own staff and shared with members later: the
# world's meeting has not been shared yet.
COUNCIL_STAFF = ("coordinator", "partner", "agency_admin")


def _seen_by(viewers: tuple[str, ...]) -> ByPersona:
    return statuses(404, anonymous=403, **dict.fromkeys(viewers, 200)) | NOT_CASEWORK


def _records(**records: tuple[Kwargs, tuple[str, ...]]) -> dict[str, Record]:
    return {
        label.replace("_", "-"): Record(kwargs, api_read_only(_seen_by(viewers)))
        for label, (kwargs, viewers) in records.items()
    }


def _read_api(
    name: str,
    audited_as: str,
    attribute: str,
    council: tuple[str, ...],
    **more: tuple[Kwargs, tuple[str, ...]],
) -> list[Route]:
    return [
        Route(f"{name}-list", expect=api_read_only(api(200, **NOT_CASEWORK))),
        Route(
            f"{name}-detail",
            audited_as=audited_as,
            records=_records(
                council=(pk_at(f"work.{attribute}"), council),
                elsewhere=(pk_at(f"outsider_work.{attribute}"), OUTSIDERS),
                missing=(missing, ()),
                **more,
            ),
        ),
    ]


PANELS_API_ROUTES: tuple[Route, ...] = (
    *_read_api(
        "membership",
        "panels.cohortmembership",
        "membership",
        COUNCIL_PANEL_VIEWERS,
        referral=(pk_at("work.referral"), COUNCIL_PANEL_VIEWERS),
    ),
    *_read_api("meeting", "panels.meeting", "meeting", COUNCIL_PANEL_VIEWERS),
    *_read_api("agenda-item", "panels.agendaitem", "agenda_item", COUNCIL_STAFF),
    *_read_api("review", "panels.ragreview", "review", COUNCIL_PANEL_VIEWERS),
    *_read_api("case-action", "panels.caseaction", "case_action", COUNCIL_PANEL_VIEWERS),
)
