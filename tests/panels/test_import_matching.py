"""The monthly list import as the services run it: every row gets an outcome, the list is
matched through the same identity rules as search, and commit is all or nothing."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection

from accounts.models import AuditEvent, Verb
from cohorts.models import CohortImport, ImportRow, ImportStatus, RowOutcome
from cohorts.services import imports as services
from cohorts.services.imports import (
    CommitFailed,
    QueueNotEmpty,
    import_commit,
    import_discard,
    import_map_columns,
    import_row_decide,
    import_run_file,
    import_upload,
)
from matching.identifiers import pnc_check_letter
from offenders.models import Identifier, Nominal
from offenders.services import identifier_add
from panels.models import CohortMembership, MembershipStatus
from tests.factories import make_nominal
from tests.panels.import_samples import HEADERS, MAPPING, csv_bytes

pytestmark = pytest.mark.django_db

MAY = date(2026, 5, 1)
HIDDEN_PNC = f"12/0345678{pnc_check_letter(12, 345678)}"
STAYING_PNC = f"08/0056560{pnc_check_letter(8, 56560)}"
OTHER_PNC = f"99/0001234{pnc_check_letter(99, 1234)}"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The lists are for May 2026; "today" is in May 2026 for every rule about dates."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 20))


@pytest.fixture
def people(partnership):
    p = partnership
    staying = make_nominal(p.coordinator, on_panel=p.panel, status="active")
    identifier_add(actor=p.coordinator, nominal=staying, kind="pnc", value=STAYING_PNC)
    leaver = make_nominal(
        p.coordinator,
        given_names="Casey",
        family_name="Leaver",
        date_of_birth=date(1988, 1, 1),
        on_panel=p.panel,
        status="active",
    )
    known = make_nominal(
        p.partner, given_names="Riley", family_name="Known", date_of_birth=date(1992, 2, 2)
    )
    uncertain = make_nominal(
        p.partner, given_names="Morgan", family_name="Blake", date_of_birth=date(1985, 7, 9)
    )
    hidden = make_nominal(
        p.outsider_partner,
        given_names="Sam",
        family_name="Hidden",
        date_of_birth=date(1979, 3, 3),
    )
    identifier_add(actor=p.outsider_partner, nominal=hidden, kind="pnc", value=HIDDEN_PNC)
    secret = make_nominal(
        p.outsider_partner,
        given_names="Taylor",
        family_name="Secret",
        date_of_birth=date(1991, 1, 1),
    )
    return {
        "staying": staying,
        "leaver": leaver,
        "known": known,
        "uncertain": uncertain,
        "hidden": hidden,
        "secret": secret,
    }


# Row numbers as in the spreadsheet: headings on row 1, a blank row 8.
GOOD_LIST = [
    ["Ashby", "Jordan", "17/05/1990", STAYING_PNC, ""],  # 2: linked by PNC, stays
    ["Known", "Riley", "2 Feb 1992", "", ""],  # 3: linked by name and date, joins
    ["Blake", "Morgan", "09/07/1986", "", ""],  # 4: a year out: queued
    ["Hidden", "Samuel", "03/03/1979", HIDDEN_PNC, ""],  # 5: PNC of a record charlie holds
    ["Secret", "Taylor", "01/01/1991", "", ""],  # 6: only like a hidden record: new
    ["Shah", "Priya", "02/03/1985", "", "e1 6an"],  # 7: new
    ["", "", "", "", ""],  # 8: blank
    ["Shah", "Priya", "2/3/85", "", ""],  # 9: the same as row 7
    ["Bad", "Date", "31/02/1990", "", ""],  # 10
    ["Vague", "Date", "next week", "", ""],  # 11
    ["Future", "Born", "01/01/2090", "", ""],  # 12
    ["Wrong", "Check", "20/10/1980", "08/0056560A", ""],  # 13
]


def upload(p, rows=GOOD_LIST, *, month=MAY, **kwargs):
    return import_upload(
        actor=p.coordinator,
        panel=p.panel,
        month=month,
        file_name="may.csv",
        data=csv_bytes(rows, **kwargs),
    )


def matched(p, rows=GOOD_LIST):
    cohort_import = upload(p, rows)
    return import_map_columns(actor=p.coordinator, cohort_import=cohort_import, mapping=MAPPING)


def outcomes(cohort_import: CohortImport) -> dict[int, str]:
    return dict(cohort_import.rows.values_list("number", "outcome"))


def test_every_row_is_kept_with_its_spreadsheet_row_number(partnership):
    cohort_import = upload(partnership)
    rows = list(cohort_import.rows.order_by("number"))
    assert [row.number for row in rows] == [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]
    assert rows[0].values == dict(zip(HEADERS, GOOD_LIST[0], strict=True))
    assert cohort_import.status == ImportStatus.MAPPING
    assert cohort_import.summary["blank_rows"] == 1
    assert cohort_import.summary["read_as"] == "CSV, UTF-8, values separated by commas"
    # Suggested from the headings before any mapping is remembered.
    assert cohort_import.mapping == MAPPING


def test_each_row_is_linked_queued_created_invalid_or_duplicate(partnership, people):
    cohort_import = matched(partnership)
    found = outcomes(cohort_import)
    assert found == {
        2: RowOutcome.LINKED,
        3: RowOutcome.LINKED,
        4: RowOutcome.QUEUED,
        5: RowOutcome.LINKED,
        6: RowOutcome.CREATED,
        7: RowOutcome.CREATED,
        9: RowOutcome.DUPLICATE,
        10: RowOutcome.INVALID,
        11: RowOutcome.INVALID,
        12: RowOutcome.INVALID,
        13: RowOutcome.INVALID,
    }
    rows = {row.number: row for row in cohort_import.rows.all()}
    assert rows[2].nominal == people["staying"]
    assert rows[3].nominal == people["known"]
    assert rows[5].nominal == people["hidden"]
    assert "held by another agency" in rows[5].message
    assert rows[9].message == "Same person as row 7"
    assert rows[10].message == "'31/02/1990' is not a real date: February 1990 has 28 days"
    assert "'next week' is not a date of birth" in rows[11].message
    assert rows[12].message == "Date of birth must be in the past: the list has 01/01/2090"
    assert "check letter of PNC ID" in rows[13].message


def test_a_queued_row_offers_only_records_the_coordinator_may_see(partnership, people):
    cohort_import = matched(partnership)
    queued = cohort_import.rows.get(number=4)
    assert [entry["id"] for entry in queued.candidates] == [people["uncertain"].pk]
    entry = queued.candidates[0]
    assert entry["decision"] == "likely"
    assert (
        "Date of birth: same day and month, year one out (09/07/1986 vs 09/07/1985)"
        in (entry["reasons"])
    )
    hidden_ids = {people["hidden"].pk, people["secret"].pk}
    for row in cohort_import.rows.all():
        assert not hidden_ids & {entry["id"] for entry in row.candidates}
    # Like a hidden record only: a new person, and nothing of the hidden record is kept.
    assert cohort_import.rows.get(number=6).nominal_id is None


def test_the_chosen_columns_are_remembered_and_offered_next_month(partnership):
    headers = ["Family", "Given", "Born on", "Police ref"]
    rows = [["Shah", "Priya", "02/03/1985", ""]]
    first = upload(partnership, rows, headers=headers)
    mapping = {"family_name": "Family", "given_names": "Given", "date_of_birth": "Born on"}
    import_map_columns(actor=partnership.coordinator, cohort_import=first, mapping=mapping)
    partnership.panel.refresh_from_db()
    assert partnership.panel.import_columns == mapping

    second = upload(partnership, rows, headers=headers)
    assert second.mapping == mapping


def test_missing_required_columns_are_refused_and_nothing_is_matched(partnership):
    cohort_import = upload(partnership)
    with pytest.raises(ValidationError) as refused:
        import_map_columns(
            actor=partnership.coordinator,
            cohort_import=cohort_import,
            mapping={"family_name": "Surname", "given_names": "Forename"},
        )
    assert (
        "Choose the column with the date of birth" in refused.value.message_dict["date_of_birth"][0]
    )
    assert set(outcomes(cohort_import).values()) == {""}
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.MAPPING


def test_a_column_chosen_twice_is_refused(partnership):
    cohort_import = upload(partnership)
    with pytest.raises(ValidationError) as refused:
        import_map_columns(
            actor=partnership.coordinator,
            cohort_import=cohort_import,
            mapping={**MAPPING, "local": "Surname"},
        )
    assert "already chosen for family name" in refused.value.message_dict["local"][0]


def test_preview_shows_joiners_leavers_and_those_staying(partnership, people):
    from cohorts.selectors.imports import import_preview

    cohort_import = matched(partnership)
    preview = import_preview(cohort_import)
    assert [item.row.number for item in preview.joiners] == [3, 5, 6, 7]
    assert preview.staying == 1
    assert [membership.nominal for membership in preview.leavers] == [people["leaver"]]
    assert [item.row.number for item in preview.queue] == [4]
    assert preview.counts[RowOutcome.INVALID] == 4


def test_commit_is_refused_while_a_row_waits_for_a_decision(partnership, people):
    cohort_import = matched(partnership)
    with pytest.raises(QueueNotEmpty) as refused:
        import_commit(actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=True)
    assert refused.value.row.number == 4
    assert refused.value.messages == ["1 row needs a decision before the list can be imported"]
    assert not CohortMembership.objects.filter(end__isnull=False).exists()


def test_commit_adds_joiners_exits_leavers_and_records_each_row(partnership, people):
    p = partnership
    cohort_import = matched(p)
    import_row_decide(
        actor=p.coordinator,
        row=cohort_import.rows.get(number=4),
        choice=str(people["uncertain"].pk),
    )
    before = Nominal.objects.count()

    result = import_commit(actor=p.coordinator, cohort_import=cohort_import, exit_leavers=True)

    assert result["joined"] == 5 and result["stayed"] == 1 and result["left"] == 1
    assert result["new_records"] == 2 and Nominal.objects.count() == before + 2
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.COMMITTED
    rows = {row.number: row for row in cohort_import.rows.all()}
    assert rows[2].result == "stayed"
    assert {rows[n].result for n in (3, 4, 5, 6, 7)} == {"joined"}
    assert {rows[n].result for n in (9, 10, 11, 12, 13)} == {""}
    shah = rows[7].nominal
    assert (shah.given_names, shah.family_name, shah.postcode) == ("Priya", "Shah", "E1 6AN")
    assert shah.owning_agency == p.council

    active = CohortMembership.objects.filter(panel=p.panel, status=MembershipStatus.ACTIVE)
    joined = active.filter(nominal_id__in=[rows[n].nominal_id for n in (3, 4, 5, 6, 7)])
    assert joined.count() == 5
    assert set(joined.values_list("start", flat=True)) == {MAY}
    # The hidden record's person is on the cohort now, so the coordinator sees them.
    assert Nominal.objects.visible_to(p.coordinator).filter(pk=people["hidden"].pk).exists()

    left = CohortMembership.objects.get(nominal=people["leaver"], panel=p.panel)
    assert (left.status, left.end, left.exit_reason) == ("exited", MAY, "Not on the May 2026 list")

    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        Verb.IMPORT_UPLOADED,
        Verb.IMPORT_MAPPED,
        Verb.IMPORT_ROW_DECIDED,
        Verb.IMPORT_COMMITTED,
        Verb.MEMBERSHIP_ACCEPTED,
        Verb.MEMBERSHIP_EXITED,
        Verb.NOMINAL_CREATED,
    } <= verbs
    assert AuditEvent.objects.filter(verb=Verb.MEMBERSHIP_ACCEPTED).count() == 5


def test_identifiers_the_list_gives_are_added_to_the_records_it_links(partnership, people):
    rows = [["Known", "Riley", "02/02/1992", OTHER_PNC, ""]]
    cohort_import = matched(partnership, rows)
    assert outcomes(cohort_import) == {2: RowOutcome.LINKED}
    result = import_commit(
        actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=False
    )
    assert result["identifiers_added"] == 1
    assert list(people["known"].identifiers.values_list("kind", "value")) == [("pnc", OTHER_PNC)]
    added = AuditEvent.objects.get(verb=Verb.IDENTIFIER_ADDED, object_id=str(people["known"].pk))
    assert (added.object_type, added.detail) == ("offenders.nominal", {"kind": "pnc"})


def test_leavers_stay_on_the_cohort_when_the_box_is_not_ticked(partnership, people):
    cohort_import = matched(partnership)
    import_row_decide(
        actor=partnership.coordinator,
        row=cohort_import.rows.get(number=4),
        choice=services.LEAVE_OUT,
        reason="Checking with probation first",
    )
    result = import_commit(
        actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=False
    )
    assert result["left"] == 0
    assert CohortMembership.objects.get(nominal=people["leaver"]).status == "active"
    skipped = cohort_import.rows.get(number=4)
    assert (skipped.outcome, skipped.message) == (
        RowOutcome.SKIPPED,
        "Left out: Checking with probation first",
    )


def test_a_second_commit_is_refused_and_changes_nothing(partnership, people):
    cohort_import = matched(partnership)
    import_row_decide(
        actor=partnership.coordinator,
        row=cohort_import.rows.get(number=4),
        choice=services.NEW_PERSON,
    )
    import_commit(actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=True)
    counts = (Nominal.objects.count(), CohortMembership.objects.count(), AuditEvent.objects.count())

    with pytest.raises(ValidationError) as refused:
        import_commit(actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=True)

    assert "This list was already imported by" in refused.value.messages[0]
    assert counts == (
        Nominal.objects.count(),
        CohortMembership.objects.count(),
        AuditEvent.objects.count(),
    )


def _saved_state() -> dict:
    return {
        "nominals": Nominal.objects.count(),
        "identifiers": Identifier.objects.count(),
        "memberships": list(CohortMembership.objects.values_list("pk", "status", "end")),
        "audit": AuditEvent.objects.count(),
        "rows": list(ImportRow.objects.values_list("pk", "outcome", "nominal_id", "result")),
        "imports": list(CohortImport.objects.values_list("pk", "status")),
    }


def test_a_failure_late_in_commit_saves_nothing(partnership, people, monkeypatch):
    cohort_import = matched(partnership)
    import_row_decide(
        actor=partnership.coordinator,
        row=cohort_import.rows.get(number=4),
        choice=str(people["uncertain"].pk),
    )
    real_audit = services._audit_each

    def failing_audit(actor, verb, *args, **kwargs):
        # New records, identifiers and joiners are written by now; the exits fail.
        if verb == Verb.MEMBERSHIP_EXITED:
            raise IntegrityError("simulated failure while exiting the leavers")
        return real_audit(actor, verb, *args, **kwargs)

    monkeypatch.setattr(services, "_audit_each", failing_audit)
    before = _saved_state()

    with pytest.raises(CommitFailed) as failed:
        import_commit(actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=True)

    assert "Nothing was saved" in failed.value.messages[0]
    assert _saved_state() == before


def test_an_identifier_recorded_since_matching_stops_the_commit_and_names_the_row(
    partnership, people
):
    rows = [["Shah", "Priya", "02/03/1985", OTHER_PNC, ""]]
    cohort_import = matched(partnership, rows)
    assert outcomes(cohort_import) == {2: RowOutcome.CREATED}
    # Someone records the same PNC ID for another person before the list is imported.
    identifier_add(actor=partnership.partner, nominal=people["known"], kind="pnc", value=OTHER_PNC)
    before = _saved_state()

    with pytest.raises(CommitFailed) as failed:
        import_commit(actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=True)

    assert failed.value.messages[0].startswith(
        f"Row 2: the PNC ID {OTHER_PNC} is now recorded for another person"
    )
    assert _saved_state() == before


def test_identifiers_that_disagree_are_queued_and_a_new_person_is_refused(partnership, people):
    uncertain = people["uncertain"]
    identifier_add(actor=partnership.partner, nominal=uncertain, kind="crn", value="B123456")
    identifier_add(actor=partnership.partner, nominal=uncertain, kind="pnc", value=OTHER_PNC)
    headers = ["Surname", "Forename", "DOB", "PNC ID", "CRN"]
    # The same CRN as Morgan Blake's record, but a different PNC ID: a person must check.
    cohort_import = import_upload(
        actor=partnership.coordinator,
        panel=partnership.panel,
        month=MAY,
        file_name="may.csv",
        data=csv_bytes([["Blake", "Morgan", "09/07/1985", HIDDEN_PNC, "B123456"]], headers=headers),
    )
    cohort_import = import_map_columns(
        actor=partnership.coordinator,
        cohort_import=cohort_import,
        mapping={**{k: v for k, v in MAPPING.items() if k != "postcode"}, "crn": "CRN"},
    )
    row = cohort_import.rows.get(number=2)
    # Charlie's hidden record holds the PNC ID: nothing of it may be offered, so the row
    # cannot be imported until the identifiers are checked.
    assert row.outcome == RowOutcome.INVALID
    assert "on a record you cannot see" in row.message

    identifier = Identifier.objects.get(value=HIDDEN_PNC)
    identifier.delete()
    cohort_import = import_map_columns(
        actor=partnership.coordinator,
        cohort_import=cohort_import,
        mapping={**{k: v for k, v in MAPPING.items() if k != "postcode"}, "crn": "CRN"},
    )
    row = cohort_import.rows.get(number=2)
    assert row.outcome == RowOutcome.QUEUED
    assert [entry["id"] for entry in row.candidates] == [uncertain.pk]
    assert "point to different records, or one agrees and another differs" in row.message
    with pytest.raises(ValidationError) as refused:
        import_row_decide(actor=partnership.coordinator, row=row, choice=services.NEW_PERSON)
    assert refused.value.message_dict["choice"][0].startswith(
        f"The Probation CRN B123456 on this row is already recorded for record {uncertain.pk}"
    )


def test_only_the_panels_coordinator_may_import(partnership):
    for user in (partnership.partner, partnership.member_partner, partnership.outsider_coordinator):
        with pytest.raises(PermissionDenied):
            import_upload(
                actor=user,
                panel=partnership.panel,
                month=MAY,
                file_name="may.csv",
                data=csv_bytes(GOOD_LIST),
            )
    assert not CohortImport.objects.exists()


def test_a_list_for_a_month_before_the_last_imported_one_is_refused(partnership):
    import_run_file(
        actor=partnership.coordinator,
        panel=partnership.panel,
        month=MAY,
        file_bytes=csv_bytes([["Shah", "Priya", "02/03/1985", "", ""]]),
        file_name="may.csv",
    )
    with pytest.raises(ValidationError) as refused:
        upload(partnership, month=date(2026, 4, 1))
    assert "The May 2026 list has already been imported" in refused.value.messages[0]


def test_discarding_a_list_deletes_its_rows_and_changes_no_one(partnership, people):
    cohort_import = matched(partnership)
    import_discard(actor=partnership.coordinator, cohort_import=cohort_import)
    cohort_import.refresh_from_db()
    assert cohort_import.status == ImportStatus.DISCARDED
    assert not cohort_import.rows.exists()
    assert cohort_import.summary["discarded_rows"] == 11
    with pytest.raises(ValidationError):
        import_commit(actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=True)


def test_the_run_for_benchmarks_leaves_queued_rows_out_and_commits(partnership, people):
    result = import_run_file(
        actor=partnership.coordinator,
        panel=partnership.panel,
        month=MAY,
        file_bytes=csv_bytes(GOOD_LIST),
        file_name="may.csv",
    )
    assert result[RowOutcome.SKIPPED] == 1
    assert result["joined"] == 4 and result["left"] == 1


def _people_rows(count: int) -> list[list[str]]:
    from tests.people import generate_people

    return [
        [person.family, person.given, person.dob.strftime("%d/%m/%Y"), "", person.postcode]
        for person in generate_people(count, seed=7)
    ]


def test_500_rows_are_matched_and_committed_in_a_bounded_number_of_queries(
    partnership, people, django_assert_max_num_queries
):
    rows = _people_rows(500)
    cohort_import = upload(partnership, rows)
    # Matching: a handful of queries per chunk of rows, not per row.
    with django_assert_max_num_queries(30):
        import_map_columns(
            actor=partnership.coordinator, cohort_import=cohort_import, mapping=MAPPING
        )
    cohort_import.rows.filter(outcome=RowOutcome.QUEUED).update(outcome=RowOutcome.SKIPPED)
    created = cohort_import.rows.filter(outcome=RowOutcome.CREATED).count()
    assert created > 450
    # Commit writes new records, memberships and audit rows in batches, not one by one.
    with django_assert_max_num_queries(40):
        import_commit(actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=True)


@pytest.mark.django_db(transaction=True)
def test_two_commits_at_once_import_the_list_once(partnership, people):
    cohort_import = matched(partnership)
    import_row_decide(
        actor=partnership.coordinator,
        row=cohort_import.rows.get(number=4),
        choice=services.NEW_PERSON,
    )
    results: list[object] = []
    start = threading.Barrier(2)

    def commit():
        start.wait()
        try:
            results.append(
                import_commit(
                    actor=partnership.coordinator, cohort_import=cohort_import, exit_leavers=True
                )
            )
        except ValidationError as refused:
            results.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(isinstance(result, dict) for result in results) == 1
    assert sum(isinstance(result, ValidationError) for result in results) == 1
    assert AuditEvent.objects.filter(verb=Verb.IMPORT_COMMITTED).count() == 1
    assert Nominal.objects.filter(family_name="Shah").count() == 1
