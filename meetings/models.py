"""Panel meetings: the rules that schedule them, meetings, attendance, agenda items and the
case actions agreed at them."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from accounts.models import User
from panels.models import Panel, Rag, RagReview


class MeetingKind(models.TextChoices):
    MAIN = "main", "Main panel"
    MID_MONTH = "mid_month", "Mid-month panel"
    EXTRA = "extra", "Extra meeting"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, "First"
    SECOND = 2, "Second"
    THIRD = 3, "Third"
    FOURTH = 4, "Fourth"
    FIFTH = 5, "Fifth (months that have one)"
    LAST = -1, "Last"


class MeetingRule(models.Model):
    """When a panel meets: "the first Wednesday of each month at 10:00", for example.

    A fifth-weekday rule produces no meeting in months without a fifth such day.
    """

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="meeting_rules")
    kind = models.CharField(max_length=10, choices=MeetingKind.choices, default=MeetingKind.MAIN)
    week = models.SmallIntegerField("Week of the month", choices=WeekOfMonth.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField(default="10:00")
    location = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["panel", "kind", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "kind", "week", "weekday"], name="one_rule_per_slot"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.get_week_display().split(' (')[0].lower()} "
            f"{self.get_weekday_display()} of each month"
        )


# Shown beside the stored statuses (see `shown_status`), never stored.
MOVED = "moved"
OVERDUE = "overdue"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: User) -> MeetingQuerySet:
        """Meetings of panels the user may see."""
        return self.filter(panel__in=Panel.objects.visible_to(user).values("pk"))


class Meeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    rule = models.ForeignKey(
        MeetingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    # The date the rule produced. Kept when a meeting is moved, so the beat job that creates
    # meetings ahead knows this occurrence exists and never creates it again.
    occurrence = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=MeetingKind.choices, default=MeetingKind.MAIN)
    date = models.DateField()
    starts_at = models.TimeField(default="10:00")
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    status_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the meeting was moved or cancelled."
    )
    agenda_shared_on = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    minutes_published_on = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "starts_at"]
        indexes = [models.Index(fields=["panel", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "occurrence"], name="one_meeting_per_rule_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} {self.get_kind_display().lower()}, {self.date:%-d %B %Y}"

    @property
    def shown_status(self) -> str:
        """The status as pages show it: a scheduled meeting with a reason recorded was moved."""
        if self.status == MeetingStatus.SCHEDULED and self.status_reason:
            return MOVED
        return self.status


class Attendance(models.Model):
    """Whether an agency was represented at a meeting, and by whom."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=False)
    attendees = models.CharField(max_length=300, blank=True, help_text="Names and roles.")
    apologies = models.BooleanField(default=False)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="one_attendance_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} at {self.meeting}: {'present' if self.present else 'absent'}"


class AgendaReason(models.TextChoices):
    NEW_REFERRAL = "new_referral", "New referral"
    RED_RAG = "red_rag", "Red RAG"
    REVIEW_DUE = "review_due", "Review due"
    OTHER_PANELS = "other_panels", "Also on another panel"
    NOT_ENGAGED_3 = "not_engaged_3", "Not engaged for 3 months or more"
    NOT_ENGAGED_6 = "not_engaged_6", "Not engaged for 6 months or more"
    ESCALATED = "escalated", "Escalated from the mid-month panel"
    OTHER = "other", "Other"


class AgendaItemQuerySet(models.QuerySet["AgendaItem"]):
    def visible_to(self, user: User) -> AgendaItemQuerySet:
        """Items of agendas the user may see: the panel's coordinating agency sees its
        agendas while they are built; member agencies once the agenda is shared."""
        from django.db.models import Q

        return self.filter(meeting__panel__in=Panel.objects.visible_to(user).values("pk")).filter(
            Q(meeting__agenda_shared_on__isnull=False)
            | Q(meeting__panel__coordinating_agency_id=user.agency_id)
        )


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    nominal = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="agenda_items"
    )
    reason = models.CharField(max_length=20, choices=AgendaReason.choices)
    reason_detail = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    notes = models.TextField("Discussion notes", blank=True)
    rag_decided = models.CharField("RAG decided", max_length=5, choices=Rag.choices, blank=True)
    rag_review = models.OneToOneField(
        RagReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_item"
    )
    escalate = models.BooleanField("Escalate to the main panel", default=False)
    discussed = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "nominal"], name="one_item_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_reason_display()}"


class CaseActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CaseActionQuerySet(models.QuerySet["CaseAction"]):
    def visible_to(self, user: User) -> CaseActionQuerySet:
        """Actions of panels the user may see: when access to a panel lapses, so does
        sight of the actions it set, even those the user's own agency owns."""
        return self.filter(panel__in=Panel.objects.visible_to(user).values("pk"))

    def overdue(self, *, today: date) -> CaseActionQuerySet:
        return self.filter(status=CaseActionStatus.OPEN, due__lt=today)


class CaseAction(models.Model):
    """Something a panel asked an agency to do about a person, by a date."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="case_actions")
    nominal = models.ForeignKey(
        "offenders.Nominal", on_delete=models.CASCADE, related_name="case_actions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField()
    owner_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="case_actions"
    )
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField("Due date")
    status = models.CharField(
        max_length=10, choices=CaseActionStatus.choices, default=CaseActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)
    # Set by the nightly job the first night an open action is past its due date.
    flagged_overdue_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseActionQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["owner_agency", "status", "due"]),
            models.Index(fields=["nominal"]),
        ]

    def __str__(self) -> str:
        return f"{self.description[:50]} (due {self.due})"

    @property
    def shown_status(self) -> str:
        """The status as pages show it: an open action past its due date is overdue."""
        if self.status == CaseActionStatus.OPEN and self.due < timezone.localdate():
            return OVERDUE
        return self.status


class CaseActionUpdate(models.Model):
    """What someone wrote about a case action: a progress report, a note on completion, or
    why it was cancelled. Never edited. Kept here rather than in the audit trail (whose row
    names it by id), so that the words, which are about the person, go with the action
    when the person's record is deleted at its retention review."""

    action = models.ForeignKey(CaseAction, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    written_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "written_at", "pk"]

    def __str__(self) -> str:
        return f"Update on case action {self.action_id}"
