"""Meetings the issue reports on: their dates, agendas, attendance and name lists.

A meeting is a standing-committee meeting (常委会第N次会议) or a plenary
session (人民代表大会第N次会议) of the gazette's own region. It is recorded
when the issue reports on it: it prints its minutes, its agenda or a name list
of it (attendance, presidium, a 任免名单). A meeting that is only the occasion
of a reprinted document (adopted at it ``(…会议通过)``, delivered at it
``——…在…会议上``) is not recorded, but the document still points at it in
``document_meetings``. Sub-sittings (预备会议, 主席团第N次会议, 第N次全体会议)
belong to their session. Meetings of other bodies (a province, a county, a
government's 常务会议) never are.

This module also defines ``DocView``, the per-document reading (paragraphs,
anchors, body) that the other extractors share.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .lines import DocumentSource, Line
from .segment import INLINE_ADOPTION_RE
from .text import (
    CJK,
    CN_NUMERAL,
    DATE_RE,
    NUMBER,
    MeetingMention,
    Paragraph,
    arabic_dates,
    cn_to_int,
    collapse_spaces,
    find_meetings,
    first_sentence,
    fold_for_matching,
    is_person_name,
    join_paragraphs,
    make_date,
    own_level,
    parse_date,
    parse_person,
    split_name_run,
)
from .types import (
    Category,
    GazetteInfo,
    Meeting,
    MeetingBody,
    MeetingRef,
    NameList,
    ParseWarning,
    PersonName,
    Span,
)

# --- anchors: the lines under a title that say when and where ---------------

# (2021年7月3日安阳市第十四届人民代表大会常务委员会第二十二次会议通过)
ADOPTION_RE = re.compile(r"^[(（]\s*\d{4}年\d{1,2}月\d{1,2}日[^)）]*?(?:通过|批准)[^)）]{0,40}[)）]?$")
# ——2021年6月10日在营口市第十六届人民代表大会常务委员会第三十四次会议上
SUBTITLE_RE = re.compile(r"^——\s*\d{4}年\d{1,2}月\d{1,2}日\s*在.{2,80}$")
# (2021年7月3日) under a speech title; (2021年8月) under a survey report
DATE_ONLY_RE = re.compile(r"^[(（]\d{4}年\d{1,2}月(?:\d{1,2}日)?[)）]$")
# (市十四届人大常委会第二十二次会议) under the generic 纪要 title
MEETING_PAREN_RE = re.compile(r"^[(（][^()（）]{2,60}会议[)）]$")


def is_anchor(text: str) -> bool:
    """Whether a paragraph is an anchor line (adoption, subtitle, date, meeting)."""
    return bool(
        ADOPTION_RE.match(text)
        or SUBTITLE_RE.match(text)
        or DATE_ONLY_RE.match(text)
        or MEETING_PAREN_RE.match(text)
    )


@dataclass(frozen=True, slots=True)
class DocView:
    """One document read once: its paragraphs split into head and body."""

    source: DocumentSource
    title: str  # the document title without layout spaces
    head: tuple[Paragraph, ...]  # title block and anchor lines
    body: tuple[Paragraph, ...]  # the text after them
    body_lines: tuple[Line, ...]  # raw lines of the body (tables keep their TABs)

    @property
    def index(self) -> int:
        return self.source.document.index

    @property
    def category(self) -> Category:
        return self.source.document.category

    @property
    def span(self) -> Span:
        doc = self.source.document
        if doc.span is not None:
            return doc.span
        lines = self.source.lines
        return Span(lines[0].number, lines[-1].number) if lines else Span(0, 0)

    @property
    def first_line(self) -> int:
        return self.span.first_line


def _arabic(paragraph: Paragraph) -> Paragraph:
    text = arabic_dates(paragraph.text)
    return paragraph if text == paragraph.text else Paragraph(paragraph.first_line, paragraph.last_line, text)


def _open_anchor(text: str) -> bool:
    """An adoption line or subtitle whose second half is still to come."""
    if text[:1] in "(（":
        return text.count("(") + text.count("（") > text.count(")") + text.count("）")
    return text.startswith("——") and bool(DATE_RE.search(text)) and not text.endswith("上")


# A paragraph's first line printed indented (two ideographic spaces, or spaces).
_INDENT_RE = re.compile(rf"^(?:\u3000| {{2,}})[\u3000 ]*[{CJK}\d（(“《]")


def _split_inline_adoption(head: list[Paragraph]) -> list[Paragraph]:
    """A title paragraph ending in its adoption line becomes two paragraphs."""
    result = []
    for paragraph in head:
        match = INLINE_ADOPTION_RE.match(paragraph.text)
        if match:
            result.append(Paragraph(paragraph.first_line, paragraph.last_line, match["title"]))
            result.append(Paragraph(paragraph.last_line, paragraph.last_line, match["paren"]))
        else:
            result.append(paragraph)
    return result


def view_document(source: DocumentSource) -> DocView:
    """Cut a document into head (title, anchors) and body paragraphs.

    The segmenter's ``body_start`` is trusted, but anchors it left at the top
    of the body, and title lines repeated there, are moved to the head.
    """
    lines = source.lines
    split = min(max(source.body_start, 0), len(lines))
    # Head and body are joined separately: a long title line must not be read
    # as the first half of a page seam running into the addressee line.
    # Running heads and page numbers are read as blank lines (page seams).
    texts = [(line.number, "" if line.running_head else line.text) for line in lines]
    indents = frozenset({line.number for line in lines if line.raw[:1] in " \u3000" and _INDENT_RE.match(line.raw)})
    head = join_paragraphs(texts[:split], indents)
    body = join_paragraphs(texts[split:], indents)
    head = [_arabic(p) for p in _split_inline_adoption(head)]
    body = [_arabic(p) for p in body]
    # An anchor the segmenter cut in two (its second line fell into the body).
    while head and body and _open_anchor(head[-1].text) and len(body[0].text) < 60:
        last, nxt = head[-1], body.pop(0)
        head[-1] = Paragraph(last.first_line, nxt.last_line, last.text + nxt.text)
    title = collapse_spaces(source.document.title).replace(" ", "")
    folded_title = fold_for_matching(title)
    # Leading anchors and title fragments that the segmenter left in the body.
    while body and len(head) < 12:
        text = body[0].text
        folded = fold_for_matching(text)
        if is_anchor(text) or (len(folded) >= 4 and folded in folded_title):
            head.append(body.pop(0))
            continue
        break
    start = body[0].first_line if body else 1 << 60
    body_lines = tuple(line for line in lines if line.number >= start)
    return DocView(source, title, tuple(head), tuple(body), body_lines)


# --- meeting mentions ---------------------------------------------------------------

_SC = r"(?:人民代表大会常务委员会|人大常委会|常委会)"
_CONGRESS = r"(?:人民代表大会|人大)"
# 市十六届人大常委会召开第三十四次会议: the body's name and the ordinal are
# split by the verb, so MEETING_RE in text.py cannot read it.
SPLIT_MEETING_RE = re.compile(
    rf"第?(?P<term>{NUMBER})届(?:(?P<sc>{_SC})|(?P<cg>{_CONGRESS}))(?:召开|举行)了?第?(?P<num>{NUMBER})次(?:全体)?会议"
)
# Bodies below the region (a county's or district's congress) end in these.
_LOWER_LEVEL = frozenset("省县区旗乡镇")


def _foreign(text: str, start: int, region: str) -> bool:
    """Whether the meeting named at ``start`` belongs to another region's body."""
    before = text[max(0, start - 10) : start]
    if not before:
        return False
    if region and (before.endswith(region) or (len(region) > 2 and before.endswith(region[:-1]))):
        return False
    return before[-1] in _LOWER_LEVEL and not own_level(before, region)


# 第三十五次主任会议 / 党组会议: the chairpersons' council or the party group
# of the committee, numbered like its meetings but not a meeting of the body.
_OTHER_SITTING_RE = re.compile(r"(?:主任会议|主任办公会|党组|委员长会议|常务会议)")
_WINDOW_BEFORE = 16  # 安阳市第十四届: the numeral and the region before 届
_WINDOW_AFTER = 80  # 人民代表大会常务委员会第二十二次会议主席团第一次会议


def _windows(text: str) -> list[tuple[int, int]]:
    """Stretches of text around each 届, merged where they overlap.

    Every meeting name contains 届; reading only around it keeps the search
    linear on long lines (a run of digits far from any 届 is never scanned).
    """
    spans: list[tuple[int, int]] = []
    at = text.find("届")
    while at >= 0:
        start, end = max(0, at - _WINDOW_BEFORE), min(len(text), at + _WINDOW_AFTER)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        at = text.find("届", at + 1)
    return spans


def meeting_mentions(text: str, region: str) -> list[MeetingMention]:
    """Every meeting of the region's congress or standing committee named in text.

    ``text`` must already be compact (``collapse_spaces``) so that offsets
    refer to it. Provincial, county and district bodies are left out.
    """
    found: list[MeetingMention] = []
    for start, end in _windows(text):
        window = text[start:end]
        if window[:1].isspace():  # find_meetings strips the text it reads
            continue
        local = [m for m in find_meetings(window) if not _foreign(window, m.start, region)]
        taken = {m.start for m in local}
        for match in SPLIT_MEETING_RE.finditer(window):
            if match.start() in taken or _foreign(window, match.start(), region):
                continue
            if "省" in window[max(0, match.start() - 4) : match.start()]:
                continue
            term, number = cn_to_int(match["term"]), cn_to_int(match["num"])
            if term is None or number is None or not (0 < term < 100 and 0 < number < 1000):
                continue
            body: MeetingBody = "standing_committee" if match["sc"] else "congress"
            local.append(MeetingMention(MeetingRef(body, term, number), match.start(), match.end()))
        found.extend(
            MeetingMention(m.ref, m.start + start, m.end + start, m.sub_meeting)
            for m in local
            if not (start > 0 and m.start == 0)  # cut by the window's edge
            and not _OTHER_SITTING_RE.match(window, m.end)
        )
    found.sort(key=lambda m: m.start)
    return found


def _is_main_sitting(mention: MeetingMention) -> bool:
    """A plenary sitting (第N次全体会议) dates the session; 预备/主席团 sittings don't."""
    return not mention.sub_meeting or mention.sub_meeting.endswith("全体会议")


# --- dates ----------------------------------------------------------------------

# Evidence for a meeting's date, strongest first. The minutes and the convening
# decision say when the meeting was held; adoption lines and subtitles when an
# item was taken; a notice's opening sentence when it was decided, and it can
# be wrong (a notice dated the day after the meeting).
LEVEL_HELD = 4
LEVEL_ITEM = 3
LEVEL_STATEMENT = 2
LEVEL_SUB_SITTING = 1

_HELD_VERB_RE = re.compile(r"举行|召开|开幕")
# 于2021年7月31日 directly after the meeting's name
_ON_DATE_RE = re.compile(r"^于\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
# 2021年6月10日下午， directly before the meeting's name
_DATE_BEFORE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:上午|下午|晚上)?[，,]?[^，。；,;\d]{0,8}$")
_HELD_AFTER_RE = re.compile(r"(?:在[^，。；]{0,30})?(?:召开|举行)")


@dataclass(frozen=True, slots=True)
class DateEvidence:
    ref: MeetingRef
    date: dt.date
    level: int
    line: int


def _date_of(match: re.Match[str]) -> dt.date | None:
    return make_date(int(match[1]), int(match[2]), int(match[3]))


def _date_evidence(view: DocView, region: str) -> list[DateEvidence]:
    """Dates this document gives for the meetings it names."""
    found: list[DateEvidence] = []
    for paragraph in (*view.head, *view.body):
        text = paragraph.text
        if "会议" not in text or not DATE_RE.search(text):
            continue
        mentions = meeting_mentions(text, region)
        is_anchor_line = bool(ADOPTION_RE.match(text) or SUBTITLE_RE.match(text))
        for mention in mentions:
            main = _is_main_sitting(mention)
            if is_anchor_line:
                # The date printed right before this meeting's name (an adoption
                # line can name two events: adopted here, approved by the province).
                dates = [m for m in DATE_RE.finditer(text) if m.end() <= mention.start]
                if dates:
                    date = _date_of(dates[-1])
                    if date:
                        level = LEVEL_ITEM if main else LEVEL_SUB_SITTING
                        found.append(DateEvidence(mention.ref, date, level, paragraph.first_line))
                continue
            after = text[mention.end : mention.end + 20]
            on = _ON_DATE_RE.match(after)
            if on:
                date = _date_of(on)
                sentence = text[mention.end : mention.end + 80].split("。", 1)[0]
                held = bool(_HELD_VERB_RE.search(sentence))
                level = (LEVEL_HELD if held else LEVEL_ITEM) if main else LEVEL_SUB_SITTING
                if date:
                    found.append(DateEvidence(mention.ref, date, level, paragraph.first_line))
                continue
            before = _DATE_BEFORE_RE.search(text[max(0, mention.start - 24) : mention.start])
            if before:
                date = _date_of(before)
                held = bool(
                    SPLIT_MEETING_RE.match(text, mention.start)
                    or _HELD_AFTER_RE.match(text, mention.end)
                )
                level = (LEVEL_HELD if held else LEVEL_STATEMENT) if main else LEVEL_SUB_SITTING
                if date:
                    found.append(DateEvidence(mention.ref, date, level, paragraph.first_line))
    # A date-only line under a title that names the meeting (speeches).
    title_mentions = meeting_mentions(view.title, region)
    if title_mentions and "召开" not in view.title:
        for paragraph in view.head:
            if DATE_ONLY_RE.match(paragraph.text):
                date = parse_date(paragraph.text)
                if date:
                    ref = title_mentions[0].ref
                    found.append(DateEvidence(ref, date, LEVEL_ITEM, paragraph.first_line))
    return found


# --- which document belongs to which meeting ------------------------------------

# Categories whose first sentences name the meeting they belong to
# (a report's first sentence often recalls an earlier meeting instead).
_OPENING_NAMES_MEETING: frozenset[Category] = frozenset(
    {
        "minutes",
        "agenda",
        "decision",
        "resolution",
        "notice",
        "review_opinion",
        "motion",
        "name_list",
        "announcement",
    }
)
# 第二十次会议通过的《…》: an earlier act cited, not the meeting the text is about.
_ATTRIBUTIVE_RE = re.compile(r"(?:审议)?(?:通过|批准|决定|作出)的")


def document_meeting(view: DocView, region: str, *, openings: bool = True) -> MeetingMention | None:
    """The meeting a document belongs to, read from its anchors, title or opening.

    ``openings``: also read the first paragraphs of minutes, decisions,
    notices … (``2021年7月3日，…第二十二次会议决定任命：``).
    """
    for pattern in (ADOPTION_RE, SUBTITLE_RE, MEETING_PAREN_RE):
        for paragraph in view.head:
            if pattern.match(paragraph.text):
                mentions = meeting_mentions(paragraph.text, region)
                if mentions:
                    return mentions[0]
    if "召开" not in view.title:
        mentions = meeting_mentions(view.title, region)
        if mentions:
            return mentions[0]
    if openings and (view.category in _OPENING_NAMES_MEETING or _is_minutes(view)):
        for paragraph in view.body[:2]:
            for mention in meeting_mentions(paragraph.text, region):
                if not _ATTRIBUTIVE_RE.match(paragraph.text, mention.end):
                    return mention
    return None


# --- kinds of documents -----------------------------------------------------------

_AGENDA_TITLE_RE = re.compile(r"议程(?:[(（]草案[)）])?$")
_MINUTES_TITLE_RE = re.compile(r"纪要$")
_LIST_TITLE_RE = re.compile(r"名单$")
# A personnel list (任免名单) prints decisions, not a grid of names.
_PERSONNEL_LIST_RE = re.compile(r"任免|任命|免职|撤职|罢免")


def _is_minutes(view: DocView) -> bool:
    return view.category == "minutes" or bool(_MINUTES_TITLE_RE.search(view.title))


def _is_agenda(view: DocView) -> bool:
    return view.category == "agenda" or bool(_AGENDA_TITLE_RE.search(view.title))


def _is_list(view: DocView) -> bool:
    if _PERSONNEL_LIST_RE.search(view.title):
        return False
    return bool(_LIST_TITLE_RE.search(view.title)) or view.category == "name_list"


# --- agenda ------------------------------------------------------------------------

# 1.听取… / 1、 / 一、 / （一） / (1) — the number of an agenda or minutes item
_ITEM_NUMBER_RE = re.compile(
    r"^(?:(?P<arabic>\d{1,2})\s*[.．、]|(?P<cn>[一二三四五六七八九十]{1,3})、|[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）])\s*"
)
_MINUTES_ITEM_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|\d{1,2}\s*[.．、](?!\d))\s*")
_TRAILING_PUNCT = "；;。.，,、 "
# 建议会议的议程是：选举事项。 — a convening decision proposes the agenda.
_PROPOSED_AGENDA_RE = re.compile(r"议程(?:是|为|如下)?[：:](?P<items>[^。]{1,400})")


def _agenda_items(view: DocView) -> list[str]:
    """The items of an 议程 document, without their numbers."""
    numbered = [p for p in view.body if _ITEM_NUMBER_RE.match(p.text)]
    if numbered:
        return [
            item
            for p in numbered
            if (item := _ITEM_NUMBER_RE.sub("", p.text, count=1).rstrip(_TRAILING_PUNCT))
        ]
    # Single unnumbered items: 补选省人大代表。
    if 0 < len(view.body) <= 5 and all(len(p.text) < 120 for p in view.body):
        return [item for p in view.body if (item := p.text.rstrip(_TRAILING_PUNCT))]
    return []


def _minutes_items(view: DocView) -> list[str]:
    """The numbered decision items 一、二、… of minutes: the item sentence only.

    The commentary after it (会议认为…, 会议要求…) is left out.
    """
    items = []
    for p in view.body:
        if _MINUTES_ITEM_RE.match(p.text):
            item = first_sentence(_MINUTES_ITEM_RE.sub("", p.text, count=1)).rstrip(_TRAILING_PUNCT)
            if item:
                items.append(item)
    return items


def _proposed_agendas(view: DocView, region: str) -> list[tuple[MeetingRef, list[str]]]:
    found = []
    for p in view.body:
        for match in _PROPOSED_AGENDA_RE.finditer(p.text):
            before = [m for m in meeting_mentions(p.text[: match.start()], region)]
            if not before:
                continue
            items = [
                _ITEM_NUMBER_RE.sub("", part.strip(), count=1).rstrip(_TRAILING_PUNCT)
                for part in re.split(r"[；;]", match["items"])
            ]
            found.append((before[-1].ref, [item for item in items if item]))
    return found


# --- attendance and name lists ------------------------------------------------

_LIST_KEYWORDS_RE = re.compile(r"出席|列席|请假|缺席|主席团|秘书长|主席|成员|名单|委员")
# 主席团(69名,按姓氏笔画排列), 主席团成员（共21名，…） — a label that declares the list's size
_DECLARED_COUNT_RE = re.compile(r"[(（]\s*(?:共\s*)?(\d{1,4})\s*[名人]")
_LABEL_ONLY_RE = re.compile(rf"^[{CJK}]{{2,24}}[(（][^()（）]{{1,30}}[)）]$")
# The label may hold a bracketed note with commas: 主席团成员（共21名，按姓氏笔画排列）：
_HEADER_RE = re.compile(
    r"^(?P<label>(?:[^：:\t，。；(（]|[(（][^()（）：:]{0,30}[)）]){1,40}?)\s*[：:]\s*(?P<rest>[^\t]*)$"
)
# 一、出席人员（19人） / 三、列席人员: a numbered label without a colon.
_LIST_ORDINAL_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、])")
_BARE_LABEL_RE = re.compile(rf"^(?P<label>[{CJK}、]{{2,16}}?)(?:[(（][^()（）]{{1,20}}[)）])?$")
# The column headings of a table of names: 序号⇥姓名⇥职务.
_COLUMN_WORDS = frozenset(
    {"序号", "编号", "姓名", "职务", "职位", "单位", "工作单位", "工作单位及职务", "单位及职务", "备注", "性别", "民族", "出席情况", "出缺席情况", "情况"}
)
_ORDINAL_CELL_RE = re.compile(r"^\d{1,3}[.．、]?$")
# The post printed beside a name in a 列席 list ends in one of these.
_POST_SUFFIX_RE = re.compile(r"(?:长|主任|委员|书记|主席|员|官|代表)$")
_PROSE_PUNCT_RE = re.compile(r"[。，；？！]")
_ANNOTATIONS_RE = re.compile(r"[(（][^()（）]{0,12}[)）]")  # (女，满族) may hold a comma

ListKind = str  # present | on_leave | attending | presidium | …


def _list_kind(label: str) -> ListKind:
    """What a list header or list title announces."""
    if "列席" in label:
        return "attending"
    if "请假" in label or ("缺席" in label and "出缺席" not in label):
        return "on_leave"
    if "出席" in label and "出缺席" not in label:
        return "present"
    if "常务主席" in label:
        return "standing_chairs"
    if "执行主席" in label:
        return "executive_chairs"
    if "副秘书长" in label:
        return "deputy_secretaries_general"
    if "秘书长" in label and "主席团" not in label:
        return "secretary_general"
    if "主席团" in label:
        return "presidium"
    return "other"


def _person(cell: str, line: int, title: str | None = None) -> PersonName | None:
    person = parse_person(cell, line=line, title=title)
    if person is None or not is_person_name(person.name):
        return None
    return person


def name_row(text: str, line: int) -> list[PersonName] | None:
    """The persons on one line of a name list, or None when it is not one.

    A TAB grid row (padded 2-character names, empty trailing cells), a
    ``name⇥post`` row of a 列席 list, or a space-separated run
    (``胡传新 李 红`` → 胡传新, 李红).
    """
    if "\t" in text:
        cells = [c.strip() for c in text.split("\t") if c.strip()]
        if len(cells) >= 2 and _ORDINAL_CELL_RE.match(cells[0]):
            cells = cells[1:]  # 序号⇥姓名⇥职务: the row's number is not a name
        if not cells:
            return None
        if len(cells) == 2:
            post = collapse_spaces(cells[1]).replace(" ", "")
            first = _person(cells[0], line)
            if first and (not is_person_name(post) or (len(post) >= 3 and _POST_SUFFIX_RE.search(post))):
                return [_person(cells[0], line, title=post) or first]
        people = [_person(cell, line) for cell in cells]
        if all(people):
            return [p for p in people if p]
        return None
    text = text.strip().rstrip("。；;")  # 出席：张三、李四。
    if len(text) > 120 or _PROSE_PUNCT_RE.search(_ANNOTATIONS_RE.sub("", text)):
        return None
    tokens = [t for part in re.split(r"[、,]", text) for t in split_name_run(part)]
    people = [_person(token, line) for token in tokens]
    if people and all(people):
        return [p for p in people if p]
    return None


@dataclass(slots=True)
class _Block:
    label: str
    kind: ListKind
    declared: int | None
    first_line: int
    last_line: int
    members: list[PersonName] = field(default_factory=list)


def is_column_header(text: str) -> bool:
    """A table's heading row (序号⇥姓名⇥职务): part of a list, not a row of names."""
    cells = [collapse_spaces(c).replace(" ", "") for c in text.split("\t") if c.strip()]
    return len(cells) >= 2 and all(c in _COLUMN_WORDS for c in cells)


def _list_header(text: str) -> tuple[str, str] | None:
    """(label, inline names) when the line opens a list: 出席：, 主席团(69名…), 秘书长:X."""
    if "\t" in text:
        return None
    compact = collapse_spaces(text)
    unnumbered = _LIST_ORDINAL_RE.sub("", compact.replace(" ", ""), count=1)
    if _LABEL_ONLY_RE.match(unnumbered) and _DECLARED_COUNT_RE.search(unnumbered):
        return unnumbered, ""
    bare = _BARE_LABEL_RE.match(unnumbered)
    if bare and _list_kind(bare["label"]) in ("present", "on_leave", "attending"):
        # 三、列席人员 / 出席人员（19人）: an attendance label alone on its line.
        return unnumbered, ""
    if unnumbered != compact.replace(" ", ""):
        text = unnumbered
    match = _HEADER_RE.match(text.strip())
    if not match:
        return None
    label = collapse_spaces(match["label"]).replace(" ", "")
    if not _LIST_KEYWORDS_RE.search(label) or len(label) > 30:
        return None
    rest = match["rest"].strip()
    if rest and name_row(rest, 0) is None:
        return None
    return label, rest


def read_lists(view: DocView, *, default_kind: ListKind | None) -> list[_Block]:
    """The name lists of a document, each under its header.

    Rows before any header belong to ``default_kind`` (the kind the document
    title announces), or are skipped when it is None (minutes).
    """
    blocks: list[_Block] = []
    current: _Block | None = None
    for line in view.body_lines:
        text = line.text
        if not text or line.running_head or is_column_header(text):
            continue  # a page footer or a repeated heading row inside a table
        header = _list_header(text)
        if header:
            label, rest = header
            count = _DECLARED_COUNT_RE.search(label)
            current = _Block(label, _list_kind(label), int(count[1]) if count else None, line.number, line.number)
            blocks.append(current)
            if rest:
                current.members.extend(name_row(rest, line.number) or [])
            continue
        people = name_row(text, line.number)
        if people is None:
            current = None
            continue
        if current is None:
            if default_kind is None:
                continue
            current = _Block(view.title, default_kind, None, line.number, line.number)
            blocks.append(current)
        current.members.extend(people)
        current.last_line = line.number
    return [b for b in blocks if b.members]


# --- declared attendance ------------------------------------------------------------

_DECLARED_PRESENT_RES = (
    re.compile(r"(?:组成人员|委员)[^，。；]{0,6}?(\d{1,3})人出席"),
    re.compile(r"实到(?:会)?(?:常委会)?(?:组成人员)?(\d{1,3})人"),
    re.compile(r"出席(?:了)?会议的?(?:常委会)?(?:组成人员)?(?:共)?(\d{1,3})人"),
    re.compile(r"(\d{1,3})人出席(?:了)?会议"),
)


def _declared_present(view: DocView) -> tuple[int, int] | None:
    """(count, line) of the attendance the minutes print: 常委会组成人员39人出席会议."""
    for p in view.body[:3]:
        for pattern in _DECLARED_PRESENT_RES:
            match = pattern.search(p.text)
            if match:
                return int(match[1]), p.first_line
    return None


# --- putting it together --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingsResult:
    meetings: tuple[Meeting, ...] = ()
    document_meetings: dict[int, MeetingRef] = field(default_factory=dict)
    meeting_dates: dict[MeetingRef, dt.date] = field(default_factory=dict)
    # First and last day the meeting is known to have sat (items, sittings).
    date_spans: dict[MeetingRef, tuple[dt.date, dt.date]] = field(default_factory=dict)
    warnings: tuple[ParseWarning, ...] = ()


@dataclass(slots=True)
class _Draft:
    ref: MeetingRef
    documents: list[int] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)
    agenda_rank: int = 0  # 3 议程 document, 2 minutes items, 1 proposed agenda
    present: list[PersonName] = field(default_factory=list)
    on_leave: list[PersonName] = field(default_factory=list)
    attending: list[PersonName] = field(default_factory=list)
    name_lists: list[NameList] = field(default_factory=list)
    declared_present: tuple[int, int] | None = None
    core: bool = False  # has minutes, an agenda or a name list: the issue reports on it
    span: Span | None = None
    minutes_span: Span | None = None


def _choose_date(evidence: Sequence[DateEvidence]) -> dt.date | None:
    if not evidence:
        return None
    best = max(e.level for e in evidence)
    return min(e.date for e in evidence if e.level == best)


def _add_people(target: list[PersonName], people: Iterable[PersonName]) -> None:
    seen = {p.name for p in target}
    for person in people:
        if person.name not in seen:
            seen.add(person.name)
            target.append(person)


def extract_meetings(views: Sequence[DocView], info: GazetteInfo) -> MeetingsResult:
    """Read every meeting the issue reports on."""
    region = info.region
    warnings: list[ParseWarning] = []
    doc_meeting: dict[int, MeetingRef] = {}
    doc_line: dict[int, int] = {}
    evidence: dict[MeetingRef, list[DateEvidence]] = {}
    # In a government gazette a notice's opening names the congress's meetings
    # only to cite them; its own anchors (an adoption line) still count.
    openings = info.kind != "government"
    for view in views:
        mention = document_meeting(view, region, openings=openings)
        if mention is not None:
            doc_meeting[view.index] = mention.ref
            doc_line[view.index] = view.first_line
        for item in _date_evidence(view, region):
            evidence.setdefault(item.ref, []).append(item)

    drafts: dict[MeetingRef, _Draft] = {}
    for view in views:
        ref = doc_meeting.get(view.index)
        if ref is None:
            continue
        draft = drafts.setdefault(ref, _Draft(ref))
        draft.documents.append(view.index)
        if draft.span is None:
            draft.span = view.span
        if view.category == "name_list":
            draft.core = True
        if _is_agenda(view):
            draft.core = True
            items = _agenda_items(view)
            if items and draft.agenda_rank < 3:
                draft.agenda, draft.agenda_rank = items, 3
        if _is_minutes(view):
            draft.core = True
            draft.minutes_span = draft.minutes_span or view.span
            items = _minutes_items(view)
            if items and draft.agenda_rank < 2:
                draft.agenda, draft.agenda_rank = items, 2
            if draft.declared_present is None:
                draft.declared_present = _declared_present(view)
        if _is_minutes(view) or _is_list(view):
            default = _list_kind(view.title) if _is_list(view) else None
            for block in read_lists(view, default_kind=default):
                draft.core = True
                _file_block(draft, block, warnings)

    for view in views:
        for ref, proposed in _proposed_agendas(view, region):
            target = drafts.get(ref)
            if target is not None and target.agenda_rank < 1 and proposed:
                target.agenda, target.agenda_rank = proposed, 1

    dates = {ref: d for ref in drafts if (d := _choose_date(evidence.get(ref, ())))}
    _merge_misnumbered(drafts, dates, doc_meeting, doc_line, warnings)

    meetings = []
    spans: dict[MeetingRef, tuple[dt.date, dt.date]] = {}
    for ref, draft in drafts.items():
        sat = [e.date for e in evidence.get(ref, ()) if e.level != LEVEL_STATEMENT]
        if ref in dates:
            sat.append(dates[ref])
        if sat:
            spans[ref] = (min(sat), max(sat))
        if not draft.core:
            # Only the occasion of a reprinted document (a subtitle, an adoption
            # line): the issue does not report on the meeting itself.
            continue
        declared = draft.declared_present
        if declared and draft.present and declared[0] != len(draft.present):
            warnings.append(
                ParseWarning(
                    declared[1],
                    "attendance_count_mismatch",
                    f"纪要称 {declared[0]} 人出席，出席名单列出 {len(draft.present)} 人",
                )
            )
        meetings.append(
            Meeting(
                ref=ref,
                date=dates.get(ref),
                agenda=tuple(draft.agenda),
                present=tuple(draft.present),
                on_leave=tuple(draft.on_leave),
                attending=tuple(draft.attending),
                name_lists=tuple(draft.name_lists),
                declared_present=declared[0] if declared else None,
                documents=tuple(sorted(draft.documents)),
                span=draft.minutes_span or draft.span,
            )
        )
    meetings.sort(key=lambda m: (m.date or dt.date.max, m.ref.body, m.ref.term, m.ref.number))
    return MeetingsResult(
        meetings=tuple(meetings),
        document_meetings=doc_meeting,
        meeting_dates={ref: d for ref, d in dates.items() if ref in drafts},
        date_spans=spans,
        warnings=tuple(warnings),
    )


def _file_block(draft: _Draft, block: _Block, warnings: list[ParseWarning]) -> None:
    """Put one list on its meeting: attendance into the three lists, others as NameList."""
    if block.declared is not None and block.declared != len(block.members):
        warnings.append(
            ParseWarning(
                block.first_line,
                "name_list_count_mismatch",
                f"名单“{block.label}”称 {block.declared} 人，列出 {len(block.members)} 人",
            )
        )
    if block.kind == "present":
        _add_people(draft.present, block.members)
    elif block.kind == "on_leave":
        _add_people(draft.on_leave, block.members)
    elif block.kind == "attending":
        _add_people(draft.attending, block.members)
    else:
        draft.name_lists.append(
            NameList(
                kind=block.kind,
                label=block.label,
                declared_count=block.declared,
                members=tuple(block.members),
                span=Span(block.first_line, block.last_line),
                sitting=_sitting_of(block.label),
            )
        )


_SITTING_RE = re.compile(rf"第\s*({CN_NUMERAL}|\d+)\s*次全体会议")


def _sitting_of(label: str) -> int | None:
    """The plenary sitting a list belongs to: 第一次全体会议执行主席 → 1."""
    match = _SITTING_RE.search(label)
    return cn_to_int(match[1]) if match else None


def _merge_misnumbered(
    drafts: dict[MeetingRef, _Draft],
    dates: dict[MeetingRef, dt.date],
    doc_meeting: dict[int, MeetingRef],
    doc_line: dict[int, int],
    warnings: list[ParseWarning],
) -> None:
    """Fold a meeting that exists only through a misprinted number into the real one.

    One body of one term cannot hold two meetings on the same day: when a
    document names 第三十三次 with the date of the 第三十四次 meeting, which
    has the minutes, it belongs to the 34th.
    """
    by_day: dict[tuple[MeetingBody, int, dt.date], list[MeetingRef]] = {}
    for ref in drafts:
        if ref in dates:
            by_day.setdefault((ref.body, ref.term, dates[ref]), []).append(ref)
    for refs in by_day.values():
        if len(refs) < 2:
            continue
        refs.sort(key=lambda r: (drafts[r].core, len(drafts[r].documents)), reverse=True)
        keep = refs[0]
        for ref in refs[1:]:
            if drafts[ref].core:
                continue  # both have minutes or lists: trust the print
            for index in drafts[ref].documents:
                doc_meeting[index] = keep
                drafts[keep].documents.append(index)
                warnings.append(
                    ParseWarning(
                        doc_line.get(index),
                        "meeting_number_conflict",
                        f"文件所称第{ref.number}次会议与第{keep.number}次会议同日举行，按第{keep.number}次会议处理",
                    )
                )
            del drafts[ref]
            dates.pop(ref, None)
