"""Forms for the cohort pages: the tracker's filter, referring a person, the coordinator's
decision, an exit, and the panel's own fields about a person.

The panel fields depend on the kind of panel (MAPPA, IOM, DIP), so `BasePanelFieldsForm`
builds only the fields of the panel's kind. Optional choices are selects with a "Not
recorded" first option, so a value can be cleared again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.selectors.cohort import NOT_REVIEWED, CohortFilter
from cohorts.services.membership import (
    PANEL_FIELDS,
    exit_problems,
    panel_fields_problems,
    panel_fields_version,
)
from core.forms import DateInputField, add_problems, choice_labels, form_field
from offenders.models import Nominal, Pathway
from panels.models import (
    RAG_BY_SCHEME,
    CohortMembership,
    IomStrand,
    MappaCategory,
    MappaLevel,
    OgrsBand,
    Panel,
    PanelKind,
    Rag,
    RagScheme,
    TreatmentRequirement,
)

NOT_RECORDED = ("", "Not recorded")
YES_NO = {"yes": True, "no": False}


def _optional_select(label: str, choices: list[tuple[Any, str]], **kwargs: Any) -> forms.Field:
    return forms.ChoiceField(
        label=f"{label} (optional)",
        required=False,
        choices=[NOT_RECORDED, *[(str(value), text) for value, text in choices]],
        error_messages={"invalid_choice": f"{label}: choose one of the options in the list"},
        **kwargs,
    )


def _date(label: str) -> DateInputField:
    # No "(optional)" in the label: the field's error messages begin with it.
    return DateInputField(
        label=label,
        required=False,
        when="not_future",
        earliest_year=2000,
        help_text="Leave blank if not known. For example, 14 6 2025",
    )


# --- The tracker's filter ----------------------------------------------------------------


class CohortFilterForm(forms.Form):
    """The MOJ filter beside the tracker. It is posted, never put in the address: a name
    typed in it is personal data (SECURITY.md), so the view keeps the filter in the session."""

    month = forms.ChoiceField(
        label="Show the cohort as at",
        required=False,
        help_text="The cohort as it was on the last day of a past month.",
    )
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        help_text="Part of a given or family name.",
        error_messages={"max_length": "Name must be 100 characters or fewer"},
    )
    rag = forms.MultipleChoiceField(label="RAG", required=False)
    overdue = forms.BooleanField(label="Review overdue", required=False)
    pathway = forms.ChoiceField(
        label="Has a need on the pathway",
        required=False,
        choices=[("", "Any pathway"), *Pathway.choices],
    )
    lead = forms.ChoiceField(label="Lead professional", required=False)
    agency = forms.ChoiceField(label="Lead professional's agency", required=False)

    def __init__(
        self,
        *args: Any,
        panel: Panel,
        months: list[date],
        leads: list[Any],
        agencies: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "month", forms.ChoiceField).choices = [
            ("", "Now"),
            *[(month.strftime("%Y-%m"), month.strftime("%B %Y")) for month in months],
        ]
        rags = RAG_BY_SCHEME[RagScheme(panel.rag_scheme)]
        form_field(self, "rag", forms.ChoiceField).choices = [
            *[(rag.value, Rag(rag).label) for rag in rags],
            (NOT_REVIEWED, "Not reviewed yet"),
        ]
        self.fields["overdue"].help_text = (
            f"Last reviewed more than {panel.review_interval_days} days ago, or never reviewed "
            f"and on the cohort for longer than that."
        )
        form_field(self, "lead", forms.ChoiceField).choices = [
            ("", "Anyone"),
            *[(str(user.pk), user.get_full_name() or user.username) for user in leads],
        ]
        form_field(self, "agency", forms.ChoiceField).choices = [
            ("", "Any agency"),
            *[(str(agency.pk), agency.name) for agency in agencies],
        ]

    def to_filter(self) -> CohortFilter:
        """The chosen filter; only call once the form is valid."""
        data = self.cleaned_data
        month = data.get("month")
        return CohortFilter(
            rag=tuple(data.get("rag") or ()),
            pathway=data.get("pathway") or "",
            lead=int(data["lead"]) if data.get("lead") else None,
            agency=int(data["agency"]) if data.get("agency") else None,
            overdue=bool(data.get("overdue")),
            name=(data.get("name") or "").strip(),
            month=date.fromisoformat(f"{month}-01") if month else None,
        )

    def selected(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The chosen filters as (heading, [(value to remove, label)]), for the MOJ
        "Selected filters" tags."""
        data, chosen = self.cleaned_data, []
        if data.get("month"):
            month = choice_labels(self, "month")[data["month"]]
            chosen.append(("Cohort as at", [("month:", f"End of {month}")]))
        labels = {name: choice_labels(self, name) for name in ("rag", "pathway")}
        if data.get("rag"):
            chosen.append(("RAG", [(f"rag:{v}", labels["rag"][v]) for v in data["rag"]]))
        if data.get("overdue"):
            chosen.append(("Review", [("overdue:", "Review overdue")]))
        if data.get("pathway"):
            chosen.append(("Need", [("pathway:", labels["pathway"][data["pathway"]])]))
        for name, heading in (("lead", "Lead professional"), ("agency", "Agency")):
            if data.get(name):
                chosen.append(
                    (
                        heading,
                        [
                            (
                                f"{name}:",
                                choice_labels(self, name)[data[name]],
                            )
                        ],
                    )
                )
        if data.get("name"):
            chosen.append(("Name", [("name:", data["name"])]))
        return chosen


def without(stored: dict[str, Any], removal: str) -> dict[str, Any]:
    """The stored filter with one selected value ("rag:red", "name:") taken off."""
    name, _, value = removal.partition(":")
    kept = dict(stored)
    if name == "rag":
        kept["rag"] = [rag for rag in kept.get("rag", []) if rag != value]
    elif name in kept:
        kept.pop(name)
    return kept


# --- Panel fields ----------------------------------------------------------------------------


def _statutory_field() -> forms.Field:
    return _optional_select(
        "Statutory or non-statutory",
        [
            ("yes", "Statutory: on licence or a court order"),
            ("no", "Non-statutory: not under probation supervision"),
        ],
    )


class BasePanelFieldsForm(forms.Form):
    """The panel's own fields about a person, for the panel's kind only."""

    def __init__(
        self,
        *args: Any,
        panel: Panel,
        membership: CohortMembership | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.panel = panel
        self.membership = membership
        builders = {
            "mappa_category": lambda: _optional_select("MAPPA category", MappaCategory.choices),
            "mappa_level": lambda: _optional_select(
                "MAPPA level",
                MappaLevel.choices,
                help_text="Levels 2 and 3 are managed through MAPPA meetings, outside IOM.",
            ),
            "iom_strand": lambda: _optional_select(
                "IOM cohort strand",
                IomStrand.choices,
                help_text="Fixed: neighbourhood crime. Flex: local priorities. Free: other cases.",
            ),
            "statutory": _statutory_field,
            "ogrs_band": lambda: _optional_select(
                "OGRS band",
                OgrsBand.choices,
                help_text="Offender Group Reconviction Scale: the chance of reconviction "
                "within 2 years.",
            ),
            "consent_to_share": lambda: _optional_select(
                "Consent to share",
                [("yes", "Yes, they agreed to information being shared"), ("no", "No")],
                help_text="Non-statutory cases only.",
            ),
            "consent_on": lambda: _date("Date consent was given"),
            "treatment_requirement": lambda: _optional_select(
                "Treatment requirement", TreatmentRequirement.choices
            ),
            "treatment_start": lambda: _date("Treatment start date"),
            "treatment_completed": lambda: _date("Treatment completion date"),
        }
        for name in PANEL_FIELDS.get(panel.kind, ()):
            self.fields[name] = builders[name]()

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.is_bound and PANEL_FIELDS.get(self.panel.kind):
            # The panel's rules on the fields that could be read (one not read keeps what
            # is recorded), beside the form's own messages.
            readable = {
                name: value
                for name, value in self.panel_values().items()
                if name not in self.errors
            }
            add_problems(self, panel_fields_problems(self.panel, readable, self.membership))
        return self.cleaned_data

    def panel_values(self) -> dict[str, Any]:
        """The panel fields as the services take them."""
        values: dict[str, Any] = {}
        for name in PANEL_FIELDS.get(self.panel.kind, ()):
            value: Any = self.cleaned_data.get(name)
            if name in ("statutory", "consent_to_share"):
                value = YES_NO.get(value)
            elif name in ("mappa_category", "mappa_level"):
                value = int(value) if value else None
            values[name] = value
        return values

    @property
    def kind_heading(self) -> str:
        headings: dict[str, str] = {
            PanelKind.MAPPA: "MAPPA details",
            PanelKind.IOM: "IOM details",
            PanelKind.DIP: "Drug Intervention Programme details",
        }
        return headings.get(self.panel.kind, "")


class PanelFieldsForm(BasePanelFieldsForm):
    """A change to the panel fields of someone on the cohort."""

    # The details as they were when the form was opened (`panel_fields_version`): a form
    # posted without it (or on details changed since) saves nothing.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_from(membership: CohortMembership) -> dict[str, Any]:
        """The form's starting values from what is recorded."""
        initial: dict[str, Any] = {"version": panel_fields_version(membership)}
        for name in PANEL_FIELDS.get(membership.panel.kind, ()):
            value = getattr(membership, name)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            initial[name] = "" if value is None else value
        return initial

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("version"):
            raise ValidationError(
                "The form was not sent in full, so nothing was saved: open it again"
            )
        return data


class ReferralForm(BasePanelFieldsForm):
    # A referral creates a record rather than changing one: there is no version to compare.
    reason = forms.CharField(
        label="Why are you referring this person?",
        widget=forms.Textarea,
        max_length=5000,
        help_text="What the panel needs to know to decide: offending, risk, what your agency "
        "is already doing. Do not paste whole reports.",
        error_messages={
            "required": "Enter why you are referring this person",
            "max_length": "The reason must be 5,000 characters or fewer",
        },
    )

    field_order = ["reason"]


# --- Choosing a panel, or a person ------------------------------------------------------------


class PanelChoiceForm(forms.Form):
    panel = forms.TypedChoiceField(
        label="Which panel are you referring them to?",
        coerce=int,
        error_messages={
            "required": "Select a panel",
            "invalid_choice": "Select a panel from the list",
        },
    )

    def __init__(self, *args: Any, panels: list[Panel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "panel", forms.ChoiceField).choices = [
            (panel.pk, f"{panel.name} ({panel.get_kind_display()})") for panel in panels
        ]


SOMEONE_ELSE = "other"


class PersonChoiceForm(forms.Form):
    """Whom to refer, from the panel's page: someone the user looked at recently, or a
    record number (shown on every search result and profile)."""

    person = forms.ChoiceField(
        label="Who are you referring?",
        error_messages={"required": "Select the person you are referring"},
    )
    record = forms.IntegerField(
        label="Record number",
        required=False,
        min_value=1,
        help_text="Shown under the person's name in search results and on their profile.",
        error_messages={
            "invalid": "Enter the record number as digits, like 1234",
            "min_value": "Enter the record number as digits, like 1234",
        },
    )
    error_anchor = "id_person"

    def __init__(self, *args: Any, recent: list[Nominal], visible: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visible = visible
        form_field(self, "person", forms.ChoiceField).choices = [
            *[(str(nominal.pk), f"{nominal.full_name}, record {nominal.pk}") for nominal in recent],
            (SOMEONE_ELSE, "Someone else: enter their record number"),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        person = data.get("person")
        if person == SOMEONE_ELSE:
            record = data.get("record")
            if record is None and not self.has_error("record"):
                self.add_error("record", "Enter the person's record number")
            elif record is not None and not self.visible.filter(pk=record).exists():
                # The same answer for a record that does not exist and one the user may
                # not see, so the form tells nobody which numbers are taken.
                self.add_error("record", "There is no record with that number that you can see")
            else:
                data["nominal_id"] = record
        elif person:
            data["nominal_id"] = int(person)
        return data


# --- The coordinator's decisions --------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("accept", "Accept onto the cohort"), ("decline", "Decline the referral")],
        error_messages={"required": "Select whether to accept or decline the referral"},
    )
    start = DateInputField(
        label="Date they join the cohort",
        required=False,
        when="not_future",
        earliest_year=2000,
        help_text="If you accept the referral: usually today, or the date of the panel "
        "meeting that agreed it. For example, 14 6 2025",
    )
    decline_reason = forms.CharField(
        label="If you decline: why is the referral declined?",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="The referring agency reads this.",
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "accept" and not data.get("start"):
            if not self.has_error("start"):
                self.add_error("start", "Enter the date they join the cohort")
        if data.get("decision") == "decline" and not (data.get("decline_reason") or "").strip():
            self.add_error("decline_reason", "Enter why the referral is declined")
        return data


class ExitForm(forms.Form):
    end = DateInputField(
        label="Date they left the cohort",
        when="not_future",
        earliest_year=2000,
        help_text="For example, 14 6 2025",
        error_messages={"required": "Enter the date they left the cohort"},
    )
    exit_reason = forms.CharField(
        label="Why did they leave?",
        max_length=200,
        help_text="For example: order or licence ended, moved out of the borough, "
        "long custodial sentence, no longer meets the panel's criteria.",
        error_messages={
            "required": "Enter why they left the cohort",
            "max_length": "The reason must be 200 characters or fewer",
        },
    )

    def __init__(
        self, *args: Any, membership: CohortMembership | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.membership is not None:
            # An exit date before they joined is named beside a missing reason.
            add_problems(
                self,
                exit_problems(
                    self.membership,
                    end=data.get("end"),
                    reason=data.get("exit_reason"),
                    today=timezone.localdate(),
                ),
            )
        return data
