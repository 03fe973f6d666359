"""Access matrix rows for writing information-sharing agreements: their pages, the signed
document, the register's exports, and the API's writes (vocabulary in dsl.py).

Agreements are read by the staff of their parties (the council's ISA-1: PARTNERSHIP; the
other borough's: OUTSIDERS) and by system administrators; anyone else gets 404 (logged), as
for a missing one. They are written by governance leads of a party (`governance_lead`, the
council's) and system administrators:
- drafting a new one: those two roles (an empty POST shows the form's errors, 200);
  everyone else 403 before anything is read;
- changing a draft: the world's agreements are signed, so nobody may (403 to whoever sees
  them);
- circulating, starting a new version, marking expired: one button each; an empty POST
  (no `confirm`) changes nothing and sends the lead back to the agreement;
- signing: a party's governance lead for their own agency, once per version. The world's
  council has signed ISA-1, so nobody may sign here (403 to whoever sees it), and nobody
  is asked to confirm their identity first;
- withdrawing a party (its own lead, or a system administrator) or the whole agreement
  (any party's lead): the form (200); an empty POST shows its errors.
- The signed document: staff of the parties only; a system administrator of an agency
  that is no party gets 404 (logged), as everyone else.
- The register's exports: every member of staff (their own agencies' agreements).

The API answers the same. Drafting (POST to the list, PATCH) checks the role first (403
before any lookup); the actions on one agreement answer as its page does. An empty body
is never enough: 400 with the fields to give.
"""

from __future__ import annotations

from tests.security.dsl import (
    API_WRITES,
    OUTSIDERS,
    PARTNERSHIP,
    ByPersona,
    Kwargs,
    Record,
    Redirect,
    Route,
    api,
    everyone,
    missing,
    page,
    pk_at,
    read_only,
    statuses,
)

AGREEMENT_OBJECT = "sharing.informationsharingagreement"
AGREEMENT_PAGE = Redirect("/sharing/agreements/{pk}/")
GOVERNORS = ("governance_lead", "system_admin")

# Record -> (URL arguments, who sees it, who governs it: a party's lead or a system admin).
RECORDS: dict[str, tuple[Kwargs, tuple[str, ...], tuple[str, ...]]] = {
    "council-agreement": (pk_at("p.agreement"), PARTNERSHIP, GOVERNORS),
    "elsewhere-agreement": (
        pk_at("outsider_agreement"),
        (*OUTSIDERS, "system_admin"),
        ("system_admin",),
    ),
    "missing": (missing, (), ()),
}


def _seen(viewers: tuple[str, ...], expected: object, **persona: object) -> ByPersona:
    """404 to those who do not see the record; `expected` to those who do, unless named."""
    return page(404, **(dict.fromkeys(viewers, expected) | persona))  # type: ignore[arg-type]


def _page_route(name: str, answers) -> Route:
    """`answers(viewers, governors)` -> {method: ByPersona} for each record."""
    return Route(
        name,
        audited_as=AGREEMENT_OBJECT,
        records={
            label: Record(kwargs, answers(viewers, governors))
            for label, (kwargs, viewers, governors) in RECORDS.items()
        },
    )


def _one_button(viewers, governors) -> dict[str, ByPersona]:
    return {
        "GET": page(405),
        "POST": _seen(viewers, 403, **dict.fromkeys(governors, AGREEMENT_PAGE)),
    }


def _nobody_may(viewers, governors) -> dict[str, ByPersona]:
    refused = _seen(viewers, 403)
    return {"GET": refused, "POST": refused}


def _form(viewers, governors) -> dict[str, ByPersona]:
    shown = _seen(viewers, 403, **dict.fromkeys(governors, 200))
    return {"GET": shown, "POST": shown}


def _document(viewers, governors) -> dict[str, ByPersona]:
    parties = [v for v in viewers if v != "system_admin" or viewers == PARTNERSHIP]
    return read_only(_seen(tuple(parties), 200))


# --- The API ----------------------------------------------------------------------------


def _api_seen(viewers, roles: tuple[str, ...], expected: object, **persona: object) -> ByPersona:
    """403 for roles that may not call it; for those that may: 404 unless they see the
    record, else `expected` (or as named)."""
    answers = api(403, **dict.fromkeys(roles, 404))
    for who in roles:
        if who in viewers:
            answers[who] = expected  # type: ignore[assignment]
    answers.update(persona)  # type: ignore[arg-type]
    return answers


def _api_action(name: str, *, governed: object = 400) -> Route:
    """A POST-only action on one agreement, open to every role as its page is: 404 to
    whoever does not see the agreement, 403 to whoever sees it but may not act, and
    `governed` to those who may. A GET is refused (403) to everyone: no role is declared
    for it."""

    def answers(viewers, governors) -> dict[str, ByPersona]:
        post = api(404, **dict.fromkeys(viewers, 403))
        post.update(dict.fromkeys(governors, governed))  # type: ignore[arg-type]
        return {"GET": everyone(403), "POST": post}

    return Route(
        name,
        audited_as=AGREEMENT_OBJECT,
        records={
            label: Record(kwargs, answers(viewers, governors))
            for label, (kwargs, viewers, governors) in RECORDS.items()
        },
    )


def _api_detail() -> Route:
    def answers(viewers) -> dict[str, ByPersona]:
        get = statuses(404, anonymous=403, **dict.fromkeys(viewers, 200))
        patch = _api_seen(viewers, GOVERNORS, 400)
        return {"GET": get, "PATCH": patch} | dict.fromkeys(
            ("POST", "PUT", "DELETE"), everyone(403)
        )

    return Route(
        "agreement-detail",
        audited_as=AGREEMENT_OBJECT,
        records={
            label: Record(kwargs, answers(viewers))
            for label, (kwargs, viewers, _) in RECORDS.items()
        },
    )


AGREEMENT_ROUTES = (
    Route(
        "sharing:agreement-create",
        expect={
            "GET": page(403, **dict.fromkeys(GOVERNORS, 200)),
            "POST": page(403, **dict.fromkeys(GOVERNORS, 200)),
        },
    ),
    _page_route("sharing:agreement-edit", _nobody_may),
    _page_route("sharing:agreement-circulate", _one_button),
    _page_route("sharing:agreement-sign", _nobody_may),
    _page_route("sharing:agreement-new-version", _one_button),
    _page_route("sharing:agreement-withdraw-party", _form),
    _page_route("sharing:agreement-withdraw", _form),
    _page_route("sharing:agreement-expire", _one_button),
    _page_route("sharing:agreement-document", _document),
    Route("sharing:register-docx", expect=read_only(page())),
    Route("sharing:register-xlsx", expect=read_only(page())),
)

AGREEMENT_API_ROUTES = (
    Route(
        "agreement-list",
        expect={"GET": api(), "POST": api(403, **dict.fromkeys(GOVERNORS, 400))}
        | dict.fromkeys(tuple(m for m in API_WRITES if m != "POST"), everyone(403)),
    ),
    _api_detail(),
    _api_action("agreement-circulate"),
    # Signing: a party's governance lead, once; the council has signed ISA-1 already.
    _api_action("agreement-sign", governed=403),
    _api_action("agreement-new-version"),
    _api_action("agreement-withdraw-party"),
    _api_action("agreement-withdraw"),
)
