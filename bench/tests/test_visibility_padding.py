"""The visibility benchmark's padded register: the people a borough's coordinator can see
are exactly those they saw before, while the register grows around them."""

from __future__ import annotations

import pytest

from accounts.models import Agency, User
from bench.synthetic import generate
from bench.visibility import pad_register
from offenders.models import Nominal
from panels.models import CohortMembership

pytestmark = pytest.mark.django_db


def test_padding_grows_the_register_but_not_what_the_borough_sees():
    generate(nominals=3_001, seed=5, password="synthetic-test-password")  # two boroughs
    coordinator = User.objects.get(username="b00-coordinator")
    other = User.objects.get(username="b01-coordinator")
    seen_before = set(Nominal.objects.visible_to(coordinator).values_list("pk", flat=True))
    other_before = Nominal.objects.visible_to(other).count()
    memberships_before = CohortMembership.objects.count()
    keep = list(Agency.objects.filter(code__startswith="b00-").values_list("pk", flat=True))

    pad_register(to=8_000, keep_agency_ids=keep)

    assert Nominal.objects.count() == 8_000
    assert set(Nominal.objects.visible_to(coordinator).values_list("pk", flat=True)) == (
        seen_before
    )
    # The copies belong to the other boroughs: their staff see them, on their own panels.
    assert Nominal.objects.visible_to(other).count() > 2 * other_before
    assert CohortMembership.objects.count() > 2 * memberships_before
    copied = Nominal.objects.order_by("-pk").first()
    assert copied.memberships.exists()
    assert not copied.memberships.filter(panel__coordinating_agency__in=keep).exists()
