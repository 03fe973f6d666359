"""The committee officer's draft of last financial year's reducing reoffending update.

Written once, in the committee's house format, so the demo's committee officer can open it
and produce it in one click: the figures, tables and charts are filled in when they do.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from panels.models import PanelKind
from reporting.models import Report
from reporting.periods import last_complete_financial_year
from reporting.services import report_save

POLICY_CONTEXT = (
    "The Reducing Reoffending Strategy is the Kingsmere Community Safety Partnership's "
    "response to national and regional work to reduce reoffending among people in contact "
    "with the criminal justice system. The Council has a statutory duty under the Crime and "
    "Disorder Act 1998 to produce an annually refreshed community safety plan, and reducing "
    "reoffending is one of its priorities."
)
SUMMARY = (
    "This report updates Members on the Integrated Offender Management (IOM) panel and the "
    "Drug Intervention Panel (DIP) over the last financial year, and on progress against the "
    "Reducing Reoffending Action Plan."
)
RECOMMENDATIONS = (
    "That Members note the progress against the Reducing Reoffending Action Plan, the IOM "
    "panel and the DIP."
)
IMPLICATIONS = (
    "Financial implications and risks: there are no direct risks to the Council's finances; "
    "the strategy is delivered within the existing resources of the partners.\n\n"
    "Legal implications and risks: the strategy is in line with the Crime and Disorder Act "
    "1998 and the Crime and Disorder Regulations 2011.\n\n"
    "Equalities implications and risks: the strategy's equalities impact assessment is an "
    "appendix of the Community Safety Partnership Plan."
)
BACKGROUND = (
    "Appendix 1: Kingsmere Reducing Reoffending Strategy\n\n"
    "Appendix 2: Kingsmere Reducing Reoffending Action Plan"
)


@transaction.atomic
def ensure_demo_report(borough) -> bool:
    """Draft the annual update for the committee officer, unless one exists."""
    if Report.objects.exists():
        return False
    committee = borough.staff["committee"]
    year = last_complete_financial_year(timezone.localdate())
    label = f"{year.start.year}-{(year.end.year) % 100:02d}"
    report_save(
        actor=committee,
        report=None,
        panels=[borough.panels[PanelKind.IOM], borough.panels[PanelKind.DIP]],
        title=f"Reducing Reoffending Update {label}",
        committee="Crime and Disorder Overview and Scrutiny Committee",
        lead_officer="Director of Communities",
        author="Integrated Offender Management Lead, Kingsmere Council",
        policy_context=POLICY_CONTEXT,
        summary=SUMMARY,
        recommendations=RECOMMENDATIONS,
        implications=IMPLICATIONS,
        background_papers=BACKGROUND,
        period_start=year.start,
        period_end=year.end,
        compare_start=year.previous().start,
        compare_end=year.previous().end,
    )
    return True
