"""Decisions on list rows are remembered for the panel's next lists: the same row next
month is settled the same way, and the page says so; a changed row is a new question."""

from __future__ import annotations

from datetime import date

import pytest

from cohorts.models import RememberedDecision, RowOutcome
from cohorts.services.imports import (
    LEAVE_OUT,
    NEW_PERSON,
    import_commit,
    import_map_columns,
    import_row_decide,
    import_upload,
)
from offenders.models import Nominal
from tests.factories import make_nominal
from tests.panels.import_samples import MAPPING, csv_bytes

pytestmark = pytest.mark.django_db

MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)
ROWS = [
    ["Blake", "Morgan", "09/07/1986", "", ""],  # 2: a year out from a record: queued
    ["Known", "Riley", "02/02/1993", "", ""],  # 3: a year out from another: queued
]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 6, 20))


@pytest.fixture
def morgan(partnership):
    make_nominal(
        partnership.partner,
        given_names="Riley",
        family_name="Known",
        date_of_birth=date(1992, 2, 2),
    )
    return make_nominal(
        partnership.partner,
        given_names="Morgan",
        family_name="Blake",
        date_of_birth=date(1985, 7, 9),
    )


def matched(p, month, rows=ROWS):
    cohort_import = import_upload(
        actor=p.coordinator, panel=p.panel, month=month, file_name="list.csv", data=csv_bytes(rows)
    )
    return import_map_columns(actor=p.coordinator, cohort_import=cohort_import, mapping=MAPPING)


def outcome(cohort_import, number):
    return cohort_import.rows.get(number=number)


def test_a_decision_is_applied_the_same_way_to_next_months_list(partnership, morgan):
    p = partnership
    may = matched(p, MAY)
    assert outcome(may, 2).outcome == outcome(may, 3).outcome == RowOutcome.QUEUED
    import_row_decide(actor=p.coordinator, row=outcome(may, 2), choice=str(morgan.pk))
    import_row_decide(actor=p.coordinator, row=outcome(may, 3), choice=LEAVE_OUT, reason="Test row")
    import_commit(actor=p.coordinator, cohort_import=may, exit_leavers=False)
    assert RememberedDecision.objects.filter(panel=p.panel).count() == 2

    # June: the same two rows, written in another case and spacing.
    june = matched(p, JUNE, [["BLAKE", " morgan ", "9/7/1986", "", ""], ROWS[1]])

    linked, left_out = outcome(june, 2), outcome(june, 3)
    assert (linked.outcome, linked.nominal_id) == (RowOutcome.LINKED, morgan.pk)
    assert linked.message == f"Linked to record {morgan.pk}, as decided for the May 2026 list"
    assert left_out.outcome == RowOutcome.SKIPPED
    assert left_out.message == "Left out, as decided for the May 2026 list: Test row"
    assert june.summary["remembered"] == 2
    assert not june.rows.filter(outcome=RowOutcome.QUEUED).exists()


def test_a_new_person_chosen_last_month_is_linked_to_the_record_then_made(partnership, morgan):
    p = partnership
    may = matched(p, MAY, [ROWS[0]])
    import_row_decide(actor=p.coordinator, row=outcome(may, 2), choice=NEW_PERSON)
    import_commit(actor=p.coordinator, cohort_import=may, exit_leavers=False)
    made = Nominal.objects.exclude(pk=morgan.pk).get(family_name="Blake")

    june = matched(p, JUNE, [ROWS[0]])

    assert (outcome(june, 2).outcome, outcome(june, 2).nominal_id) == (RowOutcome.LINKED, made.pk)


def test_a_row_that_changed_is_asked_about_again(partnership, morgan):
    p = partnership
    may = matched(p, MAY, [ROWS[0]])
    import_row_decide(actor=p.coordinator, row=outcome(may, 2), choice=str(morgan.pk))
    import_commit(actor=p.coordinator, cohort_import=may, exit_leavers=False)

    # A different date of birth is a different question.
    june = matched(p, JUNE, [["Blake", "Morgan", "09/07/1984", "", ""]])

    assert outcome(june, 2).outcome == RowOutcome.QUEUED
    assert june.summary["remembered"] == 0


def test_decisions_are_the_panels_own(partnership, morgan):
    from tests.factories import make_panel

    p = partnership
    may = matched(p, MAY, [ROWS[0]])
    import_row_decide(actor=p.coordinator, row=outcome(may, 2), choice=str(morgan.pk))
    import_commit(actor=p.coordinator, cohort_import=may, exit_leavers=False)
    other = make_panel(p.council, [], name="DIP panel")

    june = import_map_columns(
        actor=p.coordinator,
        cohort_import=import_upload(
            actor=p.coordinator,
            panel=other,
            month=JUNE,
            file_name="dip.csv",
            data=csv_bytes([ROWS[0]]),
        ),
        mapping=MAPPING,
    )

    assert outcome(june, 2).outcome == RowOutcome.QUEUED


def test_a_remembered_record_merged_since_links_to_the_record_kept(partnership, morgan):
    p = partnership
    may = matched(p, MAY, [ROWS[0]])
    import_row_decide(actor=p.coordinator, row=outcome(may, 2), choice=str(morgan.pk))
    import_commit(actor=p.coordinator, cohort_import=may, exit_leavers=False)
    kept = make_nominal(p.coordinator, given_names="Morgan", family_name="Blake-Evans")
    Nominal.objects.filter(pk=morgan.pk).update(merged_into=kept)

    june = matched(p, JUNE, [ROWS[0]])

    assert outcome(june, 2).nominal_id == kept.pk


def test_the_table_holds_no_name(partnership, morgan):
    p = partnership
    may = matched(p, MAY, [ROWS[0]])
    import_row_decide(actor=p.coordinator, row=outcome(may, 2), choice=str(morgan.pk))
    import_commit(actor=p.coordinator, cohort_import=may, exit_leavers=False)

    [remembered] = RememberedDecision.objects.all()
    assert "blake" not in remembered.signature.lower() and len(remembered.signature) == 64
