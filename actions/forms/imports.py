"""Forms for importing a plan: the table (pasted or a file), its columns, and the plan's
details on the preview before it is imported."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Agency
from actions.importing import FIELDS, MAX_FILE_BYTES, MAX_PASTE_CHARACTERS
from actions.models import ActionPlan
from actions.selectors.imports import progress_rag_choices
from core.forms import DateInputField, form_field
from core.tables import column_letter


class SourceForm(forms.Form):
    """The plan's table, pasted or as a file: one of the two."""

    pasted = forms.CharField(
        label="Paste the plan's table",
        help_text="In Word or Excel, select the whole table, headings included, copy it and "
        "paste it here.",
        required=False,
        strip=False,
        widget=forms.Textarea,
    )
    plan_file = forms.FileField(
        label="Or upload the plan as a file",
        help_text="A CSV or Excel (XLSX) file of up to 5 MB, with a row of column headings "
        "above the plan. Only the first sheet of a workbook is read.",
        required=False,
        error_messages={
            "empty": "The file is empty. Check you chose the plan, then upload it again.",
        },
    )
    error_anchor = "pasted"

    def clean_pasted(self) -> str:
        text = self.cleaned_data["pasted"]
        if len(text) > MAX_PASTE_CHARACTERS:
            raise ValidationError(
                f"The pasted text is {len(text):,} characters long: the most that can be "
                f"pasted is {MAX_PASTE_CHARACTERS:,}. Save the plan as an Excel or CSV file "
                "and upload it instead."
            )
        return text

    def clean_plan_file(self):
        upload = self.cleaned_data["plan_file"]
        if upload and upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB: the largest plan that can "
                f"be imported is {MAX_FILE_BYTES // (1024 * 1024)} MB."
            )
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # What was sent, read from the request: a paste or a file refused for its size was
        # still given, so "not both" is said beside that refusal, not after it is put right.
        pasted, upload = (self.data.get("pasted") or "").strip(), self.files.get("plan_file")
        if pasted and upload:
            self.add_error(
                "pasted", "Paste the table or choose a file, not both: clear one of them"
            )
        elif not pasted and not upload:
            self.add_error("pasted", "Paste the plan's table, or choose a file to upload")
        return data


class ColumnsForm(forms.Form):
    """One select per column the plan may have, listing the table's columns."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not in this table")] + [
            (str(index), f"Column {column_letter(index)}: {heading or '(no heading)'}")
            for index, heading in enumerate(headers)
        ]
        for item in FIELDS:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.label if item.required else f"{item.label} (optional)",
                help_text=item.hint,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=item.required,
                error_messages={
                    "required": f"Choose the column with the {item.label.lower()}",
                    "invalid_choice": f"Choose a column of the table for {item.label.lower()}",
                },
            )

    def mapping(self) -> dict[str, int | None]:
        return {item.key: self.cleaned_data.get(item.key) for item in FIELDS}


class CommitForm(forms.Form):
    """The new plan's details, its partnership, and the RAG of the imported progress."""

    title = forms.CharField(
        label="Plan title",
        max_length=ActionPlan._meta.get_field("title").max_length,
        error_messages={
            "required": "Enter the plan's title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    strategy = forms.CharField(
        label="Strategy (optional)",
        help_text="The strategy the plan delivers, for example “Reducing Reoffending "
        "Strategy 2016 to 2020”.",
        max_length=ActionPlan._meta.get_field("strategy").max_length,
        required=False,
        error_messages={"max_length": "The strategy must be 200 characters or fewer"},
    )
    starts_on = DateInputField(
        label="Plan starts (optional)", help_text="For example, 1 4 2016", required=False
    )
    ends_on = DateInputField(
        label="Plan ends (optional)", help_text="For example, 31 3 2020", required=False
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies in the plan's partnership",
        help_text="Their staff see the plan, and staff of a step's lead agency update it. "
        "Your agency is always included. A step led by an agency you leave out keeps its "
        "lead as written, with no lead agency.",
        queryset=Agency.objects.none(),
        required=False,
        # Shown as GOV.UK checkboxes by includes/checkboxes.html, which gives the first box
        # the field's own id for the error summary to link to.
        error_messages={"invalid_choice": "Choose agencies from the list"},
    )
    progress_rag = forms.ChoiceField(
        label="RAG for progress the plan gives no RAG for",
        help_text="Where the plan gives a step's RAG (in a RAG column, or at the start of "
        "its progress, such as “Green - meeting held”), the step keeps it. Progress that "
        "says nothing has happened yet (such as “Yet to be looked into” or “Update needed”) "
        "is imported as Not started; all other progress gets the RAG you choose here. Steps "
        "with no progress are Not started. Leads change the RAG with their next update.",
        error_messages={
            "required": "Choose the RAG for the imported progress",
            "invalid_choice": "Choose the RAG for the imported progress",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "agencies", forms.ModelChoiceField).queryset = Agency.objects.filter(
            active=True
        ).order_by("name")
        form_field(self, "progress_rag", forms.ChoiceField).choices = progress_rag_choices()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The plan must end after it starts")
        return data
