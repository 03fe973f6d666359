"""Merge requests: the list of those waiting for the user's agency (and those it asked
for), and one request with both records as the reader may see them, every agency's answer,
the rule for when the merge runs, and the form to agree or refuse.

A request the user's agency is not part of answers 404 (logged). Agreeing merges records,
so it asks the member of staff to confirm it is them first.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import forbid
from accounts.audit import log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Purpose
from accounts.reauth import ask_to_confirm_identity, recently_authenticated
from core.forms import add_service_errors
from crossref.forms import MergeAnswerForm
from crossref.selectors.merges import (
    MERGE_REQUEST,
    merge_request_for,
    merge_requests_for,
    records_shown,
)
from crossref.services.merges import MERGE_RULE, may_answer, merge_request_answer

NAV = {"nav_section": "Panels"}


@login_required
@require_safe
def merge_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(merge_requests_for(request.user), 25).get_page(request.GET.get("page"))
    rows = [(merge, may_answer(request.user, merge)) for merge in page]
    return render(request, "crossref/merges.html", {"page": page, "rows": rows, **NAV})


@login_required
@require_http_methods(["GET", "POST"])
def merge_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    merge = merge_request_for(request, pk)
    answers = may_answer(request.user, merge)
    form = MergeAnswerForm(request.POST or None)
    if request.method == "POST":
        if not answers:
            forbid(request, object_type=MERGE_REQUEST, object_id=merge.pk)
        if form.is_valid():
            agree = form.cleaned_data["answer"] == "agree"
            if agree and not recently_authenticated(request):
                messages.info(request, "Confirm it is you, then give your agency's answer again.")
                return ask_to_confirm_identity(request, request.get_full_path())
            try:
                merge_request_answer(
                    actor=request.user,
                    request=merge,
                    agree=agree,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                merge.refresh_from_db()
                messages.success(
                    request,
                    merge.outcome
                    or "Your agency's agreement is recorded. The records are "
                    "merged when every agency holding one of them has agreed.",
                )
                return redirect("crossref:merge", pk=merge.pk)
    records = records_shown(request.user, merge)
    log_access_many(
        request=request,
        object_type=ObjectType.NOMINAL,
        object_ids=[record.pk for record in records if record.visible],
        purpose=Purpose.DATA_QUALITY,
    )
    return render(
        request,
        "crossref/merge.html",
        {
            "merge": merge,
            "records": records,
            "agreements": list(merge.agreements.all()),
            "answers": answers,
            "form": form,
            "rule": MERGE_RULE,
            **NAV,
        },
    )
