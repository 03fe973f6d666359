"""The demo loader builds Kingsmere's partnership, can be re-run, and says how to sign in."""

import io

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticToken

from accounts.models import Agency, AuditEvent, User
from panels.models import Panel
from sharing.models import InformationSharingAgreement

pytestmark = pytest.mark.django_db


def counts():
    return (
        Agency.objects.count(),
        Panel.objects.count(),
        InformationSharingAgreement.objects.count(),
        User.objects.count(),
    )


def test_seed_demo_is_idempotent_and_prints_a_way_through_the_second_factor():
    first = io.StringIO()
    call_command("seed_demo", stdout=first)
    after_first = counts()
    audit_rows = AuditEvent.objects.count()

    second = io.StringIO()
    call_command("seed_demo", stdout=second)

    assert counts() == after_first == (9, 5, 4, 14)
    assert AuditEvent.objects.count() == audit_rows  # nothing re-created
    text = second.getvalue()
    assert "kingsmere-demo-password" in text
    code = text.split("backup codes: ")[1].split()[0]
    assert StaticToken.objects.filter(token=code).exists()
    # Ten backup codes per account, each of which works once.
    first_row = text.split("backup codes: ")[1].split("set-up key")[0].split()
    assert len(first_row) == 10
    assert StaticToken.objects.filter(device__user__username="coordinator").count() == 10


def test_demo_code_prints_a_code_that_signs_in_and_refuses_other_accounts():
    from django.core.management.base import CommandError
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import make_agency, make_user

    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_code", "coordinator", stdout=out)
    device = TOTPDevice.objects.get(user__username="coordinator")
    assert device.verify_token(out.getvalue().strip())

    # An account the demo did not create is never answered, even with a demo username.
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_code", "alice", stdout=io.StringIO())
    User.objects.filter(username="committee").update(email="ruth@kingsmere.gov.uk")
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_code", "committee", stdout=io.StringIO())
    make_user(make_agency("real"), username="realperson")
    with pytest.raises(CommandError):
        call_command("demo_code", "realperson", stdout=io.StringIO())


def test_demo_roles_see_what_the_readme_says():
    call_command("seed_demo", stdout=io.StringIO())

    def kinds(username):
        user = User.objects.get(username=username)
        return sorted(Panel.objects.visible_to(user).values_list("kind", flat=True))

    assert kinds("coordinator") == ["asb_marac", "dip", "iom", "mappa", "sgv"]
    assert kinds("drugs") == ["dip", "iom"]
    assert kinds("health") == []
    assert kinds("committee") == []


def test_demo_people_are_on_their_panels_and_seen_by_the_right_partners():
    from demo.history import history_nominals
    from offenders.models import Nominal

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    history = history_nominals().count()
    assert history >= 100  # the panels' history, beside the named people
    assert Nominal.objects.count() == 10 + history  # with one person recorded twice

    def seen(username):
        return Nominal.objects.visible_to(User.objects.get(username=username)).count()

    # Coordinates or sits on every panel; the police's record of the person recorded twice
    # is on no panel, so only the police see it until the records are merged.
    assert seen("coordinator") == 9 + history
    assert seen("health") == 0  # no signed agreement yet
    assert seen("committee") == 0


def test_demo_iom_panel_has_a_held_meeting_and_a_shared_agenda_ahead():
    from django.utils import timezone

    from meetings.models import AgendaItem, CaseAction, Meeting, MeetingStatus
    from panels.models import RagReview

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    iom = Panel.objects.get(kind="iom")
    # Last month's main panel, minuted by hand; the history's meetings are held by its rules.
    held = Meeting.objects.get(panel=iom, status=MeetingStatus.HELD, rule__isnull=True)
    assert held.minutes_published_on is not None
    assert RagReview.objects.filter(meeting=held).count() == 3
    probation = User.objects.get(username="probation")
    # Partners see their agency's actions from the panel on their dashboard.
    assert CaseAction.objects.visible_to(probation).filter(owner_agency=probation.agency).exists()
    ahead = Meeting.objects.filter(
        panel=iom, agenda_shared_on__isnull=False, date__gt=timezone.localdate()
    ).get()
    assert AgendaItem.objects.filter(meeting=ahead).count() >= 3
    assert AgendaItem.objects.visible_to(probation).filter(meeting=ahead).exists()


def test_demo_history_gives_last_financial_year_a_report_worth_reading():
    """The committee officer's report on last financial year, against the year before, has
    Kingsmere's numbers above the small-number threshold, as the committee papers do."""
    from django.utils import timezone

    from offenders.models import OffenceType
    from reporting.figures.compute import compute_figures
    from reporting.figures.scope import Scope
    from reporting.figures.suppression import present
    from reporting.models import Target, UnitCost
    from reporting.periods import last_complete_financial_year

    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    year = last_complete_financial_year(today)

    def report(kind):
        panels = tuple(Panel.objects.filter(kind=kind).values_list("pk", flat=True))
        figures = compute_figures(Scope(year, panels, today), Scope(year.previous(), panels, today))
        return present(figures, 5)

    iom = report("iom")
    headline = {item["key"]: item for item in iom["headline"]}
    assert headline["cohort_size"]["value"] >= 50
    assert headline["rag_reviews"]["value"] >= 300
    assert 0 < headline["rag_green"]["value"] < headline["rag_reviews"]["value"] / 2
    assert headline["cases_discussed"]["value"] >= 300
    assert headline["escalations"]["value"] >= 50
    assert 60 <= headline["not_entering_custody"]["value"] <= 90
    assert headline["cohort_at_end"]["target"] is not None
    for key in ("cohort_size", "rag_reviews", "arrests", "female_share", "cost_before"):
        assert not headline[key]["suppressed"], key
        assert not headline[key]["previous"]["suppressed"], key
    tables = {table["key"]: table for table in iom["tables"]}
    assert tables["action_plan"]["rows"], "the action plan runs in the report's year"

    dip = report("dip")
    treatment = next(table for table in dip["tables"] if table["key"] == "treatment")
    assert len(treatment["rows"]) == 4  # DRR and ATR, this year and the year before
    for row in treatment["rows"]:
        target_starts, target_completions, starts, completions, _ = row["cells"]
        assert target_starts["value"] and target_completions["value"]
        assert not starts["suppressed"] and starts["value"] >= 5, row["label"]
        assert not completions["suppressed"] and completions["value"] >= 5, row["label"]

    # The cohort target's history shows: the current year's was raised once.
    assert Target.objects.filter(measure="cohort_size").count() == 4
    assert set(UnitCost.objects.values_list("offence_type", flat=True)) == set(OffenceType.values)


def test_the_demos_own_accounts_can_finish_the_garvey_merge():
    """Journey 2 with the demo's accounts: the council's coordinator confirms Tom Garvey
    (probation's) and Thomas Garvey (the police's) are one man; neither record is the
    council's, so both agencies are asked, and the records merge when both agree."""
    from crossref.models import FindingKind, MatchFinding, MergeStatus
    from crossref.services.merges import merge_request_answer
    from crossref.services.review import finding_confirm
    from offenders.models import Nominal

    call_command("seed_demo", stdout=io.StringIO())
    finding = MatchFinding.objects.open().get(
        kind=FindingKind.DUPLICATE, nominal_a__family_name="Garvey"
    )
    coordinator = User.objects.get(username="coordinator")
    tom = Nominal.objects.get(given_names="Tom", family_name="Garvey")
    finding_confirm(actor=coordinator, finding=finding, survivor=tom)
    request = finding.merge_request
    assert sorted(a.agency.code for a in request.agreements.all()) == ["police", "probation"]

    merge_request_answer(actor=User.objects.get(username="police"), request=request, agree=True)
    merge_request_answer(actor=User.objects.get(username="probation"), request=request, agree=True)

    request.refresh_from_db()
    assert request.status == MergeStatus.MERGED
    assert Nominal.objects.get(given_names="Thomas", family_name="Garvey").merged_into == tom


def test_the_demo_has_a_person_whose_lead_panel_two_agencies_must_agree():
    """Gary Fenwick is on the council's IOM panel and probation's MAPPA: the council's
    coordinator proposes a lead panel and probation's MAPPA coordinator (`mappa`) agrees."""
    from crossref.models import FindingKind, MatchFinding
    from crossref.services.leads import lead_panel_answer, lead_panel_propose
    from panels.models import LeadPanel, Panel, PanelKind

    call_command("seed_demo", stdout=io.StringIO())
    finding = MatchFinding.objects.open().get(
        kind=FindingKind.OVERLAP, nominal_a__family_name="Fenwick"
    )
    mappa = Panel.objects.get(kind=PanelKind.MAPPA)
    proposal = lead_panel_propose(
        actor=User.objects.get(username="coordinator"), finding=finding, panel=mappa
    )
    assert not LeadPanel.objects.filter(nominal=finding.nominal_a).exists()

    lead_panel_answer(actor=User.objects.get(username="mappa"), proposal=proposal, agree=True)

    assert LeadPanel.objects.get(nominal=finding.nominal_a).panel == mappa
