"""The data the access matrix runs against: the partnership of tests/conftest.py, plus a
second, unrelated agency's records, with a canary string in every record.

`build_world()` is built once per test module (see conftest.py) because the matrix makes
several hundred requests; each test still runs in its own savepoint, so nothing a test
does leaks into the next. It starts from the same `build_partnership()` as the
`partnership` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from panels.models import Panel
from sharing.models import InformationSharingAgreement, User
from tests.conftest import Partnership, build_partnership
from tests.factories import make_panel, make_signed_agreement

ANONYMOUS = "anonymous"

# Every persona the matrix asks about, in the order failures are listed.
PERSONAS = (
    ANONYMOUS,
    "coordinator",  # council: coordinates the IOM panel
    "partner",  # council partner
    "member_partner",  # probation: member agency, signed the agreement
    "unsigned_partner",  # housing: member agency, has not signed
    "committee",  # council committee officer: aggregates only
    "agency_admin",  # council agency administrator
    "system_admin",  # runs the service; reads no case data
    "outsider_partner",  # another borough's police: must see nothing of the partnership
    "outsider_coordinator",
    "outsider_admin",
)


def canary(agency: str, field: str) -> str:
    """A string that appears nowhere but in the one field of the one agency's records."""
    return f"CANARY-{agency}-{field}-7Q2X"


# The fields each agency's canary is written into.
CANARY_FIELDS = ("panel-name", "panel-description", "agreement-title", "staff-name")


@dataclass
class World:
    p: Partnership
    outsider_panel: Panel
    outsider_agreement: InformationSharingAgreement
    missing_pk: int  # an id no record has: it must get the same answer as a foreign one

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


def build_world() -> World:
    p = build_partnership()
    outsider_panel = make_panel(p.outsider, [], name="Elsewhere IOM panel")
    outsider_agreement = make_signed_agreement(
        panels=[outsider_panel],
        parties=[p.outsider],
        signer=p.outsider_admin,
        reference="ISA-ELSEWHERE",
    )
    _plant_canaries("council", p.panel, p.agreement)
    _plant_canaries("outsider", outsider_panel, outsider_agreement)
    for persona in PERSONAS[1:]:
        getattr(p, persona).refresh_from_db()
    return World(
        p=p,
        outsider_panel=outsider_panel,
        outsider_agreement=outsider_agreement,
        missing_pk=2_000_000_000,
    )
