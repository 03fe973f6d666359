"""One mapping from every status and RAG value to the GOV.UK tag that shows it.

Each app registers its scales (its enums' values, with their words and colours) when it
loads, in its own `tags.py`; pages show a value with `{% status_tag "scale" value %}`.
Words always name the value, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# GOV.UK Frontend 6's tag colours; a tag with none is blue, the default.
COLOURS = frozenset({"grey", "green", "teal", "purple", "magenta", "red", "orange", "yellow"})


@dataclass(frozen=True)
class Tag:
    label: str
    colour: str | None = None  # one of COLOURS, or None for the default blue

    def __post_init__(self) -> None:
        if self.colour is not None and self.colour not in COLOURS:
            raise ValueError(f"{self.colour!r} is not a GOV.UK tag colour")

    @property
    def css_class(self) -> str:
        return f"govuk-tag govuk-tag--{self.colour}" if self.colour else "govuk-tag"


_SCALES: dict[str, dict[str | None, Tag]] = {}


def register_scale(name: str, tags: Mapping[str | None, Tag]) -> None:
    """Register a scale; `None` is the tag for no value yet (for example, not reviewed)."""
    _SCALES[name] = {None if key is None else str(key): tag for key, tag in tags.items()}


def scales() -> dict[str, dict[str | None, Tag]]:
    """Every registered scale, for the tests that render each value."""
    return {name: dict(tags) for name, tags in _SCALES.items()}


def tag_for(scale: str, value: object) -> Tag:
    """The tag for a value. A value the scale does not know is a programming error."""
    tags = _SCALES[scale]
    key = None if value in (None, "") else str(value)
    if key not in tags:
        raise KeyError(f"{value!r} is not on the {scale!r} scale")
    return tags[key]
