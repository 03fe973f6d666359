"""Information-sharing agreements the user's agency is a party to: the register, each
agreement's page, and the register's exports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require
from accounts.audit import audit
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Role, Verb
from accounts.permissions import is_governance_lead, may_manage_staff, may_run_the_service
from core.exports import XLSX_TYPE, Sheet, download, write_workbook
from core.jobs import enqueue
from sharing import agreement_services as services
from sharing.exports import DOCX_TYPE, register_docx, register_rows
from sharing.models import FINAL_STATUSES, IN_FORCE_STATUSES, SIGNABLE_STATUSES, AgreementStatus
from sharing.selectors import (
    REGISTER_SORTS,
    agreement_for,
    agreement_in_force_ids,
    register_for,
    version_history,
)


@login_required
@require_safe
def agreement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The register: every agreement the user's agency is a party to, sortable."""
    sort = request.GET.get("sort", "reference")
    if sort not in REGISTER_SORTS:
        sort = "reference"
    page = Paginator(register_for(request.user, sort), 50).get_page(request.GET.get("page"))
    in_force = agreement_in_force_ids(list(page))
    return render(
        request,
        "sharing/agreement_list.html",
        {
            "page": page,
            "sort": sort,
            "sort_columns": [
                ("reference", "Reference"),
                ("title", "Title"),
                ("status", "Status"),
                ("last_signed", "Last signed"),
                ("next_review", "Next review"),
            ],
            "rows": [(agreement, agreement.pk in in_force) for agreement in page],
            "manages_staff": may_manage_staff(request.user),
            "governs_information": is_governance_lead(request.user),
            "may_draft": is_governance_lead(request.user)
            or request.user.has_role(Role.SYSTEM_ADMIN),
            "may_recompute": may_run_the_service(request.user),
            "nav_section": "Sharing",
        },
    )


@login_required
@require_safe
def register_export(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """The register as a Word document or a spreadsheet, for the committee. It holds no
    personal data, so no re-authentication; the export is audited all the same."""
    agreements = list(register_for(request.user, "reference"))
    today = timezone.localdate()
    with transaction.atomic():
        audit(
            actor=request.user,
            verb=Verb.AGREEMENT_REGISTER_EXPORTED,
            target=request.user.agency,
            detail={"format": fmt, "agreements": len(agreements)},
        )
    headers, rows = register_rows(agreements)
    if fmt == "xlsx":
        content = write_workbook([Sheet("Agreements register", headers, rows)])
        return download(
            content, file_name=f"agreements-register-{today}.xlsx", content_type=XLSX_TYPE
        )
    return download(
        register_docx(headers, rows, today),
        file_name=f"agreements-register-{today}.docx",
        content_type=DOCX_TYPE,
    )


@login_required
@require_safe
def agreement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_for(request, pk)
    user = request.user
    current = {s.agency_id: s for s in agreement.signatures.all() if s.version == agreement.version}
    parties = [(party, current.get(party.pk)) for party in agreement.parties.order_by("name")]
    unsigned = [party for party, signature in parties if signature is None]
    governs = services.may_govern(user, agreement)
    live = agreement.status not in FINAL_STATUSES
    is_party = any(party.pk == user.agency_id for party, _ in parties)
    return render(
        request,
        "sharing/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": parties,
            "in_force": agreement.pk in agreement_in_force_ids([agreement]),
            "signed": agreement.status in IN_FORCE_STATUSES and agreement.signed_off_on,
            "today": timezone.localdate(),
            "grace_days": settings.ISA_REVIEW_GRACE_DAYS,
            "history": version_history(agreement),
            "may_edit": governs and agreement.status == AgreementStatus.DRAFT,
            "may_circulate": governs and agreement.status == AgreementStatus.DRAFT,
            "problems": services.circulation_problems(agreement)
            if agreement.status == AgreementStatus.DRAFT
            else {},
            "may_sign": services.is_party_lead(user, agreement)
            and user.agency in unsigned
            and agreement.status in SIGNABLE_STATUSES,
            "may_start_version": governs
            and agreement.status in IN_FORCE_STATUSES
            and not agreement.next_versions.exists(),
            "may_withdraw_party": live
            and bool(parties)
            and (user.has_role(Role.SYSTEM_ADMIN) or (is_governance_lead(user) and is_party)),
            "may_end": governs and live,
            "may_download": is_party and bool(agreement.document_name),
            "nav_section": "Sharing",
        },
    )


@login_required
@require_POST
def recompute_access_now(request: AuthenticatedHttpRequest) -> HttpResponse:
    """System administrators can rebuild panel access at once rather than wait for the night."""
    require(request, may_run_the_service(request.user), object_type=ObjectType.ACCESS_GRANTS)
    enqueue("sharing.tasks.recompute_access")
    messages.success(request, "Panel access is being recomputed. It takes a few seconds.")
    return redirect("sharing:agreements")
