"""Forms for cross-referencing: the inbox filter, the three decisions on a finding, and the
choice of month for the overlap report. They parse what was typed; the rules live in
panels/services/crossref_review.py, whose errors the views show on these forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from core.forms import form_field
from crossref.models import CrossReferenceRun, FindingKind
from crossref.selectors.findings import Comparison, KnownTo
from crossref.services.reasons import REASON_MAX_LENGTH


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            ("", "All open findings"),
            (FindingKind.DUPLICATE, "Records that may be one person"),
            (FindingKind.OVERLAP, "People on more than one panel"),
        ],
    )

    def kind_value(self) -> str:
        return self.cleaned_data.get("kind", "") if self.is_valid() else ""


def _record_label(side) -> str:
    if not side.visible:
        return f"Keep record {side.pk} (a record you cannot see)"
    nominal = side.nominal
    born = f"born {nominal.date_of_birth:%-d %B %Y}" if nominal.date_of_birth else "born not known"
    return f"Keep record {side.pk}: {nominal.full_name}, {born}"


class ConfirmForm(forms.Form):
    survivor = forms.TypedChoiceField(
        label="Which record should be kept?",
        coerce=int,
        help_text="Everything recorded on the other record moves to the one kept.",
        error_messages={"required": "Choose which of the two records to keep"},
    )

    def __init__(self, *args: Any, pair: Comparison, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "survivor", forms.ChoiceField).choices = [
            (side.pk, _record_label(side)) for side in pair.sides
        ]
        self.fields["survivor"].error_messages["invalid_choice"] = (
            "Choose which of the two records to keep"
        )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="Why are these different people?",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text="For example: twins with the same address, or a father and son. The pair "
        "is not raised again unless one of the records changes.",
        error_messages={
            "required": "Enter why these are different people",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )


class NoActionForm(forms.Form):
    reason = forms.CharField(
        label="Why is no action needed?",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text="For example: the panels already share one plan for this person. They are "
        "not raised again while they stay on the same panels.",
        error_messages={
            "required": "Enter why no action is needed",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )


class LeadPanelForm(forms.Form):
    panel = forms.TypedChoiceField(
        label="Which panel should lead?",
        coerce=int,
        help_text="The other panels defer to the lead panel for this person. The "
        "coordinators of the other panels are asked to agree.",
        error_messages={"required": "Choose the panel that should lead"},
    )

    def __init__(self, *args: Any, panels: Iterable[KnownTo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "panel", forms.ChoiceField).choices = [
            (item.panel_id, f"{item.name} (coordinated by {item.contact})") for item in panels
        ]
        self.fields["panel"].error_messages["invalid_choice"] = (
            "Choose one of the panels the person is on"
        )


class LeadAnswerForm(forms.Form):
    # Prefixed: the page also holds the "no action needed" form, with its own reason.
    prefix = "answer"
    agree = forms.TypedChoiceField(
        label="Do you agree?",
        coerce=lambda value: value == "yes",
        choices=[("yes", "Yes, this panel should lead"), ("no", "No")],
        error_messages={
            "required": "Choose whether you agree",
            "invalid_choice": "Choose whether you agree",
        },
    )
    reason = forms.CharField(
        label="If not, why not?",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text="The coordinator who proposed it reads this. For example: the person's "
        "risk is managed at MAPPA level 2, so MAPPA should lead.",
        error_messages={
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("agree") is False and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter why this panel should not lead")
        return cleaned


def month_value(run: CrossReferenceRun) -> str:
    return f"{run.month:%Y-%m}"


class MonthForm(forms.Form):
    month = forms.ChoiceField(
        label="Month",
        required=False,
        error_messages={"invalid_choice": "Choose a month with a completed cross-reference"},
    )

    def __init__(self, *args: Any, runs: Iterable[CrossReferenceRun], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runs = {month_value(run): run for run in runs}
        form_field(self, "month", forms.ChoiceField).choices = [
            (value, f"{run.month:%B %Y}") for value, run in self.runs.items()
        ]

    def run(self) -> CrossReferenceRun | None:
        """The chosen month's run; the latest when none (or a wrong one) was chosen."""
        chosen = self.cleaned_data.get("month") if self.is_valid() else ""
        if chosen:
            return self.runs[chosen]
        return next(iter(self.runs.values()), None)


class MergeAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Does your agency agree to merge the two records?",
        choices=[
            ("agree", "Yes, they are one person: merge them"),
            ("refuse", "No, do not merge them"),
        ],
        error_messages={"required": "Select whether your agency agrees to the merge"},
    )
    reason = forms.CharField(
        label="Reason (needed if you do not agree)",
        required=False,
        widget=forms.Textarea,
        max_length=REASON_MAX_LENGTH,
        help_text="The coordinator who asked is told it.",
        error_messages={
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why your agency does not agree to the merge")
        return data
