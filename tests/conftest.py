"""Shared test set-up: fast hashing, eager Celery, and the named personas of STYLE.md.

The partnership in every test:
- `police` coordinates nothing; `council` coordinates the IOM panel;
- `probation` is a member of the IOM panel and has signed an in-force agreement;
- `housing` is a member of the IOM panel but has NOT signed (no access);
- `outsider` (another borough's police) is not a member and never sees the panel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from accounts.models import Agency, AgencyKind, Role, User
from panels.models import Panel
from sharing.models import InformationSharingAgreement
from tests.factories import make_agency, make_panel, make_signed_agreement, make_user
from tests.signing_in import signed_in_client

IN_CI = os.environ.get("CI", "").lower() == "true"


@dataclass
class Partnership:
    council: Agency
    police: Agency
    probation: Agency
    housing: Agency
    outsider: Agency
    panel: Panel
    agreement: InformationSharingAgreement
    coordinator: User  # council coordinator: runs the IOM panel
    partner: User  # council partner: own agency coordinates the panel
    member_partner: User  # probation partner under an in-force agreement
    unsigned_partner: User  # housing partner: member agency, agreement not signed
    outsider_partner: User  # outsider partner: must see nothing
    outsider_coordinator: User
    committee: User  # council committee officer: aggregates only
    agency_admin: User  # council agency admin: staff accounts only, no casework
    governance_lead: User  # council information governance lead: agreements, who viewed what
    outsider_admin: User
    system_admin: User


def build_partnership() -> Partnership:
    """The named personas' partnership; the fixture and the access matrix both use it."""
    council = make_agency("council", name="Council CST", kind=AgencyKind.COUNCIL)
    police = make_agency("police", name="Borough Police")
    probation = make_agency("probation", name="Probation", kind=AgencyKind.PROBATION)
    housing = make_agency("housing", name="Housing", kind=AgencyKind.HOUSING)
    outsider = make_agency("outsider", name="Elsewhere Police")
    panel = make_panel(council, [police, probation, housing])
    system_admin = make_user(council, Role.SYSTEM_ADMIN, username="sysadmin")
    agreement = make_signed_agreement(
        panels=[panel],
        parties=[council, police, probation, housing],
        signer=system_admin,
        signing=[council, police, probation],
    )
    return Partnership(
        council=council,
        police=police,
        probation=probation,
        housing=housing,
        outsider=outsider,
        panel=panel,
        agreement=agreement,
        coordinator=make_user(council, Role.COORDINATOR, Role.PARTNER, username="alice"),
        partner=make_user(council, Role.PARTNER, username="carol"),
        member_partner=make_user(probation, Role.PARTNER, username="bob"),
        unsigned_partner=make_user(housing, Role.PARTNER, username="hana"),
        outsider_partner=make_user(outsider, Role.PARTNER, username="charlie"),
        outsider_coordinator=make_user(outsider, Role.COORDINATOR, username="olive"),
        committee=make_user(council, Role.COMMITTEE, username="cathy"),
        agency_admin=make_user(council, Role.AGENCY_ADMIN, username="adam"),
        governance_lead=make_user(council, Role.GOVERNANCE_LEAD, username="greta"),
        outsider_admin=make_user(outsider, Role.AGENCY_ADMIN, username="oscar"),
        system_admin=system_admin,
    )


@pytest.fixture
def partnership(db) -> Partnership:
    return build_partnership()


@pytest.fixture
def client_for():
    return signed_in_client
