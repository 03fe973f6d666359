"""Merging two records of one person: choose the other record, compare them side by side
with the scorer's reasons, then merge into the record the merge was started from.

Both records must be visible (404 otherwise, as everywhere) and the user must be allowed to
change the identity of both (403 otherwise). The duplicate's old address then redirects to
the survivor (the profile view handles `MergedAway`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import forbid, require
from accounts.audit import log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Purpose
from accounts.reauth import ask_to_confirm_identity, recently_authenticated
from matching.scoring import score
from offenders.models import CaseEvent, Nominal
from offenders.permissions import can_edit_identity
from offenders.search import person_record, possible_duplicates_of, search_nominals
from offenders.search_forms import RecordNumberForm, SearchForm
from offenders.selectors import NOMINAL, MergedAway, nominal_for, panel_rows
from offenders.services import nominals_merge
from offenders.views.profile import to_survivor
from offenders.views.search import log_search

# Results listed when searching for the other record: the best matches are enough here.
CHOOSE_LIMIT = 20


def _editable(request: AuthenticatedHttpRequest, pk: int) -> Nominal | HttpResponse:
    """The record if visible and its identity may be changed; a redirect if merged away."""
    try:
        nominal = nominal_for(request, pk)
    except MergedAway as merged:
        return to_survivor(request, merged, "merge")
    require(
        request, can_edit_identity(request.user, nominal), object_type=NOMINAL, object_id=nominal.pk
    )
    return nominal


@login_required
@require_http_methods(["GET", "POST"])
def merge_choose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Suggested duplicates, a search among visible records, or a record number."""
    nominal = _editable(request, pk)
    if isinstance(nominal, HttpResponse):
        return nominal
    search_form = SearchForm(request.POST if request.POST.get("action") == "search" else None)
    number_form = RecordNumberForm(request.POST if request.POST.get("action") == "number" else None)
    context = {
        "nominal": nominal,
        "search_form": search_form,
        "number_form": number_form,
        "nav_section": "Nominals",
    }

    if number_form.is_bound and number_form.is_valid():
        other = number_form.cleaned_data["other"]
        if other == nominal.pk:
            number_form.add_error("other", "Enter the number of a different record")
        else:
            return redirect("offenders:merge-confirm", pk=nominal.pk, other=other)

    if search_form.is_bound and search_form.is_valid():
        hits = [
            hit
            for hit in search_nominals(request.user, **search_form.terms())
            if hit.nominal.pk != nominal.pk
        ][:CHOOSE_LIMIT]
        context["results"] = hits
    else:
        context["suggestions"] = hits = possible_duplicates_of(request.user, nominal)
    log_access(
        request=request, object_type=NOMINAL, object_id=nominal.pk, purpose=Purpose.DATA_QUALITY
    )
    log_search(request, hits)
    return render(request, "offenders/merge_choose.html", context)


@dataclass(frozen=True)
class Row:
    label: str
    survivor: str
    duplicate: str

    @property
    def same(self) -> bool:
        return self.survivor == self.duplicate


def _dob(nominal: Nominal) -> str:
    if nominal.date_of_birth is None:
        return "Not known"
    shown = nominal.date_of_birth.strftime("%-d %B %Y")
    return f"{shown} (approximate)" if nominal.dob_approximate else shown


def _rows(survivor: Nominal, duplicate: Nominal) -> list[Row]:
    def both(label: str, show) -> Row:
        return Row(label, show(survivor), show(duplicate))

    def listed(items) -> str:
        return "; ".join(str(item) for item in items) or "None"

    return [
        both("Given names", lambda n: n.given_names),
        both("Family name", lambda n: n.family_name),
        both("Date of birth", _dob),
        both("Gender", lambda n: n.get_gender_display()),
        both("Ethnicity", lambda n: n.ethnicity or "Not recorded"),
        both("Postcode", lambda n: n.postcode or "Not recorded"),
        both("Ward", lambda n: n.ward or "Not recorded"),
        both("Owning agency", lambda n: n.owning_agency.name),
        both(
            "Lead professional",
            lambda n: (
                (n.lead_professional.get_full_name() or n.lead_professional.username)
                if n.lead_professional
                else "None"
            ),
        ),
        both("Identifiers", lambda n: listed(n.identifiers.all())),
        both("Aliases", lambda n: listed(n.aliases.all())),
        both("Timeline events", lambda n: str(CaseEvent.objects.filter(nominal=n).count())),
        both("Record created", lambda n: n.created_at.strftime("%-d %B %Y")),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def merge_confirm(request: AuthenticatedHttpRequest, pk: int, other: int) -> HttpResponse:
    """Both records side by side, why the scorer thinks they match, and the merge button.
    The record the merge was started from (pk) is the one kept."""
    if pk == other:
        messages.error(request, "Choose a different record to merge with this one")
        return redirect("offenders:merge", pk=pk)
    survivor = _editable(request, pk)
    if isinstance(survivor, HttpResponse):
        return survivor
    try:
        duplicate = nominal_for(request, other)
    except MergedAway:
        messages.error(
            request, "That record has already been merged into another record of the person"
        )
        return redirect("offenders:merge", pk=survivor.pk)
    require(
        request,
        can_edit_identity(request.user, duplicate),
        object_type=NOMINAL,
        object_id=duplicate.pk,
    )

    error = ""
    # The button's own value: an empty POST (or one from anywhere else) merges nothing.
    if request.method == "POST" and request.POST.get("merge") == "yes":
        if not recently_authenticated(request):
            return ask_to_confirm_identity(request, request.get_full_path())
        try:
            nominals_merge(actor=request.user, survivor=survivor, duplicate=duplicate)
        except PermissionDenied:
            forbid(request, object_type=NOMINAL, object_id=duplicate.pk)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(
                request,
                f"Records merged. Everything recorded on record {duplicate.pk} is now on this "
                "record, and links to the old record open this one.",
            )
            return redirect("offenders:profile", pk=survivor.pk)

    prefetch_related_objects([survivor, duplicate], "identifiers", "aliases")
    result = score(person_record(survivor), person_record(duplicate))
    # Both people compared, in one insert.
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[survivor.pk, duplicate.pk],
        purpose=Purpose.DATA_QUALITY,
    )
    return render(
        request,
        "offenders/merge_confirm.html",
        {
            "survivor": survivor,
            "duplicate": duplicate,
            "rows": _rows(survivor, duplicate),
            "result": result,
            "survivor_panels": panel_rows(request.user, survivor),
            "duplicate_panels": panel_rows(request.user, duplicate),
            "error": error,
            "nav_section": "Nominals",
        },
        status=400 if error else 200,
    )
