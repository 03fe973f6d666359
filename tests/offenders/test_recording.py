"""Recording offences, custody and risk assessments in pages and the API, the timeline
events they write, the flags they change, and the case actions on the profile."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Verb
from meetings.models import CaseAction
from offenders.models import CaseEvent, CustodyEpisode, EventKind, Offence, RiskScore
from panels.models import PanelKind
from tests.factories import make_nominal, make_panel
from tests.form_errors import assert_shown_everywhere, errors_shown

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def on_cohort(p):
    return make_nominal(p.coordinator, given_names="Mina", family_name="Castell", on_panel=p.panel)


def client_with_purpose(client, nominal):
    client.post(reverse("offenders:purpose", args=[nominal.pk]), {"purpose": "case_management"})
    return client


def day_fields(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def profile(client, nominal) -> str:
    return client.get(reverse("offenders:profile", args=[nominal.pk])).content.decode()


# --- Offences -------------------------------------------------------------------------------


def test_a_partner_records_an_offence_and_it_joins_the_timeline(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = client_with_purpose(client_for(p.member_partner), nominal)
    url = reverse("offenders:offence-create", args=[nominal.pk])
    response = client.post(
        url,
        {
            "offence_type": "burglary",
            "outcome": "Charged",
            **day_fields("committed_on", date(2026, 3, 2)),
        },
    )
    assert response.status_code == 302
    offence = Offence.objects.get(nominal=nominal)
    assert (offence.offence_type, offence.outcome, offence.recorded_by_agency) == (
        "burglary",
        "Charged",
        p.probation,
    )
    event = CaseEvent.objects.get(nominal=nominal, kind=EventKind.OFFENCE)
    assert event.summary == "Burglary. Outcome: Charged" and event.agency == p.probation
    assert AuditEvent.objects.filter(verb=Verb.OFFENCE_ADDED, object_id=str(nominal.pk)).exists()
    page = profile(client, nominal)
    assert "Offence recorded" in page and "Charged" in page


def test_an_offence_form_shows_every_error_at_once(partnership, client_for):
    nominal = on_cohort(partnership)
    client = client_with_purpose(client_for(partnership.coordinator), nominal)
    response = client.post(
        reverse("offenders:offence-create", args=[nominal.pk]),
        {"outcome": "x" * 201, **day_fields("committed_on", TODAY() + timedelta(days=3))},
    )
    text = response.content.decode()
    assert "Choose the type of offence" in text
    assert "Outcome must be 200 characters or fewer" in text
    assert "govuk-error-summary" in text
    assert not Offence.objects.exists()


# --- Custody --------------------------------------------------------------------------------


def test_custody_is_recorded_released_and_never_overlaps(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = client_with_purpose(client_for(p.coordinator), nominal)
    create = reverse("offenders:custody-create", args=[nominal.pk])
    entered = TODAY() - timedelta(days=40)
    client.post(
        create,
        {"reason": "remand", "establishment": "HMP Kingsmere", **day_fields("entered_on", entered)},
    )
    episode = CustodyEpisode.objects.get(nominal=nominal)
    assert episode.released_on is None
    assert "In custody" in profile(client, nominal)

    # A second episode while the first is open is refused, and says why.
    again = client.post(create, {"reason": "sentence", **day_fields("entered_on", TODAY())})
    assert "Record that release first" in again.content.decode()
    assert CustodyEpisode.objects.filter(nominal=nominal).count() == 1

    release = reverse("offenders:custody-release", args=[nominal.pk])
    early = client.post(release, day_fields("released_on", entered - timedelta(days=1)))
    assert "on or after the date custody began" in early.content.decode()
    client.post(release, day_fields("released_on", TODAY() - timedelta(days=2)))
    episode.refresh_from_db()
    assert episode.released_on == TODAY() - timedelta(days=2)
    kinds = set(CaseEvent.objects.filter(nominal=nominal).values_list("kind", flat=True))
    assert {EventKind.CUSTODY, EventKind.RELEASE} <= kinds
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {Verb.CUSTODY_ADDED, Verb.CUSTODY_RELEASED} <= verbs


def test_a_sentence_links_only_to_the_persons_own_offences(partnership, client_for):
    p = partnership
    nominal, other = on_cohort(p), make_nominal(p.coordinator, family_name="Other")
    theirs = Offence.objects.create(
        nominal=other, offence_type="theft", recorded_by_agency=p.council
    )
    client = client_with_purpose(client_for(p.coordinator), nominal)
    response = client.post(
        reverse("offenders:custody-create", args=[nominal.pk]),
        {"reason": "sentence", "offence": str(theirs.pk), **day_fields("entered_on", TODAY())},
    )
    assert "Select one of this person" in response.content.decode()
    assert not CustodyEpisode.objects.filter(nominal=nominal).exists()


def test_a_person_not_in_custody_has_no_release_to_record(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = client_with_purpose(client_for(p.coordinator), nominal)
    url = reverse("offenders:custody-release", args=[nominal.pk])
    page = client.get(url).content.decode()
    assert "does not show this person in custody" in page
    client.post(url, day_fields("released_on", TODAY()))
    assert not CaseEvent.objects.filter(nominal=nominal, kind=EventKind.RELEASE).exists()


# --- Risk and the flags it changes ----------------------------------------------------------


def test_a_risk_assessment_brings_the_person_into_iom_scope(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = client_with_purpose(client_for(p.member_partner), nominal)
    before = profile(client, nominal)
    assert "OGRS not recorded" in before
    assert "Outside IOM scope" not in before

    client.post(
        reverse("offenders:risk-create", args=[nominal.pk]),
        {
            "ogrs_percent": "81",
            "rosh_level": "high",
            "source": "OASys",
            **day_fields("assessed_on", TODAY()),
        },
    )
    score = RiskScore.objects.get(nominal=nominal)
    assert (score.ogrs_percent, score.rosh_level) == (81, "high")
    after = profile(client, nominal)
    assert "In IOM scope" in after and "OGRS 81% (75% or more)" in after
    assert CaseEvent.objects.get(nominal=nominal, kind=EventKind.RISK_ASSESSMENT).summary == (
        "OGRS 81%, RoSH high (OASys)"
    )


def test_a_risk_assessment_needs_a_score_or_a_level_in_range(partnership, client_for):
    nominal = on_cohort(partnership)
    client = client_with_purpose(client_for(partnership.coordinator), nominal)
    url = reverse("offenders:risk-create", args=[nominal.pk])
    empty = client.post(url, {"source": "OASys", **day_fields("assessed_on", TODAY())})
    assert "Enter the OGRS score, the RoSH level, or both" in empty.content.decode()
    too_high = client.post(
        url, {"ogrs_percent": "101", "source": "OASys", **day_fields("assessed_on", TODAY())}
    )
    assert "The OGRS score must be between 0 and 100" in too_high.content.decode()
    assert not RiskScore.objects.exists()


def test_the_tracker_reads_ogrs_not_recorded_rather_than_outside_scope(partnership, client_for):
    p = partnership
    on_cohort(p)
    page = (
        client_for(p.coordinator).get(reverse("cohorts:cohort", args=[p.panel.pk])).content.decode()
    )
    assert "OGRS not recorded" in page
    assert "Outside IOM scope" not in page


def test_nobody_reads_as_engaged_without_a_visit_or_treatment(partnership, client_for):
    nominal = on_cohort(partnership)
    page = profile(client_with_purpose(client_for(partnership.coordinator), nominal), nominal)
    assert "No visit or treatment recorded yet" in page
    assert "Engaged in the last 3 months" not in page


# --- Case actions on the profile ------------------------------------------------------------


def test_the_profile_lists_case_actions_open_first_and_only_from_panels_the_reader_sees(
    partnership, client_for
):
    p = partnership
    nominal = on_cohort(p)
    # The council's SGV panel, which probation is not a member of.
    hidden = make_panel(p.council, [], name="Council SGV panel", kind=PanelKind.SGV)

    def action(panel, text, due, status="open"):
        return CaseAction.objects.create(
            panel=panel,
            nominal=nominal,
            description=text,
            owner_agency=p.probation,
            due=due,
            status=status,
        )

    action(p.panel, "Done home visit", TODAY() - timedelta(days=30), status="done")
    action(p.panel, "Book a housing assessment", TODAY() + timedelta(days=9))
    action(p.panel, "Chase the GP letter", TODAY() - timedelta(days=2))
    action(hidden, "Gang disruption visit", TODAY())

    page = profile(client_with_purpose(client_for(p.member_partner), nominal), nominal)
    section = page.split('id="case-actions"')[1].split("</table>")[0]
    assert section.index("Chase the GP letter") < section.index("Book a housing assessment")
    assert section.index("Book a housing assessment") < section.index("Done home visit")
    assert "Overdue" in section
    assert "Gang disruption visit" not in page
    # The panel's coordinator, who runs both panels, sees all four.
    coordinator_page = profile(client_with_purpose(client_for(p.coordinator), nominal), nominal)
    assert "Gang disruption visit" in coordinator_page


# --- The API --------------------------------------------------------------------------------


def test_the_api_records_offences_custody_and_risk(partnership, client_for):
    p = partnership
    nominal = on_cohort(p)
    client = client_for(p.member_partner)
    base = f"/api/v1/nominals/{nominal.pk}"
    offence = client.post(
        f"{base}/offences/",
        {"offence_type": "robbery", "committed_on": "2026-01-04"},
        "application/json",
    )
    assert offence.status_code == 201, offence.content
    custody = client.post(
        f"{base}/custody/",
        {"reason": "sentence", "entered_on": "2026-02-01", "offence": offence.json()["id"]},
        "application/json",
    )
    assert custody.status_code == 201, custody.content
    assert CustodyEpisode.objects.get(nominal=nominal).offence_id == offence.json()["id"]
    risk = client.post(
        f"{base}/risk-scores/",
        {"ogrs_percent": 60, "assessed_on": "2026-02-10"},
        "application/json",
    )
    assert risk.status_code == 201, risk.content
    assert risk.json()["recorded_by"] == "probation"


def test_the_api_refuses_bad_values_with_field_errors(partnership, client_for):
    nominal = on_cohort(partnership)
    client = client_for(partnership.coordinator)
    base = f"/api/v1/nominals/{nominal.pk}"
    future = (TODAY() + timedelta(days=1)).isoformat()
    response = client.post(
        f"{base}/offences/", {"offence_type": "theft", "committed_on": future}, "application/json"
    )
    assert response.status_code == 400 and "committed_on" in response.json()
    response = client.post(
        f"{base}/risk-scores/",
        {"ogrs_percent": 140, "assessed_on": "2026-01-01"},
        "application/json",
    )
    assert response.status_code == 400 and "ogrs_percent" in response.json()
    response = client.post(
        f"{base}/custody/", {"reason": "remand", "entered_on": "0999-03-04"}, "application/json"
    )
    assert response.status_code == 400 and "entered_on" in response.json()
    assert not Offence.objects.exists() and not RiskScore.objects.exists()


def test_the_api_hides_records_from_other_agencies_and_refuses_non_casework(
    partnership, client_for
):
    p = partnership
    nominal = on_cohort(p)
    url = f"/api/v1/nominals/{nominal.pk}/offences/"
    body = {"offence_type": "theft"}
    assert client_for(p.outsider_partner).post(url, body, "application/json").status_code == 404
    assert client_for(p.committee).post(url, body, "application/json").status_code == 403
    assert not Offence.objects.exists()


def test_timeline_kinds_written_by_their_records_cannot_be_typed_in(partnership, client_for):
    nominal = on_cohort(partnership)
    response = client_for(partnership.coordinator).post(
        f"/api/v1/nominals/{nominal.pk}/events/",
        {"kind": "custody", "occurred_on": "2026-01-01", "summary": "Went in"},
        "application/json",
    )
    assert response.status_code == 400
    assert not CaseEvent.objects.filter(kind=EventKind.CUSTODY).exists()


def test_custody_names_a_missing_reason_and_a_release_before_it_began_at_once(
    partnership, client_for
):
    p = partnership
    nominal = on_cohort(p)
    client = client_with_purpose(client_for(p.coordinator), nominal)
    entered = TODAY() - timedelta(days=10)
    response = client.post(
        reverse("offenders:custody-create", args=[nominal.pk]),
        {
            "establishment": "HMP Kingsmere",
            **day_fields("entered_on", entered),
            **day_fields("released_on", entered - timedelta(days=3)),
        },
    )

    assert response.status_code == 200
    assert_shown_everywhere(
        errors_shown(response.content),
        {
            "id_reason": "Select why they went into custody",
            "id_released_on": "The date of release must be on or after the date custody began",
        },
    )
    assert "HMP Kingsmere" in response.content.decode()
    assert not CustodyEpisode.objects.filter(nominal=nominal).exists()
