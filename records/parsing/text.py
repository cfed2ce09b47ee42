"""Small text helpers shared by every stage of the parser.

Numerals, dates, layout-noise removal, person names and meeting references.
Nothing here knows about one particular gazette.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from .types import MeetingBody, MeetingRef, PersonName

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_DIGITS = "〇零一二两三四五六七八九"
CN_NUMERAL = r"[〇零一二两三四五六七八九十百千]+"
_CN_VALUE = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def cn_to_int(text: str) -> int | None:
    """Read a Chinese or Arabic numeral: 三十四 → 34, 十 → 10, 二〇三五 → 2035.

    Return None when the text is not a numeral.
    """
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(unicodedata.normalize("NFKC", text))
    if any(ch not in _CN_VALUE and ch not in _CN_UNIT for ch in text):
        return None
    if not any(ch in _CN_UNIT for ch in text):
        # A digit-by-digit reading, as in years: 二〇三五.
        return int("".join(str(_CN_VALUE[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _CN_VALUE:
            current = _CN_VALUE[ch]
        else:
            total += (current or 1) * _CN_UNIT[ch]
            current = 0
    return total + current


NUMBER = rf"(?:\d+|{CN_NUMERAL})"
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")


def parse_date(text: str) -> dt.date | None:
    """Return the first full date (YYYY年M月D日, spaces allowed) in text."""
    for match in DATE_RE.finditer(text):
        date = make_date(int(match[1]), int(match[2]), int(match[3]))
        if date is not None:
            return date
    return None


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """Build a date, or None when the printed values are impossible."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_MARKDOWN_HEADING_RE = re.compile(r"^\s*#{1,6}\s*")
_BULLET_RE = re.compile(r"^\s*[-*•·]\s+")
_BOLD_RE = re.compile(r"\*\*")
_CJK_SPACE_RE = re.compile(rf"(?<=[{CJK}\d（）()《》“”、，。：；])[ \u3000]+(?=[{CJK}\d（）()《》“”、，。：；])")


def strip_markup(line: str) -> str:
    """Remove what PDF converters add: #, **, leading bullets, trailing spaces."""
    line = _MARKDOWN_HEADING_RE.sub("", line)
    line = _BOLD_RE.sub("", line)
    line = _BULLET_RE.sub("", line)
    return line.strip()


def collapse_spaces(text: str) -> str:
    """Drop layout spaces between CJK characters and digits: 纪 要 → 纪要.

    Spaces next to Latin letters are kept (they separate words there).
    """
    text = text.replace("\u3000", " ").replace("\t", " ")
    return _CJK_SPACE_RE.sub("", text).strip()


def one_line_title(text: str) -> str:
    """Write a printed title as one line: markup and layout spaces removed."""
    return collapse_spaces(" ".join(strip_markup(part) for part in text.splitlines()))


def fold_for_matching(text: str) -> str:
    """Normalise a string for comparison only, never for storage."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s*#]+", "", text)
    for a, b in (("〈", "<"), ("〉", ">"), ("《", "<"), ("》", ">"), ("“", '"'),
                 ("”", '"'), ("‘", "'"), ("’", "'"), ("—", "-"), ("－", "-"),
                 ("〔", "["), ("〕", "]"), ("【", "["), ("】", "]")):  # fmt: skip
        text = text.replace(a, b)
    return text


# --- running heads ------------------------------------------------------------

_ISSUE_NUMERAL = rf"(?:\d{{1,4}}|{CN_NUMERAL})"
# Running heads and page numbers that some conversions leave inside the body:
# the gazette's name and issue (in either order), "— 12 —", "·12·", "第12页".
# The name must be a congress's or a government's gazette: a 统计公报 is a title.
# A bare "第4号" is not one: under a 公告 title it is the announcement's number.
_RH_NAME = rf"[{CJK}（）()]{{0,30}}(?:人民代表大会常务委员会|人大常委会|常委会|人民代表大会|人大|人民政府|政府)公报"
_RH_ISSUE = (
    rf"(?:(?:19|20)\d\d年(?:第{_ISSUE_NUMERAL}[号期])?|第{_ISSUE_NUMERAL}期)(?:[(（]?总第.{{1,6}}[号期][)）]?)?"
)
_RH_PAGE = r"(?:[-—–－·・•]+\d{1,4}[-—–－·・•]*|\d{1,4}[-—–－·・•]+|第\d{1,4}页)"
RUNNING_HEAD_RE = re.compile(
    rf"^(?:{_RH_NAME}(?:{_RH_ISSUE})?|{_RH_ISSUE}(?:{_RH_NAME})?|[(（]总第.{{1,6}}[号期][)）])$|^{_RH_PAGE}$"
)
_MAX_RUNNING_HEAD = 90
# Without the gazette's name, a running head starts with a year, 第, a bracket or a page number.
_RUNNING_HEAD_STARTS = frozenset("-—–－·・•0123456789０１２３４５６７８９第(（")
_PAGE_TOKEN_RE = re.compile(rf"^(?:{_RH_PAGE}|\d{{1,4}})$")


def is_running_head(text: str) -> bool:
    """True for a page number or a repeated gazette name/issue line in the body.

    A page number printed beside the name on the same line (``·12·　…公报``)
    is allowed at either end, when spaces separate it from the name.
    """
    if len(text) > _MAX_RUNNING_HEAD:
        return False
    if "公报" not in text and text.lstrip()[:1] not in _RUNNING_HEAD_STARTS:
        return False  # most lines: without the name, an issue or a page number first
    compact = "".join(text.split())
    if not compact:
        return False
    if RUNNING_HEAD_RE.match(compact):
        return True
    tokens = text.split()
    if len(tokens) < 2 or "公报" not in compact:
        return False
    for k in range(1, min(4, len(tokens))):  # "— 12 —" splits into three tokens
        if _PAGE_TOKEN_RE.match("".join(tokens[:k])) and RUNNING_HEAD_RE.match("".join(tokens[k:])):
            return True
        if _PAGE_TOKEN_RE.match("".join(tokens[-k:])) and RUNNING_HEAD_RE.match("".join(tokens[:-k])):
            return True
    return False


# --- person names -----------------------------------------------------------

_ANNOTATION_RE = re.compile(r"[(（]([^()（）]{1,12})[)）]\s*$")
_ETHNICITY_RE = re.compile(rf"^[{CJK}]{{1,5}}族$")
NAME_RE = re.compile(rf"^[{CJK}·]{{2,6}}$")


def parse_person(cell: str, *, line: int | None = None, title: str | None = None) -> PersonName | None:
    """Read one printed name cell: 车轲轶(女,满族) → name, gender, ethnicity.

    Return None when the cell holds no name.
    """
    text = collapse_spaces(strip_markup(cell)).replace(" ", "")
    gender = ethnicity = note = None
    annotation = _ANNOTATION_RE.search(text)
    if annotation:
        text = text[: annotation.start()]
        for part in re.split(r"[,，、]", annotation[1]):
            part = part.strip()
            if part in ("女", "男"):
                gender = part
            elif _ETHNICITY_RE.match(part):
                ethnicity = part
            elif part:
                note = part
    if not NAME_RE.match(text):
        return None
    return PersonName(name=text, gender=gender, ethnicity=ethnicity, note=note, title=title, line=line)


def split_name_run(text: str) -> list[str]:
    """Split a space-separated run of names, re-pairing padded 2-character names.

    ``胡传新 李 红`` → ``["胡传新", "李红"]``: layout pads 2-character names to
    the width of three, so a run of single characters is read in pairs.
    """
    tokens = [t for t in re.split(r"[ \u3000\t]+", text.strip()) if t]
    names: list[str] = []
    singles: list[str] = []
    for token in tokens:
        bare = _ANNOTATION_RE.sub("", token)
        if len(bare) == 1:
            singles.append(token)
            if len(singles) == 2:
                names.append("".join(singles))
                singles = []
            continue
        if singles:
            names.append("".join(singles))
            singles = []
        names.append(token)
    if singles:
        names.append("".join(singles))
    return names


# --- meetings ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MeetingMention:
    """A meeting named in the text, with where the name stands."""

    ref: MeetingRef
    start: int
    end: int
    sub_meeting: str = ""  # 预备会议, 主席团第三次会议, 第一次全体会议 …


_TERM = rf"第?\s*(?P<term>{NUMBER})\s*届"
_SC = r"(?:人民代表大会常务委员会|人大常委会|常委会)"
_CONGRESS = r"(?:人民代表大会|人大)"
MEETING_RE = re.compile(
    rf"{_TERM}\s*(?:(?P<sc>{_SC})|(?P<cg>{_CONGRESS}))\s*第?\s*(?P<num>{NUMBER})\s*次\s*(?:会议)?"
    rf"(?P<sub>(?:主席团)?第\s*{NUMBER}\s*次(?:全体)?会议|预备会议)?"
)


# Characters that end a word before a place's level char but are never the
# last character of a place name: 召开了|县十八届, 根据|县人民政府提请.
_FUNCTION_CHARS = frozenset("了在于的是由经和及与开过为对向将把被从到据照依请报并同称见附即至召举按")


def own_level(prefix: str, region: str) -> bool:
    """True when ``prefix`` ends in the region's own level printed bare.

    A county's gazette calls its own bodies 县十八届人大常委会, 县人民政府:
    the bare 县 (区, 旗 …) is the region itself, while 东江区 or 河口县 name
    another place. ``prefix`` is the text before the body's name.
    """
    if not prefix or not region or prefix[-1] != region[-1]:
        return False
    if len(prefix) == 1:
        return True
    before = prefix[-2]
    return before in _FUNCTION_CHARS or not ("\u3400" <= before <= "\u9fff")


def find_meetings(text: str) -> list[MeetingMention]:
    """Find every 第N届…第N次会议 mention, in any of its printed forms.

    ``市十四届人大常委会第二十二次会议``, ``营口市第十七届人民代表大会第三次会议``,
    ``市十四届人大五次会议`` and a term inherited across ``、`` are all read.
    Provincial meetings (省…) are skipped: they are not this portal's bodies.
    """
    text = collapse_spaces(text)
    mentions: list[MeetingMention] = []
    for match in MEETING_RE.finditer(text):
        prefix = text[max(0, match.start() - 4) : match.start()]
        if "省" in prefix or "全国" in prefix:
            continue
        term = cn_to_int(match["term"])
        number = cn_to_int(match["num"])
        if term is None or number is None or not (0 < term < 100 and 0 < number < 1000):
            continue
        body: MeetingBody = "standing_committee" if match["sc"] else "congress"
        sub = re.sub(r"\s+", "", match["sub"] or "")
        mentions.append(MeetingMention(MeetingRef(body, term, number), match.start(), match.end(), sub))
    return mentions


def find_meeting(text: str) -> MeetingRef | None:
    """Return the first meeting named in text, or None."""
    mentions = find_meetings(text)
    return mentions[0].ref if mentions else None


# --- 文号 ----------------------------------------------------------------------

DOC_NUMBER_RE = re.compile(
    rf"(?P<prefix>[{CJK}]{{1,10}})\s*[〔\[［(（【]\s*(?P<year>\d{{4}})\s*[〕\]］)）】]\s*(?P<seq>\d{{1,5}})\s*号"
)


def normalise_doc_number(prefix: str, year: str, seq: str) -> str:
    """Write a 文号 in its standard form: 葫政发〔2020〕6号."""
    return f"{prefix}〔{year}〕{int(seq)}号"


# --- paragraphs and sentences (shared by the record extractors) ---------------

@dataclass(frozen=True, slots=True)
class Paragraph:
    """Consecutive source lines read as one paragraph, layout spaces removed."""

    first_line: int
    last_line: int
    text: str


# A line ending in one of these closes its sentence: a following line after a
# blank is a new paragraph, not the other half of a page seam.
_TERMINAL = frozenset("。！？；：:;!?）)】〕」』”’…")
# A line starting with one of these continues the previous sentence whatever
# its length (the page broke right before a comma or a closing bracket).
_CONTINUATION_START = frozenset("，、。；：,;:）)》〉”’")
# Numbered headings, article labels and anchors start a paragraph of their own.
_PARAGRAPH_START_RE = re.compile(
    rf"^(?:[(（]|——|第\s*{CN_NUMERAL}\s*[条章节]|{CN_NUMERAL}、|[(（]{CN_NUMERAL}[)）]|\d+\s*[.．、]|附件)"
)
_SEAM_MIN_LENGTH = 30  # a page seam follows a full-width line; short lines end there


def _bracket_open(text: str) -> bool:
    """True when text opens more round brackets than it closes (a wrapped anchor)."""
    return text.count("(") + text.count("（") > text.count(")") + text.count("）")


_HARD_WRAP_MIN = 16  # lines this long may be the full width of a narrow column
_HARD_WRAP_EVIDENCE = 3  # lines of one width before it counts as the column width


def _line_step(items: Sequence[tuple[int, str, bool]]) -> int:
    """1 for text printed line after line, 2 when a converter put a blank line after every line."""
    single = double = 0
    for (number, _t, _r), (nxt, _t2, _r2) in pairwise(items):
        if nxt == number + 1:
            single += 1
        elif nxt == number + 2:
            double += 1
    return 2 if double > 2 * single else 1


def _column_width(items: Sequence[tuple[int, str, bool]], step: int = 1) -> int | None:
    """The width a hard-wrapping converter cut the lines at, if it did.

    Counted over lines followed directly (no blank line) by more text that
    end without punctuation: when several have the same length, that length
    is the column width (a line one or two shorter still fills the column:
    its first line is indented, or it ends before a pushed-back comma).
    """
    counts: dict[int, int] = {}
    for (number, text, row), (nxt, _text, nxt_row) in pairwise(items):
        if row or nxt_row or nxt != number + step or len(text) < _HARD_WRAP_MIN or text[-1] in _TERMINAL:
            continue
        counts[len(text)] = counts.get(len(text), 0) + 1
    if not counts:
        return None
    width, seen = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    # Lines of one width by coincidence (headings, names) are a few among
    # many; a converter's column holds most of the lines that run on.
    near = seen + counts.get(width - 1, 0) + counts.get(width + 1, 0)
    if seen < _HARD_WRAP_EVIDENCE or near * 2 < sum(counts.values()):
        return None
    # The column is the widest a line gets: lines running past it are paragraphs
    # the converter did not wrap, and the lines of one width are headings.
    longer = sum(1 for _number, text, row in items if not row and len(text) > width + 2)
    return width if longer * 2 <= near else None


def join_paragraphs(lines: Sequence[tuple[int, str]], indents: frozenset[int] = frozenset()) -> list[Paragraph]:
    """Read numbered lines as paragraphs, rejoining the halves of page seams.

    ``lines`` are ``(line number, text)`` pairs in order, blank lines included.
    A TAB row is a paragraph of its own, its cells still separated by TABs.
    A line continues the previous one (across blank lines) when the page broke
    mid-sentence: the previous line is long and ends without terminal
    punctuation, or it ends in ``，``/``、``, or it is an anchor whose bracket or
    ``——`` subtitle is still open, or the next line starts with punctuation.
    Hard-wrapped text (lines cut at a fixed column, no blank line between)
    is rejoined too: a line that fills the column continues on the next, and
    where paragraphs open with an indent (``indents``: the numbers of the
    lines printed indented) an unindented line continues the one above.
    TAB rows (tables) are never joined. The text of a paragraph has its layout
    spaces removed (``collapse_spaces``).
    """
    paragraphs: list[Paragraph] = []
    first = last = 0
    parts: list[str] = []
    joined_lines = 0
    items = [
        (number, "\t".join(collapse_spaces(c) for c in raw.strip().split("\t")) if "\t" in raw.strip() else collapse_spaces(raw), "\t" in raw.strip())
        for number, raw in lines
        if raw.strip()
    ]
    step = _line_step(items)
    wrap = _Wrap(_column_width(items, step), len(indents) >= _HARD_WRAP_EVIDENCE, indents, step)

    def flush() -> None:
        nonlocal parts, joined_lines
        if parts:
            paragraphs.append(Paragraph(first, last, "".join(parts)))
        parts = []
        joined_lines = 0

    # A table row keeps its TABs between cells (a name and a post must not merge).
    for number, text, is_row in items:
        if parts and not is_row and _continues(parts, text, joined_lines, wrap, last, number):
            parts.append(text)
            last = number
            joined_lines += 1
            continue
        flush()
        first = last = number
        parts = [text]
        if is_row:
            flush()
    flush()
    return paragraphs


@dataclass(frozen=True, slots=True)
class _Wrap:
    """What a document's layout says about hard-wrapped lines."""

    width: int | None  # the column width, when lines are cut at one
    indented: bool  # paragraphs open with an indent
    indents: frozenset[int]
    step: int = 1  # 2 when every line is followed by a blank line


_NO_WRAP = _Wrap(None, False, frozenset())


def _continues(
    parts: list[str], text: str, joined_lines: int, wrap: _Wrap = _NO_WRAP, previous_line: int = 0, line: int = 0
) -> bool:
    """Whether ``text`` (on ``line``) is the second half of the paragraph in ``parts``.

    ``wrap`` tells how the document is laid out; ``previous_line`` is the
    number of the last line of ``parts``.
    """
    if joined_lines >= 200:  # a runaway join means the heuristic is wrong here
        return False
    previous = parts[-1]
    opened = parts[0]
    if line in wrap.indents:
        return False  # an indented line opens a paragraph
    if text[0] in _CONTINUATION_START:
        return True
    if _PARAGRAPH_START_RE.match(text):
        return False
    if joined_lines < 2 and opened[:1] in "(（" and _bracket_open("".join(parts)):
        return True
    if opened.startswith("——"):
        # A subtitle continues only until its closing 上 (——…在…会议上).
        return joined_lines < 2 and not previous.endswith("上")
    if previous[-1] in _TERMINAL:
        return False
    if previous[-1] in "，、,":
        return True
    if len(previous) >= _SEAM_MIN_LENGTH:
        return True
    if wrap.width is not None and len(previous) >= wrap.width - 2:
        return True  # the line fills the column: the sentence goes on
    adjacent = line == previous_line + wrap.step  # no blank line between (beyond the layout's own)
    return adjacent and wrap.indented and len(previous) >= _HARD_WRAP_MIN // 2


_TITLE_SPAN_RE = re.compile(r"《[^《》]*》")


def mask_titles(text: str, fill: str = "□") -> str:
    """Blank out everything inside 《…》 (same length, so offsets survive).

    Titles quote other documents (``《关于提请免去X职务的议案》``); patterns that
    read decisions must not see the words inside them. Nested titles use 〈〉
    inside 《》 and are covered by the outer pair.
    """
    if "《" not in text:
        return text
    return _TITLE_SPAN_RE.sub(lambda m: "《" + fill * (len(m[0]) - 2) + "》", text)


_OPENERS = {"《": "》", "（": "）", "(": ")", "“": "”", "〈": "〉", "「": "」"}


def first_sentence(text: str) -> str:
    """The text up to its first 。 that is not inside brackets or quotes."""
    stack: list[str] = []
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch == "。" and not stack:
            return text[:i]
        if len(stack) > 20:  # unbalanced text: give up on nesting
            stack.clear()
    return text


def split_outside_brackets(text: str, separators: str) -> list[str]:
    """Split on any of ``separators`` that is not inside brackets or quotes."""
    parts: list[str] = []
    stack: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch in separators and not stack:
            parts.append(text[start:i])
            start = i + 1
        if len(stack) > 20:
            stack.clear()
    parts.append(text[start:])
    return parts


# Words that a 2-4 character run can spell without being a person's name.
_NOT_NAMES = frozenset(
    {
        "根据", "同志", "决定", "会议", "任命", "免去", "免除", "批准", "接受", "通过", "审议",
        "选举", "主任", "委员", "主席", "主席团", "秘书长", "副主任", "副秘书长", "名单", "人员",
        "代表", "成员", "出席", "列席", "请假", "缺席", "执行主席", "常务主席", "市长", "副市长",
        "以上", "其中", "合计", "总计", "共计", "序号", "姓名", "职务", "单位", "备注", "附件",
        "目录", "说明", "报告", "通知", "公告",
    }
)  # fmt: skip
# Characters that never occur in a name but often next to one in prose.
_NAME_STOP_CHARS = frozenset("的了们这那该、，。；：,;:（）()《》“”")
PERSON_NAME_RE = re.compile(rf"^[{CJK}]{{2,4}}$|^[{CJK}]{{1,6}}·[{CJK}·]{{1,10}}$")


def is_person_name(text: str) -> bool:
    """A plausible personal name: 2-4 CJK characters (or a ·-joined name)."""
    return (
        bool(PERSON_NAME_RE.match(text))
        and text not in _NOT_NAMES
        and not any(ch in _NAME_STOP_CHARS for ch in text)
    )


_CN_DATE_RE = re.compile(r"([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")


def arabic_dates(text: str) -> str:
    """Write full dates in Chinese numerals with Arabic digits, for matching.

    ``二〇二一年七月三日`` → ``2021年7月3日``; formal documents print dates
    either way, the date patterns read only the second.
    """
    if "〇" not in text and "零" not in text:
        return text

    def arabic(match: re.Match[str]) -> str:
        year, month, day = (cn_to_int(match[i]) for i in (1, 2, 3))
        if year is None or month is None or day is None:
            return match[0]
        return f"{year}年{month}月{day}日"

    return _CN_DATE_RE.sub(arabic, text)
