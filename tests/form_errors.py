"""Reading a form page's errors as a user sees them: the error summary at the top, and the
message shown beside each field. Tests that post several problems at once use it to check
that one answer names them all, in both places."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser


@dataclass
class ErrorsShown:
    # The summary's links, in order: (the field id it jumps to, the message).
    summary: list[tuple[str, str]] = field(default_factory=list)
    # Each field's messages, by the id of the field they sit beside.
    beside: dict[str, list[str]] = field(default_factory=dict)

    def summary_messages(self) -> list[str]:
        return [message for _, message in self.summary]

    def beside_field(self, field_id: str) -> list[str]:
        return self.beside.get(field_id, [])


class _ErrorReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown = ErrorsShown()
        self._in_summary = 0
        self._link: str | None = None
        self._message_for: str | None = None
        self._text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if self._in_summary:
            self._in_summary += tag == "div"
        elif tag == "div" and "govuk-error-summary" in classes:
            self._in_summary = 1
        if self._in_summary and tag == "a":
            self._link = (attributes.get("href") or "").removeprefix("#")
            self._text = []
        if tag == "p" and "govuk-error-message" in classes:
            self._message_for = (attributes.get("id") or "").removesuffix("-error")
            self._text = []
        if tag == "span" and self._message_for is not None:
            self._hidden += "govuk-visually-hidden" in classes

    def handle_endtag(self, tag: str) -> None:
        if self._in_summary and tag == "div":
            self._in_summary -= 1
        if tag == "a" and self._link is not None:
            self.shown.summary.append((self._link, _clean(self._text)))
            self._link = None
        if tag == "span" and self._hidden:
            self._hidden -= 1
        if tag == "p" and self._message_for is not None:
            self.shown.beside.setdefault(self._message_for, []).append(_clean(self._text))
            self._message_for = None

    def handle_data(self, data: str) -> None:
        # "Error:" is read out by screen readers only; the message is what follows it.
        if (self._link is not None or self._message_for is not None) and not self._hidden:
            self._text.append(data)


def _clean(parts: list[str]) -> str:
    return " ".join(unescape("".join(parts)).split())


def errors_shown(html: str | bytes) -> ErrorsShown:
    reader = _ErrorReader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return reader.shown


def _is_for(field_id: str, shown_id: str) -> bool:
    # A date input's summary link goes to its day box (`<id>-day`); a field rendered by
    # name rather than id has no `id_` in front.
    return shown_id in (field_id, f"{field_id}-day", field_id.removeprefix("id_"))


def assert_shown_everywhere(shown: ErrorsShown, expected: dict[str, str]) -> None:
    """Each `field id: message` is in the error summary (linking to the field) and beside
    the field itself."""
    for field_id, message in expected.items():
        assert any(_is_for(field_id, link) and text == message for link, text in shown.summary), (
            field_id,
            message,
            shown.summary,
        )
        assert any(
            _is_for(field_id, beside) and message in messages
            for beside, messages in shown.beside.items()
        ), (field_id, message, shown.beside)
