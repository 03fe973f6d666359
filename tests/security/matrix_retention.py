"""Access matrix rows for the retention review (vocabulary in dsl.py).

Only information governance leads reach the pages, for the records their own agency owns:
- the list of records due for review: the council's `governance_lead` (200); everyone else
  signed in is refused (403) before anything is read;
- keeping or deleting a review: the council's lead on the council's review (200: the form;
  an empty POST shows its errors, and deletes or keeps nothing). Everyone else, and the
  lead on the other borough's review or a missing one, gets 404 (logged), the same answer:
  a review names a person, so nobody else learns that it exists.
"""

from __future__ import annotations

from tests.security.dsl import Record, Route, missing, page, pk_at, read_only

REVIEW_OBJECT = "retention.retentionreview"
LEAD_ONLY = page(403, governance_lead=200)


def _decision(name: str) -> Route:
    def expect(lead: int) -> dict:
        by_persona = page(404, governance_lead=lead)
        return {"GET": by_persona, "POST": by_persona}

    return Route(
        name,
        audited_as=REVIEW_OBJECT,
        records={
            "council-review": Record(pk_at("retention.review"), expect(200)),
            "elsewhere-review": Record(pk_at("retention.outsider_review"), expect(404)),
            "missing": Record(missing, expect(404)),
        },
    )


RETENTION_ROUTES: tuple[Route, ...] = (
    Route("retention:review", expect=read_only(LEAD_ONLY)),
    _decision("retention:keep"),
    _decision("retention:delete"),
)
