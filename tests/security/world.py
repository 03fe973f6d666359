"""The data the access matrix runs against: the partnership of tests/conftest.py, plus a
second, unrelated agency's records, with a canary string in every record.

The people (nominals) of the world:
- `nominal`: recorded by the council, on the cohort of the council's IOM panel: seen by the
  council's casework staff and by probation (a member that signed the agreement), never by
  housing (a member that has not signed), committee officers, system administrators or the
  other borough;
- `member_nominal`: recorded by probation and referred to the same panel: the same
  audience, but only probation (owner) and the panel's coordinator may change who it is;
- `declined_nominal`: recorded by probation, referral to the panel declined: probation only;
- `merged_nominal`: a duplicate of `nominal`, merged into it: its address redirects;
- `outsider_nominal` and `outsider_nominal_2`: recorded by the other borough's police.
All share a date of birth and most of a name, so searches, duplicate checks and merge
suggestions would list another agency's people if visibility failed anywhere.

`nominal` is also on probation's MAPPA panel (`crossref.mappa_panel`), so cross-referencing
has an overlap to report; see CrossrefWork for the runs and findings.

Scrutiny reports (ReportWork): one on the council's IOM panel by the council's coordinator,
one on the other borough's panel by its coordinator, each with a finished version.

`build_world()` is built once per test module (see conftest.py) because the matrix makes
several hundred requests; each test still runs in its own savepoint, so nothing a test
does leaks into the next. It starts from the same `build_partnership()` as the
`partnership` fixture.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from actions.models import (
    Action,
    ActionPlan,
    ActionStep,
    ExportStatus,
    Objective,
    PlanExport,
    PlanImport,
    ProgressUpdate,
)
from cohorts.models import CohortImport, ImportRow, RowOutcome
from crossref.models import (
    CrossReferenceRun,
    FindingKind,
    FindingStatus,
    MatchFinding,
    MergeAgreement,
    MergeRequest,
    OverlapEntry,
    RunStatus,
)
from meetings.models import AgendaItem, AgendaReason, CaseAction, Meeting, MeetingKind, MeetingRule
from offenders.models import Nominal
from offenders.services import alias_add, event_add, identifier_add, nominals_merge
from panels.models import CohortMembership, Panel, PanelKind, RagReview
from reporting.models import Report, ReportVersion
from reporting.services import report_save, version_generate, version_request
from retention.models import RetentionReview
from sharing.models import InformationSharingAgreement
from tests.conftest import Partnership, build_partnership
from tests.factories import make_nominal, make_panel, make_signed_agreement

ANONYMOUS = "anonymous"

# Every persona the matrix asks about, in the order failures are listed.
PERSONAS = (
    ANONYMOUS,
    "coordinator",  # council: coordinates the IOM panel
    "partner",  # council partner
    "member_partner",  # probation: member agency, signed the agreement
    "unsigned_partner",  # housing: member agency, has not signed
    "committee",  # council committee officer: aggregates only
    "agency_admin",  # council agency administrator: staff accounts, no casework
    "governance_lead",  # council information governance lead: agreements, who viewed what
    "system_admin",  # runs the service; reads no case data
    "outsider_partner",  # another borough's police: must see nothing of the partnership
    "outsider_coordinator",
    "outsider_admin",
)


def canary(agency: str, field: str) -> str:
    """A string that appears nowhere but in the one field of the one agency's records."""
    return f"CANARY-{agency}-{field}-7Q2X"


# The fields each agency's canary is written into. For people, "council" stands for the
# council's IOM panel: its cohort is shared with the signed member agencies.
CANARY_FIELDS = (
    "panel-name",
    "panel-description",
    "agreement-title",
    "staff-name",
    "nominal-name",
    "alias",
    "event-summary",
)
# Probation's own person whose referral to the panel was declined: probation's eyes only.
PROBATION_CANARIES = (("probation", "nominal-name"),)
PLANTED_CANARIES = (
    *((agency, field) for agency in ("council", "outsider") for field in CANARY_FIELDS),
    *PROBATION_CANARIES,
)
# Everyone in the world was born on this day, so a search by it lists everyone visible.
SHARED_DOB = date(1990, 5, 17)


@dataclass
class PanelWork:
    """A panel's work records. `council` is the council's IOM panel, `outsider` the other
    borough's: each has a meeting rule, a future meeting with one agenda item, a case
    action, a monthly list awaiting its check, and the membership of its first person."""

    rule: MeetingRule
    meeting: Meeting
    agenda_item: AgendaItem
    case_action: CaseAction
    cohort_import: CohortImport
    membership: CohortMembership  # active
    review: RagReview  # recorded at the meeting
    referral: CohortMembership | None = None  # referred, awaiting the coordinator


@dataclass
class PlanWork:
    """An action plan with one objective, action, step (led by probation in the council's
    plan) and progress update; a pending import of a plan; and the Word document the
    worker made for the plan's owner."""

    plan: ActionPlan
    objective: Objective
    action: Action
    step: ActionStep
    update: ProgressUpdate
    plan_import: PlanImport
    export: PlanExport  # the owner's Word document, made in the background: theirs alone


@dataclass
class CrossrefWork:
    """Cross-referencing: the month's completed run and the one before, and its findings:
    - `duplicate`: `nominal` and `member_nominal` (both on the council's IOM panel) may be
      one person: the panel's coordinator sees both records;
    - `hidden_duplicate`: `member_nominal` and probation's `declined_nominal`, whose family
      name (a probation canary) the explanation quotes: the council's coordinator sees only
      that the second record is probation's;
    - `overlap`: `nominal` is on the IOM panel and probation's MAPPA panel (also the run's
      overlap report row);
    - `outsider_duplicate`: the other borough's two people, on its own panel."""

    run: CrossReferenceRun
    previous_run: CrossReferenceRun
    mappa_panel: Panel
    duplicate: MatchFinding
    hidden_duplicate: MatchFinding
    overlap: MatchFinding
    outsider_duplicate: MatchFinding
    # Last month's pair of `nominal` (the council's) and probation's `declined_nominal`,
    # confirmed by the council's coordinator, waiting for probation to agree the merge.
    merge_request: MergeRequest

    @property
    def month(self) -> str:
        return f"{self.run.month:%Y-%m}"


@dataclass
class ReportWork:
    """A scrutiny report on one panel, written by that panel's coordinator, with one
    finished version (figures taken, Word, PDF and spreadsheet drawn)."""

    report: Report
    version: ReportVersion


@dataclass
class RetentionWork:
    """A retention review of `nominal` (the council's record: the council's governance lead
    decides about it) and one of `outsider_nominal` (the other borough's). Both people are
    on a cohort, so neither can be deleted; the pages still answer as for any review."""

    review: RetentionReview
    outsider_review: RetentionReview


@dataclass
class World:
    p: Partnership
    outsider_panel: Panel
    outsider_agreement: InformationSharingAgreement
    nominal: Nominal
    member_nominal: Nominal
    declined_nominal: Nominal
    merged_nominal: Nominal
    outsider_nominal: Nominal
    outsider_nominal_2: Nominal
    work: PanelWork  # the council IOM panel's meetings, actions and imports
    outsider_work: PanelWork  # the other borough's
    plans: PlanWork  # the council's partnership action plan (council, police, probation, housing)
    outsider_plans: PlanWork  # the other borough's plan
    crossref: CrossrefWork  # cross-referencing runs and findings (council and elsewhere)
    reports: ReportWork  # a report on the council's IOM panel, by the council's coordinator
    outsider_reports: ReportWork  # a report on the other borough's panel, by its coordinator
    retention: RetentionWork  # retention reviews of the council's and the other borough's
    missing_pk: int  # an id no record has: it must get the same answer as a foreign one

    def nominals(self) -> list[Nominal]:
        return [
            self.nominal,
            self.member_nominal,
            self.declined_nominal,
            self.merged_nominal,
            self.outsider_nominal,
            self.outsider_nominal_2,
        ]

    def user(self, persona: str) -> User | AnonymousUser:
        return AnonymousUser() if persona == ANONYMOUS else getattr(self.p, persona)


def _plant_canaries(agency: str, panel: Panel, agreement: InformationSharingAgreement) -> None:
    # Test set-up writes the fields directly: no service edits these fields yet.
    Panel.objects.filter(pk=panel.pk).update(
        name=f"Panel {canary(agency, 'panel-name')}",
        description=f"Cohort notes {canary(agency, 'panel-description')}",
    )
    InformationSharingAgreement.objects.filter(pk=agreement.pk).update(
        title=f"Agreement {canary(agency, 'agreement-title')}"
    )
    User.objects.filter(agency__code=agency).update(last_name=canary(agency, "staff-name"))
    panel.refresh_from_db()
    agreement.refresh_from_db()


def _person(actor: User, agency: str, **fields: object) -> Nominal:
    """A person whose family name carries the agency's canary."""
    fields.setdefault("family_name", f"Ashby {canary(agency, 'nominal-name')}")
    return make_nominal(actor, given_names="Jordan", date_of_birth=SHARED_DOB, **fields)


def _fill_record(nominal: Nominal, agency: str, *, author: User, pnc: str) -> None:
    """An identifier, an alias and a timeline event, each through its service."""
    identifier_add(actor=author, nominal=nominal, kind="pnc", value=pnc)
    alias_add(
        actor=author,
        nominal=nominal,
        given_names="Jay",
        family_name=f"Ash {canary(agency, 'alias')}",
    )
    event_add(
        actor=author,
        nominal=nominal,
        kind="note",
        occurred_on=date(2026, 2, 2),
        summary=f"Home visit notes {canary(agency, 'event-summary')}",
    )


def _plant_people(p: Partnership) -> dict[str, Nominal]:
    nominal = _person(p.partner, "council", on_panel=p.panel, status="active")
    _fill_record(nominal, "council", author=p.partner, pnc="08/56560Z")
    # A probation event on the council's record: partners add what their agency knows.
    event_add(
        actor=p.member_partner,
        nominal=nominal,
        kind="visit",
        occurred_on=date(2026, 2, 9),
        summary=f"Probation appointment {canary('council', 'event-summary')}",
    )
    member_nominal = _person(p.member_partner, "council", on_panel=p.panel, status="referred")
    declined_nominal = _person(
        p.member_partner,
        "probation",
        family_name=f"Ashby {canary('probation', 'nominal-name')}",
        on_panel=p.panel,
        status="declined",
    )
    merged_nominal = _person(p.partner, "council", on_panel=p.panel, status="active")
    nominals_merge(actor=p.partner, survivor=nominal, duplicate=merged_nominal)
    outsider_nominal = _person(p.outsider_partner, "outsider")
    _fill_record(outsider_nominal, "outsider", author=p.outsider_partner, pnc="09/123456C")
    outsider_nominal_2 = _person(p.outsider_coordinator, "outsider")
    return {
        "nominal": nominal,
        "member_nominal": member_nominal,
        "declined_nominal": declined_nominal,
        "merged_nominal": merged_nominal,
        "outsider_nominal": outsider_nominal,
        "outsider_nominal_2": outsider_nominal_2,
    }


# Meetings are in the future so that every page about them is still open for changes.
MEETING_DAY = date(2030, 1, 2)


def _plant_panel_work(panel: Panel, person: Nominal, *, coordinator: User, owner) -> PanelWork:
    """Test set-up writes rows directly: the rules under test are in the views and services."""
    rule = MeetingRule.objects.create(panel=panel, kind=MeetingKind.MAIN, week=1, weekday=2)
    meeting = Meeting.objects.create(
        panel=panel, rule=rule, occurrence=MEETING_DAY, date=MEETING_DAY, kind=MeetingKind.MAIN
    )
    item = AgendaItem.objects.create(
        meeting=meeting, nominal=person, reason=AgendaReason.RED_RAG, position=1
    )
    action = CaseAction.objects.create(
        panel=panel,
        nominal=person,
        agenda_item=item,
        description="Arrange a joint home visit",
        owner_agency=owner,
        due=date(2030, 1, 30),
        created_by=coordinator,
    )
    cohort_import = CohortImport.objects.create(
        panel=panel,
        uploaded_by=coordinator,
        month=date(2029, 12, 1),
        file_name="list.csv",
        headers=["Surname", "Forename", "DOB"],
        mapping={"family_name": "Surname", "given_names": "Forename", "date_of_birth": "DOB"},
        status="preview",
    )
    ImportRow.objects.create(
        cohort_import=cohort_import,
        number=2,
        values={"Surname": "Ashby", "Forename": "Jordan", "DOB": "17/05/1990"},
        outcome=RowOutcome.LINKED,
        nominal=person,
    )
    # The first: a merge moved the duplicate's membership here too.
    membership = CohortMembership.objects.filter(nominal=person, panel=panel).earliest("pk")
    review = RagReview.objects.create(
        nominal=person, panel=panel, rag="red", reviewed_on=date(2026, 2, 4), author=coordinator
    )
    return PanelWork(
        rule=rule,
        meeting=meeting,
        agenda_item=item,
        case_action=action,
        cohort_import=cohort_import,
        membership=membership,
        review=review,
    )


def _plant_plan(owner: User, agencies: list, lead) -> PlanWork:
    """Test set-up writes rows directly: the rules under test are in the views and services."""
    plan = ActionPlan.objects.create(
        title="Reducing reoffending action plan",
        owner_agency=owner.agency,
        owner=owner,
        starts_on=date(2026, 4, 1),
        ends_on=date(2030, 3, 31),
    )
    plan.agencies.set(agencies)
    objective = Objective.objects.create(plan=plan, number=1, title="Information sharing")
    action = Action.objects.create(
        objective=objective,
        number=1,
        title="Clear information sharing agreement",
        timescale="March 2030",
        due=date(2030, 3, 31),
    )
    step = ActionStep.objects.create(
        action=action, number=1, text="Review current agreement", lead_agency=lead
    )
    update = ProgressUpdate.objects.create(
        step=step, written_on=date(2026, 5, 1), text="Draft circulated", rag="amber_green"
    )
    plan_import = PlanImport.objects.create(
        uploaded_by=owner, source_name="plan.tsv", headers=["Strategy Objective"], rows=[]
    )
    export = PlanExport.objects.create(
        plan=plan,
        requested_by=owner,
        as_at=date(2026, 5, 1),
        status=ExportStatus.DONE,
        done=1,
        total=1,
        content=b"the owner's Word document",
    )
    return PlanWork(
        plan=plan,
        objective=action.objective,
        action=action,
        step=step,
        update=update,
        plan_import=plan_import,
        export=export,
    )


CROSSREF_MONTH = date(2026, 2, 1)


def _finding(run: CrossReferenceRun, kind: str, a: Nominal, b: Nominal | None, panels, **extra):
    return MatchFinding.objects.create(
        run=run,
        last_seen_run=run,
        kind=kind,
        nominal_a=a,
        nominal_b=b,
        a_version=a.version,
        b_version=b.version if b else None,
        panels=[panel.pk for panel in panels],
        **extra,
    )


def _plant_crossref(
    p: Partnership, people: dict[str, Nominal], outsider_panel: Panel
) -> CrossrefWork:
    """Test set-up writes rows directly: the rules under test are in the views and services."""
    mappa = make_panel(p.probation, [], name="MAPPA panel", kind=PanelKind.MAPPA)
    CohortMembership.objects.create(
        nominal=people["nominal"],
        panel=mappa,
        status="active",
        referred_on=date(2026, 1, 5),
        start=date(2026, 1, 12),
    )
    previous = CrossReferenceRun.objects.create(
        month=date(2026, 1, 1), status=RunStatus.COMPLETE, counts={"nominals": 6}
    )
    run = CrossReferenceRun.objects.create(
        month=CROSSREF_MONTH,
        status=RunStatus.COMPLETE,
        requested_by=p.coordinator,
        trigger="on_demand",
        counts={"nominals": 6, "candidate_pairs": 9},
        durations={"total": 1.5},
    )
    explained = [
        {"field": "Given names", "level": "exact", "weight": 6.4, "text": "Given names: same"},
        {"field": "Date of birth", "level": "exact", "weight": 10.5, "text": "Born the same day"},
    ]
    declined_name = people["declined_nominal"].family_name
    OverlapEntry.objects.create(run=run, nominal=people["nominal"], panels=[p.panel.pk, mappa.pk])
    pair = sorted((people["nominal"], people["declined_nominal"]), key=lambda n: n.pk)
    confirmed = _finding(
        previous,
        FindingKind.DUPLICATE,
        *pair,
        [p.panel],
        status=FindingStatus.CONFIRMED,
    )
    merge_request = MergeRequest.objects.create(
        finding=confirmed,
        survivor=people["nominal"],
        duplicate=people["declined_nominal"],
        requested_by=p.coordinator,
    )
    MergeAgreement.objects.create(request=merge_request, agency=p.council, decision="agreed")
    MergeAgreement.objects.create(request=merge_request, agency=p.probation)
    return CrossrefWork(
        merge_request=merge_request,
        run=run,
        previous_run=previous,
        mappa_panel=mappa,
        duplicate=_finding(
            run,
            FindingKind.DUPLICATE,
            people["nominal"],
            people["member_nominal"],
            [p.panel],
            score=0.97,
            decision="likely",
            explanation=explained,
        ),
        hidden_duplicate=_finding(
            run,
            FindingKind.DUPLICATE,
            people["member_nominal"],
            people["declined_nominal"],
            [p.panel],
            score=0.93,
            decision="likely",
            explanation=[
                *explained,
                {
                    "field": "Family name",
                    "level": "similar",
                    "weight": 4.0,
                    "text": f"Family names {declined_name} and Ashby are alike",
                },
            ],
        ),
        overlap=_finding(run, FindingKind.OVERLAP, people["nominal"], None, [p.panel, mappa]),
        outsider_duplicate=_finding(
            run,
            FindingKind.DUPLICATE,
            people["outsider_nominal"],
            people["outsider_nominal_2"],
            [outsider_panel],
            score=0.99,
            decision="definite",
            explanation=explained,
        ),
    )


REPORT_PERIOD = (date(2025, 4, 1), date(2026, 3, 31))


def _plant_report(author: User, panel: Panel, title: str) -> ReportWork:
    """Through the services, as the report pages do; the version is produced here rather
    than by the task (which would run only once the world's transaction commits)."""
    start, end = REPORT_PERIOD
    report = report_save(
        actor=author,
        report=None,
        panels=[panel],
        title=title,
        committee="Community Safety Scrutiny Committee",
        period_start=start,
        period_end=end,
    )
    version = version_request(actor=author, report=report, request_token=uuid.uuid4())
    version_generate(version.pk)
    version.refresh_from_db()
    return ReportWork(report=report, version=version)


def _plant_retention(people: dict[str, Nominal]) -> RetentionWork:
    """Test set-up writes the reviews directly: the rule is tested in tests/retention."""

    def review(nominal: Nominal) -> RetentionReview:
        return RetentionReview.objects.create(
            record_id=nominal.pk,
            nominal=nominal,
            agency=nominal.owning_agency,
            last_activity_on=date(2019, 1, 1),
            due_since=date(2025, 1, 1),
            period_months=72,
            rule="On no cohort and no activity for 72 months",
        )

    return RetentionWork(
        review=review(people["nominal"]), outsider_review=review(people["outsider_nominal"])
    )


def build_world() -> World:
    p = build_partnership()
    outsider_panel = make_panel(p.outsider, [], name="Elsewhere IOM panel")
    outsider_agreement = make_signed_agreement(
        panels=[outsider_panel],
        parties=[p.outsider],
        signer=p.system_admin,
        reference="ISA-ELSEWHERE",
    )
    _plant_canaries("council", p.panel, p.agreement)
    _plant_canaries("outsider", outsider_panel, outsider_agreement)
    for persona in PERSONAS[1:]:
        getattr(p, persona).refresh_from_db()
    people = _plant_people(p)
    for person in people.values():
        person.refresh_from_db()
    CohortMembership.objects.create(
        nominal=people["outsider_nominal"],
        panel=outsider_panel,
        status="active",
        referred_on=date(2026, 1, 5),
        start=date(2026, 1, 12),
    )
    council_work = _plant_panel_work(
        p.panel, people["nominal"], coordinator=p.coordinator, owner=p.probation
    )
    council_work.referral = CohortMembership.objects.get(
        nominal=people["member_nominal"], panel=p.panel
    )
    outsider_work = _plant_panel_work(
        outsider_panel,
        people["outsider_nominal"],
        coordinator=p.outsider_coordinator,
        owner=p.outsider,
    )
    plans = _plant_plan(
        p.coordinator, [p.council, p.police, p.probation, p.housing], lead=p.probation
    )
    outsider_plans = _plant_plan(p.outsider_coordinator, [p.outsider], lead=p.outsider)
    crossref = _plant_crossref(p, people, outsider_panel)
    reports = _plant_report(p.coordinator, p.panel, "Integrated offender management 2025-26")
    outsider_reports = _plant_report(
        p.outsider_coordinator, outsider_panel, "Elsewhere offender management 2025-26"
    )
    return World(
        p=p,
        outsider_panel=outsider_panel,
        outsider_agreement=outsider_agreement,
        work=council_work,
        outsider_work=outsider_work,
        plans=plans,
        outsider_plans=outsider_plans,
        crossref=crossref,
        reports=reports,
        outsider_reports=outsider_reports,
        retention=_plant_retention(people),
        missing_pk=2_000_000_000,
        **people,
    )
