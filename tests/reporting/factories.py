"""Factories for the figures' data: people, their time on cohorts and what happened to them.

Each row is built straight through its model, the way the figures read it. A person's
owning agency and author come from `created_by`, and the rows about a person take their
agency and author from the person, so a test names only what its arithmetic depends on.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from meetings.models import AgendaItem, Meeting
from offenders.models import CaseEvent, CustodyEpisode, Need, Nominal, Offence
from panels.models import CohortMembership, RagReview
from reporting.models import Target, UnitCost


class NominalFactory(factory.django.DjangoModelFactory[Nominal]):
    """A person; pass `created_by` (a member of staff): their agency owns the record."""

    class Meta:
        model = Nominal

    given_names = "Sam"
    family_name = factory.Sequence(lambda n: f"Person{n}")
    date_of_birth = date(1990, 5, 17)
    gender = "male"
    ethnicity = "White British"
    owning_agency = factory.LazyAttribute(lambda o: o.created_by.agency)


class MembershipFactory(factory.django.DjangoModelFactory[CohortMembership]):
    """A person on a panel's cohort: active from `start` unless told otherwise."""

    class Meta:
        model = CohortMembership

    status = "active"
    start = date(2025, 4, 1)
    end = None
    referred_on = factory.LazyAttribute(lambda o: o.start or date(2025, 1, 1))


class OffenceFactory(factory.django.DjangoModelFactory[Offence]):
    class Meta:
        model = Offence

    offence_type = "burglary"
    committed_on = date(2025, 6, 1)
    recorded_by_agency = factory.LazyAttribute(lambda o: o.nominal.owning_agency)


class CustodyEpisodeFactory(factory.django.DjangoModelFactory[CustodyEpisode]):
    class Meta:
        model = CustodyEpisode

    entered_on = date(2025, 6, 1)
    reason = "sentence"
    offence = None
    recorded_by_agency = factory.LazyAttribute(lambda o: o.nominal.owning_agency)


class CaseEventFactory(factory.django.DjangoModelFactory[CaseEvent]):
    class Meta:
        model = CaseEvent

    kind = "arrest"
    occurred_on = date(2025, 6, 1)
    summary = "Arrested"
    agency = factory.LazyAttribute(lambda o: o.nominal.owning_agency)
    author = factory.LazyAttribute(lambda o: o.nominal.created_by)


class RagReviewFactory(factory.django.DjangoModelFactory[RagReview]):
    class Meta:
        model = RagReview

    rag = "amber"
    reviewed_on = date(2025, 6, 1)
    author = factory.LazyAttribute(lambda o: o.nominal.created_by)


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    kind = "main"
    date = date(2025, 6, 4)
    status = "held"


class AgendaItemFactory(factory.django.DjangoModelFactory[AgendaItem]):
    class Meta:
        model = AgendaItem

    reason = "review_due"
    position = factory.Sequence(lambda n: n + 1)
    discussed = True
    escalate = False


class NeedFactory(factory.django.DjangoModelFactory[Need]):
    class Meta:
        model = Need

    pathway = "accommodation"
    level = "medium"
    updated_on = date(2025, 6, 1)
    updated_by = factory.LazyAttribute(lambda o: o.nominal.created_by)


class TargetFactory(factory.django.DjangoModelFactory[Target]):
    """A panel's target; pass `set_by`. A later row for the same target replaces it."""

    class Meta:
        model = Target

    measure = "cohort_size"
    year = 2025
    value = 40


class UnitCostFactory(factory.django.DjangoModelFactory[UnitCost]):
    """The cost of one offence of a type; pass `set_by`. The latest row for a type wins."""

    class Meta:
        model = UnitCost

    offence_type = "burglary"
    cost = Decimal("1000.00")
    source = "Home Office, The economic and social costs of crime"
    price_year = 2024
