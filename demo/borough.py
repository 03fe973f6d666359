"""A fictional borough's partnership: agencies, panels, agreements and staff.

`ensure_borough` is idempotent (it finds what exists before creating anything), so the
demo loader can run on every `make run`, and the data generator can build many boroughs.
Everything is created through the services, so the demo obeys the same rules as real use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Agency, AgencyKind, Role, User
from accounts.services import agency_create, role_group
from meetings.models import MeetingKind, MeetingRule
from meetings.services.meetings import meeting_rule_add
from panels.models import Panel, PanelKind, RagScheme
from sharing.agreement_services import agreement_circulate
from sharing.documents import PDF, Document
from sharing.models import InformationSharingAgreement
from sharing.services import agreement_create, agreement_sign, panel_create

AGENCIES = [
    # (code, name, kind)
    ("council", "{borough} Council Community Safety Team", AgencyKind.COUNCIL),
    ("police", "{borough} Police", AgencyKind.POLICE),
    ("probation", "{borough} Probation Delivery Unit", AgencyKind.PROBATION),
    ("drugs", "{borough} Drug and Alcohol Service", AgencyKind.DRUG_SERVICE),
    ("housing", "{borough} Housing Options", AgencyKind.HOUSING),
    ("dwp", "{borough} Jobcentre Plus", AgencyKind.DWP),
    ("yos", "{borough} Youth Offending Service", AgencyKind.YOUTH_OFFENDING),
    ("health", "{borough} Mental Health Trust", AgencyKind.HEALTH),
    ("vcs", "{borough} Mentoring Trust", AgencyKind.VOLUNTARY),
]

PANELS = [
    # (kind, name, coordinator, members)
    (
        PanelKind.IOM,
        "{borough} IOM panel",
        "council",
        ["police", "probation", "drugs", "housing", "dwp", "vcs"],
    ),
    (PanelKind.MAPPA, "{borough} MAPPA", "probation", ["police", "council", "housing", "health"]),
    (PanelKind.SGV, "{borough} SGV panel", "council", ["police", "probation", "yos", "vcs"]),
    (PanelKind.DIP, "{borough} DIP panel", "council", ["drugs", "police", "probation", "health"]),
    (
        PanelKind.ASB_MARAC,
        "{borough} ASB and Community MARAC",
        "council",
        ["police", "housing", "health"],
    ),
]

# Panels that rate a person in custody Blue rather than Red, Amber or Green, as many IOM
# panels do (and the history's monthly reviews show).
CUSTODY_RAG_PANELS = {PanelKind.IOM}

# Agreements: reference, title, panel names, parties, signing parties. Health has not
# signed the reducing reoffending agreement and housing has not signed the ASB one, so
# the demo shows member agencies that do not yet see a cohort.
AGREEMENTS = [
    (
        "{code}-ISA-RR",
        "{borough} reducing reoffending information-sharing agreement",
        ["iom", "sgv", "dip"],
        ["council", "police", "probation", "drugs", "housing", "dwp", "yos", "health", "vcs"],
        ["council", "police", "probation", "drugs", "housing", "dwp", "yos", "vcs"],
    ),
    (
        "{code}-ISA-MAPPA",
        "{borough} MAPPA information-sharing protocol",
        ["mappa"],
        ["probation", "police", "council", "housing"],
        ["probation", "police", "council", "housing"],
    ),
    (
        "{code}-ISA-ASB",
        "{borough} ASB and Community MARAC agreement",
        ["asb_marac"],
        ["council", "police", "housing", "health"],
        ["council", "police"],
    ),
    # Circulated and signed by nobody yet, so a governance lead has one to sign.
    (
        "{code}-ISA-SGV",
        "{borough} serious group violence data-sharing addendum",
        ["sgv"],
        ["council", "police", "probation"],
        [],
    ),
]

# When each panel meets (the 2017 action plan): panel kind, meeting, week of the month
# (-1 is the last), weekday (Monday 0), start, place. MAPPA and the ASB and Community
# MARAC meet monthly on a day of their own.
MEETING_RULES = [
    ("iom", MeetingKind.MAIN, 1, 2, time(10, 0), "{borough} Civic Centre, committee room 2"),
    ("iom", MeetingKind.MID_MONTH, 3, 2, time(10, 0), "{borough} Civic Centre, committee room 2"),
    ("mappa", MeetingKind.MAIN, 2, 3, time(14, 0), "{borough} Probation Delivery Unit"),
    ("sgv", MeetingKind.MAIN, 1, 1, time(14, 0), "{borough} Civic Centre, committee room 1"),
    ("dip", MeetingKind.MAIN, -1, 3, time(10, 0), "{borough} Drug and Alcohol Service"),
    ("asb_marac", MeetingKind.MAIN, 2, 1, time(10, 0), "{borough} Civic Centre, committee room 1"),
]

# A one-page PDF standing in for each agreement's signed document.
DEMO_DOCUMENT = Document(
    name="agreement.pdf",
    content_type=PDF,
    content=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
)

STAFF = [
    # (username, first, last, agency, roles, job title)
    (
        "coordinator",
        "Priya",
        "Shah",
        "council",
        [Role.COORDINATOR, Role.PARTNER],
        "IOM and SGV coordinator",
    ),
    ("mappa", "Tom", "Okafor", "probation", [Role.COORDINATOR, Role.PARTNER], "MAPPA coordinator"),
    ("police", "Sam", "Reid", "police", [Role.PARTNER], "IOM police officer"),
    ("probation", "Jo", "Evans", "probation", [Role.PARTNER], "Offender manager"),
    ("drugs", "Alex", "Moreno", "drugs", [Role.PARTNER], "Drug worker"),
    ("housing", "Chris", "Lee", "housing", [Role.PARTNER], "Housing officer"),
    ("health", "Morgan", "Blake", "health", [Role.PARTNER], "Forensic mental health nurse"),
    ("committee", "Ruth", "Adeyemi", "council", [Role.COMMITTEE], "Scrutiny officer"),
    ("admin", "Dee", "Walsh", "council", [Role.AGENCY_ADMIN], "Business support manager"),
    ("policeadmin", "Pat", "Kaur", "police", [Role.AGENCY_ADMIN], "Systems access officer"),
    (
        "governance",
        "Nia",
        "Campbell",
        "council",
        [Role.GOVERNANCE_LEAD],
        "Information governance lead",
    ),
    (
        "policegovernance",
        "Hugh",
        "Barker",
        "police",
        [Role.GOVERNANCE_LEAD],
        "Data protection officer",
    ),
    (
        "probationgovernance",
        "Ruby",
        "Osei",
        "probation",
        [Role.GOVERNANCE_LEAD],
        "Information governance lead",
    ),
    ("sysadmin", "Lee", "Park", "council", [Role.SYSTEM_ADMIN], "Systems administrator"),
]


@dataclass
class Borough:
    name: str
    code: str
    agencies: dict[str, Agency] = field(default_factory=dict)
    panels: dict[str, Panel] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)


def _agency(borough: str, code: str, name: str, kind: str) -> Agency:
    existing = Agency.objects.filter(code=code).first()
    return existing or agency_create(
        actor=None, name=name.format(borough=borough), code=code, kind=kind
    )


def _staff_member(
    *,
    username: str,
    first: str,
    last: str,
    agency: Agency,
    roles: list[Role],
    title: str,
    password: str,
    with_device: bool,
) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            agency=agency,
            job_title=title,
        )
        user.set_password(password)
        user.save()
        user.groups.set([role_group(role) for role in roles])
    if with_device and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


@transaction.atomic
def ensure_borough(
    *, borough: str = "Kingsmere", code: str = "", password: str, with_devices: bool = True
) -> Borough:
    """Create (or find) one borough's partnership. `code` prefixes every code and username."""
    prefix = f"{code}-" if code else ""
    result = Borough(name=borough, code=code or "KM")
    for agency_code, name, kind in AGENCIES:
        result.agencies[agency_code] = _agency(borough, prefix + agency_code, name, kind)

    for panel_kind, name, coordinator, members in PANELS:
        full_name = name.format(borough=borough)
        panel = Panel.objects.filter(name=full_name).first()
        if panel is None:
            panel = panel_create(
                actor=None,
                kind=panel_kind,
                name=full_name,
                coordinating_agency=result.agencies[coordinator],
                member_agencies=[result.agencies[m] for m in members],
            )
            if panel_kind in CUSTODY_RAG_PANELS:
                panel.rag_scheme = RagScheme.RAG_CUSTODY
                panel.save(update_fields=["rag_scheme"])
        result.panels[panel_kind] = panel

    for username, first, last, agency_code, roles, title in STAFF:
        result.staff[username] = _staff_member(
            username=prefix + username,
            first=first,
            last=last,
            agency=result.agencies[agency_code],
            roles=roles,
            title=title,
            password=password,
            with_device=with_devices,
        )

    signer = result.staff["sysadmin"]
    for reference, title, panel_kinds, parties, signing in AGREEMENTS:
        ref = reference.format(code=result.code.upper())
        if InformationSharingAgreement.objects.filter(reference=ref).exists():
            continue
        agreement = agreement_create(
            actor=None,
            title=title.format(borough=borough),
            reference=ref,
            parties=[result.agencies[p] for p in parties],
            panels=[result.panels[k] for k in panel_kinds],
            legal_basis=(
                "Crime and Disorder Act 1998 section 115; Data Protection Act 2018 Part 3 "
                "(law enforcement processing) and UK GDPR Article 6(1)(e)."
            ),
            purpose=(
                "To reduce reoffending and protect the public by sharing what each agency "
                "knows about the people the panels manage."
            ),
            retention_period_months=24,
            document=DEMO_DOCUMENT,
        )
        agreement_circulate(actor=None, agreement=agreement)
        for party in signing:
            agreement_sign(
                actor=signer,
                agreement=agreement,
                agency=result.agencies[party],
                signed_by_name=f"Head of service, {result.agencies[party].name}",
                signed_by_role="Senior information risk owner",
                signed_on=date(2026, 4, 1),
            )
    return result


@transaction.atomic
def ensure_meeting_rules(borough: Borough) -> int:
    """Give each panel its meeting rules, set by its coordinator, if it has none yet; the
    meetings for the months ahead are created with them. Returns how many were created."""
    coordinators = {
        user.agency_id: user for user in borough.staff.values() if user.has_role(Role.COORDINATOR)
    }
    created = 0
    for kind, meeting, week, weekday, starts_at, location in MEETING_RULES:
        panel = borough.panels[kind]
        if MeetingRule.objects.filter(
            panel=panel, kind=meeting, week=week, weekday=weekday
        ).exists():
            continue
        _, made = meeting_rule_add(
            actor=coordinators[panel.coordinating_agency_id],
            panel=panel,
            kind=meeting,
            week=week,
            weekday=weekday,
            starts_at=starts_at,
            location=location.format(borough=borough.name),
        )
        created += made
    return created
