"""Pages that write agreements: draft, circulate, sign, new version, withdraw, expire, and
the signed document. Thin: forms validate, `sharing.agreement_services` decides and
writes. A record the user may not see answers 404 (logged); one they see but may not act
on answers 403 (logged)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import refuse, require
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Role
from accounts.permissions import is_governance_lead
from accounts.reauth import reauthentication_required
from core.exports import download
from core.forms import add_service_errors
from sharing import agreement_services as services
from sharing.forms import (
    AgreementForm,
    SignForm,
    WithdrawForm,
    WithdrawPartyForm,
    initial_for,
)
from sharing.models import (
    FINAL_STATUSES,
    SIGNABLE_STATUSES,
    AgreementStatus,
    InformationSharingAgreement,
)
from sharing.selectors import agreement_for

AGREEMENT = ObjectType.AGREEMENT
# Service errors about model fields the form names otherwise.
FIELD_NAMES = {"__all__": "title"}


def _may_draft(request: AuthenticatedHttpRequest) -> bool:
    return is_governance_lead(request.user) or request.user.has_role(Role.SYSTEM_ADMIN)


def _confirmed(request: AuthenticatedHttpRequest) -> bool:
    """A one-button change is made only when its form says so: an empty POST changes
    nothing, and sends the user back to the agreement."""
    return request.POST.get("confirm") == "yes"


def _governed(request: AuthenticatedHttpRequest, pk: int) -> InformationSharingAgreement:
    """The agreement, if the user sees it (else 404) and governs it (else 403)."""
    agreement = agreement_for(request, pk)
    require(
        request, services.may_govern(request.user, agreement), object_type=AGREEMENT, object_id=pk
    )
    return agreement


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request, _may_draft(request), object_type=AGREEMENT)
    form = AgreementForm(
        request.POST or None,
        request.FILES or None,
        actor=request.user,
        initial={"parties": [request.user.agency]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request.user,
                document=form.cleaned_data["document"],
                **_as_kwargs(form),
            )
        except ValidationError as error:
            add_service_errors(form, error, names=FIELD_NAMES)
        else:
            messages.success(request, f"Draft {agreement.reference} saved.")
            return redirect("sharing:agreement", pk=agreement.pk)
    return render(
        request,
        "sharing/agreement_form.html",
        {"form": form, "agreement": None, "nav_section": "Sharing"},
    )


def _as_kwargs(form: AgreementForm) -> dict:
    details = form.details()
    return {
        "title": details.title,
        "reference": details.reference,
        "parties": details.parties,
        "panels": details.panels,
        "legal_basis": details.legal_basis,
        "purpose": details.purpose,
        "review_interval_months": details.review_interval_months,
        "retention_period_months": details.retention_period_months,
    }


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = _governed(request, pk)
    require(
        request,
        agreement.status == AgreementStatus.DRAFT,
        object_type=AGREEMENT,
        object_id=pk,
    )
    form = AgreementForm(
        request.POST or None,
        request.FILES or None,
        actor=request.user,
        agreement=agreement,
        initial=initial_for(agreement),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(
                actor=request.user,
                agreement=agreement,
                details=form.details(),
                document=form.cleaned_data["document"],
            )
        except ValidationError as error:
            add_service_errors(form, error, names=FIELD_NAMES)
        else:
            messages.success(request, f"Draft {agreement.reference} saved.")
            return redirect("sharing:agreement", pk=agreement.pk)
    return render(
        request,
        "sharing/agreement_form.html",
        {"form": form, "agreement": agreement, "nav_section": "Sharing"},
    )


@login_required
@require_POST
def agreement_circulate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = _governed(request, pk)
    if not _confirmed(request):
        return redirect("sharing:agreement", pk=agreement.pk)
    try:
        services.agreement_circulate(actor=request.user, agreement=agreement)
    except ValidationError:
        messages.error(request, "The draft is not ready to circulate: see what it still needs.")
    else:
        messages.success(
            request, "Circulated. The parties' governance leads have been asked to sign."
        )
    return redirect("sharing:agreement", pk=agreement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A governance lead signs for their own agency, once per version. Who may sign is
    settled before asking anyone to confirm it is them: nobody else is sent there."""
    agreement = agreement_for(request, pk)
    require(
        request,
        services.is_party_lead(request.user, agreement)
        and request.user.agency in services.unsigned_parties(agreement)
        and agreement.status in SIGNABLE_STATUSES,
        object_type=AGREEMENT,
        object_id=pk,
    )
    return _sign(request, agreement)


@reauthentication_required
def _sign(
    request: AuthenticatedHttpRequest, agreement: InformationSharingAgreement
) -> HttpResponse:
    form = SignForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_sign(
                actor=request.user,
                agreement=agreement,
                agency=request.user.agency,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Signed for {request.user.agency.name}: version {agreement.version} "
                f"of {agreement.reference}.",
            )
            return redirect("sharing:agreement", pk=agreement.pk)
    return render(
        request,
        "sharing/agreement_sign.html",
        {"form": form, "agreement": agreement, "nav_section": "Sharing"},
    )


@login_required
@require_POST
def agreement_new_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = _governed(request, pk)
    if not _confirmed(request):
        return redirect("sharing:agreement", pk=agreement.pk)
    try:
        draft = services.agreement_new_version(actor=request.user, agreement=agreement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sharing:agreement", pk=agreement.pk)
    messages.success(
        request,
        f"Version {draft.version} started. Change what needs changing, upload its document, "
        "then circulate it.",
    )
    return redirect("sharing:agreement-edit", pk=draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_withdraw_party(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A party's own governance lead withdraws it (a system administrator, any party)."""
    agreement = agreement_for(request, pk)
    user = request.user
    parties = list(agreement.parties.order_by("name"))
    if not user.has_role(Role.SYSTEM_ADMIN):
        parties = [party for party in parties if party.pk == user.agency_id]
    require(
        request,
        bool(parties)
        and (user.has_role(Role.SYSTEM_ADMIN) or is_governance_lead(user))
        and agreement.status not in FINAL_STATUSES,
        object_type=AGREEMENT,
        object_id=pk,
    )
    form = WithdrawPartyForm(request.POST or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data["agency"]
        try:
            services.agreement_withdraw_party(
                actor=user, agreement=agreement, agency=agency, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{agency.name} has withdrawn. Its staff no longer see the panels."
            )
            return redirect("sharing:agreement", pk=agreement.pk)
    return render(
        request,
        "sharing/agreement_withdraw.html",
        {"form": form, "agreement": agreement, "party": True, "nav_section": "Sharing"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Any party's governance lead may withdraw the whole agreement."""
    agreement = _governed(request, pk)
    require(
        request,
        agreement.status not in FINAL_STATUSES,
        object_type=AGREEMENT,
        object_id=pk,
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_withdraw(
                actor=request.user, agreement=agreement, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The agreement has been withdrawn. It grants no access.")
            return redirect("sharing:agreement", pk=agreement.pk)
    return render(
        request,
        "sharing/agreement_withdraw.html",
        {"form": form, "agreement": agreement, "party": False, "nav_section": "Sharing"},
    )


@login_required
@require_POST
def agreement_expire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agreement = _governed(request, pk)
    if not _confirmed(request):
        return redirect("sharing:agreement", pk=agreement.pk)
    try:
        services.agreement_expire(actor=request.user, agreement=agreement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The agreement is recorded as expired. It grants no access.")
    return redirect("sharing:agreement", pk=agreement.pk)


@login_required
@require_safe
def agreement_document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The signed document, only to staff of a party agency: everyone else gets 404, as
    for an agreement without one."""
    agreement = agreement_for(request, pk)
    is_party = agreement.parties.filter(pk=request.user.agency_id).exists()
    if not is_party or not agreement.document_name:
        refuse(request, object_type=AGREEMENT, object_id=pk)
    content = bytes(agreement.document_content or b"")
    if not content:
        raise Http404
    return download(
        content,
        file_name=_safe_file_name(agreement.document_name),
        content_type=agreement.document_content_type,
    )


def _safe_file_name(name: str) -> str:
    """The uploaded name, kept to characters that cannot break the header."""
    kept = "".join(c for c in name if c.isalnum() or c in "._- ")
    return kept.strip() or "agreement"
