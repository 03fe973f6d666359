"""How sure the matching engine is that two records are one person, and a need's level, as
tags: the same words and colours on search, the merge page and the monthly list."""

from core.tags import Tag, register_scale
from matching.records import Decision
from offenders.models import NeedLevel

register_scale(
    "match_decision",
    {
        Decision.DEFINITE: Tag("Same person", "green"),
        Decision.LIKELY: Tag("Likely the same person", "teal"),
        Decision.POSSIBLE: Tag("Possibly the same person", "yellow"),
        Decision.UNLIKELY: Tag("Probably different people", "red"),
    },
)
register_scale(
    "need_level",
    {
        NeedLevel.HIGH: Tag("High", "red"),
        NeedLevel.MEDIUM: Tag("Medium", "orange"),
        NeedLevel.LOW: Tag("Low", "yellow"),
        NeedLevel.NONE: Tag("No need", "grey"),
    },
)
