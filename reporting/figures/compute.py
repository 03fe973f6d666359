"""All the figures for a scope, and for the period it is compared with, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from reporting.figures import cohort, cost, custody, discussion, partnership, rag, treatment
from reporting.figures.scope import Scope
from reporting.figures.targets import targets_for, unit_cost_table
from reporting.figures.values import Column, Count, Definition, Row, Table, Value, define
from reporting.periods import financial_year, financial_year_of

COST_TABLE = define(
    "cost_table",
    "Cost of crime before, during and after the cohort",
    cost.COST_OF_CRIME.meaning + " " + cost.ESTIMATED_SAVING.meaning,
)


@dataclass(frozen=True)
class Headline:
    definition: Definition
    value: Value
    previous: Value | None = None
    target: int | None = None


@dataclass
class FigureSet:
    scope: Scope
    compare: Scope | None
    headline: list[Headline] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    unit_costs: list[dict[str, object]] = field(default_factory=list)


def _headline_values(scope: Scope) -> dict[str, Value]:
    arrests, people_arrested = custody.arrests(scope)
    reviews, green = rag.rag_reviews(scope)
    fell, rose = rag.rag_trends(scope)
    cases, people, per_month, escalations = discussion.discussion(scope)
    before, during, after, saving = cost.cost_of_crime(scope)
    return {
        "cohort_size": cohort.cohort_size(scope),
        "cohort_at_end": cohort.cohort_at_end(scope),
        "not_entering_custody": custody.not_entering_custody(scope),
        "rag_reviews": reviews,
        "rag_green": green,
        "rag_fell": fell,
        "rag_rose": rose,
        "cases_discussed": cases,
        "people_discussed": people,
        "cases_per_month": per_month,
        "escalations": escalations,
        "arrests": arrests,
        "people_arrested": people_arrested,
        "female_share": cohort.female_share(scope),
        "cost_before": before,
        "cost_during": during,
        "cost_after": after,
        "estimated_saving": saving,
    }


HEADLINE_DEFINITIONS: dict[str, Definition] = {
    "cohort_size": cohort.COHORT_SIZE,
    "cohort_at_end": cohort.COHORT_AT_END,
    "not_entering_custody": custody.NOT_ENTERING_CUSTODY,
    "rag_reviews": rag.RAG_REVIEWS,
    "rag_green": rag.RAG_GREEN,
    "rag_fell": rag.RAG_FELL,
    "rag_rose": rag.RAG_ROSE,
    "cases_discussed": discussion.CASES_DISCUSSED,
    "people_discussed": discussion.PEOPLE_DISCUSSED,
    "cases_per_month": discussion.CASES_PER_MONTH,
    "escalations": discussion.ESCALATIONS,
    "arrests": custody.ARRESTS,
    "people_arrested": custody.PEOPLE_ARRESTED,
    "female_share": cohort.FEMALE_SHARE,
    "cost_before": define(
        "cost_before", "Cost of crime in the year before joining", cost.COST_OF_CRIME.meaning
    ),
    "cost_during": define(
        "cost_during", "Cost of crime while on the cohort", cost.COST_OF_CRIME.meaning
    ),
    "cost_after": define(
        "cost_after", "Cost of crime in the year after leaving", cost.COST_OF_CRIME.meaning
    ),
    "estimated_saving": cost.ESTIMATED_SAVING,
}


def compute_figures(scope: Scope, compare: Scope | None = None) -> FigureSet:
    years = sorted(
        {financial_year_of(m) for m in scope.period.months()}
        | {financial_year_of(scope.period.end)}
    )
    compare_years = [financial_year_of(compare.period.start)] if compare else []
    targets = targets_for(scope.panel_ids, years + compare_years)
    end_year = financial_year_of(scope.period.end)

    current = _headline_values(scope)
    previous = _headline_values(compare) if compare else {}
    figures = FigureSet(scope=scope, compare=compare, unit_costs=unit_cost_table())
    for key, value in current.items():
        figures.headline.append(
            Headline(
                HEADLINE_DEFINITIONS[key],
                value,
                previous.get(key),
                targets.get(("cohort_size", end_year)) if key == "cohort_at_end" else None,
            )
        )

    cohort_targets = {year: targets.get(("cohort_size", year)) for year in years}
    figures.tables = [
        cohort.cohort_by_month(scope, cohort_targets),
        rag.rag_by_month(scope),
        custody.custody_by_month(scope),
        custody.custodial_outcomes(scope),
        treatment_table(scope, compare, targets),
        _cost_table(current),
        cohort.age_profile(scope),
        cohort.ethnicity_profile(scope),
        cohort.need_profile(scope),
        partnership.action_plan_progress(scope),
        partnership.isa_register(scope),
    ]
    return figures


def _cost_table(values: dict[str, Value]) -> Table:
    rows = [
        Row("In the year before joining", [values["cost_before"]]),
        Row("While on the cohort", [values["cost_during"]]),
        Row("In the year after leaving", [values["cost_after"]]),
        Row("Estimated saving", [values["estimated_saving"]]),
    ]
    return Table(COST_TABLE, [Column("Cost", "money")], rows)


def treatment_table(
    scope: Scope, compare: Scope | None, targets: dict[tuple[str, int], int]
) -> Table:
    """The seed report's Table 1: one row per requirement for the period, then for the
    comparison, each result marked against the year's target."""
    rows: list[Row] = []
    marks: dict[tuple[int, int], str] = {}
    scopes = [(scope, compare)] + ([(compare, None)] if compare else [])
    for current, previous in scopes:
        year = financial_year_of(current.period.start)
        whole_year = current.period == financial_year(year)
        for requirement in ("drr", "atr"):
            result = treatment.treatment_results(current, requirement)
            before = treatment.treatment_results(previous, requirement) if previous else None
            target_starts = targets.get((f"{requirement}_starts", year))
            target_completions = targets.get((f"{requirement}_completions", year))
            index = len(rows)
            marks[(index, 2)] = treatment.mark(
                result.starts.value,
                target_starts,
                before.starts.value if before else None,
                whole_year=whole_year,
            )
            marks[(index, 3)] = treatment.mark(
                result.completions.value,
                target_completions,
                before.completions.value if before else None,
                whole_year=whole_year,
            )
            rows.append(
                Row(
                    f"{requirement.upper()} ({current.period.label})",
                    [
                        _optional(target_starts),
                        _optional(target_completions),
                        result.starts,
                        result.completions,
                        result.not_reoffending,
                    ],
                )
            )
    columns = [
        Column("Target starts", about_people=False),
        Column("Target completions", about_people=False),
        Column("Starts"),
        Column("Completions"),
        Column("Not reoffending 6 months after completing", "share"),
    ]
    return Table(treatment.TREATMENT, columns, rows, marks=marks)


def _optional(value: int | None) -> Value | None:
    return None if value is None else Count(value)
