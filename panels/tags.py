"""The panels' RAG scale as tags: Blue is the custody scheme's fourth value."""

from core.tags import Tag, register_scale
from panels.models import Rag

register_scale(
    "rag",
    {
        Rag.RED: Tag("Red", "red"),
        Rag.AMBER: Tag("Amber", "orange"),
        Rag.GREEN: Tag("Green", "green"),
        Rag.BLUE: Tag("Blue (in custody)"),
        None: Tag("Not reviewed", "grey"),
    },
)
