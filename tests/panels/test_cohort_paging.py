"""The tracker pages through the cohort before it reads what each row shows, and offers
the lead professionals of the panel's own members only: every sort and filter still puts
the right people on page 2, worked out here by hand from the people made."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cohorts.selectors.cohort import RAG_ORDER, lead_choices
from cohorts.selectors.cohort import CohortFilter as Filter
from offenders.models import Need
from offenders.services import nominal_create
from panels.models import CohortMembership, RagReview
from tests.factories import make_panel, make_user

pytestmark = pytest.mark.django_db

FAMILIES = ("Abbott", "Baker", "Carter", "Dunn", "Ellis")
GIVENS = ("Amy", "Ben", "Cal", "Dee", "Eve", "Fay", "Gus")
RAGS = ("red", "amber", "green", None)
PEOPLE = 130  # more than two pages of 50 under most filters


@dataclass
class Member:
    nominal_id: int
    membership_id: int
    family: str
    given: str
    start: date
    lead: User | None
    needs: set[str]
    reviews: list[tuple[date, str]] = field(default_factory=list)

    def review_on(self, day: date) -> tuple[date, str] | None:
        past = [review for review in self.reviews if review[0] <= day]
        return max(past) if past else None


def _make_cohort(p) -> tuple[list[Member], list[User]]:
    """People with names that repeat (so the record number breaks ties), RAG reviews on
    different days (some only before last month), three lead professionals in two
    agencies and some with none, needs on two pathways, and starts over three months."""
    today = timezone.localdate()
    leads = [
        make_user(p.probation, Role.PARTNER, username="lead-a"),
        make_user(p.council, Role.PARTNER, username="lead-b"),
        make_user(p.probation, Role.PARTNER, username="lead-c"),
    ]
    for user, (first, last) in zip(
        leads, (("Zoe", "Moss"), ("Ann", "Moss"), ("Bob", "Hale")), strict=True
    ):
        user.first_name, user.last_name = first, last
        user.save()
    members = []
    for i in range(PEOPLE):
        nominal = nominal_create(
            actor=p.partner,
            given_names=GIVENS[i % len(GIVENS)],
            family_name=FAMILIES[(i * 3) % len(FAMILIES)],
            date_of_birth=date(1980, 1, 1) + timedelta(days=i),
        )
        lead = leads[i % 4] if i % 4 < 3 else None
        nominal.lead_professional = lead
        nominal.save()
        start = today - timedelta(days=60 + (i % 3) * 30)
        membership = CohortMembership.objects.create(
            nominal=nominal, panel=p.panel, status="active", referred_on=start, start=start
        )
        member = Member(
            nominal.pk, membership.pk, nominal.family_name, nominal.given_names, start, lead, set()
        )
        rag = RAGS[i % 4]
        if rag:
            # Recent reviews at 1-57 days ago, one day apart within a name, so the order
            # by last review is strict; and an older review of another colour.
            for on, colour in (
                (today - timedelta(days=1 + (i * 7) % 57), rag),
                (today - timedelta(days=70 + i % 5), RAGS[(i + 1) % 3]),
            ):
                RagReview.objects.create(
                    nominal=nominal, panel=p.panel, rag=colour, reviewed_on=on, author=p.coordinator
                )
                member.reviews.append((on, colour))
        for pathway in ("drugs", "accommodation")[: 1 + i % 2] if i % 3 else ():
            Need.objects.create(
                nominal=nominal,
                pathway=pathway,
                level="high",
                updated_on=today,
                updated_by=p.partner,
            )
            member.needs.add(pathway)
        members.append(member)
    return members, leads


def _rag_rank(rag: str | None) -> int:
    return RAG_ORDER.get(rag, len(RAG_ORDER) + 1) if rag else len(RAG_ORDER) + 1


def _expected(members: list[Member], filters: Filter, sort: str, day: date, interval: int):
    """The tracker's order and narrowing, written out in Python from SORTS' definition."""
    shown = []
    for m in members:
        review = m.review_on(day)
        rag = review[1] if review else None
        if filters.rag and not (rag in filters.rag or (rag is None and "none" in filters.rag)):
            continue
        if filters.pathway and filters.pathway not in m.needs:
            continue
        if filters.lead and (m.lead is None or m.lead.pk != filters.lead):
            continue
        if filters.agency and (m.lead is None or m.lead.agency_id != filters.agency):
            continue
        if filters.overdue:
            cutoff = day - timedelta(days=interval)
            if not ((review and review[0] < cutoff) or (not review and m.start < cutoff)):
                continue
        if filters.name and filters.name.lower() not in f"{m.given} {m.family}".lower():
            continue
        shown.append((m, review, rag))

    def by_name(item):
        m = item[0]
        return (m.family, m.given, m.membership_id)

    shown.sort(key=by_name)
    column, descending = sort.lstrip("-"), sort.startswith("-")
    if column == "name" and descending:
        shown.reverse()
    elif column == "rag":
        shown.sort(key=lambda item: _rag_rank(item[2]), reverse=descending)
    elif column == "review":
        # Most recently reviewed first; never reviewed last (first when descending).
        if descending:
            shown.sort(key=lambda item: item[1][0] if item[1] else date.min)
        else:
            shown.sort(key=lambda item: -(item[1][0].toordinal() if item[1] else -1))
    elif column == "lead":
        leads = [item for item in shown if item[0].lead]
        nobody = [item for item in shown if not item[0].lead]
        leads.sort(
            key=lambda item: (item[0].lead.last_name, item[0].lead.first_name),
            reverse=descending,
        )
        shown = leads + nobody
    elif column == "start":
        shown.sort(key=lambda item: item[0].start, reverse=descending)
    return [item[0].nominal_id for item in shown]


def _page_ids(body: str) -> list[int]:
    table = body.split('id="referrals"')[0]
    return [
        int(pk)
        for pk in re.findall(
            r'<td class="govuk-table__cell"><a class="govuk-link" href="/nominals/(\d+)/">', table
        )
    ]


def _form(filters: Filter) -> dict:
    data: dict = {"apply": "yes"}
    if filters.rag:
        data["rag"] = list(filters.rag)
    for name in ("pathway", "name"):
        if getattr(filters, name):
            data[name] = getattr(filters, name)
    for name in ("lead", "agency"):
        if getattr(filters, name):
            data[name] = str(getattr(filters, name))
    if filters.overdue:
        data["overdue"] = "on"
    if filters.month:
        data["month"] = filters.month.strftime("%Y-%m")
    return data


def test_every_sort_and_filter_puts_the_right_people_on_page_2(partnership, client_for):
    p = partnership
    members, leads = _make_cohort(p)
    client = client_for(p.coordinator)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    url = reverse("cohorts:cohort", args=[p.panel.pk])
    interval = p.panel.review_interval_days
    cases = [
        (Filter(), ["name", "rag", "review", "lead", "start"]),
        (Filter(rag=("red", "amber", "none")), ["review", "-rag", "lead"]),
        (Filter(pathway="drugs"), ["-review", "-lead", "rag"]),
        (Filter(agency=p.probation.pk), ["-start", "rag"]),
        (Filter(overdue=True), ["rag", "-name"]),
        (Filter(rag=("amber", "green", "none"), overdue=True), ["review"]),
        (Filter(month=last_month), ["rag", "-review", "name"]),
    ]
    checked = 0
    for filters, sorts in cases:
        client.post(url, {"clear": "yes"})
        assert client.post(url, _form(filters)).status_code == 302
        day = last_month_end if filters.month else today
        for sort in {*sorts, *(f"-{s.lstrip('-')}" for s in sorts)}:
            expected = _expected(members, filters, sort, day, interval)
            assert len(expected) > 50, (filters, sort)
            body = client.get(url, {"sort": sort, "page": 2}).content.decode()
            assert f"{len(expected)} people" in body, (filters, sort)
            assert _page_ids(body) == expected[50:100], (filters, sort)
            first = client.get(url, {"sort": sort}).content.decode()
            assert _page_ids(first) == expected[:50], (filters, sort)
            checked += 1
    assert checked >= 20


def test_lead_filter_lists_only_the_lead_professionals_of_the_panels_own_members(
    partnership, client_for
):
    """Someone who leads a person on another panel, a person only referred to this one or
    a person who left it before the chosen month is not offered."""
    p = partnership
    today = timezone.localdate()
    on_cohort = make_user(p.probation, Role.PARTNER, username="on-cohort")
    elsewhere = make_user(p.council, Role.PARTNER, username="elsewhere")
    only_referred = make_user(p.council, Role.PARTNER, username="referred-only")
    left_long_ago = make_user(p.housing, Role.PARTNER, username="left-long-ago")
    for user, last in (
        (on_cohort, "Oncohort"),
        (elsewhere, "Elsewhere"),
        (only_referred, "Referredonly"),
        (left_long_ago, "Leftlongago"),
    ):
        user.last_name = last
        user.save()
    other_panel = make_panel(p.council, [p.probation], name="Another panel")

    def led_by(lead, panel, **membership):
        nominal = nominal_create(
            actor=p.partner,
            given_names="Sam",
            family_name=lead.last_name,
            date_of_birth=date(1990, 1, 1),
        )
        nominal.lead_professional = lead
        nominal.save()
        CohortMembership.objects.create(
            nominal=nominal, panel=panel, referred_on=today - timedelta(days=400), **membership
        )

    led_by(on_cohort, p.panel, status="active", start=today - timedelta(days=300))
    led_by(elsewhere, other_panel, status="active", start=today - timedelta(days=300))
    led_by(only_referred, p.panel, status="referred")
    led_by(
        left_long_ago,
        p.panel,
        status="exited",
        start=today - timedelta(days=390),
        end=today - timedelta(days=200),
    )

    assert lead_choices(p.coordinator, p.panel, Filter()) == [on_cohort]
    # As at a month when the leaver was still on the cohort, they are offered too.
    then = (today - timedelta(days=300)).replace(day=1)
    assert lead_choices(p.coordinator, p.panel, Filter(month=then)) == [left_long_ago, on_cohort]

    body = client_for(p.coordinator).get(reverse("cohorts:cohort", args=[p.panel.pk]))
    select = body.content.decode().split('name="lead"')[1].split("</select>")[0]
    assert "Oncohort" in select
    assert "Elsewhere" not in select and "Referredonly" not in select
    assert "Leftlongago" not in select
    # Only the lead professionals' agencies are offered to filter by.
    agencies = body.content.decode().split('name="agency"')[1].split("</select>")[0]
    assert "Probation" in agencies and "Housing" not in agencies
