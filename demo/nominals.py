"""A few fictional people on the demo borough's panels, so the demo has records to open.

Made through the services like real records; re-running finds them and adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from offenders.models import Nominal
from offenders.services import event_add, need_set, nominal_create
from panels.models import CohortMembership, MembershipStatus, RagReview

# given, family, date of birth, gender, CRN, panels (by kind), recording agency
PEOPLE = [
    ("Daniel", "Okoro", date(1994, 3, 14), "male", "D482913", ["iom", "sgv"], "police"),
    ("Kyle", "Brennan", date(1989, 11, 2), "male", "K204518", ["iom", "dip"], "probation"),
    ("Shanice", "Whitlock", date(1997, 6, 21), "female", "S771042", ["dip"], "drugs"),
    ("Marek", "Nowicki", date(1985, 1, 30), "male", "M390266", ["iom"], "probation"),
    ("Tyrone", "Achebe", date(2001, 9, 9), "male", "T118734", ["sgv"], "police"),
    ("Gary", "Fenwick", date(1978, 4, 17), "male", "G650391", ["mappa", "iom"], "probation"),
    ("Leanne", "Pryce", date(1991, 8, 5), "female", "L902817", ["asb_marac"], "housing"),
    ("Imran", "Siddiqui", date(1999, 12, 28), "male", "I345670", ["iom", "dip"], "police"),
]
RAGS = ["red", "amber", "amber", "green"]


@transaction.atomic
def ensure_demo_nominals(borough) -> int:
    """Create the demo people if they are not there; returns how many were created."""
    created = 0
    today = timezone.localdate()
    recorder_for = {
        "police": borough.staff["police"],
        "probation": borough.staff["probation"],
        "drugs": borough.staff["drugs"],
        "housing": borough.staff["housing"],
    }
    coordinator = borough.staff["coordinator"]
    for index, (given, family, dob, gender, crn, kinds, agency) in enumerate(PEOPLE):
        if Nominal.objects.filter(identifiers__kind="crn", identifiers__value=crn).exists():
            continue
        actor = recorder_for[agency]
        nominal = nominal_create(
            actor=actor,
            given_names=given,
            family_name=family,
            date_of_birth=dob,
            gender=gender,
            postcode="KM1 4AB",
            identifiers=[("crn", crn)],
        )
        for kind in kinds:
            panel = borough.panels[kind]
            CohortMembership.objects.create(
                nominal=nominal,
                panel=panel,
                status=MembershipStatus.ACTIVE,
                referred_on=today - timedelta(days=200),
                referred_by=actor,
                reason="Referred at the monthly panel",
                start=today - timedelta(days=190),
            )
            for months_ago, rag in enumerate(RAGS[index % 2 :]):
                RagReview.objects.create(
                    nominal=nominal,
                    panel=panel,
                    rag=rag,
                    reviewed_on=today - timedelta(days=30 * (len(RAGS) - months_ago)),
                    author=coordinator,
                )
        event_add(
            actor=actor,
            nominal=nominal,
            kind="visit",
            occurred_on=today - timedelta(days=20 + 40 * (index % 5)),
            summary="Home visit; engaged and attended the appointment.",
        )
        need_set(
            actor=actor,
            nominal=nominal,
            pathway="accommodation" if index % 2 else "drugs",
            level="high",
            note="Discussed at the last panel.",
            on=today - timedelta(days=14),
        )
        created += 1
    return created
