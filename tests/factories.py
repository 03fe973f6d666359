"""Factories for tests: deterministic, each builds through the same services as real use
where a rule depends on it (agencies get their group, grants are recomputed)."""

from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Agency, AgencyKind, Role, User
from accounts.services import agency_create, role_group
from panels.models import Panel, PanelKind
from sharing.agreement_services import agreement_circulate
from sharing.documents import PDF, Document
from sharing.models import InformationSharingAgreement
from sharing.services import agreement_create, agreement_sign, panel_create

TEST_PASSWORD = "correct horse battery staple"


def make_agency(code: str, *, name: str | None = None, kind: str = AgencyKind.POLICE) -> Agency:
    return agency_create(actor=None, name=name or f"Agency {code}", code=code, kind=kind)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([role_group(Role(role)) for role in extracted])
        if create:
            self.save()


def make_user(agency: Agency, *roles: Role, username: str | None = None, device: bool = True):
    """A member of staff with a confirmed authenticator, ready to sign in."""
    kwargs = {"username": username} if username else {}
    user = UserFactory(agency=agency, roles=list(roles), **kwargs)
    if device:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def make_panel(
    coordinator: Agency,
    members: list[Agency],
    *,
    name: str = "Test IOM panel",
    kind: str = PanelKind.IOM,
) -> Panel:
    return panel_create(
        actor=None, kind=kind, name=name, coordinating_agency=coordinator, member_agencies=members
    )


# The smallest file a PDF reader opens: enough for an agreement's signed document.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SIGNED_DOCUMENT = Document(name="agreement.pdf", content_type=PDF, content=PDF_BYTES)


def make_signed_agreement(
    *,
    panels: list[Panel],
    parties: list[Agency],
    signer: User,
    reference: str = "ISA-1",
    signed_on: date | None = None,
    signing: list[Agency] | None = None,
) -> InformationSharingAgreement:
    agreement = agreement_create(
        actor=None,
        title=f"Agreement {reference}",
        reference=reference,
        parties=parties,
        panels=panels,
        legal_basis="Crime and Disorder Act 1998 section 115",
        purpose="Reducing reoffending",
        retention_period_months=24,
        document=SIGNED_DOCUMENT,
    )
    agreement_circulate(actor=None, agreement=agreement)
    for agency in signing if signing is not None else parties:
        agreement_sign(
            actor=signer,
            agreement=agreement,
            agency=agency,
            signed_by_name="A Signatory",
            signed_by_role="SIRO",
            signed_on=signed_on or timezone.localdate(),
        )
    agreement.refresh_from_db()
    return agreement


def make_nominal(
    actor: User,
    *,
    given_names: str = "Jordan",
    family_name: str = "Ashby",
    date_of_birth: date | None = date(1990, 5, 17),
    on_panel: Panel | None = None,
    status: str = "active",
    **fields,
):
    """A nominal recorded by the actor's agency, optionally on a panel's cohort."""
    from offenders.services import nominal_create
    from panels.models import CohortMembership

    nominal = nominal_create(
        actor=actor,
        given_names=given_names,
        family_name=family_name,
        date_of_birth=date_of_birth,
        **fields,
    )
    if on_panel is not None:
        CohortMembership.objects.create(
            nominal=nominal,
            panel=on_panel,
            status=status,
            referred_on=date(2026, 1, 5),
            start=date(2026, 1, 12) if status == "active" else None,
        )
    return nominal
