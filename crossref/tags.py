"""A cross-reference run's and a finding's status as tags."""

from core.tags import Tag, register_scale
from crossref.models import FindingStatus, RunStatus

register_scale(
    "run_status",
    {
        RunStatus.QUEUED: Tag(RunStatus.QUEUED.label, "grey"),
        RunStatus.RUNNING: Tag(RunStatus.RUNNING.label),
        RunStatus.COMPLETE: Tag(RunStatus.COMPLETE.label, "green"),
        RunStatus.FAILED: Tag(RunStatus.FAILED.label, "red"),
    },
)
register_scale(
    "finding_status",
    {
        FindingStatus.OPEN: Tag(FindingStatus.OPEN.label),
        FindingStatus.CONFIRMED: Tag(FindingStatus.CONFIRMED.label, "yellow"),
        FindingStatus.MERGED: Tag(FindingStatus.MERGED.label, "green"),
        FindingStatus.DISMISSED: Tag(FindingStatus.DISMISSED.label, "grey"),
        FindingStatus.LEAD_AGREED: Tag(FindingStatus.LEAD_AGREED.label, "green"),
        FindingStatus.NO_ACTION: Tag(FindingStatus.NO_ACTION.label, "grey"),
    },
)
