"""The agenda pack: a PDF for a meeting, drawn with reportlab.

A cover (panel, date, an attendance list to fill in), the agenda, then one summary page
for each person on it whom the reader may see (identity, panels, RAG now and before,
needs, flags, recent timeline, open case actions). For anyone the reader may not see the
pack says only that the person is known to the panel and whom to contact.

`agenda_pack_contents` gathers what goes in, from the same selectors as the pages;
`render_agenda_pack` only draws it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.sax.saxutils import escape

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from accounts.models import Agency, User
from meetings.models import AgendaItem, CaseAction, CaseActionStatus, Meeting, MeetingStatus
from offenders.models import Identifier, Need, NeedLevel, Nominal, RiskScore
from offenders.selectors import (
    Flags,
    PanelRow,
    derived_flags,
    nominals_for,
    panel_rows,
    rag_history,
    timeline,
)
from panels.models import RagReview

RECENT_EVENTS = 6
RAG_HISTORY_SHOWN = 6
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"


@dataclass
class PersonSummary:
    """One person's summary page, as the reader may see it."""

    nominal: Nominal
    identifiers: list[Identifier]
    panels: list[PanelRow]
    current_rag: RagReview | None  # on this meeting's panel
    rag_history: list[RagReview]  # on this meeting's panel, newest first
    needs: list[Need]
    flags: Flags
    latest_risk: RiskScore | None
    events: list
    actions: list[CaseAction]


@dataclass
class PackItem:
    position: int
    reason: str
    reason_detail: str
    summary: PersonSummary | None  # None: the reader may not see this person


@dataclass
class AgendaPack:
    meeting: Meeting
    agencies: list[Agency]
    items: list[PackItem]
    reader: User
    made_at: datetime
    today: date
    included: list[int] = field(default_factory=list)  # ids of people summarised


def agenda_pack_contents(user: User, meeting: Meeting, *, today: date) -> AgendaPack:
    """Everything the pack shows to this reader. The caller logs each included person."""
    items = list(
        AgendaItem.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("nominal__lead_professional__agency", "nominal__owning_agency")
        .order_by("position", "pk")
    )
    seen = set(
        nominals_for(user)
        .filter(pk__in=[item.nominal_id for item in items])
        .values_list("pk", flat=True)
    )
    visible_people = [item.nominal for item in items if item.nominal_id in seen]
    prefetch_related_objects(
        visible_people,
        Prefetch("identifiers", Identifier.objects.order_by("kind", "value")),
        Prefetch("needs", Need.objects.exclude(level=NeedLevel.NONE).order_by("pathway")),
        Prefetch("risk_scores", RiskScore.objects.order_by("-assessed_on")),
    )
    actions: dict[int, list[CaseAction]] = {}
    for action in (
        CaseAction.objects.visible_to(user)
        .filter(nominal_id__in=seen, status=CaseActionStatus.OPEN)
        .select_related("owner_agency", "owner", "panel")
        .order_by("due", "pk")
    ):
        actions.setdefault(action.nominal_id, []).append(action)

    pack_items = []
    # Numbered as the agenda is shown: 1, 2, 3... in its order.
    for number, item in enumerate(items, start=1):
        summary = None
        if item.nominal_id in seen:
            summary = _summary(user, item.nominal, meeting, today, actions.get(item.nominal_id, []))
        pack_items.append(
            PackItem(
                position=number,
                reason=item.get_reason_display(),
                reason_detail=item.reason_detail,
                summary=summary,
            )
        )
    panel = meeting.panel
    agencies = list(
        Agency.objects.filter(Q(pk=panel.coordinating_agency_id) | Q(member_panels=panel))
        .distinct()
        .order_by("name")
    )
    return AgendaPack(
        meeting=meeting,
        agencies=agencies,
        items=pack_items,
        reader=user,
        made_at=timezone.localtime(),
        today=today,
        included=[item.nominal_id for item in items if item.nominal_id in seen],
    )


def _summary(
    user: User, nominal: Nominal, meeting: Meeting, today: date, actions: list[CaseAction]
) -> PersonSummary:
    history = [r for r in reversed(rag_history(user, nominal)) if r.panel_id == meeting.panel_id]
    risks = list(nominal.risk_scores.all())
    return PersonSummary(
        nominal=nominal,
        identifiers=list(nominal.identifiers.all()),
        panels=panel_rows(user, nominal),
        current_rag=history[0] if history else None,
        rag_history=history[:RAG_HISTORY_SHOWN],
        needs=list(nominal.needs.all()),
        flags=derived_flags(nominal, today=today),
        latest_risk=risks[0] if risks else None,
        events=list(timeline(nominal)[:RECENT_EVENTS]),
        actions=actions,
    )


# --- Drawing ---------------------------------------------------------------------------

_STYLES = getSampleStyleSheet()
TITLE = ParagraphStyle("PackTitle", parent=_STYLES["Title"], fontSize=20, leading=24)
H1 = ParagraphStyle("PackH1", parent=_STYLES["Heading1"], fontSize=16, leading=20)
H2 = ParagraphStyle("PackH2", parent=_STYLES["Heading2"], fontSize=12, leading=15, spaceBefore=8)
BODY = ParagraphStyle("PackBody", parent=_STYLES["BodyText"], fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("PackSmall", parent=BODY, fontSize=8.5, leading=11)
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
)
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_PADDING = 6  # points, reportlab's default on each side of a frame
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN - 2 * FRAME_PADDING
FRAME_HEIGHT = PAGE_HEIGHT - 2 * MARGIN - 2 * FRAME_PADDING


def _p(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text: reportlab reads markup, so everything is escaped."""
    return Paragraph(escape(str(text)), style)


def _day(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "not recorded"


def _table(header: list[str], rows: Sequence[Sequence[object]], widths: list[float]) -> Table:
    data = [[_p(cell, SMALL) for cell in header]]
    data += [
        [cell if isinstance(cell, Paragraph) else _p(cell, SMALL) for cell in row] for row in rows
    ]
    # Fit the frame (the page less its margins and the frame's own padding).
    scale = min(1.0, FRAME_WIDTH / sum(widths))
    table = Table(data, colWidths=[w * scale for w in widths], repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    return table


def _cover(pack: AgendaPack) -> list:
    meeting = pack.meeting
    flow: list = [
        _p(meeting.panel.name, TITLE),
        _p(f"{meeting.get_kind_display()} agenda pack", H1),
        _p(
            f"{meeting.date:%A %-d %B %Y} at {meeting.starts_at:%H:%M}"
            + (f", {meeting.location}" if meeting.location else ""),
        ),
    ]
    if meeting.status == MeetingStatus.CANCELLED:
        flow.append(_p(f"This meeting is cancelled: {meeting.status_reason}"))
    elif meeting.status_reason:
        flow.append(_p(f"This meeting was moved: {meeting.status_reason}"))
    flow += [
        Spacer(1, 4 * mm),
        _p(
            f"Coordinated by {meeting.panel.coordinating_agency.name}. This pack was made for "
            f"{pack.reader.get_full_name() or pack.reader.username} ({pack.reader.agency.name}) "
            f"on {pack.made_at:%-d %B %Y at %H:%M}. It holds personal data: keep it secure, do "
            "not forward it, and destroy it after the meeting."
        ),
        _p("Attendance", H2),
        _table(
            ["Agency", "Present", "Name and role"],
            [[agency.name, "", ""] for agency in pack.agencies],
            [70 * mm, 20 * mm, 84 * mm],
        ),
        PageBreak(),
    ]
    return flow


def _agenda(pack: AgendaPack) -> list:
    coordinator = pack.meeting.panel.coordinating_agency.name
    rows = []
    for item in pack.items:
        if item.summary is None:
            rows.append([str(item.position), _unseen(coordinator), ""])
        else:
            reason = item.reason + (f": {item.reason_detail}" if item.reason_detail else "")
            rows.append([str(item.position), item.summary.nominal.full_name, reason])
    flow: list = [_p("Agenda", H1)]
    if rows:
        flow.append(_table(["No.", "Person", "Reason"], rows, [12 * mm, 62 * mm, 100 * mm]))
    else:
        flow.append(_p("Nobody is on the agenda yet."))
    return flow


def _unseen(coordinator: str) -> str:
    return f"Known to this panel; contact the coordinator ({coordinator})"


def _person_page(item: PackItem, summary: PersonSummary, today: date) -> list:
    nominal = summary.nominal
    born = _day(nominal.date_of_birth) + (" (approximate)" if nominal.dob_approximate else "")
    identity = [
        ["Date of birth", born],
        ["Gender", nominal.get_gender_display()],
        ["Postcode and ward", " ".join(filter(None, [nominal.postcode, nominal.ward])) or "-"],
        [
            "Identifiers",
            "; ".join(f"{i.get_kind_display()} {i.value}" for i in summary.identifiers) or "-",
        ],
        [
            "Lead professional",
            (
                f"{nominal.lead_professional.get_full_name()}, "
                f"{nominal.lead_professional.agency.name}"
            )
            if nominal.lead_professional
            else "None named",
        ],
        ["Recorded by", nominal.owning_agency.name],
    ]
    flow: list = [
        _p(f"{item.position}. {nominal.full_name}", H1),
        _p(
            f"On the agenda: {item.reason}"
            + (f" ({item.reason_detail})" if item.reason_detail else "")
        ),
        Spacer(1, 2 * mm),
        _table(["Identity", ""], identity, [40 * mm, 134 * mm]),
        _p("Panels", H2),
    ]
    panel_lines = []
    for row in summary.panels:
        if row.visible:
            rag = (
                f"{row.current_rag.get_rag_display()} on {_day(row.current_rag.reviewed_on)}"
                if row.current_rag
                else "not reviewed yet"
            )
            panel_lines.append(
                [row.panel.name, row.membership.get_status_display() if row.membership else "", rag]
            )
        else:
            panel_lines.append(
                [
                    f"Also known to {row.panel.name}",
                    f"Contact {row.panel.coordinating_agency.name}",
                    "",
                ]
            )
    flow.append(
        _table(["Panel", "Status", "Current RAG"], panel_lines, [74 * mm, 50 * mm, 50 * mm])
    )

    flow.append(_p("RAG on this panel", H2))
    if summary.rag_history:
        flow.append(
            _table(
                ["Reviewed on", "RAG", "Note"],
                [
                    [_day(r.reviewed_on), r.get_rag_display(), r.note[:200]]
                    for r in summary.rag_history
                ],
                [34 * mm, 30 * mm, 110 * mm],
            )
        )
    else:
        flow.append(_p("Not reviewed by this panel yet."))

    flow.append(_p("Needs", H2))
    if summary.needs:
        flow.append(
            _table(
                ["Pathway", "Level", "Note"],
                [
                    [n.get_pathway_display(), n.get_level_display(), n.note[:200]]
                    for n in summary.needs
                ],
                [56 * mm, 22 * mm, 96 * mm],
            )
        )
    else:
        flow.append(_p("No needs recorded."))

    flags = summary.flags
    engagement = flags.engagement_text
    risk = summary.latest_risk
    flow += [
        _p("Flags", H2),
        _table(
            ["Flag", ""],
            [
                [
                    "Risk",
                    (
                        f"OGRS {risk.ogrs_percent if risk.ogrs_percent is not None else '-'}%, "
                        f"RoSH {risk.get_rosh_level_display() or 'not assessed'} "
                        f"({risk.source}, {_day(risk.assessed_on)})"
                    )
                    if risk
                    else "No OGRS or RoSH assessment recorded",
                ],
                [
                    "IOM scope",
                    f"{flags.scope_text}: {flags.iom_scope_reason}",
                ],
                [
                    "Engagement",
                    f"{engagement}; last visit or treatment {_day(flags.last_engagement)}",
                ],
            ],
            [40 * mm, 134 * mm],
        ),
        _p("Recent timeline", H2),
    ]
    if summary.events:
        flow.append(
            _table(
                ["Date", "What", "Agency", "Summary"],
                [
                    [_day(e.occurred_on), e.get_kind_display(), e.agency.name, e.summary[:240]]
                    for e in summary.events
                ],
                [26 * mm, 28 * mm, 36 * mm, 84 * mm],
            )
        )
    else:
        flow.append(_p("Nothing on the timeline yet."))

    flow.append(_p("Open case actions", H2))
    if summary.actions:
        flow.append(
            _table(
                ["Action", "Owner", "Due"],
                [
                    [
                        a.description[:240],
                        a.owner_agency.name + (f" ({a.owner.get_full_name()})" if a.owner else ""),
                        _day(a.due) + (" (overdue)" if a.due < today else ""),
                    ]
                    for a in summary.actions
                ],
                [96 * mm, 50 * mm, 28 * mm],
            )
        )
    else:
        flow.append(_p("No open actions."))
    return flow


def _decorate(pack: AgendaPack):
    meeting = pack.meeting
    footer = f"{meeting.panel.name}, {meeting.get_kind_display().lower()} {meeting.date:%-d %B %Y}"

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 10 * mm, PROTECTIVE_MARKING)
        canvas.drawCentredString(PAGE_WIDTH / 2, 8 * mm, PROTECTIVE_MARKING)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, 12 * mm, footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 12 * mm, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def render_agenda_pack(pack: AgendaPack) -> bytes:
    """The pack as PDF bytes."""
    buffer = io.BytesIO()
    meeting = pack.meeting
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{meeting.panel.name} agenda pack, {meeting.date:%-d %B %Y}",
        author=meeting.panel.coordinating_agency.name,
        subject=PROTECTIVE_MARKING,
    )
    coordinator = meeting.panel.coordinating_agency.name
    flow = _cover(pack) + _agenda(pack)
    for item in pack.items:
        if item.summary is None:
            flow.append(_p(f"{item.position}. {_unseen(coordinator)}."))
            continue
        flow.append(PageBreak())
        # One page per person: a long record is shrunk to fit rather than run over.
        flow.append(
            KeepInFrame(
                FRAME_WIDTH,
                FRAME_HEIGHT,
                _person_page(item, item.summary, pack.today),
                mode="shrink",
            )
        )
    decorate = _decorate(pack)
    doc.build(flow, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
