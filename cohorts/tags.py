"""A monthly list's status as a tag."""

from cohorts.models import ImportStatus
from core.tags import Tag, register_scale

register_scale(
    "import_status",
    {
        ImportStatus.MAPPING: Tag(ImportStatus.MAPPING.label, "yellow"),
        ImportStatus.MATCHING: Tag(ImportStatus.MATCHING.label, "teal"),
        ImportStatus.PREVIEW: Tag(ImportStatus.PREVIEW.label),
        ImportStatus.COMMITTED: Tag(ImportStatus.COMMITTED.label, "green"),
        ImportStatus.DISCARDED: Tag(ImportStatus.DISCARDED.label, "grey"),
    },
)
