"""The small world every figures test builds on: one agency, one member of staff, two
panels, and the financial year 2025-26 (1 April 2025 to 31 March 2026) as the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from accounts.models import Role, User
from offenders.models import Nominal
from panels.models import CohortMembership, Panel
from reporting.figures.scope import Scope
from reporting.periods import Period, financial_year
from tests.factories import make_agency, make_panel, make_user
from tests.reporting.factories import MembershipFactory, NominalFactory

YEAR = financial_year(2025)  # 1 April 2025 to 31 March 2026
AS_AT = date(2026, 9, 30)


@dataclass
class World:
    staff: User
    panel: Panel
    other_panel: Panel

    def person(self, **fields: Any) -> Nominal:
        """A person recorded by the staff member's agency, on no cohort yet."""
        return NominalFactory.create(created_by=self.staff, **fields)

    def member(
        self,
        *,
        start: date | None = date(2025, 4, 1),
        end: date | None = None,
        panel: Panel | None = None,
        status: str | None = None,
        **fields: Any,
    ) -> Nominal:
        """A person on the panel's cohort from `start` (to `end`, when given)."""
        nominal = self.person(**fields)
        self.join(nominal, start=start, end=end, panel=panel, status=status)
        return nominal

    def join(
        self,
        nominal: Nominal,
        *,
        start: date | None = date(2025, 4, 1),
        end: date | None = None,
        panel: Panel | None = None,
        status: str | None = None,
        **fields: Any,
    ) -> CohortMembership:
        return MembershipFactory.create(
            nominal=nominal,
            panel=panel or self.panel,
            start=start,
            end=end,
            status=status or ("exited" if end else "active"),
            **fields,
        )

    def scope(
        self,
        period: Period = YEAR,
        *,
        panels: list[Panel] | None = None,
        as_at: date = AS_AT,
    ) -> Scope:
        chosen = panels if panels is not None else [self.panel, self.other_panel]
        return Scope(period=period, panel_ids=tuple(p.pk for p in chosen), as_at=as_at)


@pytest.fixture
def world(db) -> World:
    council = make_agency("council", name="Council CST")
    staff = make_user(council, Role.COORDINATOR, Role.PARTNER, username="alice", device=False)
    return World(
        staff=staff,
        panel=make_panel(council, [], name="IOM panel"),
        other_panel=make_panel(council, [], name="DIP panel"),
    )
