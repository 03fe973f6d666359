"""One rule for a date of birth, wherever it comes in: on or after 1 January 1900 and in the
past. Each entry point (the model, the pages that record a person or an alias or search for
one, the API, the monthly list import) is tried with a year typed as 0999, the last day of
1899, a day in the future and a good date, and refuses the first three in the same words."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts.models import RowOutcome
from cohorts.services.imports import import_map_columns, import_upload
from core.validators import BORN_IN_THE_FUTURE, BORN_TOO_EARLY, validate_date_of_birth
from offenders.models import Alias, Nominal
from offenders.services import alias_add, nominal_create
from tests.factories import make_nominal
from tests.panels.import_samples import MAPPING, csv_bytes

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 20)
GOOD = date(1990, 5, 17)
DATES = [
    pytest.param(date(999, 3, 4), BORN_TOO_EARLY, id="0999-03-04"),
    pytest.param(date(1899, 12, 31), BORN_TOO_EARLY, id="1899-12-31"),
    pytest.param(date(2026, 5, 21), BORN_IN_THE_FUTURE, id="tomorrow"),
    pytest.param(GOOD, None, id="1990-05-17"),
]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def date_input(name: str, born: date) -> dict[str, str]:
    """The three boxes of the GOV.UK date input, as a person types them (0999, not 999)."""
    return {
        f"{name}-day": str(born.day),
        f"{name}-month": str(born.month),
        f"{name}-year": f"{born.year:04d}",
    }


def page_says(response, message: str | None) -> None:
    body = response.content.decode()
    if message is None:
        assert response.status_code == 302, body[:3000]
    else:
        assert response.status_code == 200
        assert "There is a problem" in body
        assert message in body


def on_cohort(p, **fields):
    return make_nominal(p.coordinator, family_name="Smith", on_panel=p.panel, **fields)


def with_purpose(client, nominal):
    client.post(reverse("offenders:purpose", args=[nominal.pk]), {"purpose": "case_management"})
    return client


# --- The rule and the model ------------------------------------------------------------------


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_rule(born, message):
    if message is None:
        validate_date_of_birth(born)
    else:
        with pytest.raises(ValidationError, match=message):
            validate_date_of_birth(born)


def test_the_first_day_of_1900_and_yesterday_are_dates_of_birth():
    validate_date_of_birth(date(1900, 1, 1))
    validate_date_of_birth(date(2026, 5, 19))
    with pytest.raises(ValidationError, match=BORN_IN_THE_FUTURE):
        validate_date_of_birth(TODAY)


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_services_refuse_it_for_a_person_and_an_alias(partnership, born, message):
    p = partnership
    nominal = on_cohort(p)
    details = {"given_names": "Jordan", "family_name": "Ashby", "date_of_birth": born}
    if message is None:
        nominal_create(actor=p.coordinator, **details)
        alias_add(actor=p.coordinator, nominal=nominal, **details)
        return
    with pytest.raises(ValidationError) as error:
        nominal_create(actor=p.coordinator, **details)
    assert error.value.message_dict["date_of_birth"] == [message]
    with pytest.raises(ValidationError) as error:
        alias_add(actor=p.coordinator, nominal=nominal, **details)
    assert error.value.message_dict["date_of_birth"] == [message]
    assert not Nominal.objects.filter(family_name="Ashby").exists()
    assert not Alias.objects.exists()


# --- Pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_new_person_page(partnership, client_for, born, message):
    form = {"given_names": "Zebedee", "family_name": "Quartermaine", "gender": "male"}
    response = client_for(partnership.coordinator).post(
        reverse("offenders:create"), form | date_input("date_of_birth", born)
    )
    page_says(response, message)
    assert Nominal.objects.filter(family_name="Quartermaine").exists() == (message is None)


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_identity_page(partnership, client_for, born, message):
    p = partnership
    nominal = on_cohort(p, date_of_birth=date(1985, 1, 2))
    client = with_purpose(client_for(p.coordinator), nominal)
    form = {
        "version": nominal.version,
        "given_names": nominal.given_names,
        "family_name": nominal.family_name,
        "gender": nominal.gender,
        "lead_professional": "",
    }
    response = client.post(
        reverse("offenders:edit", args=[nominal.pk]), form | date_input("date_of_birth", born)
    )
    page_says(response, message)
    nominal.refresh_from_db()
    assert nominal.date_of_birth == (born if message is None else date(1985, 1, 2))


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_alias_page(partnership, client_for, born, message):
    p = partnership
    nominal = on_cohort(p)
    client = with_purpose(client_for(p.coordinator), nominal)
    response = client.post(
        reverse("offenders:alias-create", args=[nominal.pk]),
        {"given_names": "Jay", "family_name": "Smithson"} | date_input("date_of_birth", born),
    )
    page_says(response, message)
    assert Alias.objects.filter(nominal=nominal).exists() == (message is None)


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_search_page(partnership, client_for, born, message):
    response = client_for(partnership.coordinator).post(
        reverse("offenders:index"), {"sort": "relevance"} | date_input("date_of_birth", born)
    )
    assert response.status_code == 200
    body = response.content.decode()
    if message is None:
        assert "There is a problem" not in body
    else:
        assert "There is a problem" in body and message in body


# --- The API ---------------------------------------------------------------------------------


def api_says(response, message: str | None, status: int) -> None:
    if message is None:
        assert response.status_code == status, response.content
    else:
        assert response.status_code == 400
        assert response.json()["date_of_birth"] == [message]


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_api_creating_a_person(partnership, client_for, born, message):
    response = client_for(partnership.coordinator).post(
        "/api/v1/nominals/",
        {"given_names": "Zebedee", "family_name": "Quartermaine", "date_of_birth": str(born)},
        content_type="application/json",
    )
    api_says(response, message, 201)
    assert Nominal.objects.filter(family_name="Quartermaine").exists() == (message is None)


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_api_changing_a_person(partnership, client_for, born, message):
    p = partnership
    nominal = on_cohort(p, date_of_birth=date(1985, 1, 2))
    response = client_for(p.coordinator).patch(
        f"/api/v1/nominals/{nominal.pk}/",
        {"version": nominal.version, "date_of_birth": born.isoformat()},
        content_type="application/json",
    )
    api_says(response, message, 200)
    nominal.refresh_from_db()
    assert nominal.date_of_birth == (born if message is None else date(1985, 1, 2))


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_api_adding_an_alias(partnership, client_for, born, message):
    p = partnership
    nominal = on_cohort(p)
    response = client_for(p.coordinator).post(
        f"/api/v1/nominals/{nominal.pk}/aliases/",
        {"given_names": "Jay", "family_name": "Smithson", "date_of_birth": born.isoformat()},
        content_type="application/json",
    )
    api_says(response, message, 201)
    assert Alias.objects.filter(nominal=nominal).exists() == (message is None)


@pytest.mark.parametrize(("born", "message"), DATES)
def test_the_api_search(partnership, client_for, born, message):
    response = client_for(partnership.coordinator).post(
        "/api/v1/nominals/search/",
        {"date_of_birth": born.isoformat()},
        content_type="application/json",
    )
    api_says(response, message, 200)


# --- The monthly list ------------------------------------------------------------------------


def test_the_monthly_list_refuses_each_row_with_the_reason(partnership):
    p = partnership
    rows = [
        ["Quartermaine", "Ann", "04/03/0999", "", ""],
        ["Quartermaine", "Bea", "31/12/1899", "", ""],
        ["Quartermaine", "Cas", "21/05/2026", "", ""],
        ["Quartermaine", "Dee", "17/05/1990", "", ""],
        # Most of the column is good dates, so the column is the date of birth's.
        *([f"Quartermaine{n}", "Eve", f"1{n}/06/1991", "", ""] for n in range(5)),
    ]
    cohort_import = import_upload(
        actor=p.coordinator,
        panel=p.panel,
        month=date(2026, 5, 1),
        file_name="may.csv",
        data=csv_bytes(rows),
    )
    cohort_import = import_map_columns(
        actor=p.coordinator, cohort_import=cohort_import, mapping=MAPPING
    )
    outcomes = {row.number: (row.outcome, row.message) for row in cohort_import.rows.all()}
    assert outcomes[2] == (RowOutcome.INVALID, f"{BORN_TOO_EARLY}: the list has 04/03/0999")
    assert outcomes[3] == (RowOutcome.INVALID, f"{BORN_TOO_EARLY}: the list has 31/12/1899")
    assert outcomes[4] == (RowOutcome.INVALID, f"{BORN_IN_THE_FUTURE}: the list has 21/05/2026")
    assert outcomes[5][0] == RowOutcome.CREATED
