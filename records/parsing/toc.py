"""The table of contents: entries with their pages, sections and 文号.

The TOC is the first cluster of ``title ····· page`` lines near the top of
the file. Between its entries there may be blank lines (page breaks), a
repeated masthead and publisher block (the TOC split over two pages), group
headings such as ``○ 葫政发文件``, ``【人事任免】`` or ``一、常委会公告`` and
the first half of a wrapped entry (or, when a title fills its line, the
leader and page alone on the next line).

Other shapes read: the author between the leader and the page
(``…的讲话……赵立群　10``, ``…的报告……市财政局局长　黄秀云（4）``), the page
printed first (``12　在…会议上的讲话``, its title wrapping onto an indented
line), pages as ``(N)``, ``（第N页）`` or after a TAB, and a TOC that prints no
pages at all: its titles (and 文号 lines) run until the body repeats the
first title.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .frontmatter import RED_HEADER_RE, is_masthead_line, tight, title_line
from .lines import Line
from .text import CJK, DOC_NUMBER_RE, normalise_doc_number
from .types import ParseWarning, Span, TocEntry

# title, a dotted leader and/or a TAB, and the page (bare or in brackets).
TOC_ENTRY_RE = re.compile(
    r"^(?:(?P<num>\d{1,3})[.．、]\s*)?(?P<title>[^\t]+?)\s*"
    r"(?:(?P<lead>[·…⋯‥・•]+|\.{3,}|．{3,}|-{4,}|_{3,})\s*\t?|\t)\s*"
    r"[(（]?\s*(?:第\s*)?(?P<page>\d{1,4})\s*(?:页)?\s*[)）]?\s*$"
)
# The author printed between the leader and the page: "…的讲话……………赵立群　10",
# also with the post: "…的报告……………市财政局局长　黄丽娟（3）".
_AUTHOR_ENTRY_RE = re.compile(
    rf"^(?:(?P<num>\d{{1,3}})[.．、]\s*)?(?P<title>[^\t]+?)\s*(?P<lead>[·…⋯‥・•]{{4,}}|\.{{6,}})\s*"
    rf"(?P<author>(?:[{CJK}、]{{2,24}}[ \u3000]+)?[{CJK}]{{2,4}}(?:[、，,\s\u3000][{CJK}]{{2,4}}){{0,3}})[\s\u3000]*[(（]?(?P<page>\d{{1,4}})[)）]?$"
)
# After a 目录 heading, converters sometimes render the dotted leader as
# spaces: "关于……的报告      12".
_SPACED_ENTRY_RE = re.compile(
    r"^(?:(?P<num>\d{1,3})[.．、]\s*)?(?P<title>[^\t\s](?:[^\t]*[^\t\s])?)(?P<gap> {1,}|\u3000+)(?P<page>\d{1,4})$"
)
_SPACED_TITLE_END_RE = re.compile(rf"[{CJK}）)》”]$")
# …or print the page first: "12　在县十八届人大常委会第七次会议闭会时的讲话".
_PAGE_FIRST_RE = re.compile(r"^(?P<page>\d{1,3})(?:[ \u3000]+|\t)(?P<title>[^\t\s\d.．、][^\t]*)$")
# A group heading inside the TOC: ○ 葫政发文件, 【人事任免】, 一、常委会公告.
_SECTION_RE = re.compile(r"^[○●◆◇■□★☆▲△◎•]\s*(?P<label>\S.{0,30})$")
_SECTION_WORD_RE = re.compile(rf"^[{CJK}]{{2,12}}(?:文件|类)$")
_BRACKET_SECTION_RE = re.compile(r"^[【〖［\[](?P<label>[^】〗］\]]{1,20})[】〗］\]]$")
_NUMBERED_SECTION_RE = re.compile(
    rf"^(?:[一二三四五六七八九十]{{1,3}}[、.．]|[(（][一二三四五六七八九十]{{1,3}}[)）])(?P<label>[{CJK}（）()、“”]{{2,16}})$"
)
# The heading 目录 (also printed 目 / 录 on two lines).
_TOC_HEADING_RE = re.compile(r"^(?:目录|目|录|目次)$")
# A 文号 glued to the end of a title: the title must end in a document-type
# word, and the match is greedy so that 的通知葫政发〔2020〕6号 splits at 通知.
_DOC_WORD = r"(?:通知|通报|意见|决定|决议|办法|方案|批复|报告|规定|规则|细则|条例|公告|通告|纪要|请示|函|令|规划|计划|要点|制度)"
_GLUED_DOC_NUMBER_RE = re.compile(
    rf"^(?P<title>.+{_DOC_WORD})\s*[(（]?(?P<docno>[{CJK}]{{1,10}}\s*[〔\[［(（【]\s*\d{{4}}\s*[〕\]］)）】]\s*\d{{1,5}}\s*号)[)）]?$"
)
# Words a complete title ends in (a wrapped title's first half does not).
_TITLE_END = rf"(?:{_DOC_WORD}|讲话|发言|致辞|议程|名单|议案|说明|辞呈|公报|[)）])"
_TITLE_END_RE = re.compile(rf"{_TITLE_END}$")
# An author printed after the title with a space: "…闭会时的讲话　郑光明".
_TRAILING_AUTHOR_RE = re.compile(
    rf"^(?P<title>.+?{_TITLE_END})[ \u3000]+(?P<author>[{CJK}]{{2,4}}(?:[、，][{CJK}]{{2,4}}){{0,3}})$"
)
# A 文号 printed on its own line under a TOC title: （清政发〔2022〕12号）.
_DOC_NUMBER_ONLY_RE = re.compile(
    rf"^[(（]?(?P<docno>[{CJK}]{{1,10}}[〔\[［(（【]\d{{4}}[〕\]］)）】]\d{{1,5}}号)[)）]?$"
)
_LEADER_CHARS = "·…⋯‥・•.．-_ \u3000"
# Words after a title that are part of it, not its author: …条例 修正案.
_NOT_AUTHOR_RE = re.compile(r"(?:案|公告|附件|附表|说明|目录|全文|摘要|节选|摘编|草稿)$")
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


def _entry(text: str, spaced: bool, page_first: bool | None = None) -> re.Match[str] | None:
    """Match a TOC entry line; spaced leaders and pages printed first only count under a 目录 heading.

    ``page_first``: True when the TOC prints its pages first (only such
    lines are entries then), False when it prints them last, None to try both.
    """
    if len(text) > _MAX_ENTRY_CHARS:
        return None
    if page_first:
        match = _PAGE_FIRST_RE.match(text) if spaced and not is_masthead_line(text) else None
        if match and (len(_CJK_CHAR_RE.findall(match["title"])) < 4 or match["title"].rstrip()[-1] in _TERMINAL + "，、：:"):
            return None
        return match
    match = TOC_ENTRY_RE.match(text) or _AUTHOR_ENTRY_RE.match(text)
    if match is None and spaced and not is_masthead_line(text):
        match = _SPACED_ENTRY_RE.match(text)
        if match and len(_CJK_CHAR_RE.findall(match["title"])) < 2:
            return None
        if match and match["gap"] == " " and (
            len(_CJK_CHAR_RE.findall(match["title"])) < 6 or not _SPACED_TITLE_END_RE.search(match["title"])
        ):
            return None  # one space before a number: a title only when it reads like one
        if match is None and page_first is None:
            match = _PAGE_FIRST_RE.match(text)
            if match and (len(_CJK_CHAR_RE.findall(match["title"])) < 4 or match["title"].rstrip()[-1] in _TERMINAL + "，、：:"):
                return None
    return match


def _section_label(text: str) -> str | None:
    """The label of a TOC group heading (○ 葫政发文件, 【人事任免】, 一、常委会公告), or None."""
    compact = tight(text)
    if match := _SECTION_RE.match(text):
        return tight(match["label"])
    if match := _BRACKET_SECTION_RE.match(compact):
        return match["label"]
    if match := _NUMBERED_SECTION_RE.match(compact):
        return match["label"]
    if _SECTION_WORD_RE.match(compact) and not is_masthead_line(text):
        return compact
    return None


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


def _page_first(text: str, spaced: bool) -> bool:
    """True when this entry line prints its page before the title."""
    match = _entry(text, spaced)
    return match is not None and match.re is _PAGE_FIRST_RE


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
    style = _page_first(lines[first].text, heading is not None)
    last = first
    gap = 0
    for index in range(first + 1, len(lines)):
        text = lines[index].text
        if not text:
            continue
        if _entry(text, heading is not None, style):
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


def _is_prefix(lines: Sequence[Line], index: int, end: int, spaced: bool, page_first: bool | None = None) -> bool:
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
            return bool(_entry(lines[nxt].text, spaced, page_first))
    return False


def _entry_title(parts: Sequence[str]) -> str:
    """One TOC title from its printed parts: leaders and a trailing author dropped."""
    parts = [p.rstrip(_LEADER_CHARS) for p in parts]
    if parts and (author := _TRAILING_AUTHOR_RE.match(parts[-1].strip())) and not _NOT_AUTHOR_RE.search(author["author"]):
        parts[-1] = author["title"]
    return title_line("\n".join(p for p in parts if p))


def _continues_entry(lines: Sequence[Line], index: int, last: TocEntry | None, last_index: int) -> bool:
    """True when lines[index] is the second line of an entry whose page came first.

    ``12　东山县人民代表大会常务委员会关于召开…`` ⏎ ``　　大会第三次会议的决定``:
    the continuation follows directly (no blank line), is indented or
    completes a title that does not yet end in a document word.
    """
    if last is None or last_index != index - 1 or last.span is None:
        return False
    line = lines[index]
    compact = tight(line.text)
    if not compact or len(compact) > _PROSE_LENGTH or _is_prose(line.text) or "\t" in line.text:
        return False
    indented = line.raw[:1] in (" ", "\u3000")
    return indented or (not _TITLE_END_RE.search(last.title) and bool(_TITLE_END_RE.search(compact)))


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
        return _pageless_toc(lines, heading) if heading is not None else Toc()
    first, last = cluster
    style = _page_first(lines[first].text, spaced)
    start = _heading_before(lines, first)
    entries: list[TocEntry] = []
    section = ""
    prefix: list[Line] = []
    page_first_at = -1  # line index of the last entry that printed its page first
    index = start
    while index <= last or (page_first_at >= 0 and index == page_first_at + 1 and index < len(lines)):
        line = lines[index]
        text = line.text
        index += 1
        if not text:
            continue
        match = _entry(text, spaced, style)
        if match:
            parts = [p.text for p in prefix]
            if parts:  # the numbering "15. " sits on the first half of a wrapped entry
                parts[0] = _NUMBERING_RE.sub("", parts[0])
            title = _entry_title([*parts, match["title"]])
            if not title:
                prefix = []
                continue
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
            page_first_at = index - 1 if match.re is _PAGE_FIRST_RE else -1
            continue
        if page_first_at >= 0 and _continues_entry(lines, index - 1, entries[-1] if entries else None, page_first_at):
            previous = entries[-1]
            title, doc_number = _split_doc_number(_entry_title([previous.title, text]))
            assert previous.span is not None
            entries[-1] = dataclasses.replace(
                previous,
                title=title,
                doc_number=doc_number or previous.doc_number,
                span=Span(previous.span.first_line, line.number),
            )
            page_first_at = index - 1
            last = max(last, index - 1)
            continue
        page_first_at = -1
        label = _section_label(text)
        if label is not None:
            section, prefix = label, []
        elif _is_prefix(lines, index - 1, last, spaced, style):
            prefix.append(line)
        else:
            prefix = []
    entries = _dedupe_repeated(entries)
    return Toc(tuple(entries), start, last + 1, tuple(_page_warnings(entries)))


# --- a table of contents without page numbers ------------------------------------

_MAX_PAGELESS_LINES = 400  # a TOC without pages is read at most this far
_MAX_PAGELESS_TITLE = 80  # a longer line is prose: no TOC there


def _pageless_toc(lines: Sequence[Line], heading: int) -> Toc:
    """A TOC that prints titles (and 文号) but no pages.

    Nothing marks where such a list ends, except that the body then prints
    the first title again: the TOC is the run of title lines after the
    目录 heading up to the line that repeats its first title (or up to the
    first red header, 文号 line or masthead line of the body). Titles wrap
    onto the next line (no blank between) until they end in a document
    word; a 文号 line under a title belongs to it; group headings set the
    section. With prose or a table before that end, or fewer than two
    titles, there is no TOC.
    """
    entries: list[TocEntry] = []
    pending: list[Line] = []
    section = ""
    first_key = ""
    end = -1

    def close() -> None:
        nonlocal pending
        if pending:
            title, doc_number = _split_doc_number(title_line("\n".join(p.text for p in pending)))
            entries.append(
                TocEntry(
                    ordinal=len(entries) + 1,
                    title=title,
                    page=None,
                    section=section,
                    doc_number=doc_number,
                    span=Span(pending[0].number, pending[-1].number),
                )
            )
        pending = []

    for index in range(heading + 1, min(len(lines), heading + _MAX_PAGELESS_LINES)):
        line = lines[index]
        text = line.text
        if not text:
            close()
            continue
        compact = tight(text)
        if first_key and not pending and compact == first_key:
            close()
            break  # the body starts: its first title repeats the TOC's first
        if (label := _section_label(text)) is not None:
            close()
            section = label
            end = index
            continue
        if match := _DOC_NUMBER_ONLY_RE.match(compact):
            close()
            if not entries or entries[-1].doc_number:
                # A 文号 with no title before it: the body starts here when
                # the first title follows (a document's number stands above it).
                if entries and _repeats(lines, index, first_key):
                    break
                return Toc()
            number = DOC_NUMBER_RE.search(match["docno"])
            if number:
                entries[-1] = dataclasses.replace(
                    entries[-1],
                    doc_number=normalise_doc_number(number["prefix"], number["year"], number["seq"]),
                )
            end = index
            continue
        if is_masthead_line(text) or RED_HEADER_RE.match(compact):
            close()
            if entries:
                break
            continue
        if _is_prose(text) or "\t" in text or len(compact) > _MAX_PAGELESS_TITLE:
            return Toc()
        if pending and _TITLE_END_RE.search(tight("".join(p.text for p in pending))):
            close()
        pending.append(line)
        if not first_key:
            first_key = compact
        end = index
    else:
        return Toc()
    if len(entries) < 2 or end < 0:
        return Toc()
    return Toc(tuple(entries), heading, end + 1, ())


def _repeats(lines: Sequence[Line], index: int, key: str) -> bool:
    """True when one of the next three non-blank lines after index reads key."""
    seen = 0
    for at in range(index + 1, len(lines)):
        line = lines[at]
        if not line.text:
            continue
        if tight(line.text) == key:
            return True
        seen += 1
        if seen >= 3:
            break
    return False


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
