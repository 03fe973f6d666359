"""Forms for the plan's pages: the table's filter, adding a progress update, and the
owner's forms for the plan's settings, an action and a step.

The filter is a GET form: the plan holds no personal data, so the filter can sit in the
address, where a bookmark, the dashboard's links and a browser without JavaScript all
reach it. Edit forms carry the record's version (`actions.services.plans.version_of`)
as it was when opened, so a change made meanwhile is not overwritten.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Agency, User
from actions.models import ActionPlan, Objective, Rag
from actions.selectors.plans import RAG_ORDER, PlanFilter
from actions.services.plans import (
    PROGRESS_MAX_LENGTH,
    plan_settings_problems,
    step_lead_problems,
)
from core.forms import DateInputField, add_problems, choice_labels, form_field

NOBODY = ("", "Nobody named")


def _text(label: str, *, max_length: int, required: bool = True, **kwargs: Any) -> forms.Field:
    messages = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
    if required:
        messages["required"] = kwargs.pop("required_message", f"Enter {label.lower()}")
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        required=required,
        max_length=max_length,
        error_messages=messages,
        **kwargs,
    )


def _long_text(label: str, *, max_length: int = 5000, **kwargs: Any) -> forms.Field:
    return _text(label, max_length=max_length, widget=forms.Textarea, **kwargs)


def _staff_name(user: User) -> str:
    return f"{user.get_full_name() or user.username}, {user.agency.name}"


# --- The table's filter ----------------------------------------------------------------------


class PlanFilterForm(forms.Form):
    """The MOJ filter above the plan's table. Invalid values (a link edited by hand) are
    dropped rather than shown as errors: every value comes from a choice on the page."""

    objective = forms.ChoiceField(label="Strategy objective", required=False)
    lead = forms.ChoiceField(label="Lead agency", required=False)
    rag = forms.MultipleChoiceField(
        label="RAG",
        required=False,
        choices=[(rag.value, rag.label) for rag in RAG_ORDER],
    )
    overdue = forms.BooleanField(label="Overdue", required=False)
    needs_update = forms.BooleanField(label="Needs an update", required=False)

    def __init__(
        self, *args: Any, objectives: list[Objective], agencies: list[Agency], days: int, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "objective", forms.ChoiceField).choices = [
            ("", "All objectives"),
            *[(str(o.pk), f"{o.number}. {o.title}") for o in objectives],
        ]
        form_field(self, "lead", forms.ChoiceField).choices = [
            ("", "Any agency"),
            *[(str(agency.pk), agency.name) for agency in agencies],
        ]
        self.fields[
            "overdue"
        ].help_text = "Past the step's due date, or its action's, and not complete."
        self.fields[
            "needs_update"
        ].help_text = f"Not complete, and no progress update for {days} days or more."

    def to_filter(self) -> PlanFilter:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return PlanFilter(
            objective=int(data["objective"]) if data.get("objective") else None,
            lead_agency=int(data["lead"]) if data.get("lead") else None,
            rag=tuple(data.get("rag") or ()),
            overdue=bool(data.get("overdue")),
            needs_update=bool(data.get("needs_update")),
        )

    def query(self, filters: PlanFilter, *, without: tuple[str, str] | None = None) -> str:
        """The filter as a query string, less one chosen value (for "remove this filter")."""
        pairs: list[tuple[str, str]] = []
        if filters.objective is not None:
            pairs.append(("objective", str(filters.objective)))
        if filters.lead_agency is not None:
            pairs.append(("lead", str(filters.lead_agency)))
        pairs += [("rag", rag) for rag in filters.rag]
        if filters.overdue:
            pairs.append(("overdue", "on"))
        if filters.needs_update:
            pairs.append(("needs_update", "on"))
        return urlencode([pair for pair in pairs if pair != without])

    def selected(self, filters: PlanFilter) -> list[tuple[str, list[tuple[str, str]]]]:
        """The chosen filters as (heading, [(link that removes it, label)]), for the MOJ
        "Selected filters" tags."""
        chosen: list[tuple[str, list[tuple[str, str]]]] = []

        def link(name: str, value: str) -> str:
            return "?" + self.query(filters, without=(name, value))

        if filters.objective is not None:
            value = str(filters.objective)
            label = choice_labels(self, "objective")[value]
            chosen.append(("Strategy objective", [(link("objective", value), label)]))
        if filters.lead_agency is not None:
            value = str(filters.lead_agency)
            label = choice_labels(self, "lead")[value]
            chosen.append(("Lead agency", [(link("lead", value), label)]))
        if filters.rag:
            chosen.append(("RAG", [(link("rag", rag), Rag(rag).label) for rag in filters.rag]))
        flags = []
        if filters.overdue:
            flags.append((link("overdue", "on"), "Overdue"))
        if filters.needs_update:
            flags.append((link("needs_update", "on"), "Needs an update"))
        if flags:
            chosen.append(("Flags", flags))
        return chosen


# --- Progress -------------------------------------------------------------------------------


class ProgressForm(forms.Form):
    written_on = DateInputField(
        label="Date of the update",
        when="not_future",
        earliest_year=2000,
        help_text="The day the progress describes: usually today. For example, 14 6 2026",
        error_messages={"required": "Enter the date of the update"},
    )
    rag = forms.ChoiceField(
        label="RAG",
        choices=[(rag.value, rag.label) for rag in RAG_ORDER],
        help_text="Green: on track. Amber-Green: minor issues, in hand. Amber-Red: at risk "
        "without action. Red: off track. Complete: the step is done.",
        error_messages={
            "required": "Select the RAG",
            "invalid_choice": "Select the RAG from the list",
        },
    )
    text = _long_text(
        "Progress to date",
        max_length=PROGRESS_MAX_LENGTH,
        help_text="What has been done since the last update, and what happens next.",
        required_message="Enter the progress to date",
    )


# --- The owner's forms ----------------------------------------------------------------------


class VersionedForm(forms.Form):
    # The record's details as they were when the form was opened: a form posted without
    # it saves nothing.
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    error_anchor = "main-content"
    # A form that adds something new has no earlier version to compare with.
    adds = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.adds and not data.get("version"):
            raise ValidationError(
                "The form was not sent in full, so nothing was saved: open it again"
            )
        return data


class PlanSettingsForm(VersionedForm):
    title = _text("Title", max_length=200, required_message="Enter the plan's title")
    strategy = _text(
        "Strategy",
        max_length=200,
        required=False,
        help_text="The strategy the plan delivers, for example Reducing Reoffending Strategy.",
    )
    starts_on = DateInputField(
        label="Start date", required=False, earliest_year=2000, help_text="For example, 1 4 2026"
    )
    ends_on = DateInputField(
        label="End date", required=False, earliest_year=2000, help_text="For example, 31 3 2030"
    )
    needs_update_days = forms.IntegerField(
        label="Flag a step as needing an update after this many days without one",
        min_value=7,
        max_value=365,
        help_text="Between 7 and 365 days. Leads are reminded of these steps each week.",
        error_messages={
            "required": "Enter the number of days",
            "invalid": "Enter the number of days as a whole number, like 60",
            "min_value": "The number of days must be 7 or more",
            "max_value": "The number of days must be 365 or fewer",
        },
    )
    agencies = forms.MultipleChoiceField(
        label="Agencies in the plan's partnership",
        help_text="Their staff see the plan. Agencies that lead steps stay in it.",
        error_messages={
            "required": "Select the agencies in the partnership",
            "invalid_choice": "Select agencies from the list",
        },
    )
    owner = forms.ChoiceField(
        label="Plan owner",
        required=False,
        help_text="The owner edits the whole plan, as the owning agency's coordinators do.",
        error_messages={"invalid_choice": "Select the owner from the list"},
    )

    def __init__(
        self,
        *args: Any,
        agencies: list[Agency],
        owners: list[User],
        plan: ActionPlan | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        # Not `self.agencies`: that name is the form's field.
        self.agency_by_pk = {str(agency.pk): agency for agency in agencies}
        self.owners = {str(user.pk): user for user in owners}
        form_field(self, "agencies", forms.ChoiceField).choices = [
            (pk, a.name) for pk, a in self.agency_by_pk.items()
        ]
        form_field(self, "owner", forms.ChoiceField).choices = [
            NOBODY,
            *[(pk, _staff_name(user)) for pk, user in self.owners.items()],
        ]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.plan is not None:
            # The plan's rules on whatever could be read, beside the form's own checks.
            chosen = data.get("agencies")
            owner = data.get("owner")
            problems = plan_settings_problems(
                self.plan,
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                owner=self.owners.get(owner) if owner else None,
                agencies=None if chosen is None else [self.agency_by_pk[pk] for pk in chosen],
            )
            add_problems(self, {field: [message] for field, message in problems.items()})
        return super().clean()

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "strategy": data["strategy"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "needs_update_days": data["needs_update_days"],
            "agencies": [self.agency_by_pk[pk] for pk in data["agencies"]],
            "owner": self.owners.get(data["owner"]) if data["owner"] else None,
            "seen_version": data["version"],
        }


class NewPlanForm(PlanSettingsForm):
    """A new plan: its settings, without an owner (whoever sets it up owns it)."""

    adds = True

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, agencies=agencies, owners=[], **kwargs)
        del self.fields["owner"]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.plan is not None:
            # The plan's rules on whatever could be read, beside the form's own checks.
            chosen = data.get("agencies")
            owner = data.get("owner")
            problems = plan_settings_problems(
                self.plan,
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                owner=self.owners.get(owner) if owner else None,
                agencies=None if chosen is None else [self.agency_by_pk[pk] for pk in chosen],
            )
            add_problems(self, {field: [message] for field, message in problems.items()})
        return super().clean()

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "strategy": data["strategy"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "needs_update_days": data["needs_update_days"],
            "agencies": [self.agency_by_pk[pk] for pk in data["agencies"]],
        }


class ObjectiveForm(VersionedForm):
    title = _long_text(
        "Strategy objective",
        max_length=500,
        required_message="Enter the objective",
        help_text='As the strategy words it, for example "Reduce reoffending by young adults".',
    )


class NewObjectiveForm(ObjectiveForm):
    adds = True


class ActionForm(VersionedForm):
    title = _long_text("Project or action", max_length=500, required_message="Enter the action")
    description = _long_text("Description", required=False)
    outcomes = _long_text("Outcomes", required=False)
    timescale = _text(
        "Timescale",
        max_length=200,
        required=False,
        help_text='As the plan words it, for example "March 2027".',
    )
    due = DateInputField(
        label="Due date",
        required=False,
        earliest_year=2000,
        help_text="The last day of the timescale. Steps without a due date of their own are "
        "due by it. For example, 31 3 2027",
    )
    strategic_links = _long_text("Strategic links", required=False)

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["seen_version"] = data.pop("version")
        return data


class NewActionForm(ActionForm):
    adds = True

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        del values["seen_version"]
        return values


class StepForm(VersionedForm):
    text = _long_text("Step", max_length=5000, required_message="Enter the step")
    lead_agency = forms.ChoiceField(
        label="Lead agency",
        required=False,
        help_text="Its staff add the progress updates on this step.",
        error_messages={"invalid_choice": "Select one of the plan's agencies"},
    )
    lead_person = forms.ChoiceField(
        label="Named lead",
        required=False,
        help_text="One of the lead agency's staff, if the plan names one.",
        error_messages={"invalid_choice": "Select the named lead from the list"},
    )
    lead_text = _text(
        "Responsible service or lead, as the plan words it",
        max_length=500,
        required=False,
        help_text='For example "LBH Community Safety and Police". Shown in the plan and its '
        "exports; the lead agency's name is shown when this is empty.",
    )
    due = DateInputField(
        label="Due date",
        required=False,
        earliest_year=2000,
        help_text="Leave empty for the step to be due by its action's timescale. "
        "For example, 31 3 2027",
    )

    def __init__(
        self,
        *args: Any,
        agencies: list[Agency],
        staff: list[User],
        plan: ActionPlan | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.agencies = {str(agency.pk): agency for agency in agencies}
        self.staff = {str(user.pk): user for user in staff}
        form_field(self, "lead_agency", forms.ChoiceField).choices = [
            ("", "No lead agency"),
            *[(pk, agency.name) for pk, agency in self.agencies.items()],
        ]
        form_field(self, "lead_person", forms.ChoiceField).choices = [
            NOBODY,
            *[(pk, _staff_name(user)) for pk, user in self.staff.items()],
        ]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.plan is not None:
            # The lead's rules run beside the form's own checks, so a named lead of another
            # agency is said together with a missing step rather than after it.
            problems = step_lead_problems(
                self.plan,
                self.agencies.get(data.get("lead_agency") or ""),
                self.staff.get(data.get("lead_person") or ""),
            )
            add_problems(self, {field: [message] for field, message in problems.items()})
        return super().clean()

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "lead_text": data["lead_text"],
            "lead_agency": self.agencies.get(data["lead_agency"]),
            "lead_person": self.staff.get(data["lead_person"]),
            "due": data["due"],
            "seen_version": data["version"],
        }


class NewStepForm(StepForm):
    adds = True

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        del values["seen_version"]
        return values


class MoveToObjectiveForm(forms.Form):
    objective = forms.ChoiceField(
        label="Move the action to",
        error_messages={
            "required": "Select the objective to move the action to",
            "invalid_choice": "Select one of the plan's objectives",
        },
    )
    order = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, objectives: list[Objective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objectives = {str(objective.pk): objective for objective in objectives}
        form_field(self, "objective", forms.ChoiceField).choices = [
            (pk, f"{objective.number}. {objective.title}")
            for pk, objective in self.objectives.items()
        ]
