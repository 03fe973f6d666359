"""Agencies, staff accounts and roles, and the append-only audit trail and access log."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class AgencyKind(models.TextChoices):
    COUNCIL = "council", "Council"
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    DRUG_SERVICE = "drug_service", "Drug and alcohol service"
    HOUSING = "housing", "Housing"
    DWP = "dwp", "Department for Work and Pensions"
    YOUTH_OFFENDING = "youth_offending", "Youth offending service"
    HEALTH = "health", "Health"
    VOLUNTARY = "voluntary", "Voluntary and community sector"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(
        max_length=20, unique=True, help_text="A short code, for example 'met-police'."
    )
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    active = models.BooleanField(default=True)
    # Each agency's staff share one group; django-guardian grants on panels go to it.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Roles are Django groups with these names; a user may hold several."""

    PARTNER = "partner", "Partner"
    COORDINATOR = "coordinator", "Panel coordinator"
    COMMITTEE = "committee", "Committee officer"
    AGENCY_ADMIN = "agency_admin", "Agency administrator"
    GOVERNANCE_LEAD = "governance_lead", "Information governance lead"
    SYSTEM_ADMIN = "system_admin", "System administrator"


# Roles whose holders work with people's records. Committee officers see aggregates only;
# agency administrators manage their agency's staff accounts; information governance leads
# look after their agency's agreements and who viewed what; system administrators run the
# service. None of these reads case data unless they also hold a casework role.
CASEWORK_ROLES = frozenset({Role.PARTNER, Role.COORDINATOR})


class StaffManager(UserManager["User"]):
    def get_queryset(self) -> models.QuerySet[User]:
        # Every page shows the signed-in user's agency: load it with the user.
        return super().get_queryset().select_related("agency")


class User(AbstractUser):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    job_title = models.CharField(max_length=200, blank=True)
    # Kinds of notification (accounts.notifications.KINDS) this person does not want by
    # e-mail. Every notification is shown in the service whatever this says.
    email_muted = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    objects: ClassVar[StaffManager] = StaffManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["last_name", "first_name"]

    if TYPE_CHECKING:
        # django-otp's OTPMiddleware sets this on each request's user: whether this session
        # was signed in with a second factor.
        def is_verified(self) -> bool: ...

    @property
    def roles(self) -> frozenset[str]:
        """The user's role names, read once per request from the prefetched groups."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            valid = set(Role.values)
            cached = frozenset(g.name for g in self.groups.all() if g.name in valid)
            self._role_cache = cached
        return cached

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def does_casework(self) -> bool:
        return bool(self.roles & CASEWORK_ROLES)

    @property
    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.roles]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ObjectType(models.TextChoices):
    """What an access-log row (or a refusal) is about. An enum in code, not `choices=` on
    the column, so a new value needs no migration. A record's value is its model's label;
    a `_list` or search value is a read of many records at once."""

    NOMINAL = "offenders.nominal", "Person's record"
    NOMINAL_LIST = "offenders.nominal_list", "List of people"
    NOMINAL_SEARCH = "offenders.search", "Search for people"
    PANEL = "panels.panel", "Panel"
    MEMBERSHIP = "panels.cohortmembership", "Cohort membership"
    MEMBERSHIP_LIST = "panels.membership_list", "List of cohort memberships"
    RAG_REVIEW = "panels.ragreview", "RAG review"
    RAG_REVIEW_LIST = "panels.review_list", "List of RAG reviews"
    MEETING = "meetings.meeting", "Meeting"
    MEETING_RULE = "meetings.meetingrule", "Meeting rule"
    AGENDA_ITEM = "meetings.agendaitem", "Agenda item"
    AGENDA_ITEM_LIST = "meetings.agenda_item_list", "List of agenda items"
    CASE_ACTION = "meetings.caseaction", "Case action"
    CASE_ACTION_LIST = "meetings.case_action_list", "List of case actions"
    COHORT_IMPORT = "cohorts.cohortimport", "Monthly list"
    IMPORT_ROW = "cohorts.importrow", "Row of a monthly list"
    CROSSREF_RUN = "crossref.crossreferencerun", "Cross-reference run"
    FINDING = "crossref.matchfinding", "Cross-reference finding"
    FINDING_LIST = "crossref.matchfinding_list", "List of cross-reference findings"
    ACTION_PLAN = "actions.actionplan", "Action plan"
    PLAN_ACTION = "actions.action", "Action plan action"
    ACTION_STEP = "actions.actionstep", "Action plan step"
    PLAN_OBJECTIVE = "actions.objective", "Action plan objective"
    PLAN_IMPORT = "actions.planimport", "Action plan import"
    STAFF_ACCOUNT = "accounts.user", "Staff account"
    NOTIFICATION = "accounts.notification", "Notification"
    AGREEMENT = "sharing.informationsharingagreement", "Information-sharing agreement"
    ACCESS_GRANTS = "sharing.access", "Access grants"
    RETENTION_REVIEW = "retention.retentionreview", "Retention review"
    RETENTION_REVIEW_LIST = "retention.review_list", "List of records due for a retention review"
    # An information governance lead's reading of the access log: the id is how many rows
    # were shown (or exported); the people those rows are about are logged one by one.
    ACCESS_LOG = "accounts.accesslog", "Access log"
    UNUSUAL_READING = "governance.unusual_reading", "Unusual reading"


class AccessOutcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"


class Purpose(models.TextChoices):
    PANEL_PREPARATION = "panel_preparation", "Panel preparation"
    CASE_MANAGEMENT = "case_management", "Case management"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    ENFORCEMENT = "enforcement", "Enforcement"
    DATA_QUALITY = "data_quality", "Data quality"


def _label(enum: type[models.TextChoices], value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value


class AccessLog(models.Model):
    """Append-only record of every read of personal data and every refused request.

    A database trigger (migration 0002) refuses UPDATE and DELETE on this table.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=AccessOutcome.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64)
    endpoint = models.CharField(max_length=300, help_text="The page or API route read.")
    # Purpose and verb values are enums in code, not `choices=`: a new value needs no
    # migration. The label properties below give templates the enum's wording.
    purpose = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome} {self.object_type} {self.object_id}"

    @property
    def purpose_label(self) -> str:
        """The purpose in words; a value no longer in the enum is shown as stored."""
        return _label(Purpose, self.purpose)


class Verb(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGNED_OUT = "signed_out", "Signed out"
    REAUTHENTICATED = "reauthenticated", "Confirmed it was them before a sensitive action"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Set up a second factor"
    ACCOUNT_CREATED = "account_created", "Created an account"
    ACCOUNT_ACTIVATED = "account_activated", "Set a password for a new account"
    ACCOUNT_DEACTIVATED = "account_deactivated", "Deactivated an account"
    ACCOUNT_REACTIVATED = "account_reactivated", "Reactivated an account"
    AGENCY_CREATED = "agency_created", "Created an agency"
    PANEL_CREATED = "panel_created", "Created a panel"
    PANEL_MEMBERS_CHANGED = "panel_members_changed", "Changed a panel's member agencies"
    TARGET_SET = "target_set", "Set a panel's target"
    UNIT_COST_SET = "unit_cost_set", "Set the unit cost of an offence type"
    REPORT_CREATED = "report_created", "Created a report"
    REPORT_CHANGED = "report_changed", "Changed a report"
    REPORT_REQUESTED = "report_requested", "Asked for a report to be produced"
    AGREEMENT_CREATED = "agreement_created", "Created an information-sharing agreement"
    AGREEMENT_STATUS_CHANGED = "agreement_status_changed", "Changed an agreement's status"
    AGREEMENT_SIGNED = "agreement_signed", "Recorded a signature"
    AGREEMENT_CHANGED = "agreement_changed", "Changed a draft agreement"
    AGREEMENT_DOCUMENT_UPLOADED = "agreement_document_uploaded", "Uploaded an agreement's document"
    AGREEMENT_CIRCULATED = "agreement_circulated", "Circulated an agreement for signature"
    AGREEMENT_NEW_VERSION = "agreement_new_version", "Started a new version of an agreement"
    AGREEMENT_SUPERSEDED = "agreement_superseded", "Replaced an agreement by its new version"
    AGREEMENT_PARTY_WITHDRAWN = "agreement_party_withdrawn", "Withdrew a party from an agreement"
    AGREEMENT_WITHDRAWN = "agreement_withdrawn", "Withdrew an agreement"
    AGREEMENT_EXPIRED = "agreement_expired", "Marked an agreement expired"
    AGREEMENT_REGISTER_EXPORTED = "agreement_register_exported", "Exported the agreements register"
    AGREEMENT_REVIEW_REMINDERS_SENT = (
        "agreement_review_reminders_sent",
        "Reminded governance leads of an agreement's review",
    )
    ACCESS_RECOMPUTED = "access_recomputed", "Recomputed panel access"
    NOMINAL_CREATED = "nominal_created", "Created a nominal"
    NOMINAL_UPDATED = "nominal_updated", "Changed a nominal's details"
    IDENTIFIER_ADDED = "identifier_added", "Added an identifier"
    ALIAS_ADDED = "alias_added", "Added an alias"
    EVENT_ADDED = "event_added", "Added a timeline event"
    NEED_SET = "need_set", "Recorded a need"
    RISK_RECORDED = "risk_recorded", "Recorded a risk score"
    OFFENCE_ADDED = "offence_added", "Added an offence"
    CUSTODY_ADDED = "custody_added", "Added a custody episode"
    CUSTODY_RELEASED = "custody_released", "Recorded a release from custody"
    NOMINALS_MERGED = "nominals_merged", "Merged two records of one person"
    PANEL_CHANGED = "panel_changed", "Changed a panel's settings"
    MEETING_RULE_SET = "meeting_rule_set", "Set a panel's meeting rule"
    MEMBERSHIP_REFERRED = "membership_referred", "Referred a person to a panel"
    MEMBERSHIP_ACCEPTED = "membership_accepted", "Accepted a referral"
    MEMBERSHIP_DECLINED = "membership_declined", "Declined a referral"
    MEMBERSHIP_EXITED = "membership_exited", "Recorded an exit from a cohort"
    MEMBERSHIP_CHANGED = "membership_changed", "Changed a cohort member's panel details"
    COHORT_EXPORTED = "cohort_exported", "Exported a cohort list"
    IMPORT_UPLOADED = "import_uploaded", "Uploaded a monthly list"
    IMPORT_MAPPED = "import_mapped", "Chose a monthly list's columns"
    IMPORT_ROW_DECIDED = "import_row_decided", "Decided a monthly list row"
    IMPORT_COMMITTED = "import_committed", "Imported a monthly list"
    IMPORT_DISCARDED = "import_discarded", "Discarded a monthly list"
    MEETINGS_SCHEDULED = "meetings_scheduled", "Created meetings from a panel's rules"
    MEETING_MOVED = "meeting_moved", "Moved a meeting"
    MEETING_CANCELLED = "meeting_cancelled", "Cancelled a meeting"
    AGENDA_ITEM_ADDED = "agenda_item_added", "Added a person to an agenda"
    AGENDA_ITEM_CHANGED = "agenda_item_changed", "Changed why a person is on an agenda"
    AGENDA_ITEM_REMOVED = "agenda_item_removed", "Removed a person from an agenda"
    AGENDA_REORDERED = "agenda_reordered", "Reordered an agenda"
    AGENDA_SHARED = "agenda_shared", "Shared an agenda with member agencies"
    ATTENDANCE_RECORDED = "attendance_recorded", "Recorded attendance"
    ITEM_DISCUSSED = "item_discussed", "Recorded an agenda item's discussion"
    RAG_RECORDED = "rag_recorded", "Recorded a RAG decision"
    CASE_ACTION_CREATED = "case_action_created", "Set a case action"
    CASE_ACTION_UPDATED = "case_action_updated", "Updated a case action"
    CASE_ACTIONS_FLAGGED = "case_actions_flagged", "Flagged overdue case actions"
    MINUTES_PUBLISHED = "minutes_published", "Published a meeting's minutes"
    PLAN_CREATED = "plan_created", "Created an action plan"
    PLAN_CHANGED = "plan_changed", "Changed an action plan"
    PLAN_IMPORTED = "plan_imported", "Imported an action plan"
    PLAN_EXPORTED = "plan_exported", "Exported an action plan"
    PLAN_ARCHIVED = "plan_archived", "Archived an action plan"
    PLAN_RESTORED = "plan_restored", "Brought back an archived action plan"
    PLAN_REORDERED = "plan_reordered", "Moved part of an action plan"
    PLAN_PART_REMOVED = "plan_part_removed", "Removed part of an action plan"
    OBJECTIVE_ADDED = "objective_added", "Added an objective to an action plan"
    OBJECTIVE_CHANGED = "objective_changed", "Changed an action plan's objective"
    ACTION_ADDED = "action_added", "Added an action to an action plan"
    STEP_ADDED = "step_added", "Added a step to a plan action"
    ACTION_CHANGED = "action_changed", "Changed a plan action"
    STEP_CHANGED = "step_changed", "Changed a plan action's step"
    PROGRESS_RECORDED = "progress_recorded", "Recorded progress on a step"
    PLAN_REMINDERS_SENT = "plan_reminders_sent", "Reminded leads of steps needing an update"
    CROSSREF_REQUESTED = "crossref_requested", "Asked for a cross-reference run"
    CROSSREF_COMPLETED = "crossref_completed", "Completed a cross-reference run"
    FINDING_CONFIRMED = "finding_confirmed", "Confirmed two records are one person"
    FINDING_DISMISSED = "finding_dismissed", "Dismissed a possible match"
    MERGE_REQUESTED = "merge_requested", "Asked the agencies holding two records to agree a merge"
    MERGE_AGREED = "merge_agreed", "Agreed to merge two records"
    MERGE_REFUSED = "merge_refused", "Refused to merge two records"
    LEAD_PANEL_PROPOSED = "lead_panel_proposed", "Proposed a lead panel"
    LEAD_PANEL_ANSWERED = "lead_panel_answered", "Answered a lead panel proposal"
    LEAD_PANEL_AGREED = "lead_panel_agreed", "Agreed a lead panel"
    OVERLAP_CLOSED = "overlap_closed", "Closed an overlap: no action needed"
    OVERLAPS_EXPORTED = "overlaps_exported", "Exported an overlap report"
    RETENTION_LISTED = "retention_listed", "Listed records due for a retention review"
    RETENTION_KEPT = "retention_kept", "Kept a record at its retention review"
    RETENTION_DELETED = "retention_deleted", "Deleted a record at its retention review"
    ACCESS_LOG_EXPORTED = "access_log_exported", "Exported the access log"
    SUBJECT_ACCESS_EXPORTED = "subject_access_exported", "Produced a subject access export"


class AuditEvent(models.Model):
    """Append-only record of every write, made in the same transaction as the write."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=40)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_type} {self.object_id}"

    @property
    def verb_label(self) -> str:
        """What happened, in words; a value no longer in the enum is shown as stored."""
        return _label(Verb, self.verb)


class Notification(models.Model):
    """An in-app message to one member of staff, with a link to what it is about. It never
    carries personal or sensitive content: the e-mail that may go with it says even less."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    # Identifies what the message is about, so a weekly job sends one per thing per week.
    key = models.CharField(max_length=100)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="one_notification_per_key")
        ]

    def __str__(self) -> str:
        return self.text
