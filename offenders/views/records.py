"""Pages where partners add to a nominal's record: identity, timeline events,
identifiers, aliases, needs, offences, custody and risk assessments. Each shows a form, calls one service, and returns to the
profile with a success message; errors come back with the GOV.UK error summary.

Anyone doing casework who can see the record may add what their agency knows; only the
owning agency or a coordinator of one of the person's panels may change their identity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import require
from accounts.audit import log_access
from accounts.http import AuthenticatedHttpRequest
from accounts.models import CASEWORK_ROLES, User
from core.forms import add_service_errors
from offenders.forms import (
    AliasForm,
    CustodyForm,
    EventForm,
    IdentifierForm,
    IdentityForm,
    NeedForm,
    OffenceForm,
    ReleaseForm,
    RiskForm,
)
from offenders.models import Need, Nominal, Pathway
from offenders.permissions import can_edit_identity
from offenders.selectors import NOMINAL, MergedAway, nominal_for
from offenders.services import (
    StaleEdit,
    alias_add,
    custody_add,
    custody_release,
    event_add,
    identifier_add,
    need_set,
    nominal_update,
    offence_add,
    risk_record,
)
from offenders.views.profile import ask_purpose, purpose_today, to_survivor
from panels.models import SHARED_STATUSES, CohortMembership, grants_in_force

HEADINGS = {
    "record_identity.html": "Edit identity details",
    "record_event.html": "Add an event to the timeline",
    "record_identifier.html": "Add an identifier",
    "record_alias.html": "Add an alias",
    "record_need.html": "Record a need",
    "record_offence.html": "Record an offence",
    "record_custody.html": "Record time in custody",
    "record_release.html": "Record a release from custody",
    "record_risk.html": "Record a risk assessment",
}


def _show_form(
    request: AuthenticatedHttpRequest,
    template: str,
    nominal: Nominal,
    form: Form,
    status: int = 200,
    **extra,
) -> HttpResponse:
    context = {
        "nominal": nominal,
        "form": form,
        "heading": HEADINGS[template],
        "nav_section": "Nominals",
        **extra,
    }
    return render(request, f"offenders/{template}", context, status=status)


def _posted(request: AuthenticatedHttpRequest):
    """The submitted data on a POST (even an empty one, which must show its errors)."""
    return request.POST if request.method == "POST" else None


def _to_profile(nominal: Nominal, anchor: str = "") -> HttpResponse:
    url = reverse("offenders:profile", args=[nominal.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def lead_professional_choices(nominal: Nominal) -> QuerySet[User]:
    """Active casework staff of the agencies that can see the record, and the current lead."""
    panels = CohortMembership.objects.filter(nominal=nominal, status__in=SHARED_STATUSES).values(
        "panel_id"
    )
    seeing = grants_in_force().filter(content_object_id__in=panels).values("group_id")
    staff = User.objects.filter(is_active=True, groups__name__in=CASEWORK_ROLES).filter(
        Q(agency_id=nominal.owning_agency_id) | Q(agency__group_id__in=seeing)
    )
    current = Q(pk=nominal.lead_professional_id) if nominal.lead_professional_id else Q(pk=None)
    return User.objects.filter(Q(pk__in=staff.values("pk")) | current).order_by(
        "last_name", "first_name"
    )


def _identity_initial(nominal: Nominal) -> dict[str, Any]:
    return {
        "version": nominal.version,
        "given_names": nominal.given_names,
        "family_name": nominal.family_name,
        "date_of_birth": nominal.date_of_birth,
        "dob_approximate": nominal.dob_approximate,
        "gender": nominal.gender,
        "ethnicity": nominal.ethnicity,
        "postcode": nominal.postcode,
        "ward": nominal.ward,
        "lead_professional": nominal.lead_professional_id,
    }


@login_required
@require_http_methods(["GET", "POST"])
def identity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        nominal = nominal_for(request, pk)
    except MergedAway as merged:
        return to_survivor(request, merged, "edit")
    require(
        request, can_edit_identity(request.user, nominal), object_type=NOMINAL, object_id=nominal.pk
    )
    choices = lead_professional_choices(nominal)
    if request.method == "GET":
        purpose = purpose_today(request, nominal.pk)
        if purpose is None:
            return ask_purpose(request, nominal, then="edit")
        # The form shows the person's identity: a read like the profile's.
        log_access(request=request, object_type=NOMINAL, object_id=nominal.pk, purpose=purpose)
        form = IdentityForm(initial=_identity_initial(nominal), lead_choices=choices)
        return _show_form(request, "record_identity.html", nominal, form)

    form = IdentityForm(request.POST, lead_choices=choices)
    if form.is_valid():
        try:
            nominal_update(
                actor=request.user,
                nominal=nominal,
                version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except StaleEdit as stale:
            # Keep nothing of the refused edit: show the record as it is now.
            fresh = IdentityForm(initial=_identity_initial(nominal), lead_choices=choices)
            return _show_form(
                request, "record_identity.html", nominal, fresh, status=409, stale=stale.messages[0]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Identity details saved")
            return _to_profile(nominal)
    return _show_form(request, "record_identity.html", nominal, form)


def _add_to_record(
    request: AuthenticatedHttpRequest,
    nominal: Nominal,
    form: Form,
    *,
    template: str,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    anchor: str,
) -> HttpResponse:
    """The shared shape of a page that adds to a record: on a valid POST, call the service
    (`save`, given the form's values), say what was added (`done`) and go back to the
    profile at `anchor`; otherwise show the form with every error at once."""
    if request.method == "POST" and form.is_valid():
        try:
            added = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done(added))
            return _to_profile(nominal, anchor)
    return _show_form(request, template, nominal, form)


def _record_page(request: AuthenticatedHttpRequest, pk: int, route: str) -> Nominal | HttpResponse:
    """The visible record, a redirect to the survivor of a merge, or the purpose question."""
    try:
        nominal = nominal_for(request, pk)
    except MergedAway as merged:
        return to_survivor(request, merged, route)
    if request.method == "GET" and purpose_today(request, nominal.pk) is None:
        return ask_purpose(request, nominal, then=route)
    return nominal


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nominal = _record_page(request, pk, "event-create")
    if isinstance(nominal, HttpResponse):
        return nominal
    return _add_to_record(
        request,
        nominal,
        EventForm(_posted(request)),
        template="record_event.html",
        save=lambda data: event_add(actor=request.user, nominal=nominal, **data),
        done=lambda _event: "Event added to the timeline",
        anchor="timeline",
    )


@login_required
@require_http_methods(["GET", "POST"])
def identifier_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nominal = _record_page(request, pk, "identifier-create")
    if isinstance(nominal, HttpResponse):
        return nominal
    return _add_to_record(
        request,
        nominal,
        IdentifierForm(_posted(request)),
        template="record_identifier.html",
        save=lambda data: identifier_add(actor=request.user, nominal=nominal, **data),
        done=lambda identifier: f"{identifier} added",
        anchor="identifiers",
    )


@login_required
@require_http_methods(["GET", "POST"])
def alias_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nominal = _record_page(request, pk, "alias-create")
    if isinstance(nominal, HttpResponse):
        return nominal
    return _add_to_record(
        request,
        nominal,
        AliasForm(_posted(request)),
        template="record_alias.html",
        save=lambda data: alias_add(actor=request.user, nominal=nominal, **data),
        done=lambda _alias: "Alias added",
        anchor="identifiers",
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nominal = _record_page(request, pk, "needs")
    if isinstance(nominal, HttpResponse):
        return nominal
    if request.method == "POST":
        form = NeedForm(request.POST)
    else:
        # Opened from a pathway on the profile: start from what is recorded now.
        pathway = request.GET.get("pathway", "")
        current = (
            Need.objects.filter(nominal=nominal, pathway=pathway).first()
            if pathway in Pathway.values
            else None
        )
        initial = {"pathway": pathway if pathway in Pathway.values else ""}
        if current is not None:
            initial |= {"level": current.level, "note": current.note}
        form = NeedForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need = need_set(
                actor=request.user, nominal=nominal, on=timezone.localdate(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{need.get_pathway_display()}: need recorded as {need.get_level_display()}",
            )
            return _to_profile(nominal, "needs")
    return _show_form(request, "record_need.html", nominal, form)


@login_required
@require_http_methods(["GET", "POST"])
def offence_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nominal = _record_page(request, pk, "offence-create")
    if isinstance(nominal, HttpResponse):
        return nominal
    return _add_to_record(
        request,
        nominal,
        OffenceForm(_posted(request)),
        template="record_offence.html",
        save=lambda data: offence_add(actor=request.user, nominal=nominal, **data),
        done=lambda offence: f"{offence.get_offence_type_display()} recorded",
        anchor="custody",
    )


@login_required
@require_http_methods(["GET", "POST"])
def custody_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nominal = _record_page(request, pk, "custody-create")
    if isinstance(nominal, HttpResponse):
        return nominal
    form = CustodyForm(_posted(request), offences=list(nominal.offences.all()), nominal=nominal)
    return _add_to_record(
        request,
        nominal,
        form,
        template="record_custody.html",
        save=lambda _data: custody_add(
            actor=request.user, nominal=nominal, **form.service_values()
        ),
        done=lambda _episode: "Time in custody recorded",
        anchor="custody",
    )


@login_required
@require_http_methods(["GET", "POST"])
def custody_release_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record the release that ends the person's current time in custody; a person the
    record does not show in custody has nothing to release."""
    nominal = _record_page(request, pk, "custody-release")
    if isinstance(nominal, HttpResponse):
        return nominal
    current = nominal.custody.filter(released_on__isnull=True).order_by("-entered_on").first()
    form = ReleaseForm(_posted(request))
    if current is not None and request.method == "POST" and form.is_valid():
        try:
            custody_release(actor=request.user, episode=current, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Release recorded")
            return _to_profile(nominal, "custody")
    return _show_form(request, "record_release.html", nominal, form, episode=current)


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    nominal = _record_page(request, pk, "risk-create")
    if isinstance(nominal, HttpResponse):
        return nominal
    return _add_to_record(
        request,
        nominal,
        RiskForm(_posted(request), initial={"source": "OASys"}),
        template="record_risk.html",
        save=lambda data: risk_record(actor=request.user, nominal=nominal, **data),
        done=lambda _score: "Risk assessment recorded",
        anchor="flags",
    )
