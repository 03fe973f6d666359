"""Forms for running a meeting (attendance, each agenda item's outcome, publishing the
minutes) and for case actions. They parse what was typed; the rules live in the services
(panels/services/meeting_mode.py and case_actions.py), whose errors the views show on
these forms' fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Agency, User
from core.forms import DateInputField, add_problems, form_field
from meetings.models import AgendaItem, CaseAction, CaseActionStatus, MeetingKind
from meetings.selectors.meeting_mode import AttendanceStatus
from meetings.services.case_actions import UPDATE_MAX_LENGTH, ActionInput, case_action_problems
from meetings.services.meeting_mode import AttendanceEntry, ItemOutcome, attendance_problems
from panels.models import RAG_BY_SCHEME, Panel, RagScheme

# Where the service's error keys for an action are shown on the item form.
ACTION_FIELDS = {
    "description": "action_description",
    "owner_agency": "action_agency",
    "owner": "action_owner",
    "due": "action_due",
}


def action_problems(
    form: forms.Form,
    panel: Panel,
    names: dict[str, str],
    *,
    due_changed: bool = True,
) -> None:
    """The case action rules (case_actions.case_action_problems) on whatever of the action
    the form could read, so every problem shows in one answer rather than a second round
    after the first is put right."""
    data = form.cleaned_data
    fields = {key: names.get(key, key) for key in ACTION_FIELDS}
    # A field the form already refused is left out: its own message says what is wrong.
    description = data.get(fields["description"])
    add_problems(
        form,
        case_action_problems(
            panel,
            description=description if description else None,
            owner_agency=data.get(fields["owner_agency"]),
            owner=data.get(fields["owner"]),
            due=data.get(fields["due"]),
            today=timezone.localdate(),
            due_changed=due_changed,
        ),
        fields,
    )


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username}, {obj.agency.name}"


class AttendanceForm(forms.Form):
    """One question per agency: did it attend, and who came. Field names carry the agency's
    code, `<code>-status` and `<code>-attendees`, as the service's errors do."""

    def __init__(self, *args: Any, agencies: Iterable[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = list(agencies)
        for agency in self.agencies:
            self.fields[f"{agency.code}-status"] = forms.ChoiceField(
                label=f"Did {agency.name} attend?",
                choices=AttendanceStatus.choices,
                error_messages={"required": f"Select whether {agency.name} attended"},
            )
            self.fields[f"{agency.code}-attendees"] = forms.CharField(
                label=f"Who attended from {agency.name}",
                required=False,
                max_length=300,
                help_text="Names and roles, for example: Sam Patel, offender manager. "
                "Leave blank if nobody came.",
                error_messages={
                    "max_length": f"Who attended from {agency.name} must be 300 characters or fewer"
                },
            )

    def rows(self) -> list[tuple[Agency, forms.BoundField, forms.BoundField]]:
        return [
            (agency, self[f"{agency.code}-status"], self[f"{agency.code}-attendees"])
            for agency in self.agencies
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # The register's rules run on every agency whose answer could be read, so an agency
        # left unanswered and another marked present with nobody named show together.
        answered = [
            AttendanceEntry(
                agency=agency,
                status=data[f"{agency.code}-status"],
                attendees=data.get(f"{agency.code}-attendees") or "",
            )
            for agency in self.agencies
            if data.get(f"{agency.code}-status")
        ]
        add_problems(self, attendance_problems(agencies=self.agencies, entries=answered), {})
        return data

    def entries(self) -> list[AttendanceEntry]:
        return [
            AttendanceEntry(
                agency=agency,
                status=self.cleaned_data[f"{agency.code}-status"],
                attendees=self.cleaned_data[f"{agency.code}-attendees"],
            )
            for agency in self.agencies
        ]


class ItemForm(forms.Form):
    """An agenda item's outcome, and optionally one new case action for the person."""

    notes = forms.CharField(
        label="Discussion notes",
        widget=forms.Textarea,
        required=False,
        max_length=10000,
        help_text="What the panel discussed and why it decided as it did. These go in the "
        "minutes that member agencies read.",
        error_messages={"max_length": "Discussion notes must be 10,000 characters or fewer"},
    )
    rag = forms.ChoiceField(
        label="RAG decision",
        required=False,
        error_messages={"invalid_choice": "Select one of the panel's RAG ratings"},
    )
    escalate = forms.BooleanField(
        label="Escalate to the main panel",
        required=False,
        help_text="A mid-month panel takes a case to the next main panel when it needs the "
        "senior partners' decision. The case is suggested for that meeting's agenda.",
    )
    discussed = forms.ChoiceField(
        label="Has the panel discussed this person?",
        choices=[("yes", "Yes, discussed"), ("no", "Not yet")],
        error_messages={"required": "Select whether the panel has discussed this person"},
    )
    action_description = forms.CharField(
        label="What needs to be done (optional)",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="Leave blank if the panel set no new action for this person.",
        error_messages={"max_length": "The action must be 2,000 characters or fewer"},
    )
    action_agency = forms.ModelChoiceField(
        label="Agency that owns the action",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose an agency",
        error_messages={"invalid_choice": "Select one of the agencies that see this panel"},
    )
    action_owner = StaffChoice(
        label="Named person (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="No named person",
        help_text="Must work for the agency that owns the action.",
        error_messages={"invalid_choice": "Select a member of staff from the list"},
    )
    action_due = DateInputField(
        label="Due date",
        required=False,
        earliest_year=2000,
        help_text="Today or later. For example, 27 3 2026",
    )

    def __init__(
        self,
        *args: Any,
        item: AgendaItem,
        agencies: QuerySet[Agency] | list[Agency],
        staff: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        panel: Panel = item.meeting.panel
        self.panel = panel
        form_field(self, "rag", forms.ChoiceField).choices = [
            (rag.value, rag.label) for rag in RAG_BY_SCHEME[RagScheme(panel.rag_scheme)]
        ]
        self.fields["rag"].help_text = (
            "The panel's view of the person's current risk and engagement. Once recorded it "
            "can be changed, not removed."
        )
        if item.meeting.kind != MeetingKind.MID_MONTH:
            # Only a mid-month panel escalates; the main panel is where cases go.
            del self.fields["escalate"]
        agency_ids = [agency.pk for agency in agencies]
        form_field(self, "action_agency", forms.ModelChoiceField).queryset = Agency.objects.filter(
            pk__in=agency_ids
        )
        form_field(self, "action_owner", forms.ModelChoiceField).queryset = staff

    @classmethod
    def initial_for(cls, item: AgendaItem) -> dict[str, Any]:
        return {
            "notes": item.notes,
            "rag": item.rag_decided,
            "escalate": item.escalate,
            "discussed": "yes" if item.discussed else "",
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        wants_action = any(
            data.get(name) for name in ("action_description", "action_agency", "action_owner")
        ) or bool(self.data.get("action_due-day") or self.data.get("action_due-year"))
        if wants_action:
            if not (data.get("action_description") or "").strip() and not self.has_error(
                "action_description"
            ):
                self.add_error("action_description", "Enter what needs to be done")
            if not data.get("action_agency") and not self.has_error("action_agency"):
                self.add_error("action_agency", "Select the agency that owns the action")
            if not data.get("action_due") and not self.has_error("action_due"):
                self.add_error("action_due", "Enter the date the action is due")
            action_problems(self, self.panel, ACTION_FIELDS)
        return data

    def outcome(self) -> ItemOutcome:
        data = self.cleaned_data
        return ItemOutcome(
            notes=data["notes"],
            rag=data["rag"],
            escalate=bool(data.get("escalate")),
            discussed=data["discussed"] == "yes",
        )

    def action(self) -> ActionInput | None:
        data = self.cleaned_data
        if not data.get("action_description"):
            return None
        return ActionInput(
            description=data["action_description"],
            owner_agency=data["action_agency"],
            owner=data["action_owner"],
            due=data["action_due"],
        )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label="These minutes are ready to share with the member agencies",
        error_messages={
            "required": "Confirm that the minutes are ready to share before closing the meeting"
        },
    )


class ActionChangeForm(forms.Form):
    description = forms.CharField(
        label="What needs to be done",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": "Enter what needs to be done",
            "max_length": "The action must be 2,000 characters or fewer",
        },
    )
    owner_agency = forms.ModelChoiceField(
        label="Agency that owns the action",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={
            "required": "Select the agency that owns the action",
            "invalid_choice": "Select one of the agencies that see this panel",
        },
    )
    owner = StaffChoice(
        label="Named person (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="No named person",
        help_text="Must work for the agency that owns the action.",
        error_messages={"invalid_choice": "Select a member of staff from the list"},
    )
    due = DateInputField(
        label="Due date",
        earliest_year=2000,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the action is due"},
    )

    def __init__(
        self,
        *args: Any,
        agencies: list[Agency],
        staff: QuerySet[User],
        action: CaseAction | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "owner_agency", forms.ModelChoiceField).queryset = Agency.objects.filter(
            pk__in=[agency.pk for agency in agencies]
        )
        form_field(self, "owner", forms.ModelChoiceField).queryset = staff
        self.changing = action

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.changing is not None:
            # An overdue action keeps its past date unless the coordinator moves it.
            due = self.cleaned_data.get("due")
            action_problems(
                self,
                self.changing.panel,
                {},
                due_changed=due is not None and due != self.changing.due,
            )
        return self.cleaned_data

    def action(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(
            description=data["description"],
            owner_agency=data["owner_agency"],
            owner=data["owner"],
            due=data["due"],
        )


class ActionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the action no longer needed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=UPDATE_MAX_LENGTH,
        error_messages={
            "required": "Enter why the action is no longer needed",
            "max_length": f"The reason must be {UPDATE_MAX_LENGTH:,} characters or fewer",
        },
    )


class ActionDoneForm(forms.Form):
    completed_on = DateInputField(
        label="Date it was done",
        when="not_future",
        earliest_year=2000,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the action was done"},
    )
    note = forms.CharField(
        label="What was done (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=UPDATE_MAX_LENGTH,
        error_messages={
            "max_length": f"What was done must be {UPDATE_MAX_LENGTH:,} characters or fewer"
        },
    )


class ActionUpdateForm(forms.Form):
    text = forms.CharField(
        label="What has happened?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=UPDATE_MAX_LENGTH,
        help_text="Progress, or what is in the way. The panel's coordinator and the agencies "
        "that see the panel read it.",
        error_messages={
            "required": "Enter what has happened",
            "max_length": f"The update must be {UPDATE_MAX_LENGTH:,} characters or fewer",
        },
    )


STATUS_FILTERS = [("", "Any status"), *CaseActionStatus.choices]
SCOPES = [("mine", "My agency's actions"), ("all", "All actions of the panels I see")]


class ActionFilterForm(forms.Form):
    """The actions list's filters; anything unexpected falls back to the defaults."""

    scope = forms.ChoiceField(label="Whose actions", choices=SCOPES, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_FILTERS, required=False)
    panel = forms.TypedChoiceField(label="Panel", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, panels: Iterable[Panel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "panel", forms.ChoiceField).choices = [("", "Any panel")] + [
            (panel.pk, panel.name) for panel in panels
        ]

    def filters(self) -> dict[str, Any]:
        self.is_valid()  # a filter that does not parse is ignored, the others kept
        data = self.cleaned_data
        return {
            "scope": data.get("scope") or "mine",
            "status": data.get("status") or "",
            "panel": data.get("panel"),
        }
