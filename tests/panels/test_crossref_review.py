"""Coordinators' decisions on cross-referencing findings: confirming merges the two records
(or, where the coordinator may not change one, says which agency must), a dismissal is kept
with the record versions it was made on, an overlap may be closed as needing no action, and a decision on a finding someone has already decided changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, Verb
from crossref.models import (
    CrossReferenceRun,
    FindingKind,
    FindingStatus,
    MatchFinding,
    OverlapEntry,
    RunStatus,
)
from crossref.services.review import finding_confirm, finding_dismiss
from offenders.models import Nominal
from panels.models import CohortMembership, Panel, PanelKind
from tests.factories import make_nominal, make_panel

pytestmark = pytest.mark.django_db

FEBRUARY = date(2026, 2, 1)


# --- Set-up shared with the pages' tests --------------------------------------------------------


def make_run(
    month: date = FEBRUARY, status: str = RunStatus.COMPLETE, **fields
) -> CrossReferenceRun:
    """The month's run (one per month, as the job keeps it)."""
    run, _ = CrossReferenceRun.objects.get_or_create(
        month=month, defaults={"status": status, **fields}
    )
    return run


def make_finding(
    run: CrossReferenceRun,
    a: Nominal,
    b: Nominal | None,
    panels: list[Panel],
    **fields,
) -> MatchFinding:
    """A finding as the job writes it: a duplicate names two records (lower id first), an
    overlap one person."""
    if b is not None and b.pk < a.pk:
        a, b = b, a
    fields.setdefault("kind", FindingKind.DUPLICATE if b is not None else FindingKind.OVERLAP)
    return MatchFinding.objects.create(
        run=run,
        last_seen_run=run,
        nominal_a=a,
        nominal_b=b,
        a_version=a.version,
        b_version=b.version if b is not None else None,
        panels=[panel.pk for panel in panels],
        **fields,
    )


def make_mappa(p) -> Panel:
    """Probation's MAPPA panel: the council neither coordinates nor sees it."""
    return make_panel(p.probation, [], name="MAPPA panel", kind=PanelKind.MAPPA)


def put_on(nominal: Nominal, panel: Panel, status: str = "active") -> CohortMembership:
    return CohortMembership.objects.create(
        nominal=nominal,
        panel=panel,
        status=status,
        referred_on=date(2026, 1, 5),
        start=date(2026, 1, 12) if status == "active" else None,
    )


@pytest.fixture
def pair(partnership):
    """Two council records of one person on the council's IOM panel, and the finding."""
    p = partnership
    first = make_nominal(p.coordinator, on_panel=p.panel)
    second = make_nominal(p.partner, given_names="Jordon", on_panel=p.panel)
    finding = make_finding(make_run(), first, second, [p.panel], score=0.96, decision="likely")
    return first, second, finding


def audits(verb: Verb) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb))


# --- Confirm -------------------------------------------------------------------------------------


def test_confirming_merges_the_other_record_into_the_one_kept_and_audits_it(partnership, pair):
    first, second, finding = pair

    decided = finding_confirm(actor=partnership.coordinator, finding=finding, survivor=second)

    assert decided.status == FindingStatus.MERGED
    assert decided.resolved_by == partnership.coordinator and decided.resolved_at
    first.refresh_from_db()
    assert first.merged_into_id == second.pk
    assert CohortMembership.objects.filter(nominal=second).count() == 2
    [event] = audits(Verb.FINDING_CONFIRMED)
    assert event.actor == partnership.coordinator and event.object_id == str(finding.pk)
    assert event.detail == {"survivor": second.pk, "duplicate": first.pk, "merged": True}
    assert AuditEvent.objects.filter(verb=Verb.NOMINALS_MERGED).count() == 2


def test_confirming_where_the_coordinator_may_not_change_a_record_says_which_agency_must_merge(
    partnership,
):
    """Probation's record on its own MAPPA panel: the council's coordinator may not see or
    change it, so the finding is confirmed and nothing is merged."""
    p = partnership
    mappa = make_mappa(p)
    ours = make_nominal(p.coordinator, on_panel=p.panel)
    theirs = make_nominal(p.member_partner, family_name="Ashbey", on_panel=mappa)
    finding = make_finding(make_run(), ours, theirs, [p.panel, mappa])

    decided = finding_confirm(actor=p.coordinator, finding=finding, survivor=ours)

    assert decided.status == FindingStatus.CONFIRMED
    assert f"record {theirs.pk} (held by Probation)" in decided.resolution_note
    assert "so Probation has been asked to agree to the merge" in decided.resolution_note
    assert Nominal.objects.filter(merged_into__isnull=False).count() == 0
    [event] = audits(Verb.FINDING_CONFIRMED)
    assert event.detail["merged"] is False
    assert not audits(Verb.NOMINALS_MERGED)


def test_a_record_outside_the_pair_cannot_be_kept(partnership, pair):
    _, _, finding = pair
    stranger = make_nominal(
        partnership.coordinator, family_name="Other", on_panel=partnership.panel
    )

    with pytest.raises(ValidationError) as refused:
        finding_confirm(actor=partnership.coordinator, finding=finding, survivor=stranger)

    assert refused.value.message_dict == {"survivor": ["Choose which of the two records to keep"]}
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not audits(Verb.FINDING_CONFIRMED)


def test_a_merge_refused_for_another_reason_leaves_the_finding_open(partnership, pair):
    first, second, finding = pair
    Nominal.objects.filter(pk=second.pk).update(merged_into=first)  # merged elsewhere meanwhile
    second.refresh_from_db()

    with pytest.raises(ValidationError, match=f"Record {second.pk} has already been merged"):
        finding_confirm(actor=partnership.coordinator, finding=finding, survivor=first)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not audits(Verb.FINDING_CONFIRMED)


# --- Dismiss -------------------------------------------------------------------------------------


def test_a_dismissal_keeps_its_reason_and_the_record_versions_it_was_made_on(partnership, pair):
    first, second, finding = pair

    decided = finding_dismiss(
        actor=partnership.coordinator, finding=finding, reason="  Twins, same address  "
    )

    decided.refresh_from_db()
    assert decided.status == FindingStatus.DISMISSED
    assert decided.resolution_note == "Twins, same address"
    assert (decided.a_version, decided.b_version) == (first.version, second.version)
    [event] = audits(Verb.FINDING_DISMISSED)
    # The reason is the finding's note; the append-only trail holds no words about people.
    assert event.detail == {
        "a_version": first.version,
        "b_version": second.version,
    }
    first.refresh_from_db()
    assert first.merged_into_id is None


def test_a_dismissal_needs_a_reason(partnership, pair):
    _, _, finding = pair

    with pytest.raises(ValidationError) as refused:
        finding_dismiss(actor=partnership.coordinator, finding=finding, reason="   ")

    assert "reason" in refused.value.message_dict
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


# --- Who decides, and decisions made meanwhile ---------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["partner", "member_partner", "agency_admin", "outsider_coordinator", "committee"]
)
def test_only_a_coordinator_of_a_panel_the_finding_names_may_decide(partnership, pair, persona):
    first, _, finding = pair
    actor = getattr(partnership, persona)

    with pytest.raises(PermissionDenied):
        finding_confirm(actor=actor, finding=finding, survivor=first)
    with pytest.raises(PermissionDenied):
        finding_dismiss(actor=actor, finding=finding, reason="Different people")

    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not AuditEvent.objects.filter(
        verb__in=[Verb.FINDING_CONFIRMED, Verb.FINDING_DISMISSED]
    ).exists()


def test_a_decision_on_a_finding_decided_meanwhile_is_refused_and_changes_nothing(
    partnership, pair
):
    first, _, finding = pair
    # Two coordinators opened the finding; the first dismisses it.
    seen_by_second = MatchFinding.objects.get(pk=finding.pk)
    finding_dismiss(actor=partnership.coordinator, finding=finding, reason="Father and son")

    with pytest.raises(ValidationError, match="already been decided"):
        finding_confirm(actor=partnership.coordinator, finding=seen_by_second, survivor=first)

    first.refresh_from_db()
    assert first.merged_into_id is None
    assert MatchFinding.objects.get(pk=finding.pk).status == FindingStatus.DISMISSED
    assert not audits(Verb.FINDING_CONFIRMED)


# --- People on several panels --------------------------------------------------------------------


@pytest.fixture
def overlap(partnership):
    """A council record on the IOM panel and probation's MAPPA panel, in two months' runs."""
    p = partnership
    mappa = make_mappa(p)
    person = make_nominal(p.coordinator, on_panel=p.panel)
    put_on(person, mappa)
    january = make_run(date(2026, 1, 1))
    run = make_run()
    OverlapEntry.objects.create(run=january, nominal=person, panels=[p.panel.pk, mappa.pk])
    OverlapEntry.objects.create(run=run, nominal=person, panels=[p.panel.pk, mappa.pk])
    finding = make_finding(run, person, None, [p.panel, mappa])
    return person, mappa, finding


def test_an_overlap_is_closed_as_no_action_needed_with_a_reason(partnership, overlap):
    from crossref.services.review import overlap_close

    person, mappa, finding = overlap
    with pytest.raises(ValidationError, match="Enter why no action is needed"):
        overlap_close(actor=partnership.coordinator, finding=finding, reason="  ")
    closed = overlap_close(
        actor=partnership.coordinator, finding=finding, reason="Panels share one plan"
    )
    assert closed.status == FindingStatus.NO_ACTION
    assert closed.resolution_note == "Panels share one plan"
    [event] = audits(Verb.OVERLAP_CLOSED)
    # The reason stays on the finding; the append-only trail holds none of its words.
    assert "plan" not in str(event.detail)
    with pytest.raises(PermissionDenied):
        overlap_close(actor=partnership.outsider_coordinator, finding=finding, reason="x")
