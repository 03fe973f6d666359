"""A meeting's and a case action's status as tags, with the two states shown beside the
stored ones: a scheduled meeting that was moved, and an open action past its due date."""

from core.tags import Tag, register_scale
from meetings.models import MOVED, OVERDUE, CaseActionStatus, MeetingStatus

register_scale(
    "meeting_status",
    {
        MeetingStatus.SCHEDULED: Tag("Scheduled"),
        MOVED: Tag("Moved", "yellow"),
        MeetingStatus.IN_PROGRESS: Tag("In progress", "teal"),
        MeetingStatus.HELD: Tag("Held", "green"),
        MeetingStatus.CANCELLED: Tag("Cancelled", "red"),
    },
)
register_scale(
    "case_action_status",
    {
        CaseActionStatus.OPEN: Tag("Open"),
        OVERDUE: Tag("Overdue", "red"),
        CaseActionStatus.DONE: Tag("Done", "green"),
        CaseActionStatus.CANCELLED: Tag("Cancelled", "grey"),
    },
)
