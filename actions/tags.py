"""The action plan's five-level RAG scale, and its two states outside the scale, as tags."""

from actions.models import Rag
from core.tags import Tag, register_scale

register_scale(
    "plan_rag",
    {
        Rag.GREEN: Tag("Green", "green"),
        Rag.AMBER_GREEN: Tag("Amber-Green", "yellow"),
        Rag.AMBER_RED: Tag("Amber-Red", "orange"),
        Rag.RED: Tag("Red", "red"),
        Rag.COMPLETE: Tag("Complete"),
        Rag.NOT_STARTED: Tag("Not started", "grey"),
        None: Tag("Not started", "grey"),
    },
)
