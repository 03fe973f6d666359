"""The retention review, for an agency's information governance lead: the records their
agency owns that are due for review, and keeping or deleting each.

The pages name the people: the lead is reviewing their own agency's records. Each page
that names someone writes an access-log row for each person named.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import forbid, require
from accounts.audit import log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType, Purpose
from accounts.reauth import reauthentication_required
from core.forms import add_service_errors
from retention import services
from retention.forms import DeleteForm, KeepForm
from retention.models import RetentionReview, ReviewStatus
from retention.permissions import may_review_retention
from retention.selectors import record_due, review_for, reviews_for

NAV = "Governance"
REVIEW = ObjectType.RETENTION_REVIEW
PAGE_SIZE = 50


def _log_person(request: AuthenticatedHttpRequest, review: RetentionReview) -> None:
    if review.nominal_id is not None:
        log_access(
            request=request,
            object_type=ObjectType.NOMINAL,
            object_id=review.nominal_id,
            purpose=Purpose.DATA_QUALITY,
        )


def _closed(request: AuthenticatedHttpRequest, review: RetentionReview) -> HttpResponse | None:
    """A review already decided goes back to the list, saying so, rather than a form."""
    if review.status == ReviewStatus.DELETED:
        messages.info(request, f"Record {review.record_id} has already been deleted.")
        return redirect("retention:review")
    return None


@login_required
@require_safe
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(
        request, may_review_retention(request.user), object_type=ObjectType.RETENTION_REVIEW_LIST
    )
    page = Paginator(reviews_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    reviews = list(page)
    log_access(
        request=request, object_type=ObjectType.RETENTION_REVIEW_LIST, object_id=len(reviews)
    )
    log_access_many(
        request=request,
        object_type=ObjectType.NOMINAL,
        object_ids=[review.nominal_id for review in reviews if review.nominal_id],
        purpose=Purpose.DATA_QUALITY,
    )
    return render(
        request,
        "retention/review_list.html",
        {"page": page, "reviews": reviews, "nav_section": NAV},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_keep(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk)
    closed = _closed(request, review)
    if closed:
        return closed
    form = KeepForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.review_keep(
                actor=request.user,
                review=review,
                reason=form.cleaned_data["reason"],
                next_review_on=form.cleaned_data["next_review_on"],
            )
        except PermissionDenied:
            forbid(request, object_type=REVIEW, object_id=review.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Record {review.record_id} kept. It will be listed again on "
                f"{form.cleaned_data['next_review_on']:%-d %B %Y}.",
            )
            return redirect("retention:review")
    _log_person(request, review)
    return render(
        request, "retention/keep.html", {"review": review, "form": form, "nav_section": NAV}
    )


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def review_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = review_for(request, pk)
    closed = _closed(request, review)
    if closed:
        return closed
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            deletion = services.record_delete(actor=request.user, review=review)
        except PermissionDenied:
            forbid(request, object_type=REVIEW, object_id=review.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if deletion.already_deleted:
                messages.info(request, f"Record {review.record_id} has already been deleted.")
            else:
                messages.success(
                    request,
                    f"Record {review.record_id} and everything about the person have been "
                    "deleted. The deletion log keeps the record number only.",
                )
            return redirect("retention:review")
    _log_person(request, review)
    # Said before the button is pressed: on a cohort, or active again since it was listed.
    due = record_due(review.nominal, today=timezone.localdate()) if review.nominal else None
    return render(
        request,
        "retention/delete.html",
        {"review": review, "form": form, "due": due, "nav_section": NAV},
    )
