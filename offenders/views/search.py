"""Finding a person, and recording a new one only after checking they are not already known.

Search terms are personal data, so they are only ever sent in POST bodies: the search, its
page number and its sort order are all form fields, and the access log records how many
people were listed, never what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import forbid, require
from accounts.audit import log_access, log_access_many
from accounts.http import AuthenticatedHttpRequest
from accounts.models import ObjectType
from accounts.permissions import user_may_see_casework
from offenders import services
from offenders.models import IdentifierKind
from offenders.search import (
    RESULT_LIMIT,
    SORTS,
    DuplicateCheck,
    SearchHit,
    duplicate_check,
    search_nominals,
    sort_hits,
)
from offenders.search_forms import NominalCreateForm, SearchForm
from offenders.selectors import NOMINAL

# The AccessLog type for a list of people shown by a search or a duplicate check; its
# object id is the number of people listed.
SEARCH = ObjectType.NOMINAL_SEARCH
PAGE_SIZE = 20


def log_search(
    request: AuthenticatedHttpRequest,
    hits: list[SearchHit],
    *,
    shown: list[SearchHit] | None = None,
) -> None:
    """A list of people is a read of personal data: one row with the count listed (no
    terms), and one for each person shown (`shown`, the page of `hits` on screen, when the
    list is paged), written together, so their "who has viewed" page shows this read and
    no one on a page never opened is named."""
    log_access(request=request, object_type=SEARCH, object_id=len(hits))
    log_access_many(
        request=request,
        object_type=NOMINAL,
        object_ids=[hit.nominal.pk for hit in (hits if shown is None else shown)],
    )


@login_required
@require_http_methods(["GET", "POST"])
def nominal_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict = {"nav_section": "Nominals", "may_search": user_may_see_casework(request.user)}
    if request.method == "GET" or not context["may_search"]:
        context["form"] = SearchForm(initial={"sort": "relevance"})
        return render(request, "offenders/search.html", context)

    form = SearchForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "offenders/search.html", context)
    hits = search_nominals(request.user, **form.terms())
    more = len(hits) > RESULT_LIMIT
    hits = sort_hits(hits[:RESULT_LIMIT], form.sort_order)
    page = Paginator(hits, PAGE_SIZE).get_page(form.page_number)
    log_search(request, hits, shown=list(page.object_list))
    context.update(
        searched=True,
        page=page,
        total=len(hits),
        more=more,
        sort=form.sort_order,
        caption=f"People found, page {page.number} of {page.paginator.num_pages}, "
        f"sorted by {SORTS[form.sort_order].lower()}",
    )
    return render(request, "offenders/search.html", context)


def _identifier_errors(form: NominalCreateForm, check: DuplicateCheck) -> None:
    """Identifiers already recorded: for someone listed, or (saying nothing of whom) for
    someone the user may not see."""
    for kind in check.visible_identifier_kinds:
        label = IdentifierKind(kind).label
        form.add_error(
            form.field_for_kind(kind),
            f"This {label} is already recorded for a person listed below: open their record "
            f"rather than creating a new one, or check the {label}",
        )
    for kind in check.hidden_identifier_kinds:
        label = IdentifierKind(kind).label
        form.add_error(
            form.field_for_kind(kind),
            f"This {label} is already recorded on a record you cannot see. Check the {label}; "
            "if it is right, ask your agency's data protection lead to contact the owning "
            "agency before you create a record",
        )


@login_required
@require_http_methods(["GET", "POST"])
def nominal_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1, the person's details; step 2, possible existing records; then create.

    The details travel to step 2 in hidden fields and are validated again on the way back.
    """
    require(request, user_may_see_casework(request.user), object_type=NOMINAL)
    context: dict = {"nav_section": "Nominals"}
    if request.method == "GET":
        context["form"] = NominalCreateForm()
        return render(request, "offenders/create.html", context)

    form = NominalCreateForm(request.POST)
    context["form"] = form
    if not form.is_valid() or request.POST.get("edit") == "yes":
        # Errors to fix, or "Change the details" from the possible-matches page.
        return render(request, "offenders/create.html", context)
    identity, identifiers = form.identity(), form.identifiers()
    check = duplicate_check(request.user, **_probe_fields(identity), identifiers=identifiers)
    log_search(request, check.visible)
    context["check"] = check
    _identifier_errors(form, check)
    if not form.is_valid():
        # An identifier that is already someone's cannot be recorded twice: fix it first.
        return render(request, "offenders/create.html", context)
    if check.found_any and request.POST.get("confirmed") != "yes":
        context["hidden"] = form.hidden_values()
        return render(request, "offenders/create_duplicates.html", context)

    try:
        nominal = services.nominal_create(actor=request.user, **identity, identifiers=identifiers)
    except PermissionDenied:
        forbid(request, object_type=NOMINAL)
    except ValidationError as error:
        # Someone recorded the same identifier a moment ago: the form says so.
        for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "offenders/create.html", context)
    # No name here: the next page asks the purpose of access before showing anything personal.
    messages.success(request, "Record created")
    return redirect("offenders:profile", pk=nominal.pk)


def _probe_fields(identity: dict) -> dict:
    keys = ("given_names", "family_name", "date_of_birth", "dob_approximate", "gender", "postcode")
    return {key: identity[key] for key in keys}
