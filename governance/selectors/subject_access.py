"""Everything the service holds about one person, for a subject access request.

Who may produce it: the information governance lead of any agency whose casework staff may
see the record (`Nominal.objects.related_to`), the same rule as "who has viewed this
record". Anyone else gets 404, as for a missing record.

What it holds: what that agency's staff may see, which is the whole record (identity,
aliases, identifiers, addresses, needs, risk, offences, custody, the timeline) and what the
panels granted to the agency hold about the person (memberships, RAG decisions, agenda
items, minutes, case actions), plus cross-reference findings naming the record. Panels the
agency may not see are named with their coordinating agency only, so the request can be
passed on: each agency answers for the records it may see, and no agency learns through a
subject access request what it could not read on the page. Who has read the record comes
from the access log, every agency's reads included, staff named only for the lead's own
agency (others by agency), as everywhere in the service.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, ObjectType, User
from accounts.permissions import person_label
from crossref.models import MatchFinding
from meetings.models import AgendaItem, CaseAction, Meeting
from offenders.models import EventKind, Nominal
from offenders.selectors import merged_ids
from panels.models import SHARED_STATUSES, CohortMembership, Panel, RagReview

ENFORCEMENT_KINDS = [EventKind.ARREST, EventKind.WARNING_LETTER, EventKind.BREACH, EventKind.RECALL]


@dataclass(frozen=True)
class Section:
    """One part of the document: a heading, what it is, and a table (or `empty` text)."""

    title: str
    intro: str
    headers: Sequence[str]
    rows: list[list[str]] = field(default_factory=list)
    empty: str = "Nothing is recorded."


@dataclass(frozen=True)
class SubjectAccess:
    nominal: Nominal
    produced_for: User
    produced_at: datetime
    sections: list[Section]


def _day(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%-d %B %Y, %H:%M") if value else ""


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def subject_access(nominal: Nominal, lead: User) -> SubjectAccess:
    """The document's content for `lead`, whose agency may see `nominal`."""
    agency = lead.agency
    seen_panels = Panel.objects.granted_to(agency)
    seen_ids = set(seen_panels.values_list("pk", flat=True))

    def staff(user: User | None) -> str:
        return person_label(user, lead) if user is not None else ""

    sections = [
        _identity(nominal, staff),
        Section(
            "Other names (aliases)",
            "Other names the person is known by.",
            ["Given names", "Family name", "Date of birth", "Recorded by"],
            [
                [a.given_names, a.family_name, _day(a.date_of_birth), a.recorded_by_agency.name]
                for a in nominal.aliases.select_related("recorded_by_agency")
            ],
        ),
        Section(
            "Identifiers",
            "Reference numbers other services give the person.",
            ["Kind", "Number", "Recorded by"],
            [
                [i.get_kind_display(), i.value, i.recorded_by_agency.name]
                for i in nominal.identifiers.select_related("recorded_by_agency")
            ],
        ),
        Section(
            "Addresses",
            "Where the person has lived.",
            ["Address", "Postcode", "From", "To", "Recorded by"],
            [
                [str(a), a.postcode, _day(a.from_date), _day(a.to_date), a.recorded_by_agency.name]
                for a in nominal.addresses.select_related("recorded_by_agency")
            ],
        ),
        Section(
            "Needs",
            "Needs assessed on each resettlement pathway.",
            ["Pathway", "Level", "Note", "Updated"],
            [
                [n.get_pathway_display(), n.get_level_display(), n.note, _day(n.updated_on)]
                for n in nominal.needs.all()
            ],
        ),
        Section(
            "Risk scores",
            "Risk assessments recorded (OGRS: likelihood of reoffending; RoSH: risk of serious harm).",
            ["Assessed", "OGRS", "RoSH", "Source", "Recorded by"],
            [
                [
                    _day(r.assessed_on),
                    f"{r.ogrs_percent}%" if r.ogrs_percent is not None else "",
                    r.get_rosh_level_display() if r.rosh_level else "",
                    r.source,
                    r.recorded_by_agency.name,
                ]
                for r in nominal.risk_scores.select_related("recorded_by_agency")
            ],
        ),
        Section(
            "Offences",
            "Offences recorded against the person.",
            ["Offence", "Committed", "Outcome", "Recorded by"],
            [
                [
                    o.get_offence_type_display(),
                    _day(o.committed_on),
                    o.outcome,
                    o.recorded_by_agency.name,
                ]
                for o in nominal.offences.select_related("recorded_by_agency")
            ],
        ),
        Section(
            "Custody",
            "Times in custody.",
            ["Entered", "Released", "Reason", "Establishment", "Recorded by"],
            [
                [
                    _day(c.entered_on),
                    _day(c.released_on),
                    c.get_reason_display(),
                    c.establishment,
                    c.recorded_by_agency.name,
                ]
                for c in nominal.custody.select_related("recorded_by_agency")
            ],
        ),
    ]
    events = list(nominal.events.select_related("agency", "author").order_by("occurred_on", "pk"))
    event_headers = ["Date", "Kind", "Summary", "Agency", "Recorded by"]

    def event_row(e) -> list[str]:
        return [
            _day(e.occurred_on),
            e.get_kind_display(),
            e.summary,
            e.agency.name,
            staff(e.author),
        ]

    sections += [
        Section(
            "Enforcement",
            "Arrests, warning letters, breaches and recalls.",
            event_headers,
            [event_row(e) for e in events if e.kind in ENFORCEMENT_KINDS],
        ),
        Section(
            "Timeline",
            "Every event recorded about the person, oldest first.",
            event_headers,
            [event_row(e) for e in events],
        ),
    ]
    sections += _panels(nominal, seen_ids, staff)
    sections.append(_findings(nominal, lead))
    sections.append(_elsewhere(nominal, seen_ids))
    sections.append(_readers(nominal, lead))
    return SubjectAccess(
        nominal=nominal, produced_for=lead, produced_at=timezone.now(), sections=sections
    )


def _identity(nominal: Nominal, staff) -> Section:
    dob = _day(nominal.date_of_birth)
    if dob and nominal.dob_approximate:
        dob += " (approximate)"
    return Section(
        "Identity",
        "Who the person is, as recorded.",
        ["Detail", "Recorded"],
        [
            ["Record number", str(nominal.pk)],
            ["Given names", nominal.given_names],
            ["Family name", nominal.family_name],
            ["Date of birth", dob],
            ["Gender", nominal.get_gender_display()],
            ["Ethnicity", nominal.ethnicity],
            ["Postcode", nominal.postcode],
            ["Ward", nominal.ward],
            ["Recorded by", nominal.owning_agency.name],
            ["Lead professional", staff(nominal.lead_professional)],
            ["Record created", _when(nominal.created_at)],
        ],
    )


def _panels(nominal: Nominal, seen_ids: set[int], staff) -> list[Section]:
    memberships = (
        CohortMembership.objects.filter(nominal=nominal, panel_id__in=seen_ids)
        .select_related("panel", "referring_agency")
        .order_by("referred_on", "pk")
    )
    reviews = (
        RagReview.objects.filter(nominal=nominal, panel_id__in=seen_ids)
        .select_related("panel", "author")
        .order_by("reviewed_on", "pk")
    )
    items = (
        AgendaItem.objects.filter(nominal=nominal, meeting__panel_id__in=seen_ids)
        .select_related("meeting__panel")
        .order_by("meeting__date", "pk")
    )
    actions = (
        CaseAction.objects.filter(nominal=nominal, panel_id__in=seen_ids)
        .select_related("panel", "owner_agency", "owner")
        .order_by("due", "pk")
    )
    return [
        Section(
            "Panel memberships",
            "Referrals to panels' cohorts and what came of them.",
            ["Panel", "Status", "Referred", "Referred by", "Reason", "Start", "End", "Exit reason"],
            [
                [
                    m.panel.name,
                    m.get_status_display(),
                    _day(m.referred_on),
                    m.referring_agency.name if m.referring_agency else "",
                    m.reason or m.decline_reason,
                    _day(m.start),
                    _day(m.end),
                    m.exit_reason,
                ]
                for m in memberships
            ],
        ),
        Section(
            "Panel decisions (RAG)",
            "Red, amber or green ratings the panels decided.",
            ["Panel", "Date", "RAG", "Note", "Recorded by"],
            [
                [r.panel.name, _day(r.reviewed_on), r.get_rag_display(), r.note, staff(r.author)]
                for r in reviews
            ],
        ),
        Section(
            "Agenda items",
            "Meetings at which the person was discussed, and what was noted.",
            [
                "Panel",
                "Meeting",
                "Reason",
                "Detail",
                "Discussion notes",
                "RAG decided",
                "Escalated",
            ],
            [
                [
                    i.meeting.panel.name,
                    _day(i.meeting.date),
                    i.get_reason_display(),
                    i.reason_detail,
                    i.notes,
                    i.get_rag_decided_display() if i.rag_decided else "",
                    _yes(i.escalate),
                ]
                for i in items
            ],
        ),
        _minutes(nominal, seen_ids),
        Section(
            "Case actions",
            "Actions the panels set about the person.",
            ["Panel", "Action", "Owner", "Due", "Status", "Completed"],
            [
                [
                    a.panel.name,
                    a.description,
                    staff(a.owner) if a.owner else a.owner_agency.name,
                    _day(a.due),
                    a.get_status_display(),
                    _day(a.completed_on),
                ]
                for a in actions
            ],
        ),
    ]


def _minutes(nominal: Nominal, seen_ids: set[int]) -> Section:
    """The published minutes' entries about the person (never the rest of the minutes,
    which are about other people)."""
    ids = {nominal.pk, *merged_ids(nominal)}
    meetings = (
        Meeting.objects.filter(panel_id__in=seen_ids, minutes_published_on__isnull=False)
        .filter(items__nominal_id__in=ids)
        .distinct()
        .select_related("panel")
        .order_by("date", "pk")
    )
    rows = []
    for meeting in meetings:
        try:
            document = json.loads(meeting.minutes)
        except ValueError:
            continue
        for item in document.get("items", []):
            if item.get("nominal") not in ids:
                continue
            actions = "; ".join(a.get("description", "") for a in item.get("actions", []))
            rows.append(
                [
                    meeting.panel.name,
                    _day(meeting.date),
                    item.get("reason", ""),
                    item.get("notes", ""),
                    item.get("rag", ""),
                    actions,
                ]
            )
    return Section(
        "Minutes",
        "What the published minutes of panel meetings say about the person.",
        ["Panel", "Meeting", "Reason", "Notes", "RAG", "Actions"],
        rows,
    )


def _findings(nominal: Nominal, lead: User) -> Section:
    """Cross-reference findings naming the record; the other record's number only when the
    lead's agency may see it."""
    findings = MatchFinding.objects.filter(Q(nominal_a=nominal) | Q(nominal_b=nominal)).order_by(
        "created_at", "pk"
    )
    related = set(
        Nominal.objects.related_to(lead.agency)
        .filter(pk__in=[pk for f in findings for pk in (f.nominal_a_id, f.nominal_b_id) if pk])
        .values_list("pk", flat=True)
    )
    rows = []
    for finding in findings:
        other = finding.nominal_b_id if finding.nominal_a_id == nominal.pk else finding.nominal_a_id
        if other is None:
            shown = ""
        elif other in related:
            shown = f"Record {other}"
        else:
            shown = "A record your agency does not see"
        rows.append(
            [
                _when(finding.created_at),
                finding.get_kind_display(),
                shown,
                finding.get_status_display(),
            ]
        )
    return Section(
        "Cross-reference findings",
        "Checks that found the person may be recorded twice, or is on more than one panel.",
        ["Found", "Finding", "Other record", "Status"],
        rows,
    )


def _elsewhere(nominal: Nominal, seen_ids: set[int]) -> Section:
    panels = (
        Panel.objects.filter(memberships__nominal=nominal, memberships__status__in=SHARED_STATUSES)
        .exclude(pk__in=seen_ids)
        .select_related("coordinating_agency")
        .distinct()
        .order_by("name")
    )
    return Section(
        "Held by panels your agency does not see",
        "These panels know the person, and hold what they recorded; this document does not "
        "include it. Pass the request to the coordinating agency.",
        ["Panel", "Coordinating agency"],
        [[p.name, p.coordinating_agency.name] for p in panels],
        empty="None.",
    )


def _readers(nominal: Nominal, lead: User) -> Section:
    ids = [str(nominal.pk), *(str(pk) for pk in merged_ids(nominal))]
    reads = (
        AccessLog.objects.filter(object_type=ObjectType.NOMINAL, object_id__in=ids)
        .select_related("user__agency", "agency")
        .order_by("-at", "-pk")
    )
    return Section(
        "Who has read the record",
        "Every opening of the record, newest first, from the access log. Refused attempts "
        "are listed too.",
        ["When", "Who", "Page", "Purpose", "Outcome"],
        [
            [
                _when(read.at),
                person_label(read.user, lead, agency=read.agency) or "Not signed in",
                read.endpoint,
                read.purpose_label or "Not given",
                "Refused" if read.outcome == AccessOutcome.DENIED else "Allowed",
            ]
            for read in reads
        ],
        empty="Nobody has read the record.",
    )
