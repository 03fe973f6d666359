"""Every status and RAG value, of every scale, renders as a GOV.UK tag with its words and
colour; nothing falls through to a blank or a wrong colour (the profile once showed no tag
for Blue)."""

import pytest
from django.template import Context, Template

from actions.models import Rag as PlanRag
from cohorts.models import ImportStatus
from core.tags import COLOURS, scales, tag_for
from crossref.models import FindingStatus, RunStatus
from matching.records import Decision
from meetings.models import MOVED, OVERDUE, CaseActionStatus, MeetingStatus
from offenders.models import NeedLevel
from panels.models import RAG_BY_SCHEME, Rag, RagScheme

# Each scale and the values it must show: every value of its enum, plus the shown-only ones.
EXPECTED = {
    "rag": {*Rag.values, None},
    "plan_rag": {*PlanRag.values, None},
    "import_status": set(ImportStatus.values),
    "run_status": set(RunStatus.values),
    "finding_status": set(FindingStatus.values),
    "meeting_status": {*MeetingStatus.values, MOVED},
    "case_action_status": {*CaseActionStatus.values, OVERDUE},
    "match_decision": {decision.value for decision in Decision},
    "need_level": set(NeedLevel.values),
}


def render(scale, value):
    template = Template("{% load govuk_tags %}{% status_tag scale value %}")
    return template.render(Context({"scale": scale, "value": value}))


def test_every_scale_is_registered_with_exactly_its_values():
    registered = scales()
    assert set(registered) == set(EXPECTED)
    for name, values in EXPECTED.items():
        assert set(registered[name]) == values, name


@pytest.mark.parametrize(
    ("scale", "value"),
    # Sorted: every parallel test worker must collect the same cases in the same order.
    [(name, value) for name, values in EXPECTED.items() for value in sorted(values, key=str)],
)
def test_each_value_renders_as_a_tag_with_words_and_a_colour(scale, value):
    tag = tag_for(scale, value)
    assert tag.colour is None or tag.colour in COLOURS
    assert tag.label.strip()
    modifier = f" govuk-tag--{tag.colour}" if tag.colour else ""
    assert render(scale, value) == f'<strong class="govuk-tag{modifier}">{tag.label}</strong>'


def test_both_panel_rag_schemes_show_every_value_blue_included():
    for scheme in RagScheme:
        for value in RAG_BY_SCHEME[scheme]:
            assert render("rag", value).startswith('<strong class="govuk-tag')
    # Blue is GOV.UK Frontend 6's default tag colour.
    assert render("rag", Rag.BLUE) == '<strong class="govuk-tag">Blue (in custody)</strong>'
    assert render("rag", None) == '<strong class="govuk-tag govuk-tag--grey">Not reviewed</strong>'


def test_a_value_outside_its_scale_is_an_error_not_a_blank_tag():
    with pytest.raises(KeyError):
        tag_for("rag", "purple")
