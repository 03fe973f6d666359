"""Forms for reports, the dashboard's choices, targets and unit costs."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from core.forms import DateInputField
from offenders.models import OffenceType
from panels.models import Panel
from reporting.models import Measure, Report
from reporting.periods import (
    Period,
    financial_quarter,
    financial_year,
    financial_year_of,
)

DATES = "dates"
PREVIOUS, NO_COMPARISON = "previous", "none"


def period_choices(today: date) -> list[tuple[str, str]]:
    """The last four financial years, this year so far, and the quarters of the last two."""
    this_year = financial_year_of(today)
    choices = []
    for year in range(this_year, this_year - 5, -1):
        label = f"Financial year {year}-{(year + 1) % 100:02d}"
        choices.append((f"fy-{year}", label + (" (so far)" if year == this_year else "")))
    for year in (this_year, this_year - 1):
        for quarter in range(4, 0, -1):
            period = financial_quarter(year, quarter)
            if period.start <= today:
                choices.append(
                    (f"q-{year}-{quarter}", f"Quarter {quarter} of {year}-{(year + 1) % 100:02d}")
                )
    choices.append((DATES, "Dates I choose"))
    return choices


def period_from_choice(choice: str, today: date) -> Period | None:
    if choice.startswith("fy-"):
        return financial_year(int(choice[3:]))
    if choice.startswith("q-"):
        _, year, quarter = choice.split("-")
        return financial_quarter(int(year), int(quarter))
    return None


def choice_for_period(period: Period, today: date) -> str:
    for value, _label in period_choices(today):
        if period_from_choice(value, today) == period:
            return value
    return DATES


class PeriodChoiceMixin(forms.Form):
    """A period picked from a list, or typed as two dates."""

    period = forms.ChoiceField(
        label="Period", choices=(), error_messages={"required": "Choose the period"}
    )
    start = DateInputField(label="Start date", required=False, earliest_year=2000)
    end = DateInputField(label="End date", required=False, earliest_year=2000)

    def setup_period(self, today: date) -> None:
        self.today = today
        self.fields["period"].choices = period_choices(today)  # type: ignore[attr-defined]

    def chosen_period(self) -> Period | None:
        data = self.cleaned_data
        choice = data.get("period")
        if not choice:
            return None
        if choice != DATES:
            return period_from_choice(choice, self.today)
        start, end = data.get("start"), data.get("end")
        if start is None:
            self.add_error("start", "Enter the date the period starts")
        if end is None:
            self.add_error("end", "Enter the date the period ends")
        if start and end and end < start:
            self.add_error("end", "The end date must be the same as or after the start date")
        if start and end and (end - start).days > 366 * 5:
            self.add_error("end", "Choose a period of five years or less")
        if start and end and end >= start and not self.errors:
            return Period(start, end)
        return None


class ReportForm(PeriodChoiceMixin):
    title = forms.CharField(
        label="Subject heading",
        max_length=200,
        error_messages={"required": "Enter the report's subject heading"},
    )
    committee = forms.CharField(
        label="Committee",
        max_length=200,
        required=False,
        help_text="For example, Crime and Disorder Overview and Scrutiny Committee",
    )
    meeting_date = DateInputField(label="Committee date", required=False, earliest_year=2000)
    lead_officer = forms.CharField(label="Lead officer", max_length=200, required=False)
    author = forms.CharField(
        label="Report author and contact details",
        max_length=300,
        required=False,
        help_text="Name, role, telephone and email, as the committee prints them",
    )
    panels = forms.ModelMultipleChoiceField(
        label="Panels",
        queryset=Panel.objects.none(),
        error_messages={"required": "Choose at least one panel"},
    )
    compare = forms.ChoiceField(
        label="Compare with",
        choices=[
            (PREVIOUS, "The period before, of the same length (the year before, for a year)"),
            (NO_COMPARISON, "Nothing"),
            (DATES, "Dates I choose"),
        ],
        initial=PREVIOUS,
    )
    compare_start = DateInputField(label="Compare from", required=False, earliest_year=2000)
    compare_end = DateInputField(label="Compare to", required=False, earliest_year=2000)
    policy_context = forms.CharField(
        label="Policy context", widget=forms.Textarea, required=False, max_length=10_000
    )
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea, required=False, max_length=10_000
    )
    recommendations = forms.CharField(
        label="Recommendations", widget=forms.Textarea, required=False, max_length=10_000
    )
    implications = forms.CharField(
        label="Implications and risks",
        widget=forms.Textarea,
        required=False,
        max_length=20_000,
        help_text="Financial, legal, human resources and equalities",
    )
    background_papers = forms.CharField(
        label="Background papers", widget=forms.Textarea, required=False, max_length=10_000
    )

    def __init__(self, *args: Any, panels: QuerySet[Panel], today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.setup_period(today)
        self.fields["panels"].queryset = panels  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, report: Report, today: date) -> dict[str, Any]:
        period = Period(report.period_start, report.period_end)
        initial: dict[str, Any] = {
            name: getattr(report, name)
            for name in (
                "title",
                "committee",
                "meeting_date",
                "lead_officer",
                "author",
                "policy_context",
                "summary",
                "recommendations",
                "implications",
                "background_papers",
            )
        }
        initial["period"] = choice_for_period(period, today)
        initial["start"], initial["end"] = report.period_start, report.period_end
        initial["panels"] = list(report.panels.all())
        if report.compare_start and report.compare_end:
            compare = Period(report.compare_start, report.compare_end)
            initial["compare"] = PREVIOUS if compare == period.previous() else DATES
            initial["compare_start"], initial["compare_end"] = (
                report.compare_start,
                report.compare_end,
            )
        else:
            initial["compare"] = NO_COMPARISON
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = self.chosen_period()
        data["period_value"] = period
        compare = data.get("compare")
        data["compare_value"] = None
        if period and compare == PREVIOUS:
            data["compare_value"] = period.previous()
        elif compare == DATES:
            start, end = data.get("compare_start"), data.get("compare_end")
            # A date that could not be read already says why; a blank one is asked for.
            if start is None and not self.has_error("compare_start"):
                self.add_error("compare_start", "Enter the date the comparison starts")
            if end is None and not self.has_error("compare_end"):
                self.add_error("compare_end", "Enter the date the comparison ends")
            if start and end and end < start:
                self.add_error(
                    "compare_end", "The comparison must end on or after the day it starts"
                )
            elif start and end:
                data["compare_value"] = Period(start, end)
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        period: Period = data["period_value"]
        compare: Period | None = data["compare_value"]
        fields = {
            name: data[name]
            for name in (
                "title",
                "committee",
                "meeting_date",
                "lead_officer",
                "author",
                "policy_context",
                "summary",
                "recommendations",
                "implications",
                "background_papers",
            )
        }
        return fields | {
            "period_start": period.start,
            "period_end": period.end,
            "compare_start": compare.start if compare else None,
            "compare_end": compare.end if compare else None,
        }


class DashboardForm(PeriodChoiceMixin):
    panels = forms.ModelMultipleChoiceField(
        label="Panels",
        queryset=Panel.objects.none(),
        required=False,
        help_text="Leave all unticked for every panel you report on",
    )

    def __init__(self, *args: Any, panels: QuerySet[Panel], today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.setup_period(today)
        self.fields["panels"].queryset = panels  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    panel = forms.ModelChoiceField(label="Panel", queryset=Panel.objects.none(), empty_label=None)
    measure = forms.ChoiceField(label="Target", choices=Measure.choices)
    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        choices=(),
        error_messages={"required": "Choose the financial year"},
    )
    # GOV.UK asks for a text box with a numeric keypad, not a number box, for numbers.
    value = forms.IntegerField(
        widget=forms.TextInput,
        label="Target value",
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "required": "Enter the target",
            "invalid": "Enter the target as a whole number, like 34",
            "min_value": "The target must be 0 or more",
            "max_value": "The target must be 1,000,000 or less",
        },
    )
    note = forms.CharField(
        label="Where the target comes from (optional)",
        max_length=300,
        required=False,
        help_text="For example, agreed by the Safer Communities Partnership Board in March",
    )

    def __init__(self, *args: Any, panels: QuerySet[Panel], today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = panels  # type: ignore[attr-defined]
        this_year = financial_year_of(today)
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            (year, f"{year}-{(year + 1) % 100:02d}")
            for year in range(this_year + 1, this_year - 5, -1)
        ]
        self.initial.setdefault("year", this_year)


class UnitCostForm(forms.Form):
    offence_type = forms.ChoiceField(label="Offence type", choices=OffenceType.choices)
    cost = forms.DecimalField(
        widget=forms.TextInput,
        label="Cost of one offence, in pounds",
        min_value=0,
        max_value=10_000_000,
        decimal_places=2,
        error_messages={
            "required": "Enter the cost of one offence",
            "invalid": "Enter the cost in pounds, like 5930 or 5930.50",
            "min_value": "The cost must be £0 or more",
            "max_value": "The cost must be £10,000,000 or less",
            "max_decimal_places": "Enter the cost to the nearest penny",
        },
    )
    source = forms.CharField(
        label="Source",
        max_length=300,
        help_text="The publication the cost comes from, for example the Home Office's economic and social costs of crime",
        error_messages={"required": "Enter where the cost comes from"},
    )
    price_year = forms.IntegerField(
        widget=forms.TextInput,
        label="Prices as at year",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Enter the year the prices are as at",
            "invalid": "Enter a year, like 2016",
            "min_value": "The year must be 2000 or later",
            "max_value": "The year must be 2100 or earlier",
        },
    )
