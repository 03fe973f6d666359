"""The agreement pages that write: drafting with its document, circulating, signing after
confirming identity, withdrawing a party (its staff refused on their next request), the
signed document served to parties only, and the register's sorting and exports."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument
from openpyxl import load_workbook

from accounts.models import AccessLog, AccessOutcome, AuditEvent, Role, Verb
from sharing.models import AgreementStatus, InformationSharingAgreement, Signature
from tests.factories import PDF_BYTES, make_nominal, make_user
from tests.signing_in import age_authentication

pytestmark = pytest.mark.django_db


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    WordDocument().save(buffer)
    return buffer.getvalue()


def _form(p, **overrides):
    data = {
        "title": "Housing agreement",
        "reference": "ISA-H1",
        "parties": [p.council.pk, p.housing.pk],
        "panels": [p.panel.pk],
        "legal_basis": "Housing Act 1996",
        "purpose": "Housing people leaving prison",
        "review_interval_months": "12",
        "retention_period_months": "24",
        "document": SimpleUploadedFile("isa.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def test_a_governance_lead_drafts_an_agreement_with_its_document(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    response = client.post(reverse("sharing:agreement-create"), _form(p))
    agreement = InformationSharingAgreement.objects.get(reference="ISA-H1")
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:agreement", args=[agreement.pk])
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.retention_period_months == 24
    assert bytes(agreement.document_content) == PDF_BYTES
    assert AuditEvent.objects.filter(
        verb=Verb.AGREEMENT_DOCUMENT_UPLOADED, object_id=str(agreement.pk)
    ).exists()


def test_an_empty_form_lists_every_error_at_once(partnership, client_for):
    p = partnership
    response = client_for(p.governance_lead).post(
        reverse("sharing:agreement-create"), {"review_interval_months": "0"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    for message in (
        "Enter the agreement&#x27;s title",
        "Enter the agreement&#x27;s reference",
        "Choose the agencies that are parties to the agreement",
        "The review interval must be at least 1 month",
    ):
        assert body.count(message) == 2, message  # in the summary and by the field


def _encrypted_odt() -> bytes:
    """An ODT whose parts are marked as encrypted inside the zip: they cannot be read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    data = bytearray(buffer.getvalue())
    # zipfile writes no encrypted parts: set the flag in the part's two headers.
    data[6] |= 0x1
    data[data.index(b"PK\x01\x02") + 8] |= 0x1
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("isa.exe", PDF_BYTES, "must be a PDF, Word (.docx) or OpenDocument text (.odt) file"),
        ("isa.pdf", b"MZ\x90\x00 not a pdf", "is not a real PDF file"),
        ("isa.docx", PDF_BYTES, "is not a real DOCX file"),
        ("isa.odt", b"PK\x03\x04garbage", "is not a real ODT file"),
        ("isa.odt", _encrypted_odt(), "is not a real ODT file"),
    ],
)
def test_the_document_is_checked_by_its_name_and_its_content(
    partnership, client_for, name, content, message
):
    p = partnership
    response = client_for(p.governance_lead).post(
        reverse("sharing:agreement-create"),
        _form(p, document=SimpleUploadedFile(name, content)),
    )
    assert message in response.content.decode()
    assert not InformationSharingAgreement.objects.filter(reference="ISA-H1").exists()


def test_a_docx_and_an_odt_are_accepted(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    client.post(
        reverse("sharing:agreement-create"),
        _form(p, document=SimpleUploadedFile("isa.docx", _docx_bytes())),
    )
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    client.post(
        reverse("sharing:agreement-create"),
        _form(p, reference="ISA-H2", document=SimpleUploadedFile("isa.odt", odt.getvalue())),
    )
    assert (
        InformationSharingAgreement.objects.filter(reference__in=["ISA-H1", "ISA-H2"]).count() == 2
    )


def test_a_document_over_the_size_limit_is_refused(partnership, client_for, settings):
    settings.ISA_DOCUMENT_MAX_BYTES = 1024 * 1024
    p = partnership
    big = PDF_BYTES + b"0" * (1024 * 1024)
    response = client_for(p.governance_lead).post(
        reverse("sharing:agreement-create"), _form(p, document=SimpleUploadedFile("isa.pdf", big))
    )
    assert "must be smaller than 1 MB" in response.content.decode()


def test_a_lead_must_make_their_own_agency_a_party(partnership, client_for):
    p = partnership
    response = client_for(p.governance_lead).post(
        reverse("sharing:agreement-create"), _form(p, parties=[p.housing.pk])
    )
    assert "Your own agency, Council CST, must be a party" in response.content.decode()


def test_only_party_staff_download_the_document_as_an_attachment(partnership, client_for):
    p = partnership
    url = reverse("sharing:agreement-document", args=[p.agreement.pk])
    response = client_for(p.member_partner).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="agreement.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == PDF_BYTES
    assert client_for(p.outsider_partner).get(url).status_code == 404
    assert AccessLog.objects.filter(user=p.outsider_partner, outcome=AccessOutcome.DENIED).exists()


def _circulated(p, client):
    client.post(reverse("sharing:agreement-create"), _form(p))
    agreement = InformationSharingAgreement.objects.get(reference="ISA-H1")
    response = client.post(
        reverse("sharing:agreement-circulate", args=[agreement.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_CIRCULATION
    return agreement


def test_signing_asks_the_lead_to_confirm_it_is_them_when_their_check_is_old(
    partnership, client_for
):
    p = partnership
    client = client_for(p.governance_lead)
    agreement = _circulated(p, client)
    url = reverse("sharing:agreement-sign", args=[agreement.pk])
    age_authentication(client, minutes=16)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/confirm-identity/")
    response = client.post(url, {"signed_by_name": "Greta"})
    assert response["Location"].startswith("/confirm-identity/")
    assert not Signature.objects.filter(agreement=agreement).exists()


def test_a_lead_signs_for_their_agency_and_the_page_shows_who_has_not(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    agreement = _circulated(p, client)
    url = reverse("sharing:agreement-sign", args=[agreement.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    future = today + timedelta(days=1)
    refused = client.post(
        url,
        {
            "signed_by_name": "",
            "signed_by_role": "SIRO",
            "signed_on-day": future.day,
            "signed_on-month": future.month,
            "signed_on-year": future.year,
        },
    )
    body = refused.content.decode()
    assert "Enter the name of the person signing" in body
    assert "Date signed must be today or in the past" in body
    response = client.post(
        url,
        {
            "signed_by_name": "Greta Lead",
            "signed_by_role": "Senior information risk owner",
            "signed_on-day": today.day,
            "signed_on-month": today.month,
            "signed_on-year": today.year,
        },
    )
    assert response.status_code == 302
    signature = Signature.objects.get(agreement=agreement)
    assert (signature.agency, signature.signed_by_name) == (p.council, "Greta Lead")
    page = client.get(reverse("sharing:agreement", args=[agreement.pk])).content.decode()
    assert "Greta Lead, Senior information risk owner" in page
    housing_row = page[page.index('<td class="govuk-table__cell">Housing</td>') :]
    assert "Not signed" in housing_row.split("</tr>")[0]
    assert "once that agency has signed this version" in page
    # Signed once: the page is not offered again.
    assert client.get(url).status_code == 403


def test_a_party_withdrawn_from_the_page_is_refused_its_cohort_on_the_next_request(
    partnership, client_for
):
    p = partnership
    probation_lead = make_user(p.probation, Role.GOVERNANCE_LEAD, username="prlead")
    person = make_nominal(p.coordinator, on_panel=p.panel)
    staff = client_for(p.member_partner)
    cohort = reverse("panels:detail", args=[p.panel.pk])
    record = reverse("nominal-detail", args=[person.pk])
    assert staff.get(cohort).status_code == 200
    assert staff.get(record).status_code == 200

    response = client_for(probation_lead).post(
        reverse("sharing:agreement-withdraw-party", args=[p.agreement.pk]),
        {"agency": p.probation.pk, "reason": "Ending our part in the partnership"},
    )
    assert response.status_code == 302

    assert staff.get(cohort).status_code == 404
    assert staff.get(record).status_code == 404


def test_a_lead_may_withdraw_only_their_own_agency(partnership, client_for):
    p = partnership
    response = client_for(p.governance_lead).post(
        reverse("sharing:agreement-withdraw-party", args=[p.agreement.pk]),
        {"agency": p.probation.pk, "reason": "Not theirs"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert p.agreement.parties.filter(pk=p.probation.pk).exists()


def test_withdrawing_the_whole_agreement_needs_a_reason_and_ends_access(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    url = reverse("sharing:agreement-withdraw", args=[p.agreement.pk])
    assert "Enter the reason" in client.post(url, {"reason": ""}).content.decode()
    client.post(url, {"reason": "Replaced by a regional agreement"})
    p.agreement.refresh_from_db()
    assert p.agreement.status == AgreementStatus.WITHDRAWN
    staff = client_for(p.member_partner)
    assert staff.get(reverse("panels:detail", args=[p.panel.pk])).status_code == 404


def test_a_new_version_is_started_from_the_page_and_the_history_lists_both(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    response = client.post(
        reverse("sharing:agreement-new-version", args=[p.agreement.pk]), {"confirm": "yes"}
    )
    draft = InformationSharingAgreement.objects.get(reference=p.agreement.reference, version=2)
    assert response["Location"] == reverse("sharing:agreement-edit", args=[draft.pk])
    page = client.get(reverse("sharing:agreement", args=[draft.pk])).content.decode()
    assert "Version 2: Draft" in page
    assert "Version 1: Signed" in page
    assert "Upload the agreement&#x27;s document for the parties to sign" in page


def test_the_register_sorts_and_exports_without_personal_data_and_is_audited(
    partnership, client_for
):
    p = partnership
    client = client_for(p.committee)
    page = client.get(reverse("sharing:agreements") + "?sort=next_review").content.decode()
    assert 'aria-sort="ascending"' in page
    assert "Probation" in page  # parties are listed
    xlsx = client.get(reverse("sharing:register-xlsx"))
    assert xlsx["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference"
    assert rows[1][0] == p.agreement.reference
    docx = client.get(reverse("sharing:register-docx"))
    text = "\n".join(
        cell.text
        for table in WordDocument(io.BytesIO(docx.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert p.agreement.reference in text
    assert AuditEvent.objects.filter(verb=Verb.AGREEMENT_REGISTER_EXPORTED).count() == 2


def test_marking_expired_needs_the_button_and_ends_access_at_once(partnership, client_for):
    p = partnership
    client = client_for(p.governance_lead)
    url = reverse("sharing:agreement-expire", args=[p.agreement.pk])
    staff = client_for(p.member_partner)
    cohort = reverse("panels:detail", args=[p.panel.pk])
    assert staff.get(cohort).status_code == 200

    client.post(url)  # an empty POST changes nothing
    p.agreement.refresh_from_db()
    assert p.agreement.status == AgreementStatus.SIGNED

    client.post(url, {"confirm": "yes"})
    p.agreement.refresh_from_db()
    assert p.agreement.status == AgreementStatus.EXPIRED
    assert staff.get(cohort).status_code == 404
    assert AuditEvent.objects.filter(
        verb=Verb.AGREEMENT_EXPIRED, object_id=str(p.agreement.pk)
    ).exists()
