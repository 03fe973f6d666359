"""A cell's text: HTML fragments and bullets to lines, numbered entries inside one cell
("Title 1. step 2. step", "1 & 2) ...", "... (1,2 and 3)"), the dates a timescale names,
and progress that says nothing has happened yet."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from html import unescape
from html.parser import HTMLParser

_TAG = re.compile(r"</?(?:p|ol|ul|li|br|div|span|strong|em|b|i|u|font|h\d)\b[^>]*>", re.I)
_BULLET = re.compile(r"\s*[•●▪◦\uf0b7]\s*")


class _TextFromHtml(HTMLParser):
    """Paragraphs and list items to lines; an <ol>'s items numbered as a browser shows them,
    unless the item's text is numbered already; a <ul>'s items as bullets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list] = []  # [kind, items so far]
        self.pending_item = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("p", "div", "br", "h1", "h2", "h3", "h4"):
            self.parts.append("\n")
        elif tag in ("ol", "ul"):
            self.lists.append([tag, 0])
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n")
            if self.lists:
                self.lists[-1][1] += 1
            self.pending_item = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "div", "li", "h1", "h2", "h3", "h4"):
            self.parts.append("\n")
        elif tag in ("ol", "ul"):
            if self.lists:
                self.lists.pop()
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.pending_item and data.strip():
            self.pending_item = False
            kind, count = self.lists[-1] if self.lists else ("ul", 0)
            if kind == "ol" and not re.match(r"\s*\d", data):
                self.parts.append(f"{count}. ")
            elif kind == "ul" and not _BULLET.match(data):
                self.parts.append("• ")
        self.parts.append(data)


def clean_text(raw: str) -> str:
    """A cell as plain text: HTML fragments and bullets to lines, spaces tidied, blank lines
    dropped. Text without HTML is left as written (an "&" stays an "&")."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    if _TAG.search(text):
        parser = _TextFromHtml()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    elif "&" in text and re.search(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", text, re.I):
        text = unescape(text)
    text = _BULLET.sub("\n• ", text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line and line != "•")


def clean_line(raw: str) -> str:
    """A cell as one line of text, for titles, leads and headings."""
    return " ".join(clean_text(raw).split())


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


# --- Numbered entries inside one cell ------------------------------------------------------

_NUMBER = r"\d{1,2}(?:\s*(?:-|–|to)\s*\d{1,2})?"
_GROUP = rf"{_NUMBER}(?:\s*(?:,|&|\+|\band\b)\s*{_NUMBER})*"
# "1." "2)" "(3)" "1 & 2)" "3.Baseline": a number at the start or after a space, then a
# full stop or a bracket, then the entry's words (a letter, a bullet or a quotation mark)
# or nothing at all. "1.5", "24hours", "3+ months" and "year 1. (Looking..." are not.
_MARKER = re.compile(
    rf"(?:^|(?<=\s))(?P<open>\()?(?P<numbers>{_GROUP})\s*(?P<end>[.)])(?!\d)"
    r"(?=\s*(?:[^\W\d_]|[•\"'‘“]|$))"
)
# "1 No further funding 2 Derby Avenue": numbers without a stop, each before a capital;
# only read this way when the cell starts so.
_BARE_MARKER = re.compile(r"(?:^|(?<=\s))(?P<numbers>\d{1,2})\s+(?=[A-Z])")
# "Yet to be looked into (1,2 and 3)": the whole text, for the steps named at its end.
_TRAILING_GROUP = re.compile(rf"\(\s*(?:steps?\s*)?(?P<numbers>{_GROUP})\s*\)\s*\.?\s*$", re.I)
# The largest step number read; a larger number is a year or a count, not a step.
MAX_STEP = 40


def _numbers(group: str) -> tuple[int, ...]:
    found: list[int] = []
    for part in re.split(r"\s*(?:,|&|\+|\band\b)\s*", group.strip()):
        if not part:
            continue
        ends = [int(value) for value in re.findall(r"\d+", part)]
        if len(ends) == 2:
            found.extend(range(ends[0], ends[1] + 1))
        elif ends:
            found.append(ends[0])
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Entry:
    """Text for one or more numbered steps."""

    numbers: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Numbered:
    """A cell read as numbered entries: `preamble` is the text before the first number (an
    action's title); without numbers, the whole text is the preamble."""

    preamble: str
    entries: tuple[Entry, ...]


def _candidates(text: str, bare: bool) -> list[tuple[int, int, tuple[int, ...]]]:
    """(start, end, numbers) of every possible marker, in order."""
    found = []
    for match in _MARKER.finditer(text):
        if match.group("open") and match.group("end") != ")":
            continue
        numbers = _numbers(match.group("numbers"))
        if numbers and max(numbers) <= MAX_STEP:
            found.append((match.start(), match.end(), numbers))
    if bare:
        taken = {start for start, _end, _numbers in found}
        for match in _BARE_MARKER.finditer(text):
            number = int(match.group("numbers"))
            if match.start() not in taken and 1 <= number <= MAX_STEP:
                found.append((match.start(), match.end(), (number,)))
        found.sort()
    return found


def split_numbered(raw: str) -> Numbered:
    """Read a cell's numbered entries.

    The first number must be 1 (or open the cell), and each later one must follow the one
    before it (gaps of up to two steps allowed, for a step with nothing to report), so the
    numbers inside sentences ("3 Information Sharing agreements", "in year 1.") are left in
    the text.
    """
    text = clean_text(raw)
    if not text:
        return Numbered("", ())
    trailing = _TRAILING_GROUP.search(text)
    bare = bool(re.match(r"1\s+[A-Z]", text)) and not _MARKER.match(text)
    candidates = _candidates(text, bare)
    if trailing and not [c for c in candidates if c[0] < trailing.start()]:
        numbers = _numbers(trailing.group("numbers"))
        body = text[: trailing.start()].strip(" \n:-–")
        if body and numbers and max(numbers) <= MAX_STEP:
            return Numbered("", (Entry(numbers, body),))
    chosen: list[tuple[int, int, tuple[int, ...]]] = []
    for start, end, numbers in candidates:
        if not chosen:
            if 1 in numbers or start == 0:
                chosen.append((start, end, numbers))
            continue
        last = max(chosen[-1][2])
        if last < min(numbers) <= last + 3:
            chosen.append((start, end, numbers))
    if not chosen:
        return Numbered(text, ())
    entries = []
    for position, (_start, end, numbers) in enumerate(chosen):
        stop = chosen[position + 1][0] if position + 1 < len(chosen) else len(text)
        entries.append(Entry(numbers, text[end:stop].strip(" \n:-–")))
    return Numbered(text[: chosen[0][0]].strip(), tuple(entries))


# --- Dates ----------------------------------------------------------------------------------

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    # 31 March 2017, 31st March 2017, March 2017
    re.compile(
        rf"\b(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<month>{_MONTH_NAMES})\.?,?\s+"
        r"(?P<year>(?:19|20)\d{2})\b",
        re.I,
    ),
    # 31/03/2017 (day first)
    re.compile(r"\b(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>(?:19|20)\d{2})\b"),
    # 2017-03-31, as a workbook's date cells are read
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
)


def _date_from(match: re.Match[str]) -> date | None:
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()]
    year = int(match.group("year"))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = int(match.group("day")) if match.group("day") else last
    return date(year, month, day) if 1 <= day <= last else None


def first_date(text: str) -> date | None:
    """The first date a text names; a month alone is its last day ("March 2017" is 31 March
    2017, the end of the month the plan gives)."""
    found: list[tuple[int, date]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            value = _date_from(match)
            if value:
                found.append((match.start(), value))
                break
    return min(found)[1] if found else None


def only_date(text: str) -> date | None:
    """The date a text is, when it is nothing but a date ("August 2017")."""
    value = first_date(text)
    if value is None:
        return None
    rest = text
    for pattern in _DATE_PATTERNS:
        rest = pattern.sub("", rest, count=1)
    return value if not re.sub(r"[\s,.;:-]+", "", rest) else None


# --- What progress says ---------------------------------------------------------------------

# Progress that says nothing has happened yet: imported as "Not started" whatever RAG the
# coordinator chooses for the rest.
_NOTHING_YET = re.compile(
    r"^\W*(?:yet to (?:be )?|not (?:yet )?started|not begun|no progress|no update|"
    r"updates? (?:is |are )?(?:needed|required|awaited|to follow)|needs? (?:an )?update|"
    r"awaiting (?:an )?update|to be (?:discussed|confirmed|agreed|looked into)|will (?:begin|start)|tbc\b)",
    re.I,
)


def says_not_started(text: str) -> bool:
    return bool(_NOTHING_YET.match(text))
