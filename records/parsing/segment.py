"""Article boundaries in the body.

The table of contents is the ordered inventory of the body. Every TOC title
is aligned with a *title candidate* in the body (1 to 4 consecutive short
lines) by a global monotone alignment that maximises the summed
character-bigram Dice score. A greedy "next best match" drifts on repeated
titles (two 公告, two 辞呈) and on signature lines that look like titles;
the global alignment does not.

Each matched start is then extended backwards over a red header and 文号
(government documents) and over an organ line printed above a ``关于…``
title; the lines after the title that describe it (subtitle, adoption line,
date line, meeting parenthetical, number line, speaker and author lines) are
its *anchors*, and the body starts after them. An article ends where the
next one starts, so a trailing signature block stays with its article.

Without a TOC the articles are found by their anchors alone, by a 文号 line
above a title, and by titles ending in a document word (…纪要, …的决定) that
stand where an article can start (after a closed sentence or a signature
date, before an anchor, an addressee or a dated first sentence). A title
line may carry its own adoption line (``…任免名单（2022年9月27日…通过）``);
running heads and page numbers count as blank lines; rows printed in
columns (``王　涛　　…局长``) are never title lines.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from heapq import heappop, heappush, nsmallest
from itertools import chain

from .frontmatter import RED_HEADER_RE, is_masthead_line, tight
from .lines import Line
from .text import CJK, CN_NUMERAL, DOC_NUMBER_RE
from .types import ParseWarning, TocEntry

# --- line shapes, applied to the text without spaces ------------------------------

_DASHES = r"(?:——|―{1,2}|－{2}|-{2}|—)"
_SUBTITLE_RE = re.compile(rf"^{_DASHES}(?P<rest>.+)$")
_DASH_CHARS = frozenset("—―－-")
# A full date in Arabic (2021年7月3日) or Chinese numerals (二〇二一年七月三日).
_CN_DIGITS = "〇零○一二三四五六七八九"
DATE_PATTERN = rf"(?:\d{{4}}|[{_CN_DIGITS}]{{4}})年(?:\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})日"
_LEADING_DATE_RE = re.compile(rf"^{DATE_PATTERN}")
_ADOPTION_RE = re.compile(rf"^[(（]{DATE_PATTERN}(?P<rest>[^()（）]*)(?P<close>[)）])?$")
_ADOPTION_VERB_RE = re.compile(r"通过|批准|公布|发布|修正|修订|施行|印发|审议|备案")
DATE_ONLY_RE = re.compile(r"^[(（](?P<y>\d{4})年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?[)）]$")
# A title with its adoption line printed on the same line:
# 西山区人民代表大会常务委员会任免名单（2022年9月27日…会议通过）
INLINE_ADOPTION_RE = re.compile(
    rf"^(?P<title>.{{4,}}?)(?P<paren>[(（]{DATE_PATTERN}[^()（）]{{4,}}?(?:通过|批准|修正|修订)[^()（）]{{0,8}}[)）])$"
)


def strip_inline_adoption(text: str) -> str:
    """A title line without the adoption parenthetical printed after it."""
    if text[-1:] not in ")）":
        return text
    match = INLINE_ADOPTION_RE.match(text)
    return match["title"] if match else text


_MEETING_PAREN_RE = re.compile(r"^[(（](?!\d{4}年)[^()（）]{2,40}(?:会议|大会)[)）]$")
_NUMBER_LINE_RE = re.compile(
    rf"^(?:〔[^〕]{{1,8}}〕)?第(?:{CN_NUMERAL}|\d+)号$|^[(（]第(?:{CN_NUMERAL}|\d+)号[)）]$"
)
DOC_NUMBER_LINE_RE = re.compile(
    rf"^[(（]?(?:{DOC_NUMBER_RE.pattern})[)）]?(?:签发人[:：][{CJK}]{{2,4}})?$"
)
SIGN_DATE_RE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
CN_SIGN_DATE_RE = re.compile(
    rf"^(?P<y>[{_CN_DIGITS}]{{4}})年(?P<m>[一二三四五六七八九十]{{1,2}})月(?P<d>[一二三四五六七八九十]{{1,3}})日$"
)
_DISCLOSURE_RE = re.compile(r"^[(（]此件.{1,12}[)）]$")
_SPEAKER_TITLE = r"(?:主任委员|副主任|主任|副市长|市长|副局长|局长|院长|检察长|秘书长|书记|部长|主席|县长|区长|厅长|委员|组长|理事长|处长)"
SPEAKER_RE = re.compile(
    rf"^(?P<title>[{CJK}、“”（）()]{{2,40}}?{_SPEAKER_TITLE})\s+(?P<name>[{CJK}](?:\s?[{CJK}]){{1,3}})$"
)
_SPEAKER_MORE_RE = re.compile(rf"^[{CJK}、]{{2,24}}{_SPEAKER_TITLE}$")
ORGAN_LINE_RE = re.compile(
    rf"^(?!关于)[{CJK}（）()、]{{1,40}}?"
    r"(?:人民代表大会常务委员会|人民代表大会|人大常委会|常委会|人民政府|政府|办公室|办公厅|委员会|"
    r"主任会议|主席团|工作组|工委|法院|检察院|局|院|厅|部|委|办|署|中心|小组)$"
)
_ADDRESSEE_MAX = 80
# Two or more spaces (or ideographic spaces) between columns of a row.
_COLUMN_GAP_RE = re.compile(r"(?:\u3000| ){2,}")
# A person in a name list: 高洪涛(兼), 车轲轶（女，满族）.
_ANNOTATED_NAME_RE = re.compile(rf"^[{CJK}·]{{2,5}}[(（][^()（）]{{1,8}}[)）]$")
_NUMBERED_RE = re.compile(
    rf"^(?:{CN_NUMERAL}[、.．]|[(（](?:{CN_NUMERAL}|\d+)[)）]|\d+[、.．](?!\d)|"
    rf"第(?:{CN_NUMERAL}|\d+)(?:部分|章|条|节)|[①-⑳]|附件|附[:：])"
)
_NON_TITLE_END = frozenset("。；，！？;,!?：:、")
_MAX_TITLE_CHARS = 130  # single-line titles reach about 100 characters
_MAX_TITLE_LINES = 4
_MAX_BLANKS_IN_TITLE = 2
_TRAILING_BRACKETS_RE = re.compile(r"[(（][^()（）]{1,24}[)）]$")
_TOC_LEADER_RE = re.compile(r"[·…⋯‥]{2,}|\.{4,}")  # a TOC line, not a title
# Matching ignores spaces, punctuation, markup and bracket shapes; the dashes
# of ranges (1—6, 1-6) are unified. Applied after NFKC, in one translate().
_MATCH_TABLE = str.maketrans(
    {**{ch: None for ch in " \t\u3000*#<>\"'、，,。.：:；;·()[]{}!！?？…《》〈〉“”‘’〔〕【】「」『』"},
     "—": "-", "－": "-", "–": "-"}
)

# --- scoring ------------------------------------------------------------------

SURE_SCORE = 0.85  # above this a TOC title and a candidate are the same article
MIN_SCORE = 0.6  # between the two, only when both end in the same word
_ANCHOR_BONUS = 0.05
_SIGNATURE_PENALTY = 0.15  # a one-line "title" followed by a date is a signature
_SEAM_PENALTY = 0.1  # a "title" right after a broken sentence is its continuation
_MAX_PAIRS_PER_ENTRY = 48  # bounds the alignment on pathological repetition
_POSTING_BUDGET = 1200  # line postings counted per TOC entry when looking for its title
_NEAR_BEST = 0.25
_COMMON_POSTING = 40  # lines holding a bigram before it counts as common
_MIN_SHARED_FRACTION = 0.35


@dataclass(frozen=True, slots=True)
class Anchor:
    """A line (or wrapped lines) that describes an article's title."""

    kind: str  # subtitle | adoption | date_only | meeting | number | doc_number | red_header | speaker | organ
    first: int  # index into the lines
    last: int
    text: str  # joined, without spaces


@dataclass(frozen=True, slots=True)
class Segment:
    """One article of the body, as indexes into the file's lines."""

    start: int  # first line (red header, 文号, organ line or title)
    end: int  # index after the last non-blank line
    title: tuple[int, ...]  # the lines that make up the printed title
    body_start: int  # first line after the title block and its anchors
    anchors: tuple[Anchor, ...] = ()
    toc: int | None = None  # index into the TOC entries
    score: float = 0.0  # Dice score of the TOC match


@dataclass(frozen=True, slots=True)
class Segmentation:
    segments: tuple[Segment, ...]
    warnings: tuple[ParseWarning, ...]


# --- line classification ---------------------------------------------------------


class _Shapes:
    """Cached tight texts and shape tests for the lines of one file."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = lines
        # Running heads and page numbers count as blank: a title, its anchors
        # and a sentence broken at a page continue across them.
        self.tight = [tight(line.text) for line in lines]
        self.tight = ["" if line.running_head else t for t, line in zip(self.tight, lines, strict=True)]
        self.nonblank = [i for i, t in enumerate(self.tight) if t]
        self._anchor: list[bool | None] = [None] * len(lines)

    def next_nonblank(self, index: int, limit: int | None = None) -> int | None:
        """The first non-blank index after index (before limit), or None."""
        pos = bisect_right(self.nonblank, index)
        if pos < len(self.nonblank):
            found = self.nonblank[pos]
            if limit is None or found < limit:
                return found
        return None

    def prev_nonblank(self, index: int, floor: int = 0) -> int | None:
        """The last non-blank index before index (not below floor), or None."""
        pos = bisect_right(self.nonblank, index - 1) - 1
        if pos >= 0 and self.nonblank[pos] >= floor:
            return self.nonblank[pos]
        return None

    def gap(self, a: int, b: int) -> int:
        """Blank lines between a and b."""
        return b - a - 1

    # individual shapes

    def titleish(self, i: int) -> bool:
        text = self.tight[i]
        # The raw line keeps the trailing TABs of a table row's empty cells.
        return (
            bool(text)
            and "\t" not in self.lines[i].raw
            and len(text) <= _MAX_TITLE_CHARS
            and text[-1] not in _NON_TITLE_END
            and not self.columns(i)
        )

    def columns(self, i: int) -> bool:
        """A row printed in columns with spaces (王　涛　　…局长), not a title line.

        Letter-spacing (纪　要, 目　　录) is not columns: its runs are single characters.
        """
        text = self.lines[i].text
        if "  " not in text and "\u3000" not in text:
            return False
        cells = [c for c in _COLUMN_GAP_RE.split(text) if c]
        if len(cells) < 2:
            return False
        words = [c for c in cells if len("".join(c.split())) >= 2]
        return len(words) >= 2

    def subtitle_start(self, i: int) -> bool:
        text = self.tight[i]
        if not text or text[0] not in _DASH_CHARS:
            return False
        match = _SUBTITLE_RE.match(text)
        if not match or "。" in match["rest"]:
            return False
        rest = match["rest"]
        return bool(_LEADING_DATE_RE.match(rest)) or ("在" in rest and ("会议" in rest or "大会" in rest))

    def _parenthesised(self, i: int) -> bool:
        text = self.tight[i]
        return bool(text) and text[0] in "(（"

    def adoption_start(self, i: int) -> bool:
        return self._parenthesised(i) and bool(_ADOPTION_RE.match(self.tight[i])) and not DATE_ONLY_RE.match(self.tight[i])

    def date_only(self, i: int) -> bool:
        return self._parenthesised(i) and bool(DATE_ONLY_RE.match(self.tight[i]))

    def meeting_paren(self, i: int) -> bool:
        return self._parenthesised(i) and bool(_MEETING_PAREN_RE.match(self.tight[i]))

    def number_line(self, i: int) -> bool:
        text = self.tight[i]
        return "号" in text[-2:] and bool(_NUMBER_LINE_RE.match(text))

    def doc_number_line(self, i: int) -> bool:
        text = self.tight[i]
        return len(text) <= 40 and "号" in text and bool(DOC_NUMBER_LINE_RE.match(text))

    def red_header(self, i: int) -> bool:
        text = self.tight[i]
        return len(text) <= 34 and text.endswith("文件") and bool(RED_HEADER_RE.match(text))

    def sign_date(self, i: int) -> bool:
        text = self.tight[i]
        return 8 <= len(text) <= 16 and text[-1] == "日" and bool(SIGN_DATE_RE.match(text) or CN_SIGN_DATE_RE.match(text))

    def disclosure(self, i: int) -> bool:
        return self._parenthesised(i) and bool(_DISCLOSURE_RE.match(self.tight[i]))

    def speaker(self, i: int) -> bool:
        text = self.lines[i].text
        return (" " in text or "\u3000" in text) and bool(SPEAKER_RE.match(text.replace("\u3000", " ")))

    def organ(self, i: int) -> bool:
        text = self.tight[i]
        return len(text) <= 40 and "的" not in text and bool(ORGAN_LINE_RE.match(text))

    def sign_date_follows(self, i: int, limit: int) -> bool:
        """True when the next line is a date: i is a signature, not an author."""
        nxt = self.next_nonblank(i, limit)
        return nxt is not None and self.sign_date(nxt)

    def addressee(self, i: int) -> bool:
        text = self.tight[i]
        return bool(text) and text[-1] in "：:" and len(text) <= _ADDRESSEE_MAX and "。" not in text

    def numbered(self, i: int) -> bool:
        return bool(_NUMBERED_RE.match(self.tight[i]))

    def anchor_line(self, i: int) -> bool:
        """Any line that describes a title rather than being part of it."""
        cached = self._anchor[i]
        if cached is None:
            cached = self._anchor[i] = self._anchor_line(i)
        return cached

    def _anchor_line(self, i: int) -> bool:
        return (
            self.subtitle_start(i)
            or self.adoption_start(i)
            or self.date_only(i)
            or self.doc_number_line(i)
            or self.red_header(i)
            or self.sign_date(i)
            or self.disclosure(i)
            or self.speaker(i)
        )

    def candidate_start(self, i: int) -> bool:
        text = self.tight[i]
        return (
            self.titleish(i)
            and text[0] not in "(（"
            and not self.numbered(i)
            and not self.anchor_line(i)
            and not self.meeting_paren(i)
            and not self.number_line(i)
            and not is_masthead_line(text)
            and not _TOC_LEADER_RE.search(text)
        )

    def candidate_next(self, i: int) -> bool:
        """A line that may continue a title (meeting/number lines may)."""
        return (
            self.titleish(i)
            and not self.anchor_line(i)
            and not self.numbered(i)
            and not _ANNOTATED_NAME_RE.match(self.tight[i])
        )

    def prose_before(self, i: int) -> bool:
        """True when the line before i is a sentence broken at a page seam."""
        prev = self.prev_nonblank(i)
        if prev is None:
            return False
        text = self.tight[prev]
        return (
            len(text) >= 30
            and "\t" not in self.lines[prev].text
            and text[-1] not in _NON_TITLE_END
            and text[-1] not in "）)”》"
            and ("，" in text or "。" in text)
        )


def _match_key(text: str) -> str:
    """A title folded for comparison: no spaces, punctuation or bracket widths."""
    return unicodedata.normalize("NFKC", text).translate(_MATCH_TABLE)


def _bigrams(key: str) -> frozenset[str]:
    if len(key) < 2:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i : i + 2] for i in range(len(key) - 1))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


# --- candidates and anchors ----------------------------------------------------------


def _candidate_lines(shapes: _Shapes, start: int, limit: int) -> list[int]:
    """The lines of the longest title candidate starting at start."""
    found = [start]
    current = start
    while len(found) < _MAX_TITLE_LINES:
        nxt = shapes.next_nonblank(current, limit)
        if nxt is None or shapes.gap(current, nxt) > _MAX_BLANKS_IN_TITLE or not shapes.candidate_next(nxt):
            break
        found.append(nxt)
        current = nxt
    return found


def _joined_anchor(shapes: _Shapes, index: int, limit: int, complete: re.Pattern[str]) -> int:
    """Last line of an anchor that may wrap onto the next line (or two)."""
    text = shapes.tight[index]
    last = index
    for _ in range(2):
        if complete.search(text):
            break
        nxt = shapes.next_nonblank(last, limit)
        if nxt is None or shapes.gap(last, nxt) > _MAX_BLANKS_IN_TITLE:
            break
        more = shapes.tight[nxt]
        if not shapes.titleish(nxt) and not more.endswith(("）", ")")):
            break
        if len(more) > 60 or shapes.numbered(nxt) or shapes.anchor_line(nxt):
            break
        text += more
        last = nxt
    return last


_SUBTITLE_END_RE = re.compile(r"(?:上|讲话|发言|报告|致辞|[)）])$")
_ADOPTION_END_RE = re.compile(r"[)）]$")


def _anchor_at(shapes: _Shapes, i: int, limit: int) -> Anchor | None:
    """The anchor starting at line i, or None."""
    if shapes.subtitle_start(i):
        last = _joined_anchor(shapes, i, limit, _SUBTITLE_END_RE)
        return Anchor("subtitle", i, last, "".join(shapes.tight[i : last + 1]))
    if shapes.adoption_start(i):
        last = _joined_anchor(shapes, i, limit, _ADOPTION_END_RE)
        text = "".join(shapes.tight[i : last + 1])
        if _ADOPTION_VERB_RE.search(text):
            return Anchor("adoption", i, last, text)
        return None
    for kind, test in (
        ("date_only", shapes.date_only),
        ("meeting", shapes.meeting_paren),
        ("number", shapes.number_line),
        ("doc_number", shapes.doc_number_line),
    ):
        if test(i):
            return Anchor(kind, i, i, shapes.tight[i])
    if shapes.speaker(i):
        last = i
        nxt = shapes.next_nonblank(i, limit)
        # A speaker's second post, printed on its own line (…主任委员).
        if nxt is not None and nxt - i <= 2 and _SPEAKER_MORE_RE.match(shapes.tight[nxt]):
            last = nxt
        return Anchor("speaker", i, last, "".join(shapes.tight[i : last + 1]))
    return None


def _scan_header(shapes: _Shapes, after: int, limit: int) -> tuple[list[Anchor], int]:
    """Anchors after a title's last line; returns them and the body start."""
    anchors: list[Anchor] = []
    i = after
    steps = 0
    while steps < 10:
        nxt = shapes.next_nonblank(i, limit)
        if nxt is None:
            return anchors, limit
        anchor = _anchor_at(shapes, nxt, limit)
        if anchor is None and shapes.organ(nxt) and not shapes.sign_date_follows(nxt, limit):
            anchor = Anchor("organ", nxt, nxt, shapes.tight[nxt])
        if anchor is None:
            return anchors, nxt
        anchors.append(anchor)
        i = anchor.last
        steps += 1
    nxt = shapes.next_nonblank(i, limit)
    return anchors, nxt if nxt is not None else limit


def _extend_start(shapes: _Shapes, title: list[int], floor: int) -> tuple[int, list[int]]:
    """Extend an article backwards over an organ line, 文号 and red header.

    Returns the new start and the (possibly longer) title lines.
    """
    start = title[0]
    if shapes.tight[start].startswith("关于"):
        prev = shapes.prev_nonblank(start, floor)
        if prev is not None and shapes.gap(prev, start) <= _MAX_BLANKS_IN_TITLE and shapes.organ(prev):
            title = [prev, *title]
            start = prev
    # The red header and 文号 of a government document stand above its title.
    cursor = start
    for _ in range(3):
        prev = shapes.prev_nonblank(cursor, floor)
        if prev is None or not (shapes.doc_number_line(prev) or shapes.red_header(prev)):
            break
        cursor = prev
    return cursor, title


_PLACE_RE = re.compile(rf"^[{CJK}]{{2,8}}?(?:省|市|州|县|区|旗|盟)")


def _names_same_place(upper: str, lower: str) -> bool:
    """Both lines open with the same place name: 南坪市…办公室 / 南坪市…公告."""
    place = _PLACE_RE.match(upper)
    return place is not None and lower.startswith(place[0])


def _trim_title(shapes: _Shapes, title: list[int]) -> list[int]:
    """Cut a candidate at its first anchor line and drop an author line below.

    An organ line above a title that names its organ again is not part of
    it (the compiler printed under the masthead, a signature): only a
    ``关于…`` title or the rest of a broken name continues an organ line.
    """
    while (
        len(title) >= 2
        and shapes.organ(title[0])
        and not shapes.tight[title[1]].startswith("关于")
        and _names_same_place(shapes.tight[title[0]], shapes.tight[title[1]])
    ):
        title = title[1:]
    kept: list[int] = []
    for i in title:
        if kept and (shapes.meeting_paren(i) or shapes.number_line(i)):
            break
        kept.append(i)
    if len(kept) >= 2 and shapes.organ(kept[-1]) and any(shapes.tight[i].startswith("关于") for i in kept[:-1]):
        kept.pop()
    return kept


def _end_of(shapes: _Shapes, start: int, limit: int) -> int:
    """Index after the last non-blank line before limit (at least start + 1)."""
    prev = shapes.prev_nonblank(limit, start)
    return (prev + 1) if prev is not None else start + 1


_Start = tuple[int, list[int], int | None, float]  # start, title lines, TOC index, score


def _build_segments(shapes: _Shapes, starts: Sequence[_Start], n: int) -> list[Segment]:
    """Turn (start, title lines, toc index, score) tuples into segments."""
    segments: list[Segment] = []
    starts = sorted(starts, key=lambda item: item[0])
    for position, (start, title, toc_index, score) in enumerate(starts):
        limit = starts[position + 1][0] if position + 1 < len(starts) else n
        title = [i for i in title if i < limit]
        if not title:  # two starts on one line: the first one wins
            continue
        anchors, body_start = _scan_header(shapes, title[-1], limit)
        inline = INLINE_ADOPTION_RE.match(shapes.tight[title[-1]])
        if inline:
            anchors.insert(0, Anchor("adoption", title[-1], title[-1], inline["paren"]))
        before = [
            Anchor("red_header" if shapes.red_header(i) else "doc_number", i, i, shapes.tight[i])
            for i in range(start, title[0])
            if shapes.tight[i] and (shapes.red_header(i) or shapes.doc_number_line(i))
        ]
        segments.append(
            Segment(
                start=start,
                end=_end_of(shapes, start, limit),
                title=tuple(title),
                body_start=min(body_start, limit),
                anchors=tuple(before + anchors),
                toc=toc_index,
                score=score,
            )
        )
    return segments


# --- the alignment -------------------------------------------------------------------


@dataclass(slots=True)
class _Pair:
    entry: int
    start: int
    lines: list[int]
    score: float
    weight: float


class _Fenwick:
    """Prefix maximum over TOC positions, remembering which pair gave it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.value = [0.0] * (size + 1)
        self.pair = [-1] * (size + 1)

    def update(self, position: int, value: float, pair: int) -> None:
        position += 1
        while position <= self.size:
            if value > self.value[position]:
                self.value[position] = value
                self.pair[position] = pair
            position += position & -position

    def query(self, position: int) -> tuple[float, int]:
        """Best value over positions [0, position)."""
        best, pair = 0.0, -1
        while position > 0:
            if self.value[position] > best:
                best, pair = self.value[position], self.pair[position]
            position -= position & -position
        return best, pair


class _CandidateIndex:
    """Title candidates of the body with an inverted bigram index over their lines."""

    def __init__(self, shapes: _Shapes, lo: int, n: int) -> None:
        self.shapes = shapes
        starts = [i for i in shapes.nonblank if i >= lo and shapes.candidate_start(i)]
        self.lines = {s: _candidate_lines(shapes, s, n) for s in starts}
        self.covering: dict[int, list[int]] = defaultdict(list)  # line → starts holding it
        self.line_key: dict[int, str] = {}
        for s, members in self.lines.items():
            for i in members:
                self.covering[i].append(s)
                if i not in self.line_key:
                    self.line_key[i] = _match_key(strip_inline_adoption(shapes.tight[i]))
        # Whole candidates by their text, so that an exact title is never lost
        # among thousands of near-identical ones when plausible() has to cut.
        self.exact: dict[str, list[int]] = defaultdict(list)
        for s, members in self.lines.items():
            joined = ""
            for i in members:
                joined += self.line_key[i]
                self.exact[joined].append(s)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, key in self.line_key.items():
            for gram in _bigrams(key):
                self.postings[gram].append(i)
        # A bigram found on very many lines (市人, 关于) says little about
        # which line a title is on; counting it only costs time.
        self.common = max(_COMMON_POSTING, len(self.line_key) // 20)
        self._grams: dict[tuple[int, int], frozenset[str]] = {}
        self._closing: dict[tuple[int, int], str] = {}

    def grams(self, s: int, k: int) -> frozenset[str]:
        cached = self._grams.get((s, k))
        if cached is None:
            cached = self._grams[(s, k)] = _bigrams("".join(self.line_key[i] for i in self.lines[s][:k]))
        return cached

    def closing(self, s: int, k: int) -> str:
        cached = self._closing.get((s, k))
        if cached is None:
            cached = self._closing[(s, k)] = _closing_word(
                strip_inline_adoption("".join(self.shapes.tight[i] for i in self.lines[s][:k]))
            )
        return cached

    def plausible(self, key: str, grams: frozenset[str]) -> list[int]:
        """Starts whose candidate shares enough bigrams with a TOC title, best first.

        Counts the title's rarest bigrams, up to a budget of postings, so that
        the work per TOC entry stays bounded however many similar titles an
        issue prints (an issue of thousands of 关于第N项…的报告 would
        otherwise cost entries × lines).
        """
        exact = self.exact.get(key, [])
        if exact:
            # The same text is the best match there is; near misses would lose
            # to it in the alignment, so they need not be looked for.
            return list(dict.fromkeys(exact))
        sized = sorted((len(self.postings[g]), g) for g in grams if g in self.postings)
        counted: list[str] = []
        budget = _POSTING_BUDGET
        for size, gram in sized:
            if counted and (size > self.common or size > budget):
                break
            counted.append(gram)
            budget -= size
        shared = Counter(chain.from_iterable(self.postings[g] for g in counted))
        need = max(1, int(len(counted) * _MIN_SHARED_FRACTION))
        per_start: dict[int, int] = defaultdict(int)
        for i, count in shared.items():
            for s in self.covering[i]:
                per_start[s] += count
        passing = [(-count, s) for s, count in per_start.items() if count >= need]
        if len(passing) > _MAX_PAIRS_PER_ENTRY:
            passing = nsmallest(_MAX_PAIRS_PER_ENTRY, passing)
        return [s for _count, s in passing]


def _score_pairs(shapes: _Shapes, entries: Sequence[TocEntry], lo: int, n: int) -> list[_Pair]:
    """Every (TOC entry, candidate start) pair worth aligning, with its score."""
    index = _CandidateIndex(shapes, lo, n)
    adjustments: dict[tuple[int, int], float] = {}
    pairs: list[_Pair] = []
    for j, entry in enumerate(entries):
        key = _match_key(entry.title)
        grams = _bigrams(key)
        if not grams:
            continue
        closing = _closing_word(entry.title)
        found: list[_Pair] = []
        for s in index.plausible(key, grams):
            members = index.lines[s]
            best_k, best = 1, -1.0
            for k in range(1, len(members) + 1):
                score = _dice(grams, index.grams(s, k))
                if score > best + 1e-9:
                    best_k, best = k, score
            if best < SURE_SCORE and not (best >= MIN_SCORE and len(closing) == 2 and closing == index.closing(s, best_k)):
                # A weak match counts only when both titles end in the same
                # word (…的报告, …的通知); a signature line or half a title
                # ends differently and must match almost exactly.
                continue
            adjustment = adjustments.get((s, best_k))
            if adjustment is None:
                adjustment = adjustments[(s, best_k)] = _adjustment(shapes, members[:best_k], n)
            found.append(_Pair(j, s, members[:best_k], best, best + adjustment))
        # Keep the near-best candidates of each entry: a title printed several
        # times (公告, 辞呈, 名单) has several equally good places to go, and
        # only the global alignment can tell which is whose.
        if found:
            top = max(p.weight for p in found)
            found = [p for p in found if p.weight >= top - _NEAR_BEST]
            found.sort(key=lambda p: -p.weight)
            pairs.extend(found[:_MAX_PAIRS_PER_ENTRY])
    return pairs


def _closing_word(text: str) -> str:
    """The last two characters of a title, after any trailing brackets."""
    text = tight(text)
    for _ in range(3):
        stripped = _TRAILING_BRACKETS_RE.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    return _match_key(text)[-2:]


def _adjustment(shapes: _Shapes, lines: list[int], n: int) -> float:
    """Bonus for anchors around a candidate, penalty for signature and seam shapes."""
    value = 0.0
    last = lines[-1]
    following: list[int] = []
    cursor = last
    for _ in range(3):
        nxt = shapes.next_nonblank(cursor, n)
        if nxt is None:
            break
        following.append(nxt)
        cursor = nxt
    if any(
        shapes.subtitle_start(i)
        or shapes.adoption_start(i)
        or shapes.date_only(i)
        or shapes.meeting_paren(i)
        or shapes.number_line(i)
        or shapes.speaker(i)
        or shapes.addressee(i)
        for i in following
    ):
        value += _ANCHOR_BONUS
    prev = shapes.prev_nonblank(lines[0])
    if prev is not None and (shapes.doc_number_line(prev) or shapes.red_header(prev)):
        value += _ANCHOR_BONUS
    if len(lines) == 1 and following and shapes.sign_date(following[0]):
        value -= _SIGNATURE_PENALTY
    if shapes.prose_before(lines[0]):
        value -= _SEAM_PENALTY
    return value


def _align(pairs: list[_Pair], entry_count: int) -> list[_Pair]:
    """The heaviest chain of pairs increasing in TOC order, without overlapping lines.

    Pairs are swept by start line; a pair becomes available as a predecessor
    only once the sweep has passed its last title line, so two chained
    candidates never share a line.
    """
    if not pairs:
        return []
    order = sorted(range(len(pairs)), key=lambda p: pairs[p].start)
    tree = _Fenwick(entry_count)
    best_value = [0.0] * len(pairs)
    back = [-1] * len(pairs)
    pending: list[tuple[int, int]] = []  # (last line, pair) not yet available
    position = 0
    while position < len(order):
        start = pairs[order[position]].start
        while pending and pending[0][0] < start:
            _last, ready = heappop(pending)
            tree.update(pairs[ready].entry, best_value[ready], ready)
        group_end = position
        while group_end < len(order) and pairs[order[group_end]].start == start:
            group_end += 1
        for p in order[position:group_end]:
            pair = pairs[p]
            prior, prior_pair = tree.query(pair.entry)
            best_value[p] = prior + pair.weight
            back[p] = prior_pair
            heappush(pending, (pair.lines[-1], p))
        position = group_end
    p = max(range(len(pairs)), key=lambda q: best_value[q])
    chain: list[_Pair] = []
    while p >= 0:
        chain.append(pairs[p])
        p = back[p]
    chain.reverse()
    return chain


# --- articles that the TOC does not list -------------------------------------------


def _title_above(shapes: _Shapes, anchor: int, floor: int) -> list[int]:
    """The title lines printed above an anchor line (walking back)."""
    title: list[int] = []
    cursor = anchor
    while len(title) < _MAX_TITLE_LINES:
        prev = shapes.prev_nonblank(cursor, floor)
        if prev is None or shapes.gap(prev, cursor) > _MAX_BLANKS_IN_TITLE:
            break
        if not shapes.candidate_next(prev) or shapes.sign_date(prev) or is_masthead_line(shapes.tight[prev]):
            break
        title.insert(0, prev)
        cursor = prev
    while title and not shapes.candidate_start(title[0]):
        title.pop(0)
    return title


def _title_below(shapes: _Shapes, header: int, limit: int) -> list[int]:
    """The title lines after a red header (and its 文号)."""
    cursor = header
    while True:
        nxt = shapes.next_nonblank(cursor, limit)
        if nxt is None:
            return []
        if shapes.doc_number_line(nxt) or shapes.red_header(nxt):
            cursor = nxt
            continue
        break
    if not shapes.candidate_start(nxt):
        return []
    return _candidate_lines(shapes, nxt, limit)[:3]


def _anchored_starts(shapes: _Shapes, lo: int, n: int, strong_only: bool) -> list[tuple[int, list[int], int]]:
    """Articles recognisable by their anchors alone: (start, title lines, anchor line)."""
    found: list[tuple[int, list[int], int]] = []
    covered = lo
    for i in shapes.nonblank:
        if i < covered:
            continue
        if shapes.red_header(i):
            title = _title_below(shapes, i, n)
            if title:
                found.append((i, title, i))
                covered = title[-1] + 1
            continue
        if not strong_only:
            typed = _typed_title(shapes, i, covered, n, found[-1][1] if found else None)
            if typed:
                start, title = _extend_start(shapes, typed, covered)
                found.append((start, title, i))
                covered = title[-1] + 1
                continue
        anchored = shapes.subtitle_start(i) or shapes.adoption_start(i)
        if not strong_only:
            anchored = anchored or shapes.date_only(i) or shapes.meeting_paren(i) or shapes.number_line(i)
        if not anchored:
            continue
        title = _trim_title(shapes, _title_above(shapes, i, covered))
        # "第4号" under a 公告 is its number, though a masthead prints such lines too.
        if is_masthead_line(shapes.tight[i]) and not (
            title and shapes.number_line(i) and _ANNOUNCEMENT_END_RE.search(shapes.tight[title[-1]])
        ):
            continue
        if title:
            start, title = _extend_start(shapes, title, covered)
            found.append((start, title, i))
            covered = i + 1
    return found


# Words a standalone article title ends in (after trailing brackets).
_TYPED_END_RE = re.compile(
    r"(?:纪要|议程|名单|决定|决议|公告|通告|报告|通知|通报|意见|条例|办法|规定|规则|细则|说明|讲话|议案|辞呈|批复|方案|令)$"
)
_ANNOUNCEMENT_END_RE = re.compile(r"(?:公告|通告|布告|令)$")
_ARTICLE_END = frozenset("。！？!?")


def _typed_title(
    shapes: _Shapes, i: int, floor: int, n: int, enclosing: list[int] | None
) -> list[int] | None:
    """A title that no anchor marks, found without a TOC (or None).

    It opens with a 文号 line and a title below it, or it is a title line
    ending in a document word (…纪要, …的决定) that stands where an article
    can start: after a closed sentence, a signature date or the front matter,
    and before an opening (an anchor, an addressee line, a dated first
    sentence). An attachment of the article before (its title quoted in
    that article's title, or announced by 附件) is not an article.
    """
    if shapes.doc_number_line(i):
        title = _title_below(shapes, i, n)
        if title and _TYPED_END_RE.search(_closing_text(shapes, title)):
            return title  # the start goes back over the 文号 (_extend_start)
        return None
    if not shapes.candidate_start(i):
        return None
    prev = shapes.prev_nonblank(i, floor)
    if prev is not None and not (
        shapes.tight[prev][-1] in _ARTICLE_END or shapes.sign_date(prev) or shapes.disclosure(prev)
    ):
        return None
    title = _trim_title(shapes, _candidate_lines(shapes, i, n)[:3])
    while title and not _TYPED_END_RE.search(_closing_text(shapes, title)):
        title.pop()
    if not title or len("".join(shapes.tight[k] for k in title)) < 6:
        return None
    nxt = shapes.next_nonblank(title[-1], n)
    if nxt is None or not (
        _anchor_at(shapes, nxt, n) is not None
        or shapes.addressee(nxt)
        or _LEADING_DATE_RE.match(shapes.tight[nxt])
    ):
        return None
    if enclosing and prev is not None:
        key = _match_key("".join(shapes.tight[k] for k in title))
        enclosing_key = _match_key("".join(shapes.tight[k] for k in enclosing))
        if (len(key) >= 4 and key in enclosing_key) or shapes.tight[prev].startswith("附件"):
            return None
    return title


def _closing_text(shapes: _Shapes, title: list[int]) -> str:
    """A title's text without the brackets that close it: …办法（试行） → …办法."""
    text = strip_inline_adoption("".join(shapes.tight[k] for k in title))
    for _ in range(3):
        stripped = _TRAILING_BRACKETS_RE.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    return text


def _is_attachment(shapes: _Shapes, enclosing: Segment, title: list[int]) -> bool:
    """True when an anchored title inside an article is that article's attachment.

    A notice that issues (印发) a text names it in its own title, and an
    attachment is announced by a 附件 line just above its title.
    """
    key = _match_key("".join(shapes.tight[i] for i in title))
    enclosing_key = _match_key("".join(shapes.tight[i] for i in enclosing.title))
    if len(key) >= 4 and key in enclosing_key:
        return True
    prev = shapes.prev_nonblank(title[0], enclosing.body_start)
    return prev is not None and shapes.tight[prev].startswith("附件")


def _unlisted(shapes: _Shapes, segments: list[Segment], lo: int, n: int) -> list[tuple[int, list[int]]]:
    """Anchored articles that lie in the body of a TOC article (or before the first)."""
    extra: list[tuple[int, list[int]]] = []
    starts = [s.start for s in segments]
    for start, title, anchor in _anchored_starts(shapes, lo, n, strong_only=True):
        # The anchor describes a listed article when it sits in that article's header.
        pos = bisect_right(starts, anchor) - 1
        if pos >= 0:
            seg = segments[pos]
            if anchor < seg.body_start or set(title) & set(seg.title):
                continue
            title = [i for i in title if i >= seg.body_start]
            if not title or _is_attachment(shapes, seg, title):
                continue
            start = max(start, seg.body_start)
        elif segments and title[-1] >= segments[0].start:
            continue
        extra.append((start, title))
    return extra


# --- entry point ---------------------------------------------------------------------


def segment_body(lines: Sequence[Line], entries: Sequence[TocEntry], body_lo: int) -> Segmentation:
    """Cut lines[body_lo:] into articles, guided by the TOC entries when given."""
    shapes = _Shapes(lines)
    n = len(lines)
    warnings: list[ParseWarning] = []
    if not entries:
        found = _anchored_starts(shapes, body_lo, n, strong_only=False)
        starts: list[_Start] = [(start, title, None, 0.0) for start, title, _anchor in found]
        segments = _build_segments(shapes, starts, n)
        if segments:
            warnings.append(
                ParseWarning(
                    None,
                    "no_toc",
                    "没有找到目录，文章是按标题下的题注（通过日期、讲话日期、红头等）识别的，可能有遗漏，请核对。",
                )
            )
        return Segmentation(tuple(segments), tuple(warnings))

    chain = _align(_score_pairs(shapes, entries, body_lo, n), len(entries))
    starts_list: list[_Start] = []
    floor = body_lo
    for pair in chain:
        title = _trim_title(shapes, pair.lines)
        start, title = _extend_start(shapes, title, floor)
        starts_list.append((start, title, pair.entry, pair.score))
        floor = title[-1] + 1
    segments = _build_segments(shapes, starts_list, n)

    extra = _unlisted(shapes, segments, body_lo, n)
    if extra:
        for _start, title in extra:
            warnings.append(
                ParseWarning(
                    lines[title[0]].number,
                    "article_not_in_toc",
                    f"正文第 {lines[title[0]].number} 行的文章“{''.join(shapes.tight[i] for i in title)}”"
                    "不在目录中，已作为单独的文章收录，请核对。",
                )
            )
        starts_list.extend((start, title, None, 0.0) for start, title in extra)
        segments = _build_segments(shapes, starts_list, n)
    return Segmentation(tuple(segments), tuple(warnings))
