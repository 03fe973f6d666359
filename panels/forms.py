"""The panel settings form: what a coordinator may change about their panel."""

from __future__ import annotations

from django import forms

from panels.models import RagScheme


class PanelSettingsForm(forms.Form):
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who the panel is for and how cases reach it. Member agencies read this.",
    )
    rag_scheme = forms.ChoiceField(
        label="RAG scheme",
        choices=RagScheme.choices,
        help_text="The ratings the panel gives at its reviews. Past reviews keep their rating.",
    )
    review_interval_days = forms.TypedChoiceField(
        label="Review each person at least every",
        coerce=int,
        choices=[
            (14, "2 weeks"),
            (28, "4 weeks"),
            (42, "6 weeks"),
            (56, "8 weeks"),
            (91, "3 months"),
        ],
        help_text="People not reviewed within this time are suggested for the next agenda.",
    )
