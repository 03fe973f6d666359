"""The agenda pack PDF: what it holds, for whom, and that every person in it is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessLog, Purpose
from meetings.models import CaseAction
from meetings.pack import agenda_pack_contents, render_agenda_pack
from offenders.services import need_set
from tests.factories import make_nominal
from tests.panels.agenda_helpers import (
    meeting_on,
    member,
    on_agenda,
    pdf_text,
    review,
    today,
    visit,
)


@pytest.fixture
def meeting(partnership):
    return meeting_on(partnership.panel, today() + timedelta(days=14), location="Civic Centre")


@pytest.fixture
def people(partnership, meeting):
    """Two people on the agenda everyone on the panel sees, and one (whose referral was
    declined after the agenda was drawn up) whom only the council sees."""
    p = partnership
    seen = member(p.coordinator, p.panel, "Ashworth", given_names="Jordan")
    review(seen, p.panel, "red", today() - timedelta(days=10), p.coordinator)
    visit(seen, today() - timedelta(days=12), p.member_partner)
    need_set(
        actor=p.coordinator,
        nominal=seen,
        pathway="accommodation",
        level="high",
        note="Sofa surfing",
        on=today(),
    )
    CaseAction.objects.create(
        panel=p.panel,
        nominal=seen,
        description="Refer to the housing options team",
        owner_agency=p.probation,
        due=today() + timedelta(days=7),
    )
    second = member(p.coordinator, p.panel, "Brightwell", given_names="Casey")
    hidden = member(p.coordinator, p.panel, "Hiddenfield", given_names="Robin", status="declined")
    on_agenda(meeting, seen, position=1, reason="red_rag", reason_detail="Red since last month")
    on_agenda(meeting, hidden, position=2, reason="other", reason_detail="Hiddenfield detail")
    on_agenda(meeting, second, position=3, reason="review_due")
    return seen, second, hidden


def download(client, meeting):
    return client.get(f"/panels/meetings/{meeting.pk}/agenda/pack.pdf")


def test_coordinator_downloads_the_pack_with_a_page_for_everyone(
    partnership, client_for, meeting, people
):
    p = partnership
    seen, second, hidden = people
    response = download(client_for(p.coordinator), meeting)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="agenda-pack-test-iom-panel-main-panel-{meeting.date:%Y-%m-%d}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]  # personal data: never cached
    text = pdf_text(response.content)
    assert "Test IOM panel" in text
    assert "Attendance" in text and "Probation" in text and "Housing" in text
    assert "Jordan ASHWORTH" in text and "Casey BRIGHTWELL" in text
    assert "Robin HIDDENFIELD" in text  # the council sees its own record
    assert "Red since last month" in text
    # Jordan's page: RAG, needs, timeline and open actions.
    assert "Sofa surfing" in text
    assert "Home visit" in text
    assert "Refer to the housing options team" in text
    assert "OFFICIAL-SENSITIVE" in text
    logged = AccessLog.objects.filter(
        user=p.coordinator, object_type="offenders.nominal", purpose=Purpose.PANEL_PREPARATION
    )
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(
        str(person.pk) for person in people
    )


def test_a_member_agency_gets_the_pack_once_shared_without_people_it_may_not_see(
    partnership, client_for, meeting, people
):
    p = partnership
    seen, second, hidden = people
    client = client_for(p.member_partner)
    assert download(client, meeting).status_code == 403

    meeting.agenda_shared_on = timezone.now()
    meeting.save()
    response = download(client, meeting)

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Jordan ASHWORTH" in text and "Casey BRIGHTWELL" in text
    assert "HIDDENFIELD" not in text and "Hiddenfield detail" not in text
    assert "Known to this panel; contact the coordinator (Council CST)" in text
    logged = AccessLog.objects.filter(
        user=p.member_partner, object_type="offenders.nominal", outcome="allowed"
    ).values_list("object_id", flat=True)
    assert sorted(logged) == sorted([str(seen.pk), str(second.pk)])


@pytest.mark.parametrize("persona", ["unsigned_partner", "outsider_partner", "committee"])
def test_those_who_do_not_see_the_panel_get_404_for_the_pack(
    partnership, client_for, meeting, people, persona
):
    assert download(client_for(getattr(partnership, persona)), meeting).status_code == 404


def test_the_packs_contents_before_drawing(partnership, meeting, people):
    p = partnership
    seen, second, hidden = people
    meeting.agenda_shared_on = timezone.now()
    pack = agenda_pack_contents(p.member_partner, meeting, today=today())
    assert pack.items == []  # the items are read afresh: not shared yet
    meeting.save()
    pack = agenda_pack_contents(p.member_partner, meeting, today=today())
    assert [item.position for item in pack.items] == [1, 2, 3]
    assert [item.summary is None for item in pack.items] == [False, True, False]
    summary = pack.items[0].summary
    assert summary.current_rag.rag == "red"
    assert [need.get_pathway_display() for need in summary.needs] == ["Accommodation"]
    assert [action.description for action in summary.actions] == [
        "Refer to the housing options team"
    ]
    assert summary.flags.last_engagement == today() - timedelta(days=12)
    assert pack.included == [seen.pk, second.pk]
    assert [a.name for a in pack.agencies] == [
        "Borough Police",
        "Council CST",
        "Housing",
        "Probation",
    ]


def test_text_that_looks_like_markup_is_printed_as_written(partnership, meeting):
    p = partnership
    odd = make_nominal(
        p.coordinator, given_names="<b>Lee</b>", family_name="O'Brien & Sons", on_panel=p.panel
    )
    on_agenda(meeting, odd, reason="other", reason_detail="Said <font size=40>this</font>")
    text = pdf_text(render_agenda_pack(agenda_pack_contents(p.coordinator, meeting, today=today())))
    assert "<b>Lee</b> O'BRIEN & SONS" in text
    assert "Said <font size=40>this</font>" in text


def test_a_pack_with_an_empty_agenda_says_so(partnership, client_for, meeting):
    text = pdf_text(download(client_for(partnership.coordinator), meeting).content)
    assert "Nobody is on the agenda yet." in text
