"""The synthetic data generator's nominals step: deterministic, idempotent, and made of
records the services would have written (same search name and match keys)."""

from __future__ import annotations

from collections import Counter

import pytest

from accounts.models import User
from bench.synthetic import (
    borough_people,
    generate,
    generated_nominal_ids,
    plan_partnership,
)
from offenders.models import Alias, CaseEvent, Identifier, Need, Nominal
from offenders.selectors import nominals_for
from offenders.services import _refresh_match_fields, search_name_of
from panels.models import CohortMembership, RagReview

pytestmark = pytest.mark.django_db

N = 300


@pytest.fixture
def generated():
    return generate(nominals=N, seed=3, password="synthetic-test-password")


def test_the_nominals_are_the_generated_people_in_order(generated):
    plan = plan_partnership(N, 3)[0]
    ids = generated_nominal_ids(plan)
    assert len(ids) == Nominal.objects.count() == N
    people = borough_people(plan)
    nominals = Nominal.objects.in_bulk(ids)
    for person, pk in zip(people, ids, strict=True):
        nominal = nominals[pk]
        assert (nominal.given_names, nominal.family_name, nominal.date_of_birth) == (
            person.given,
            person.family,
            person.dob,
        )
    with_pnc = [pk for person, pk in zip(people, ids, strict=True) if "pnc" in person.identifiers]
    assert Identifier.objects.filter(kind="pnc", nominal_id__in=with_pnc).count() == len(with_pnc)
    assert Alias.objects.count() == sum(len(person.aliases) for person in people)


def test_search_columns_are_what_the_services_compute(generated):
    for nominal in Nominal.objects.prefetch_related("aliases"):
        stored = (nominal.search_name, list(nominal.match_keys))
        _refresh_match_fields(nominal)
        assert stored == (nominal.search_name, nominal.match_keys)
    for alias in Alias.objects.all():
        assert alias.search_name == search_name_of(alias.given_names, alias.family_name)


def test_everyone_is_on_a_panel_the_coordinator_sees(generated):
    coordinator = User.objects.get(username="b00-coordinator")
    assert nominals_for(coordinator).count() == N
    panels_each = Counter(Counter(CohortMembership.objects.values_list("nominal", flat=True)))
    on_several = sum(1 for count in panels_each.values() if count > 1)
    assert 0.08 < on_several / N < 0.25
    assert RagReview.objects.count() >= CohortMembership.objects.count()
    assert CaseEvent.objects.count() >= 2 * N
    assert Need.objects.count() >= 2 * N


def test_a_second_run_adds_nothing(generated):
    counts = {model: model.objects.count() for model in (Nominal, Identifier, CaseEvent)}
    again = generate(nominals=N, seed=3, password="synthetic-test-password")
    assert again.steps["nominals (with their case records)"].created == 0
    assert {model: model.objects.count() for model in counts} == counts
