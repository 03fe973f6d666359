"""Set-up shared by the agenda tests: meetings around today, cohort members with the facts
each suggestion reason looks at, and reading the text of an agenda pack PDF."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from meetings.models import AgendaItem, Meeting
from meetings.selectors.agenda import AgendaBuilder
from offenders.models import Nominal
from offenders.services import event_add
from panels.models import CohortMembership, Panel, RagReview
from tests.factories import make_nominal


def today() -> date:
    return timezone.localdate()


def meeting_on(panel: Panel, day: date, *, kind: str = "main", **fields) -> Meeting:
    meeting = Meeting.objects.create(panel=panel, date=day, kind=kind, **fields)
    meeting.refresh_from_db()  # the time as the database gives it back, not the default string
    return meeting


def member(
    actor: User,
    panel: Panel,
    family_name: str,
    *,
    status: str = "active",
    given_names: str = "Sam",
    **membership: object,
) -> Nominal:
    """A person on the panel's cohort, recorded by the actor's agency."""
    nominal = make_nominal(
        actor, given_names=given_names, family_name=family_name, on_panel=panel, status=status
    )
    if membership:
        CohortMembership.objects.filter(nominal=nominal, panel=panel).update(**membership)
    return nominal


def review(nominal: Nominal, panel: Panel, rag: str, on: date, author: User) -> RagReview:
    return RagReview.objects.create(
        nominal=nominal, panel=panel, rag=rag, reviewed_on=on, author=author
    )


def visit(nominal: Nominal, on: date, author: User) -> None:
    event_add(actor=author, nominal=nominal, kind="visit", occurred_on=on, summary="Home visit")


def recorded_days_ago(nominal: Nominal, days: int) -> None:
    Nominal.objects.filter(pk=nominal.pk).update(created_at=timezone.now() - timedelta(days=days))


def on_agenda(meeting: Meeting, nominal: Nominal, *, position: int = 1, **fields) -> AgendaItem:
    fields.setdefault("reason", "red_rag")
    return AgendaItem.objects.create(meeting=meeting, nominal=nominal, position=position, **fields)


def suggested(builder: AgendaBuilder) -> set[tuple[str, str]]:
    """(family name, reason) for every suggestion."""
    return {
        (s.nominal.family_name, group.reason) for group in builder.groups for s in group.suggestions
    }


def detail_for(builder: AgendaBuilder, family_name: str, reason: str) -> str:
    group = builder.group(reason)
    assert group is not None, f"nothing suggested for {reason}"
    return next(s.detail for s in group.suggestions if s.nominal.family_name == family_name)


_STREAM = re.compile(rb"<<(?P<dict>(?:(?!>>).)*?)>>\s*stream\r?\n(?P<data>.*?)endstream", re.S)
# A string drawn with Tj, or an operator that starts a new line or text block.
_TEXT = re.compile(rb"\(((?:[^\\)]|\\.)*)\)\s*Tj|(?<![A-Za-z])(?:T\*|Td|TD|Tm|ET)(?![A-Za-z])")


def pdf_text(data: bytes) -> str:
    """The text a PDF made by reportlab shows: its page streams decoded (ASCII85, then
    Flate) and the strings they draw, pieces of one line joined as drawn and lines joined
    with single spaces."""
    assert data.startswith(b"%PDF-"), "not a PDF"
    shown: list[str] = []
    for stream in _STREAM.finditer(data):
        raw, filters = stream["data"].strip(), stream["dict"]
        if b"ASCII85Decode" in filters:
            raw = base64.a85decode(raw[:-2] if raw.endswith(b"~>") else raw)
        if b"FlateDecode" in filters:
            raw = zlib.decompress(raw)
        for match in _TEXT.finditer(raw):
            string = match.group(1)
            if string is None:
                shown.append(" ")
            else:
                shown.append(re.sub(rb"\\(.)", rb"\1", string).decode("cp1252"))
    return " ".join("".join(shown).split())
