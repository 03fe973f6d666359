"""Reads for the cohort tracker: who is on a panel's cohort now or on a past day, with
their RAG, lead professional, review dates, needs, flags and the panel's own fields;
the referrals waiting for the coordinator; those who left; and the warnings shown when
someone is referred to IOM.

Everything a tracker row shows is read with the rows in a fixed number of queries (RAG,
OGRS and engagement as correlated subqueries, needs in one prefetch), so the page costs
the same for five members as for a thousand.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Agency, User
from matching.names import normalise_name
from offenders.models import (
    ENGAGEMENT_KINDS,
    CaseEvent,
    Need,
    NeedLevel,
    Nominal,
    Offence,
    RiskScore,
)
from offenders.selectors import (
    ACQUISITIVE_OFFENCES,
    NO_OGRS,
    Flags,
    derived_flags,
    flags_from,
)
from panels.models import (
    CohortMembership,
    MembershipStatus,
    Panel,
    PanelKind,
    Rag,
    RagReview,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class TrackerAnnotations(TypedDict):
    """What the tracker reads about each membership as at its day (`_annotated`)."""

    rag: str | None
    last_review: date | None
    ogrs: int | None
    acquisitive: bool
    last_engagement: date | None
    rag_rank: int


class _CurrentNeeds(TypedDict):
    current_needs: list[Need]


type TrackerMembership = WithAnnotations[CohortMembership, TrackerAnnotations]
type NominalWithNeeds = WithAnnotations[Nominal, _CurrentNeeds]

# The filter value for members with no RAG review yet.
NOT_REVIEWED = "none"
# Red first: the order partners read risk in.
RAG_ORDER = {Rag.RED: 1, Rag.AMBER: 2, Rag.GREEN: 3, Rag.BLUE: 4}
PAGE_SIZE = 50
# How far back the "as at" month list goes.
MONTHS_BACK_LIMIT = 120


def memberships_visible_to(user: User) -> QuerySet[CohortMembership]:
    """Memberships the user may see (`CohortMembership.objects.visible_to`), without those
    of records merged into another: they are reached through the surviving record."""
    return CohortMembership.objects.visible_to(user).filter(nominal__merged_into__isnull=True)


# --- Which day -----------------------------------------------------------------------


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def cohort_day(month: date | None) -> date:
    """The day a tracker shows: the last day of a chosen past month, or today."""
    return month_end(month) if month else timezone.localdate()


def month_choices(panel: Panel) -> list[date]:
    """Past months the tracker can be shown "as at", newest first: from the month the
    panel's first member joined to last month."""
    earliest = CohortMembership.objects.filter(panel=panel, start__isnull=False).aggregate(
        first=Min("start")
    )["first"]
    this_month = timezone.localdate().replace(day=1)
    months: list[date] = []
    month = (this_month - timedelta(days=1)).replace(day=1)
    stop = (earliest or month).replace(day=1)
    while month >= stop and len(months) < MONTHS_BACK_LIMIT:
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


# --- Filters and sorts -----------------------------------------------------------------


@dataclass(frozen=True)
class CohortFilter:
    """What the tracker is narrowed to. Empty values mean "any"."""

    rag: tuple[str, ...] = ()  # Rag values, and NOT_REVIEWED
    pathway: str = ""  # a Pathway value: has a need on it
    lead: int | None = None  # lead professional's user id
    agency: int | None = None  # lead professional's agency id
    overdue: bool = False  # last review older than the panel's review interval
    name: str = ""
    month: date | None = None  # first day of a past month: the cohort as at its last day

    @property
    def narrowed(self) -> bool:
        return bool(
            self.rag or self.pathway or self.lead or self.agency or self.overdue or self.name
        )


def _rag_rank() -> Case:
    return Case(
        *(When(rag=value, then=Value(rank)) for value, rank in RAG_ORDER.items()),
        default=Value(len(RAG_ORDER) + 1),
        output_field=IntegerField(),
    )


NAME_ORDER = ("nominal__family_name", "nominal__given_names", "pk")

# Column -> (ascending order, descending order). "review" sorts by days since the last
# review: ascending is the most recently reviewed first; never reviewed counts as longest.
SORTS: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]] = {
    "name": (
        NAME_ORDER,
        ("-nominal__family_name", "-nominal__given_names", "-pk"),
    ),
    "rag": (("rag_rank", *NAME_ORDER), ("-rag_rank", *NAME_ORDER)),
    "review": (
        (F("last_review").desc(nulls_last=True), *NAME_ORDER),
        (F("last_review").asc(nulls_first=True), *NAME_ORDER),
    ),
    "lead": (
        (
            F("nominal__lead_professional__last_name").asc(nulls_last=True),
            F("nominal__lead_professional__first_name").asc(nulls_last=True),
            *NAME_ORDER,
        ),
        (
            F("nominal__lead_professional__last_name").desc(nulls_last=True),
            F("nominal__lead_professional__first_name").desc(nulls_last=True),
            *NAME_ORDER,
        ),
    ),
    "start": (("start", *NAME_ORDER), ("-start", *NAME_ORDER)),
}
DEFAULT_SORT = "name"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """("column", descending) from "column" or "-column"; anything else is the default."""
    value = value or ""
    descending = value.startswith("-")
    column = value.lstrip("-")
    if column not in SORTS:
        return DEFAULT_SORT, False
    return column, descending


# --- The tracker's rows ------------------------------------------------------------------


def _on_cohort(
    memberships: QuerySet[CohortMembership], day: date, *, live: bool
) -> QuerySet[CohortMembership]:
    """Memberships on the cohort: active now, or (for a past day) joined on or before it
    and not yet left. Someone who left on the day itself is no longer on it."""
    if live:
        return memberships.filter(status=MembershipStatus.ACTIVE)
    return memberships.filter(
        status__in=[MembershipStatus.ACTIVE, MembershipStatus.EXITED],
        start__isnull=False,
        start__lte=day,
    ).filter(Q(end__isnull=True) | Q(end__gt=day))


def _latest_review(panel: Panel, day: date) -> QuerySet[RagReview]:
    return RagReview.objects.filter(
        nominal=OuterRef("nominal"), panel=panel, reviewed_on__lte=day
    ).order_by("-reviewed_on", "-pk")


def _annotated(
    memberships: QuerySet[CohortMembership], panel: Panel, day: date
) -> QuerySet[TrackerMembership]:
    """Each membership with what the tracker shows about it as at `day`."""
    latest_review = _latest_review(panel, day)
    latest_ogrs = RiskScore.objects.filter(
        nominal=OuterRef("nominal"), ogrs_percent__isnull=False, assessed_on__lte=day
    ).order_by("-assessed_on", "-pk")
    acquisitive = Offence.objects.filter(
        nominal=OuterRef("nominal"), offence_type__in=ACQUISITIVE_OFFENCES
    ).filter(Q(committed_on__isnull=True) | Q(committed_on__lte=day))
    last_engagement = CaseEvent.objects.filter(
        nominal=OuterRef("nominal"), kind__in=ENGAGEMENT_KINDS, occurred_on__lte=day
    ).order_by("-occurred_on")
    return memberships.annotate(
        rag=Subquery(latest_review.values("rag")[:1]),
        last_review=Subquery(latest_review.values("reviewed_on")[:1]),
        ogrs=Subquery(latest_ogrs.values("ogrs_percent")[:1]),
        acquisitive=Exists(acquisitive),
        last_engagement=Subquery(last_engagement.values("occurred_on")[:1]),
    ).annotate(rag_rank=_rag_rank())


def _for_ordering(
    memberships: QuerySet[CohortMembership],
    panel: Panel,
    day: date,
    filters: CohortFilter,
    column: str,
) -> QuerySet[CohortMembership]:
    """The memberships with only the annotations the filters and the sort read, the same
    expressions `_annotated` gives them: the rest are drawn for one page's rows alone."""
    latest_review = _latest_review(panel, day)
    if filters.rag or column == "rag":
        memberships = memberships.annotate(rag=Subquery(latest_review.values("rag")[:1])).annotate(
            rag_rank=_rag_rank()
        )
    if filters.overdue or column == "review":
        memberships = memberships.annotate(
            last_review=Subquery(latest_review.values("reviewed_on")[:1])
        )
    return memberships


def _narrowed(
    memberships: QuerySet[CohortMembership], panel: Panel, day: date, filters: CohortFilter
) -> QuerySet[CohortMembership]:
    if filters.rag:
        wanted = Q(rag__in=[value for value in filters.rag if value != NOT_REVIEWED])
        if NOT_REVIEWED in filters.rag:
            wanted |= Q(rag__isnull=True)
        memberships = memberships.filter(wanted)
    if filters.pathway:
        memberships = memberships.filter(
            Exists(
                Need.objects.filter(nominal=OuterRef("nominal"), pathway=filters.pathway).exclude(
                    level=NeedLevel.NONE
                )
            )
        )
    if filters.lead:
        memberships = memberships.filter(nominal__lead_professional_id=filters.lead)
    if filters.agency:
        memberships = memberships.filter(nominal__lead_professional__agency_id=filters.agency)
    if filters.overdue:
        cutoff = day - timedelta(days=panel.review_interval_days)
        memberships = memberships.filter(
            Q(last_review__lt=cutoff) | Q(last_review__isnull=True, start__lt=cutoff)
        )
    for word in normalise_name(filters.name).split():
        memberships = memberships.filter(nominal__search_name__contains=word)
    return memberships


def _ordering(sort: str) -> tuple[Any, ...]:
    column, descending = parse_sort(sort)
    return SORTS[column][1 if descending else 0]


def cohort_listing(
    user: User,
    panel: Panel,
    *,
    filters: CohortFilter | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[CohortMembership]:
    """The panel's cohort as the tracker lists it, to count and to page through: now, or
    as at the last day of `filters.month`; narrowed by the filters; one row per person;
    sorted by `sort` ("column" or "-column", see SORTS). Empty unless the user may see
    the panel.

    It reads only what the filters and the sort need (the latest RAG review, when they
    ask for it); `cohort_details` draws everything else for the rows of one page.
    """
    filters = filters or CohortFilter()
    day = cohort_day(filters.month)
    live = filters.month is None
    on_panel = memberships_visible_to(user).filter(panel=panel)
    # A person recorded twice and then merged can carry two memberships of one panel:
    # list them once, by the earliest.
    earlier = _on_cohort(
        CohortMembership.objects.filter(
            panel=panel, nominal=OuterRef("nominal"), pk__lt=OuterRef("pk")
        ),
        day,
        live=live,
    )
    memberships = _on_cohort(on_panel, day, live=live).exclude(Exists(earlier))
    column, _ = parse_sort(sort)
    memberships = _for_ordering(memberships, panel, day, filters, column)
    return _narrowed(memberships, panel, day, filters).order_by(*_ordering(sort))


def cohort_details(
    listing: QuerySet[CohortMembership],
    panel: Panel,
    *,
    day: date,
    sort: str = DEFAULT_SORT,
) -> QuerySet[TrackerMembership]:
    """Everything a tracker row shows about the memberships of `listing` (all of
    `cohort_listing`, or a page of it), in the same order, in one query and one prefetch.

    The listing is a subquery: PostgreSQL finds and sorts its rows first, then the
    RAG, OGRS, offence and engagement lookups run for those rows alone.
    """
    return (
        _annotated(CohortMembership.objects.filter(pk__in=listing.values("pk")), panel, day)
        .select_related("nominal__lead_professional__agency")
        .prefetch_related(
            Prefetch(
                "nominal__needs",
                Need.objects.exclude(level=NeedLevel.NONE).order_by("pathway"),
                to_attr="current_needs",
            )
        )
        .order_by(*_ordering(sort))
    )


def cohort_members(
    user: User,
    panel: Panel,
    *,
    filters: CohortFilter | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[TrackerMembership]:
    """The whole of `cohort_listing` with everything its rows show (the export)."""
    filters = filters or CohortFilter()
    listing = cohort_listing(user, panel, filters=filters, sort=sort)
    return cohort_details(listing, panel, day=cohort_day(filters.month), sort=sort)


@dataclass(frozen=True)
class PanelColumn:
    heading: str
    value: Callable[[CohortMembership], Any]


def _yes_no(value: bool | None, yes: str, no: str) -> str:
    return "" if value is None else (yes if value else no)


def panel_columns(panel: Panel) -> list[PanelColumn]:
    """The panel's own fields, as tracker and export columns, for its kind."""
    if panel.kind == PanelKind.MAPPA:
        return [
            PanelColumn("MAPPA category", lambda m: m.mappa_category),
            PanelColumn("MAPPA level", lambda m: m.mappa_level),
        ]
    if panel.kind == PanelKind.IOM:
        return [
            PanelColumn("IOM strand", lambda m: m.get_iom_strand_display()),
            PanelColumn("Statutory", lambda m: _yes_no(m.statutory, "Statutory", "Non-statutory")),
            PanelColumn("OGRS band", lambda m: m.get_ogrs_band_display()),
        ]
    if panel.kind == PanelKind.DIP:
        return [
            PanelColumn("Treatment requirement", lambda m: (m.treatment_requirement or "").upper()),
            PanelColumn("Treatment started", lambda m: m.treatment_start),
            PanelColumn("Treatment completed", lambda m: m.treatment_completed),
        ]
    return []


@dataclass(frozen=True)
class CohortRow:
    """One person on the tracker, as at the tracker's day."""

    membership: TrackerMembership
    nominal: Nominal
    rag: str | None
    rag_label: str
    last_review: date | None
    days_since_review: int | None
    review_overdue: bool
    lead: User | None
    needs: list[Need]
    flags: Flags
    flag_labels: list[str]
    panel_values: list[Any] = field(default_factory=list)

    @property
    def flag_tags(self) -> list[tuple[str, str]]:
        """(label, GOV.UK tag colour): red for what needs acting on now, grey for what is
        not known."""
        return [
            (
                label,
                "red" if label in SERIOUS_FLAGS else "grey" if label in UNKNOWN_FLAGS else "yellow",
            )
            for label in self.flag_labels
        ]


def cohort_rows(
    panel: Panel, memberships: list[TrackerMembership], *, day: date
) -> list[CohortRow]:
    """Tracker rows from memberships read by `cohort_members` (no further queries)."""
    interval = panel.review_interval_days
    columns = panel_columns(panel)
    rows = []
    for membership in memberships:
        # `cohort_members` prefetched each person's current needs onto them.
        nominal = cast("NominalWithNeeds", membership.nominal)
        flags = flags_from(
            ogrs=membership.ogrs,
            acquisitive=membership.acquisitive,
            last_engagement=membership.last_engagement,
            created_at=nominal.created_at,
            today=day,
        )
        since = (day - membership.last_review).days if membership.last_review else None
        reviewed_or_joined = membership.last_review or membership.start
        rows.append(
            CohortRow(
                membership=membership,
                nominal=nominal,
                rag=membership.rag,
                rag_label=Rag(membership.rag).label if membership.rag else "Not reviewed",
                last_review=membership.last_review,
                days_since_review=since,
                review_overdue=bool(
                    reviewed_or_joined and (day - reviewed_or_joined).days > interval
                ),
                lead=nominal.lead_professional,
                needs=nominal.current_needs,
                flags=flags,
                flag_labels=flag_labels(panel, flags),
                panel_values=[column.value(membership) for column in columns],
            )
        )
    return rows


SERIOUS_FLAGS = ("Outside IOM scope", "Not engaged 6+ months")
UNKNOWN_FLAGS = ("OGRS not recorded",)


def flag_labels(panel: Panel, flags: Flags) -> list[str]:
    """The flags a tracker row shows: IOM scope (outside it, or not known for want of an
    OGRS score, on an IOM panel; inside it, elsewhere, as someone IOM may want), and time
    without engagement."""
    labels = []
    if panel.kind == PanelKind.IOM and not flags.ogrs_recorded:
        labels.append("OGRS not recorded")
    elif panel.kind == PanelKind.IOM and not flags.in_iom_scope:
        labels.append("Outside IOM scope")
    elif panel.kind != PanelKind.IOM and flags.in_iom_scope:
        labels.append("In IOM scope")
    if flags.not_engaged_6_months:
        labels.append("Not engaged 6+ months")
    elif flags.not_engaged_3_months:
        labels.append("Not engaged 3+ months")
    return labels


# --- Filter choices, referrals and leavers ----------------------------------------------


def lead_choices(user: User, panel: Panel, filters: CohortFilter) -> list[User]:
    """Lead professionals of people on the cohort on the tracker's day.

    Read from the panel's own memberships (by the panel's index), each person's lead
    professional looked up by the person's primary key: the cost follows the cohort, not
    the register, whatever the planner guesses a scan of every nominal would cost."""
    day = cohort_day(filters.month)
    on = _on_cohort(
        CohortMembership.objects.visible_to(user).filter(panel=panel),
        day,
        live=filters.month is None,
    )
    # A person merged into another is reached through the survivor (as in
    # `memberships_visible_to`): their lead professional is not offered.
    lead = Nominal.objects.filter(pk=OuterRef("nominal_id"), merged_into__isnull=True).values(
        "lead_professional_id"
    )
    return list(
        User.objects.filter(pk__in=on.values(lead=Subquery(lead[:1])))
        .select_related("agency")
        .order_by("last_name", "first_name", "pk")
    )


def agency_choices(leads: list[User]) -> list[Agency]:
    agencies = {lead.agency_id: lead.agency for lead in leads}
    return sorted(agencies.values(), key=lambda agency: agency.name)


def referrals_awaiting(user: User, panel: Panel) -> QuerySet[CohortMembership]:
    """Referrals to the panel waiting for the coordinator's decision, oldest first."""
    return (
        memberships_visible_to(user)
        .filter(panel=panel, status=MembershipStatus.REFERRED)
        .select_related("nominal", "referring_agency", "referred_by")
        .order_by("referred_on", "pk")
    )


def leavers(user: User, panel: Panel, month: date | None) -> QuerySet[CohortMembership]:
    """Those who left the cohort in the chosen month (this month so far, when live)."""
    day = cohort_day(month)
    return (
        memberships_visible_to(user)
        .filter(panel=panel, status=MembershipStatus.EXITED, end__gte=day.replace(day=1))
        .filter(end__lte=day)
        .select_related("nominal")
        .order_by("end", "nominal__family_name", "pk")
    )


# --- Warnings on referral ------------------------------------------------------------------


def referral_warnings(user: User, panel: Panel, nominal: Nominal) -> list[str]:
    """Reasons to think twice before referring someone to (or accepting them onto) an
    IOM panel. They warn and never stop the referral.

    - outside the pan-London IOM scope by OGRS, as the person's flags work it out;
    - managed at MAPPA level 2 or 3, which is outside IOM. A MAPPA panel the user may not
      see is only named, with whom to contact, whatever the level: saying the level
      would tell them what they may not see.
    """
    if panel.kind != PanelKind.IOM:
        return []
    warnings = []
    flags = derived_flags(nominal, today=timezone.localdate())
    if not flags.in_iom_scope:
        if flags.iom_scope_reason == NO_OGRS:
            warnings.append(
                "No OGRS score is recorded for this person, so whether they are in IOM scope "
                "cannot be checked. IOM scope is an OGRS of 75% or more, or 50 to 74% with a "
                "robbery or burglary offence."
            )
        else:
            warnings.append(
                f"Outside IOM scope: {flags.iom_scope_reason}. IOM scope is an OGRS of 75% or "
                "more, or 50 to 74% with a robbery or burglary offence."
            )
    visible = set(Panel.objects.visible_to(user).values_list("pk", flat=True))
    on_mappa = (
        CohortMembership.objects.filter(
            nominal=nominal, panel__kind=PanelKind.MAPPA, status=MembershipStatus.ACTIVE
        )
        .select_related("panel__coordinating_agency")
        .order_by("panel__name")
    )
    for membership in on_mappa:
        other = membership.panel
        if other.pk not in visible:
            warnings.append(
                f"This person is also known to {other.name}. MAPPA level 2 and 3 cases are "
                f"outside IOM: check with {other.coordinating_agency.name} before going further."
            )
        elif membership.mappa_level in (2, 3):
            warnings.append(
                f"This person is managed at MAPPA level {membership.mappa_level} on "
                f"{other.name}. MAPPA level 2 and 3 cases are outside IOM."
            )
    return warnings
