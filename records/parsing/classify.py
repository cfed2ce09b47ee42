"""What each article is: category, 文号, date, meeting, issuer and text.

The category comes from the title's last word (after trailing brackets such
as （试行） or （第一号）), so that ``…意见的通知`` is a notice and
``…议案办理情况报告`` a report. The date is the one the article prints about
itself: the adoption line, the subtitle, a date line under the title, the
signature date, or a date that opens its first sentence; never a date merely
mentioned in its text. Articles that print none (minutes, agendas, name
lists) take their meeting's date once the extractors have run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .frontmatter import tight, title_line
from .lines import DocumentSource, Line
from .segment import (
    CN_SIGN_DATE_RE,
    DATE_ONLY_RE,
    ORGAN_LINE_RE,
    SIGN_DATE_RE,
    SPEAKER_RE,
    Segment,
    strip_inline_adoption,
)
from .text import (
    DOC_NUMBER_RE,
    cn_to_int,
    find_meeting,
    find_meetings,
    make_date,
    normalise_doc_number,
    parse_date,
)
from .types import Category, Document, MeetingRef, Span, TocEntry

# --- categories ------------------------------------------------------------------------

_TRAILING_BRACKETS_RE = re.compile(r"[(（][^()（）]{1,24}[)）]$")
_CATEGORY_RULES: tuple[tuple[re.Pattern[str], Category], ...] = (
    (re.compile(r"(?:辞呈|辞职书|辞职信|请辞书|辞职报告|辞职申请)$"), "resignation_letter"),
    (re.compile(r"纪要$"), "minutes"),
    (re.compile(r"议程$"), "agenda"),
    (re.compile(r"名单$"), "name_list"),
    (re.compile(r"(?:审议|审查)意见(?:书)?$"), "review_opinion"),
    (re.compile(r"报告$"), "report"),
    (re.compile(r"决议$"), "resolution"),
    (re.compile(r"决定$"), "decision"),
    (re.compile(r"说明$"), "explanation"),
    (re.compile(r"议案$"), "motion"),
    (re.compile(r"(?:通知|通报)$"), "notice"),
    (re.compile(r"(?:公告|通告|布告|公示|[^命]令)$"), "announcement"),
    (re.compile(r"(?:讲话|发言|致辞|讲演|演讲|答词|辞词)$"), "speech"),
    (re.compile(r"(?:条例|办法|规定|规则|细则|意见|章程|准则|守则|方案)$"), "regulation"),
)


def category_of(title: str) -> Category:
    """The category of an article from the last word of its title."""
    text = tight(title).rstrip("。．.")
    # 营口市人民代表大会公告（第一号）, …办法(试行), …意见（试行草案）
    for _ in range(3):
        stripped = _TRAILING_BRACKETS_RE.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    for pattern, category in _CATEGORY_RULES:
        if pattern.search(text):
            return category
    return "other"


# --- dates -----------------------------------------------------------------------------

_CN_DIGIT = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4",
             "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip


_CN_DATE_RE = re.compile(
    r"(?P<y>[〇零○一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2})月(?P<d>[一二三四五六七八九十]{1,3})日"
)


def _cn_date(year: str, month: str, day: str) -> dt.date | None:
    m, d = cn_to_int(month), cn_to_int(day)
    if m is None or d is None:
        return None
    return make_date(int("".join(_CN_DIGIT[ch] for ch in year)), m, d)


def date_in(text: str) -> dt.date | None:
    """The first full date in text, in Arabic or Chinese numerals."""
    date = parse_date(text)
    if date is None and (match := _CN_DATE_RE.search(tight(text))):
        date = _cn_date(match["y"], match["m"], match["d"])
    return date


def sign_date_of(text: str) -> dt.date | None:
    """A date printed alone on a line: 2021年9月22日 or 二〇二〇年二月二十日."""
    text = tight(text)
    if match := SIGN_DATE_RE.match(text):
        return make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    if match := CN_SIGN_DATE_RE.match(text):
        return _cn_date(match["y"], match["m"], match["d"])
    return None


# --- organs ----------------------------------------------------------------------------

_ORGAN_PREFIX_RE = re.compile(
    r"^(?P<organ>.+?(?:人民代表大会常务委员会|人大常委会|人民政府|人民法院|人民检察院|监察委员会|委员会|办公室|办公厅|局|厅))"
)


def _organ(text: str) -> str:
    text = tight(text)
    return text if len(text) <= 40 and "的" not in text and ORGAN_LINE_RE.match(text) else ""


def _organ_of_person(line: Line) -> str:
    """The organ in a person's signature: 安阳市人民政府市长 袁家健 → 安阳市人民政府."""
    match = SPEAKER_RE.match(line.text.replace("\u3000", " "))
    if not match:
        return ""
    organ = _ORGAN_PREFIX_RE.match(tight(match["title"]))
    return organ["organ"] if organ else ""


# --- body text -------------------------------------------------------------------------

_TERMINAL = frozenset("。！？；：:;!?）)】〕」』”’…")
_CONTINUATION_START_RE = re.compile(r"^[\u3400-\u9fff\d“‘《〈，、）)]")
_HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十百\d]+[)）]|\d+[、.．](?!\d)|第[一二三四五六七八九十百零〇\d]+[条章节])")
_SEAM_MIN_LENGTH = 20


def _joins(previous: str, following: str) -> bool:
    """True when the line following continues the line previous across a page seam."""
    if "\t" in previous or "\t" in following:
        return False
    prev, nxt = tight(previous), tight(following)
    if not prev or not nxt:
        return False
    if len(prev) < _SEAM_MIN_LENGTH or prev[-1] in _TERMINAL:
        return False
    if not _CONTINUATION_START_RE.match(nxt) or _HEADING_RE.match(nxt):
        return False
    if SIGN_DATE_RE.match(nxt) or CN_SIGN_DATE_RE.match(nxt):
        return False
    # A numbered heading with no sentence in it stands alone (（一）坚定不移…).
    return not (_HEADING_RE.match(prev) and not re.search(r"[。；;]", prev))


def body_text(lines: Sequence[Line]) -> str:
    """The body as paragraphs (one per line), with page seams rejoined.

    Markup is already stripped from Line.text; inner spaces are kept as
    printed (they can be meaningful: 中共中央 国务院).
    """
    paragraphs: list[str] = []
    previous = ""  # the last line read (not the whole paragraph)
    for line in lines:
        text = line.text
        if not text or line.running_head:
            continue
        if paragraphs and _joins(previous, text):
            # Latin words broken at the seam keep a space between them.
            glue = " " if previous[-1].isascii() and previous[-1].isalnum() and text[0].isascii() and text[0].isalpha() else ""
            paragraphs[-1] += glue + text
        else:
            paragraphs.append(text)
        previous = text
    return "\n".join(paragraphs)


# --- the document ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    """A document before the extractors ran, with what it knows of its meeting."""

    source: DocumentSource
    date_printed: bool  # a date (even month-only) is printed: no meeting-date fallback
    named_meeting: MeetingRef | None  # named in the title or the parenthetical
    evidence: tuple[tuple[MeetingRef, dt.date, bool], ...]  # (meeting, date, from minutes)

    @property
    def document(self) -> Document:
        return self.source.document


def same_title(a: str, b: str) -> bool:
    """True when two printings of a title differ only in layout (not in brackets)."""
    return title_line(a) == title_line(b)


def _first_sign_date(lines: Sequence[Line], start: int, end: int) -> tuple[int, dt.date] | None:
    for index in range(start, end):
        text = lines[index].text
        if text and len(text) <= 24:
            date = sign_date_of(text)
            if date is not None:
                return index, date
    return None


def _signature_organ(lines: Sequence[Line], date_index: int, floor: int) -> str:
    """The organ signing above a signature date (an organ or a person's post)."""
    for index in range(date_index - 1, max(floor, date_index - 4) - 1, -1):
        line = lines[index]
        if not line.text:
            continue
        return _organ(line.text) or _organ_of_person(line)
    return ""


def _doc_number(text: str) -> str | None:
    match = DOC_NUMBER_RE.search(text)
    return normalise_doc_number(match["prefix"], match["year"], match["seq"]) if match else None


# The number of an announcement printed in its title: …公告（第12号）, …令（第3号）.
_TITLE_NUMBER_RE = re.compile(r"[(（]((?:〔[^〕]{1,8}〕)?第[〇零一二两三四五六七八九十百千\d]{1,8}号)[)）]$")
_OPENING_DATE_RE = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)")


def _opening_date(lines: Sequence[Line], start: int, end: int) -> dt.date | None:
    """A date that opens the first sentence of the text (after the addressee)."""
    for index in range(start, min(end, start + 6)):
        text = tight(lines[index].text)
        if not text or (text[-1] in "：:" and len(text) <= 40):
            continue
        return date_in(text) if _OPENING_DATE_RE.match(text) else None
    return None


def _minutes_date(lines: Sequence[Line], start: int, end: int) -> dt.date | None:
    """The meeting date in the first paragraphs of minutes."""
    seen = 0
    for index in range(start, end):
        text = lines[index].text
        if not text:
            continue
        date = parse_date(text)
        if date is not None:
            return date
        seen += 1
        if seen >= 3:
            break
    return None


def build_draft(index: int, lines: Sequence[Line], segment: Segment, entry: TocEntry | None) -> Draft:
    """Read one segmented article into a Document (before the extractors)."""
    title = strip_inline_adoption(title_line("\n".join(lines[i].text for i in segment.title)))
    category = category_of(title)
    anchors = {kind: [a for a in segment.anchors if a.kind == kind] for kind in
               ("adoption", "subtitle", "date_only", "meeting", "number", "doc_number", "organ", "speaker")}

    # The date the article prints about itself.
    date: dt.date | None = None
    date_printed = False
    for kind in ("adoption", "subtitle"):
        if date is None and anchors[kind]:
            date = date_in(anchors[kind][0].text)
            date_printed = date_printed or date is not None
    if date is None and anchors["date_only"]:
        match = DATE_ONLY_RE.match(anchors["date_only"][0].text)
        date_printed = True
        if match and match["d"]:
            date = make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    signature = _first_sign_date(lines, segment.body_start, segment.end)
    if date is None and signature is not None:
        date, date_printed = signature[1], True
    if date is None:
        # "2021年6月10日，市十六届人大常委会第三十四次会议听取审议了……"
        date = _opening_date(lines, segment.body_start, segment.end)
        date_printed = date_printed or date is not None

    # The meeting it was adopted at or delivered to, or that its title names.
    named_meeting = find_meeting(anchors["meeting"][0].text) if anchors["meeting"] else None
    named_meeting = named_meeting or find_meeting(title)
    meeting = None
    for kind in ("adoption", "subtitle"):
        if meeting is None and anchors[kind]:
            meeting = find_meeting(anchors[kind][0].text)
    meeting = meeting or named_meeting

    # Evidence for the date of meetings (used for minutes, agendas, lists).
    evidence: list[tuple[MeetingRef, dt.date, bool]] = []
    for kind in ("adoption", "subtitle"):
        for anchor in anchors[kind]:
            mentions = find_meetings(anchor.text)
            anchor_date = date_in(anchor.text)
            if mentions and anchor_date and not mentions[0].sub_meeting:
                evidence.append((mentions[0].ref, anchor_date, False))
    if category == "minutes":
        minutes_date = _minutes_date(lines, segment.body_start, segment.end)
        first_text = " ".join(lines[i].text for i in range(segment.body_start, min(segment.end, segment.body_start + 3)))
        ref = named_meeting or find_meeting(first_text)
        if ref is not None and minutes_date is not None:
            evidence.append((ref, minutes_date, True))
            meeting = meeting or ref

    # The document's own number: a 文号 line in the header, else one glued to
    # the TOC title, else the number line of an announcement (〔十七届〕第十二号,
    # (第一号)) or an order (第 12 号).
    doc_number = None
    if anchors["doc_number"]:
        doc_number = _doc_number(anchors["doc_number"][0].text)
    if doc_number is None and entry is not None:
        doc_number = entry.doc_number
    if doc_number is None and anchors["number"]:
        doc_number = anchors["number"][0].text.strip("()（）")
    if doc_number is None and category == "announcement" and (number := _TITLE_NUMBER_RE.search(title)):
        doc_number = number[1]  # 临河市人民代表大会常务委员会公告（第12号）

    # The issuing organ: the signature, else the organ line or title prefix, else the author.
    issuer = ""
    if signature is not None:
        issuer = _signature_organ(lines, signature[0], segment.body_start)
    if not issuer and len(segment.title) > 1:
        issuer = _organ(lines[segment.title[0]].text)
    if not issuer and (prefix := re.match(r"^(?P<organ>.{2,40}?)关于", title)):
        issuer = _organ(prefix["organ"])
    if not issuer and anchors["organ"]:
        issuer = anchors["organ"][0].text
    if not issuer and anchors["speaker"]:
        issuer = _organ_of_person(lines[anchors["speaker"][0].first])

    toc_title = entry.title if entry is not None and not same_title(entry.title, title) else None
    document = Document(
        index=index,
        title=title,
        category=category,
        page=entry.page if entry is not None else None,
        doc_number=doc_number,
        date=date,
        toc_title=toc_title,
        issuer=issuer,
        meeting=meeting,
        text=body_text(lines[segment.body_start : segment.end]),
        span=Span(lines[segment.start].number, lines[segment.end - 1].number),
    )
    source = DocumentSource(
        document=document,
        lines=tuple(lines[segment.start : segment.end]),
        body_start=max(0, min(segment.body_start, segment.end) - segment.start),
    )
    return Draft(source, date_printed, named_meeting, tuple(evidence))


def meeting_dates(drafts: Sequence[Draft]) -> dict[MeetingRef, dt.date]:
    """The first day of each meeting, from minutes first, else from anchors."""
    from_minutes: dict[MeetingRef, dt.date] = {}
    from_anchors: dict[MeetingRef, dt.date] = {}
    for draft in drafts:
        for ref, date, minutes in draft.evidence:
            target = from_minutes if minutes else from_anchors
            if ref not in target or date < target[ref]:
                target[ref] = date
    return {**from_anchors, **from_minutes}


# Categories that print no date of their own: they take their meeting's date.
MEETING_DATED: frozenset[Category] = frozenset({"minutes", "agenda", "name_list"})
