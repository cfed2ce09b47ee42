"""Small text helpers shared by every stage of the parser.

Numerals, dates, layout-noise removal, person names and meeting references.
Nothing here knows about one particular gazette.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

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
