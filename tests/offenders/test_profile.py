"""The nominal's profile: purpose of access first, one access-log row per read, the
"known elsewhere" rule, the RAG chart's table, the timeline filters, history and viewers."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, AccessOutcome, Role
from offenders.models import (
    CaseEvent,
    CustodyEpisode,
    Identifier,
    Nominal,
    Offence,
    RiskScore,
)
from offenders.services import event_add, nominal_update
from offenders.views.profile import PURPOSES_KEY
from panels.models import CohortMembership, LeadPanel, RagReview
from tests.factories import make_nominal, make_panel, make_user

pytestmark = pytest.mark.django_db

NAME = ("Zebedee", "Quarrington")


def on_cohort(p, **fields):
    """A council record on the IOM panel's cohort, so probation (bob) can see it."""
    return make_nominal(
        p.coordinator, given_names=NAME[0], family_name=NAME[1], on_panel=p.panel, **fields
    )


def profile_url(nominal, **query):
    url = reverse("offenders:profile", args=[nominal.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def with_purpose(client, nominal, purpose="case_management"):
    response = client.post(reverse("offenders:purpose", args=[nominal.pk]), {"purpose": purpose})
    assert response.status_code == 302
    return client


def reads(nominal, user=None, outcome=AccessOutcome.ALLOWED):
    rows = AccessLog.objects.filter(
        object_type="offenders.nominal", object_id=str(nominal.pk), outcome=outcome
    )
    return rows.filter(user=user) if user else rows


def section(body, start_id, end_id):
    return body[body.index(f'id="{start_id}"') : body.index(f'id="{end_id}"')]


def test_profile_asks_why_before_showing_anything_about_the_person(partnership, client_for):
    nominal = on_cohort(partnership)
    response = client_for(partnership.member_partner).get(profile_url(nominal))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Why are you opening this record?" in body
    assert NAME[0] not in body and NAME[1].upper() not in body.upper()
    assert "1990" not in body
    for label in ("Panel preparation", "Case management", "Safeguarding", "Enforcement"):
        assert label in body
    assert not reads(nominal).exists()


def test_choosing_a_purpose_opens_the_profile_and_is_remembered_for_the_day(
    partnership, client_for
):
    nominal = on_cohort(partnership)
    client = client_for(partnership.member_partner)
    response = client.post(
        reverse("offenders:purpose", args=[nominal.pk]), {"purpose": "safeguarding"}
    )
    assert response["Location"] == profile_url(nominal)
    first = client.get(profile_url(nominal)).content.decode()
    second = client.get(profile_url(nominal)).content.decode()
    assert NAME[0] in first and NAME[0] in second
    assert "Why are you opening this record?" not in second
    assert client.session[PURPOSES_KEY][str(nominal.pk)] == [
        "safeguarding",
        timezone.localdate().isoformat(),
    ]


def test_a_purpose_given_yesterday_is_asked_for_again(partnership, client_for):
    nominal = on_cohort(partnership)
    client = client_for(partnership.member_partner)
    session = client.session
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    session[PURPOSES_KEY] = {str(nominal.pk): ["case_management", yesterday]}
    session.save()
    body = client.get(profile_url(nominal)).content.decode()
    assert "Why are you opening this record?" in body
    assert NAME[0] not in body


def test_an_unknown_purpose_is_refused_and_not_remembered(partnership, client_for):
    nominal = on_cohort(partnership)
    client = client_for(partnership.member_partner)
    response = client.post(
        reverse("offenders:purpose", args=[nominal.pk]), {"purpose": "curiosity"}
    )
    assert response.status_code == 400
    assert "Select why you are opening this record" in response.content.decode()
    assert "Why are you opening this record?" in client.get(profile_url(nominal)).content.decode()


def test_each_read_with_a_purpose_writes_exactly_one_access_log_row(partnership, client_for):
    nominal = on_cohort(partnership)
    reader = partnership.member_partner
    client = with_purpose(client_for(reader), nominal, "panel_preparation")
    assert not reads(nominal).exists()
    client.get(profile_url(nominal))
    assert reads(nominal, reader).count() == 1
    client.get(profile_url(nominal, kind="visit"))
    rows = list(reads(nominal, reader))
    assert len(rows) == 2
    assert {row.purpose for row in rows} == {"panel_preparation"}
    assert {row.agency_id for row in rows} == {partnership.probation.pk}


def test_partnership_staff_get_404_for_a_nominal_of_the_outsider_agency(partnership, client_for):
    p = partnership
    theirs = make_nominal(p.outsider_partner, family_name="Elsewhere")
    for user in (p.coordinator, p.member_partner, p.agency_admin):
        client = client_for(user)
        assert client.get(profile_url(theirs)).status_code == 404
        assert (
            client.post(
                reverse("offenders:purpose", args=[theirs.pk]), {"purpose": "safeguarding"}
            ).status_code
            == 404
        )
        assert client.get(reverse("offenders:history", args=[theirs.pk])).status_code == 404
        assert client.get(reverse("offenders:viewers", args=[theirs.pk])).status_code == 404
    assert reads(theirs, p.coordinator, AccessOutcome.DENIED).count() == 4
    assert not reads(theirs).exists()


def test_committee_officer_gets_404_for_any_nominal(partnership, client_for):
    nominal = on_cohort(partnership)
    assert client_for(partnership.committee).get(profile_url(nominal)).status_code == 404


def test_known_elsewhere_names_the_panel_and_its_coordinator_and_nothing_else(
    partnership, client_for
):
    p = partnership
    nominal = on_cohort(p)
    hidden = make_panel(p.outsider, [], name="Elsewhere MAPPA panel", kind="mappa")
    CohortMembership.objects.create(
        nominal=nominal,
        panel=hidden,
        status="active",
        referred_on=date(2025, 2, 1),
        start=date(2025, 2, 14),
    )
    RagReview.objects.create(
        nominal=nominal,
        panel=hidden,
        rag="red",
        reviewed_on=date(2025, 3, 1),
        author=p.outsider_coordinator,
        note="HIDDEN-PANEL-NOTE",
    )
    RagReview.objects.create(
        nominal=nominal,
        panel=p.panel,
        rag="amber",
        reviewed_on=date(2026, 1, 20),
        author=p.coordinator,
    )
    client = with_purpose(client_for(p.member_partner), nominal)
    body = client.get(profile_url(nominal)).content.decode()
    panels = section(body, "panels", "rag")
    assert "Also known to Elsewhere MAPPA panel. Contact Elsewhere Police." in panels
    assert "Test IOM panel" in panels and "Amber" in panels
    assert "govuk-tag--red" not in panels and "14 February 2025" not in panels
    assert "HIDDEN-PANEL-NOTE" not in body
    assert "Elsewhere MAPPA panel" not in section(body, "rag", "needs")


def test_the_agreed_lead_panel_is_marked_on_the_persons_panels(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    LeadPanel.objects.create(nominal=nominal, panel=p.panel, agreed_by=p.coordinator)
    client = with_purpose(client_for(p.member_partner), nominal)
    panels = section(client.get(profile_url(nominal)).content.decode(), "panels", "rag")
    assert 'Test IOM panel</a> <strong class="govuk-tag">Lead panel</strong>' in panels


def test_rag_history_is_a_chart_with_a_table_alternative(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    for rag, day in (
        ("red", date(2025, 9, 1)),
        ("amber", date(2025, 10, 1)),
        ("green", date(2025, 11, 3)),
    ):
        RagReview.objects.create(
            nominal=nominal, panel=p.panel, rag=rag, reviewed_on=day, author=p.coordinator
        )
    client = with_purpose(client_for(p.member_partner), nominal)
    rag = section(client.get(profile_url(nominal)).content.decode(), "rag", "needs")
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in rag
    assert "<title" in rag and "latest Green" in rag
    assert rag.count("<circle") == 3
    assert "the chart as a table" in rag
    table = rag[rag.index("<table") :]
    assert (
        table.index("1 September 2025")
        < table.index("1 October 2025")
        < table.index("3 November 2025")
    )
    assert "govuk-tag--red" in table and "govuk-tag--green" in table


def test_needs_list_every_pathway_with_not_assessed_where_none_is_recorded(partnership, client_for):
    from offenders.services import need_set

    p = partnership
    nominal = on_cohort(p)
    need_set(
        actor=p.coordinator,
        nominal=nominal,
        pathway="accommodation",
        level="high",
        note="Sofa surfing",
        on=date(2026, 1, 10),
    )
    client = with_purpose(client_for(p.member_partner), nominal)
    needs = section(client.get(profile_url(nominal)).content.decode(), "needs", "custody")
    assert "Sofa surfing" in needs and "govuk-tag--red" in needs
    assert needs.count("Not assessed") == 9
    assert "Women involved in prostitution" in needs


def test_timeline_filters_by_agency_and_by_kind(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    event_add(
        actor=p.coordinator,
        nominal=nominal,
        kind="visit",
        occurred_on=date(2026, 1, 5),
        summary="HOME-VISIT-BY-COUNCIL",
    )
    event_add(
        actor=p.member_partner,
        nominal=nominal,
        kind="arrest",
        occurred_on=date(2026, 1, 9),
        summary="ARREST-NOTED-BY-PROBATION",
    )
    client = with_purpose(client_for(p.member_partner), nominal)

    def timeline(**query):
        body = client.get(profile_url(nominal, **query)).content.decode()
        return body[body.index('id="timeline"') :]

    everything = timeline()
    assert "moj-timeline__item" in everything
    assert "HOME-VISIT-BY-COUNCIL" in everything and "ARREST-NOTED-BY-PROBATION" in everything
    by_probation = timeline(agency=p.probation.pk)
    assert "ARREST-NOTED-BY-PROBATION" in by_probation
    assert "HOME-VISIT-BY-COUNCIL" not in by_probation
    visits = timeline(kind="visit")
    assert "HOME-VISIT-BY-COUNCIL" in visits and "ARREST-NOTED-BY-PROBATION" not in visits
    assert "Clear filters" in visits
    # A made-up kind is ignored rather than failing.
    assert "ARREST-NOTED-BY-PROBATION" in timeline(kind="nonsense")


def test_custody_and_enforcement_and_flags_are_shown(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    CustodyEpisode.objects.create(
        nominal=nominal,
        entered_on=date(2025, 4, 1),
        released_on=date(2025, 8, 1),
        reason="sentence",
        establishment="HMP Example",
        recorded_by_agency=p.probation,
    )
    Offence.objects.create(
        nominal=nominal,
        offence_type="burglary",
        committed_on=date(2025, 3, 1),
        recorded_by_agency=p.police,
    )
    RiskScore.objects.create(
        nominal=nominal,
        ogrs_percent=62,
        rosh_level="medium",
        assessed_on=date(2025, 9, 1),
        recorded_by_agency=p.probation,
    )
    event_add(
        actor=p.member_partner,
        nominal=nominal,
        kind="recall",
        occurred_on=date(2025, 12, 1),
        summary="Recalled after missed appointments",
    )
    # Recorded a year ago, with a recall but no visit or treatment since: not engaged.
    Nominal.objects.filter(pk=nominal.pk).update(created_at=timezone.now() - timedelta(days=365))
    client = with_purpose(client_for(p.member_partner), nominal)
    body = client.get(profile_url(nominal)).content.decode()
    custody = section(body, "custody", "timeline")
    assert "HMP Example" in custody and "Burglary" in custody
    assert "Recalled after missed appointments" in custody
    flags = section(body, "flags", "identity")
    assert "In IOM scope" in flags and "OGRS 62% with a robbery or burglary offence" in flags
    assert "Not engaged for 6 months or more" in flags
    assert '<abbr title="Integrated Offender Management">IOM</abbr>' in body


def test_merged_away_record_redirects_to_the_survivor(partnership, client_for):
    p = partnership
    survivor = on_cohort(p)
    duplicate = make_nominal(p.coordinator, given_names="Zebedy", on_panel=p.panel)
    Nominal.objects.filter(pk=duplicate.pk).update(merged_into=survivor)
    response = client_for(p.member_partner).get(profile_url(duplicate))
    assert response.status_code == 302
    assert response["Location"] == profile_url(survivor)


def test_profile_queries_do_not_grow_with_events_identifiers_and_panels(
    partnership, client_for, django_assert_max_num_queries
):
    p = partnership
    nominal = on_cohort(p)
    event_add(
        actor=p.coordinator,
        nominal=nominal,
        kind="visit",
        occurred_on=date(2026, 1, 2),
        summary="x",
    )
    Identifier.objects.create(
        nominal=nominal, kind="local", value="L-0", recorded_by_agency=p.council
    )
    client = with_purpose(client_for(p.member_partner), nominal)
    client.get(profile_url(nominal))  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(profile_url(nominal)).status_code == 200

    for i in range(30):
        CaseEvent.objects.create(
            nominal=nominal,
            kind=["visit", "arrest", "note"][i % 3],
            occurred_on=date(2025, 1, 1) + timedelta(days=i),
            summary=f"Event {i}",
            agency=[p.council, p.probation, p.police][i % 3],
            author=[p.coordinator, p.member_partner, p.partner][i % 3],
        )
        Identifier.objects.create(
            nominal=nominal, kind="local", value=f"L-{i + 1}", recorded_by_agency=p.probation
        )
        Offence.objects.create(nominal=nominal, offence_type="theft", recorded_by_agency=p.police)
    for i in range(5):
        panel = make_panel(p.council if i % 2 else p.outsider, [p.probation], name=f"Panel {i}")
        CohortMembership.objects.create(
            nominal=nominal, panel=panel, status="active", referred_on=date(2025, 1, 1)
        )
        RagReview.objects.create(
            nominal=nominal,
            panel=p.panel,
            rag="amber",
            reviewed_on=date(2025, 2, 1) + timedelta(days=i),
            author=p.coordinator,
        )
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(profile_url(nominal))
    assert response.content.decode().count("moj-timeline__item") == 31


def test_history_shows_who_changed_what(partnership, client_for):
    p = partnership
    nominal = make_nominal(p.coordinator, family_name="Smith", on_panel=p.panel)
    nominal_update(
        actor=p.coordinator,
        nominal=nominal,
        version=nominal.version,
        changes={"family_name": "Smyth"},
    )
    response = client_for(p.member_partner).get(reverse("offenders:history", args=[nominal.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    # The audit trail says which field changed, never the values (they would outlive a
    # deletion of the record: the trail is append-only).
    assert "Family name changed" in body
    assert "Smith" not in body
    assert p.coordinator.get_full_name() in body and "Council CST" in body
    assert "Created a nominal" in body
    assert reads(nominal, p.member_partner).count() == 1


def test_who_has_viewed_this_is_for_governance_leads_only(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    reader = with_purpose(client_for(p.member_partner), nominal, "enforcement")
    reader.get(profile_url(nominal))
    url = reverse("offenders:viewers", args=[nominal.pk])

    # The governance lead reaches the log by record number without seeing the record.
    response = client_for(p.governance_lead).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert p.member_partner.get_full_name() in body
    assert "Probation" in body and "Enforcement" in body
    assert nominal.family_name not in body
    assert f'href="{profile_url(nominal)}"' not in body
    assert client_for(p.governance_lead).get(profile_url(nominal)).status_code == 404

    assert client_for(p.partner).get(url).status_code == 403
    assert client_for(p.coordinator).get(url).status_code == 403
    assert reads(nominal, p.partner, AccessOutcome.DENIED).count() == 1
    # Agency administrators do no casework: the record is not theirs to know of.
    assert client_for(p.agency_admin).get(url).status_code == 404
    assert client_for(p.outsider_admin).get(url).status_code == 404


def test_a_governance_lead_sees_no_viewers_of_records_unrelated_to_their_agency(
    partnership, client_for
):
    p = partnership
    elsewhere = make_nominal(p.outsider_partner, given_names="Quentin")
    lead = make_user(p.outsider, Role.GOVERNANCE_LEAD, username="olga")
    url = reverse("offenders:viewers", args=[elsewhere.pk])
    assert client_for(p.governance_lead).get(url).status_code == 404
    assert reads(elsewhere, p.governance_lead, AccessOutcome.DENIED).count() == 1
    assert client_for(lead).get(url).status_code == 200


def test_a_governance_lead_finds_the_viewers_page_by_record_number(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    find = reverse("offenders:viewers-find")
    client = client_for(p.governance_lead)
    assert client.get(find).status_code == 200
    response = client.get(find, {"record": str(nominal.pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("offenders:viewers", args=[nominal.pk])
    refused = client.get(find, {"record": "12a"})
    assert refused.status_code == 200
    assert "Enter the record number in digits" in refused.content.decode()
    assert client_for(p.agency_admin).get(find).status_code == 403
    assert client_for(p.coordinator).get(find).status_code == 403


def test_viewers_include_reads_of_records_merged_into_this_one(partnership, client_for):
    p = partnership
    survivor = on_cohort(p)
    duplicate = make_nominal(p.coordinator, given_names="Zebedy", on_panel=p.panel)
    with_purpose(client_for(p.member_partner), duplicate).get(profile_url(duplicate))
    Nominal.objects.filter(pk=duplicate.pk).update(merged_into=survivor)
    body = (
        client_for(p.governance_lead)
        .get(reverse("offenders:viewers", args=[survivor.pk]))
        .content.decode()
    )
    assert f"/nominals/{duplicate.pk}/" in body
