"""The table of contents: entries with their pages, sections and 文号.

The TOC is the first cluster of ``title ····· page`` lines near the top of
the file. Between its entries there may be blank lines (page breaks), a
repeated masthead and publisher block (the TOC split over two pages), group
headings such as ``○ 葫政发文件`` and the first half of a wrapped entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .frontmatter import is_masthead_line, tight, title_line
from .lines import Line
from .text import CJK, DOC_NUMBER_RE, normalise_doc_number
from .types import ParseWarning, Span, TocEntry

# title, a dotted leader and/or a TAB, and the page (bare or in brackets).
TOC_ENTRY_RE = re.compile(
    r"^(?:(?P<num>\d{1,3})[.．、]\s*)?(?P<title>[^\t]+?)\s*"
    r"(?:(?P<lead>[·…⋯‥・•]+|\.{3,}|．{3,}|-{4,}|_{3,})\s*\t?|\t)\s*"
    r"(?:第\s*)?[(（]?(?P<page>\d{1,4})[)）]?\s*(?:页)?$"
)
# After a 目录 heading, converters sometimes render the dotted leader as
# spaces: "关于……的报告      12".
_SPACED_ENTRY_RE = re.compile(
    r"^(?:(?P<num>\d{1,3})[.．、]\s*)?(?P<title>[^\t\s](?:[^\t]*[^\t\s])?)(?: {2,}|\u3000+)(?P<page>\d{1,4})$"
)
# A group heading inside the TOC: ○ 葫政发文件.
_SECTION_RE = re.compile(r"^[○●◆◇■□★☆▲△◎•]\s*(?P<label>\S.{0,30})$")
_SECTION_WORD_RE = re.compile(rf"^[{CJK}]{{2,12}}(?:文件|类)$")
# The heading 目录 (also printed 目 / 录 on two lines).
_TOC_HEADING_RE = re.compile(r"^(?:目录|目|录|目次)$")
# A 文号 glued to the end of a title: the title must end in a document-type
# word, and the match is greedy so that 的通知葫政发〔2020〕6号 splits at 通知.
_DOC_WORD = r"(?:通知|通报|意见|决定|决议|办法|方案|批复|报告|规定|规则|细则|条例|公告|通告|纪要|请示|函|令|规划|计划|要点|制度)"
_GLUED_DOC_NUMBER_RE = re.compile(
    rf"^(?P<title>.+{_DOC_WORD})\s*[(（]?(?P<docno>[{CJK}]{{1,10}}\s*[〔\[［(（【]\s*\d{{4}}\s*[〕\]］)）】]\s*\d{{1,5}}\s*号)[)）]?$"
)
_TERMINAL = "。；！？;!?"
_MAX_GAP_LINES = 45  # non-entry lines allowed between two TOC entries (a masthead)
_PROSE_LENGTH = 40  # a line this long without a leader is body prose, not TOC
_MIN_PREFIX_LENGTH = 8  # the first half of a wrapped entry fills most of a line
_MAX_COVER_PROSE = 10  # sentences a cover may print before its TOC (编者按 …)
_MAX_ENTRY_CHARS = 240  # a TOC line is never longer; longer lines are not tested
_CJK_CHAR_RE = re.compile(f"[{CJK}]")
_NUMBERING_RE = re.compile(r"^\d{1,3}[.．、]\s*")


@dataclass(frozen=True, slots=True)
class Toc:
    """The parsed table of contents and where it sits in the file."""

    entries: tuple[TocEntry, ...] = ()
    first: int = 0  # index of the first TOC line (0 when there is no TOC)
    end: int = 0  # index after the last TOC entry line
    warnings: tuple[ParseWarning, ...] = ()


def _is_prose(text: str) -> bool:
    compact = tight(text)
    return len(compact) > _PROSE_LENGTH or (bool(compact) and compact[-1] in _TERMINAL)


def _entry(text: str, spaced: bool) -> re.Match[str] | None:
    """Match a TOC entry line; spaced leaders only count under a 目录 heading."""
    if len(text) > _MAX_ENTRY_CHARS:
        return None
    match = TOC_ENTRY_RE.match(text)
    if match is None and spaced and not is_masthead_line(text):
        match = _SPACED_ENTRY_RE.match(text)
        if match and len(_CJK_CHAR_RE.findall(match["title"])) < 2:
            return None
    return match


def _first_heading(lines: Sequence[Line]) -> int | None:
    """Index of the first 目录 heading before the body prose starts, or None."""
    prose_seen = 0
    for index, line in enumerate(lines):
        if not line.text:
            continue
        if _TOC_HEADING_RE.match(tight(line.text)) and tight(line.text) != "录":
            return index
        if _is_prose(line.text):
            prose_seen += 1
            if prose_seen > _MAX_COVER_PROSE:
                return None
    return None


def _find_cluster(lines: Sequence[Line], heading: int | None) -> tuple[int, int] | None:
    """Indexes (first, last) of the first run of TOC entry lines, or None.

    The run must start before the body prose begins (a cover may hold a few
    sentences, an editor's note, not more), and two entries may be separated only by short
    lines (masthead, publisher, section headings, wrapped titles).
    """
    prose_seen = 0
    first = -1
    for index, line in enumerate(lines):
        if not line.text:
            continue
        if _entry(line.text, heading is not None and index > heading):
            first = index
            break
        if _is_prose(line.text):
            prose_seen += 1
            if prose_seen > _MAX_COVER_PROSE:
                return None
    if first < 0:
        return None
    last = first
    gap = 0
    for index in range(first + 1, len(lines)):
        text = lines[index].text
        if not text:
            continue
        if _entry(text, heading is not None):
            last, gap = index, 0
            continue
        if _is_prose(text) and not is_masthead_line(text):
            break
        gap += 1
        if gap > _MAX_GAP_LINES:
            break
    return first, last


def _heading_before(lines: Sequence[Line], first: int) -> int:
    """Index of the 目录 heading just above the first entry, else first."""
    start = first
    seen = 0
    for index in range(first - 1, -1, -1):
        text = tight(lines[index].text)
        if not text:
            continue
        seen += 1
        if seen > 12:
            break
        if _TOC_HEADING_RE.match(text):
            start = index
    return start


def _split_doc_number(title: str) -> tuple[str, str | None]:
    """Split a 文号 glued to the end of a TOC title."""
    match = _GLUED_DOC_NUMBER_RE.match(title)
    if not match:
        return title, None
    number = DOC_NUMBER_RE.search(tight(match["docno"]))
    if not number:
        return title, None
    return match["title"].strip(), normalise_doc_number(number["prefix"], number["year"], number["seq"])


def _is_prefix(lines: Sequence[Line], index: int, end: int, spaced: bool) -> bool:
    """True when lines[index] is the first half of a TOC entry that wrapped."""
    line = lines[index]
    text = line.text
    if is_masthead_line(text) or _TOC_HEADING_RE.match(tight(text)) or "\t" in text:
        return False
    if line.raw.rstrip(" ").endswith("\t"):
        return True
    if len(tight(text)) < _MIN_PREFIX_LENGTH or _is_prose(text):
        return False
    for nxt in range(index + 1, min(end + 1, len(lines))):
        if lines[nxt].text:
            return bool(_entry(lines[nxt].text, spaced))
    return False


def _dedupe_repeated(entries: list[TocEntry]) -> list[TocEntry]:
    """Drop a second, identical copy of the whole TOC."""
    half = len(entries) // 2
    if half and len(entries) % 2 == 0:
        first = [(e.title, e.page) for e in entries[:half]]
        second = [(e.title, e.page) for e in entries[half:]]
        if first == second:
            return entries[:half]
    return entries


def parse_toc(lines: Sequence[Line]) -> Toc:
    """Find and read the table of contents."""
    heading = _first_heading(lines)
    spaced = heading is not None
    cluster = _find_cluster(lines, heading)
    if cluster is None:
        return Toc()
    first, last = cluster
    start = _heading_before(lines, first)
    entries: list[TocEntry] = []
    section = ""
    prefix: list[Line] = []
    for index in range(start, last + 1):
        line = lines[index]
        text = line.text
        if not text:
            continue
        match = _entry(text, spaced)
        if match:
            parts = [p.text for p in prefix]
            if parts:  # the numbering "15. " sits on the first half of a wrapped entry
                parts[0] = _NUMBERING_RE.sub("", parts[0])
            title = title_line("\n".join([*parts, match["title"]]))
            title, doc_number = _split_doc_number(title)
            first_line = prefix[0].number if prefix else line.number
            ordinal = len(entries) + 1
            entries.append(
                TocEntry(
                    ordinal=ordinal,
                    title=title,
                    page=int(match["page"]),
                    section=section,
                    doc_number=doc_number,
                    span=Span(first_line, line.number),
                )
            )
            prefix = []
            continue
        compact = tight(text)
        if section_match := _SECTION_RE.match(text):
            section, prefix = tight(section_match["label"]), []
        elif _SECTION_WORD_RE.match(compact) and not is_masthead_line(text):
            section, prefix = compact, []
        elif _is_prefix(lines, index, last, spaced):
            prefix.append(line)
        else:
            prefix = []
    entries = _dedupe_repeated(entries)
    return Toc(tuple(entries), start, last + 1, tuple(_page_warnings(entries)))


def _page_warnings(entries: Sequence[TocEntry]) -> list[ParseWarning]:
    warnings: list[ParseWarning] = []
    previous: TocEntry | None = None
    for entry in entries:
        if previous and previous.page is not None and entry.page is not None and entry.page < previous.page:
            warnings.append(
                ParseWarning(
                    entry.span.first_line if entry.span else None,
                    "toc_page_backwards",
                    f"目录第 {entry.ordinal} 条“{entry.title}”的页码 {entry.page} "
                    f"小于上一条的页码 {previous.page}，请核对目录。",
                )
            )
        previous = entry
    return warnings
