"""Access matrix rows for the panel cohort routes (vocabulary in dsl.py).

- The tracker, its exports and "refer a person" from the panel's page: whoever may open
  the panel (its page is `panels:detail`); everyone else 404, logged against the panel.
- Referring a person from their record: whoever sees the person; 404 otherwise, logged
  against the person; a merged-away record sends its viewers to the surviving record.
- Deciding a referral, recording an exit, the panel details: the panel's coordinator. Other
  staff who see the panel get 403; those who do not, 404 (logged against the membership).
  A page that does not fit the membership's status (deciding an active member, exiting a
  referral) sends the coordinator back to the tracker. Empty POSTs show the form's errors.
"""

from __future__ import annotations

from tests.security.dsl import (
    COUNCIL_PANEL_VIEWERS,
    ELSEWHERE_PANEL_VIEWERS,
    SIGN_IN,
    ByPersona,
    Expected,
    Kwargs,
    Record,
    Redirect,
    Route,
    any_method,
    missing,
    page,
    pk_at,
    read_only,
    seen_by,
    statuses,
)

PANELS: dict[str, tuple[Kwargs, tuple[str, ...]]] = {
    "council-panel": (pk_at("p.panel"), COUNCIL_PANEL_VIEWERS),
    "elsewhere-panel": (pk_at("outsider_panel"), ELSEWHERE_PANEL_VIEWERS),
    "missing": (missing, ()),
}


def _panel_route(name: str, expect) -> Route:
    return Route(
        name,
        audited_as="panels.panel",
        records={
            label: Record(kwargs, expect(viewers)) for label, (kwargs, viewers) in PANELS.items()
        },
    )


def _tracker(viewers: tuple[str, ...]) -> dict[str, ByPersona]:
    # An empty POST applies no filter and returns to the list, sorted by name.
    after_post = statuses(
        404,
        anonymous=SIGN_IN,
        **dict.fromkeys(viewers, Redirect("/panels/{pk}/cohort/?sort=name")),
    )
    return {"GET": seen_by(viewers), "POST": after_post}


# People: the world's records, and who sees each (world.py).
PEOPLE: dict[str, tuple[Kwargs, tuple[str, ...]]] = {
    "council-nominal": (pk_at("nominal"), COUNCIL_PANEL_VIEWERS),
    "member-nominal": (pk_at("member_nominal"), COUNCIL_PANEL_VIEWERS),
    "declined-nominal": (pk_at("declined_nominal"), ("member_partner",)),
    "elsewhere-nominal": (pk_at("outsider_nominal"), ELSEWHERE_PANEL_VIEWERS),
    "missing": (missing, ()),
}
SURVIVOR_REFERRAL = Redirect("/panels/refer/person/{w.nominal.pk}/")


def _refer_person() -> Route:
    """Step 1 (choose a panel) for GET; an empty POST has no panel chosen: step 1 again."""
    records = {
        label: Record(kwargs, any_method(seen_by(viewers)))
        for label, (kwargs, viewers) in PEOPLE.items()
    }
    records["merged-away"] = Record(
        pk_at("merged_nominal"),
        any_method(
            statuses(
                404,
                anonymous=SIGN_IN,
                **dict.fromkeys(COUNCIL_PANEL_VIEWERS, SURVIVOR_REFERRAL),
            )
        ),
    )
    return Route("cohorts:refer-person", audited_as="offenders.nominal", records=records)


COUNCIL_TRACKER = Redirect("/panels/{w.p.panel.pk}/cohort/")
ELSEWHERE_TRACKER = Redirect("/panels/{w.outsider_panel.pk}/cohort/")
# Staff who see the council's panel but do not coordinate it.
COUNCIL_NOT_COORDINATING = ("partner", "member_partner")
ELSEWHERE_NOT_COORDINATING = ("outsider_partner",)


def _coordinator_only(council: Expected | None, elsewhere: Expected | None) -> ByPersona:
    """The coordinator of the membership's panel gets `council` (or `elsewhere`, for the
    other borough's); other staff who see that panel 403; everyone else 404."""
    persona: dict[str, Expected] = {}
    if council is not None:
        persona |= {"coordinator": council} | dict.fromkeys(COUNCIL_NOT_COORDINATING, 403)
    if elsewhere is not None:
        persona |= {"outsider_coordinator": elsewhere} | dict.fromkeys(
            ELSEWHERE_NOT_COORDINATING, 403
        )
    return page(404, **persona)


def _membership_route(
    name: str, *, active: Expected, referral: Expected, elsewhere: Expected
) -> Route:
    """`active`, `referral`: what the coordinator gets for the council's active member and
    its waiting referral; `elsewhere`: the other borough's coordinator for its member."""
    return Route(
        name,
        audited_as="panels.cohortmembership",
        records={
            "council-membership": Record(
                pk_at("work.membership"), any_method(_coordinator_only(active, None))
            ),
            "council-referral": Record(
                pk_at("work.referral"), any_method(_coordinator_only(referral, None))
            ),
            "elsewhere-membership": Record(
                pk_at("outsider_work.membership"), any_method(_coordinator_only(None, elsewhere))
            ),
            "missing": Record(missing, any_method(_coordinator_only(None, None))),
        },
    )


COHORT_ROUTES: tuple[Route, ...] = (
    _panel_route("cohorts:cohort", _tracker),
    _panel_route("cohorts:cohort-csv", lambda viewers: read_only(seen_by(viewers))),
    _panel_route("cohorts:cohort-xlsx", lambda viewers: read_only(seen_by(viewers))),
    # The person chooser: an empty POST shows the form's error.
    _panel_route("cohorts:refer", lambda viewers: any_method(seen_by(viewers))),
    _refer_person(),
    _membership_route(
        "cohorts:membership-decide",
        active=COUNCIL_TRACKER,
        referral=200,
        elsewhere=ELSEWHERE_TRACKER,
    ),
    _membership_route(
        "cohorts:membership-exit",
        active=200,
        referral=COUNCIL_TRACKER,
        elsewhere=200,
    ),
    _membership_route("cohorts:membership-edit", active=200, referral=200, elsewhere=200),
)
