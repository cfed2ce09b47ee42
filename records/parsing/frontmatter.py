"""The issue itself: masthead, cover date and the numbers of the issue.

The cover and masthead sit before the body (and are sometimes printed twice,
once before each half of the table of contents). Everything here is read
from the *first* occurrence; repeated blocks agree and are simply skipped.
A gazette that never prints its own name (some government gazettes) takes
its issuer from the clerk's ``IssueMetadata`` or, failing that, from the red
header (``XX市人民政府文件``) of its documents.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import GazetteParseError
from .lines import Line
from .text import (
    CJK,
    CN_NUMERAL,
    RUNNING_HEAD_RE,
    arabic_dates,
    cn_to_int,
    make_date,
    one_line_title,
)
from .text import is_running_head as is_running_head  # re-exported: it used to live here
from .types import GazetteInfo, GazetteKind, IssueMetadata, Span


def tight(text: str) -> str:
    """The text without any whitespace (U+3000 included): for matching line shapes only."""
    return "".join(text.split())


_LAYOUT_SPACE_RE = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")


def title_line(text: str) -> str:
    """A printed title as one line: markup, line breaks and layout spaces removed.

    Spaces survive only between two Latin letters or digits (``COVID 19``);
    everything else is kept as printed, bracket widths included.
    """
    return _LAYOUT_SPACE_RE.sub("", one_line_title(text))


# --- line shapes of the cover and masthead (applied to tight text) ------------

_NUMERAL = rf"(?:\d{{1,4}}|{CN_NUMERAL})"
GAZETTE_NAME_RE = re.compile(rf"^(?P<name>[{CJK}（）()]{{2,40}}公报)$")
# The year in Arabic or Chinese digits: 2022 / 二〇二二.
_YEAR = r"(?:19|20)\d\d|(?:一九|二[〇零○])[〇零○一二三四五六七八九]{2}"
_YEAR_ISSUE_RE = re.compile(
    rf"(?P<year>{_YEAR})年(?:\d{{1,2}}月)?第(?P<issue>{_NUMERAL})(?P<unit>[号期])"
)
_YEAR_LINE_RE = re.compile(rf"^(?P<year>{_YEAR})年?$")
_ISSUE_LINE_RE = re.compile(rf"^第(?P<issue>{_NUMERAL})(?P<unit>[号期])$")
_CUMULATIVE_RE = re.compile(rf"总第(?P<n>{_NUMERAL})[号期]")
_COVER_DATE_RE = re.compile(
    r"^(?:出版日期|出版时间|印发日期)?[:：]?(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:出版|印发|编印|印)?$"
)

# Lines of a masthead, publisher or editorial-board block. They are skipped
# wherever they occur before the body (and never read as TOC titles).
_MASTHEAD_RE = re.compile(
    r"^(?:"
    rf"[{CJK}（）()]{{0,40}}公报"  # the gazette's name
    r"|(?:19|20)\d\d年?(?:第.{1,6}[号期])?([(（]总第.{1,6}[号期][)）])?"
    rf"|第{_NUMERAL}[号期]"
    r"|[(（]总第.{1,6}[号期][)）]"
    r"|[(（]?[双单半]?[月周旬季年]刊[)）]?"
    r"|编委会.{0,6}|编辑委员会.{0,6}"
    r"|(?:主任|副主任|委员|编委|编辑|主编|副主编|执行主编|责任编辑|编辑部主任|顾问)(?:[:：].{0,20}|[:：]?[" + CJK + r"]{2,4}(?:[、，,][" + CJK + r"]{2,4})*)"
    r"|(?:主办|承办|协办|主管|出版|印刷|发行|编印|编辑出版|编辑部地址|地址|邮编|邮政编码|电话|传真|网址|电子邮箱|邮箱|E-?mail|准印证号?|内部资料|刊号|定价|印数)(?:单位)?[:：].{0,60}"
    r"|(?:主办|承办|主管|出版|印刷|发行|编印|编辑部地址|地址|邮编|电话|传真|网址)[:：]?"
    r"|[-*_=]{3,}"
    r"|目录"
    r")$",
    re.IGNORECASE,
)


def is_masthead_line(text: str) -> bool:
    """True for a line of the masthead, publisher or board block."""
    compact = tight(text)
    return bool(_MASTHEAD_RE.match(compact) or (compact and RUNNING_HEAD_RE.match(compact)))


# --- issuer, region and kind ----------------------------------------------------

_REGION_RE = re.compile(
    rf"^(?P<region>[{CJK}]{{1,20}}?(?:特别行政区|自治州|自治县|自治旗|省|市|州|县|区|旗|盟))"
    r"(?=人民代表大会|人大|人民政府|政府)"
)
_CONGRESS_MARK_RE = re.compile(r"人民代表大会|人大")
_GOVERNMENT_MARK_RE = re.compile(r"人民政府|政府")
# The red header of a government document: 葫芦岛市人民政府文件.
RED_HEADER_RE = re.compile(
    rf"^(?P<organ>[{CJK}]{{2,30}}?(?:人民政府|政府)(?:办公室|办公厅)?)文件$"
)


def canonical_issuer(issuer: str) -> str:
    """Write the issuer in full: XX市人大常委会 → XX市人民代表大会常务委员会."""
    issuer = tight(issuer)
    if issuer.endswith("人大常委会"):
        return issuer[: -len("人大常委会")] + "人民代表大会常务委员会"
    return issuer


def region_of(issuer: str) -> str:
    """The region an issuer belongs to: 安阳市人民代表大会常务委员会 → 安阳市."""
    match = _REGION_RE.match(tight(issuer))
    return match["region"] if match else ""


def kind_of(issuer: str) -> GazetteKind | None:
    """congress for a people's congress body, government for a government."""
    if _CONGRESS_MARK_RE.search(issuer):
        return "congress"
    if _GOVERNMENT_MARK_RE.search(issuer):
        return "government"
    return None


# --- reading the cover -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """What the cover and masthead print, None where they print nothing."""

    name: str = ""
    name_line: int | None = None
    year: int | None = None
    issue: int | None = None
    cumulative_issue: int | None = None
    published_on: dt.date | None = None
    header_line: int | None = None  # line of the year / issue number

    @property
    def found(self) -> bool:
        """True when the text prints an issue header at all."""
        return bool(self.name) or self.issue is not None


def _year(text: str) -> int:
    """A printed year: 2022 or 二〇二二 (○ for 〇 too)."""
    value = cn_to_int(text.replace("○", "〇"))
    return value if value is not None else 0


def _numeral(text: str) -> int | None:
    value = cn_to_int(text)
    return value if value is not None and 0 < value < 100000 else None


def _gazette_name(tights: Sequence[str], index: int) -> str:
    """The gazette's name at index, joining a cover split over short lines."""
    text = tights[index]
    if not GAZETTE_NAME_RE.match(text):
        return ""
    if len(text) > 4:
        return text
    # The cover prints 营口市 / 人民代表大会常务委员会 / 公 报 on separate lines.
    parts = [text]
    for back in range(index - 1, max(-1, index - 6), -1):
        prev = tights[back]
        if not prev:
            continue
        if not re.fullmatch(rf"[{CJK}]{{2,20}}", prev) or len(parts) >= 3:
            break
        parts.insert(0, prev)
    name = "".join(parts)
    return name if len(name) > 4 else ""


def read_front_matter(lines: Sequence[Line], end: int) -> FrontMatter:
    """Read the cover and masthead from lines[:end] (first occurrence wins)."""
    tights = [tight(line.text) for line in lines[:end]]
    name = ""
    name_line: int | None = None
    year: int | None = None
    issue: int | None = None
    cumulative: int | None = None
    published: dt.date | None = None
    header_line: int | None = None
    pending_year: tuple[int, int] | None = None  # (year, index) of a bare year line
    pending_issue: tuple[int | None, int] | None = None  # (issue, index) of a 第N期 line before the year

    for index, text in enumerate(tights):
        if not text:
            continue
        if not name:
            found = _gazette_name(tights, index)
            if found:
                name, name_line = found, lines[index].number
        if cumulative is None and (match := _CUMULATIVE_RE.search(text)) and len(text) <= 40:
            cumulative = _numeral(match["n"])
        if issue is None and len(text) <= 40:
            if match := _YEAR_ISSUE_RE.search(text):
                year, issue = _year(match["year"]), _numeral(match["issue"])
                header_line = lines[index].number
            elif match := _YEAR_LINE_RE.match(text):
                pending_year = (_year(match["year"]), index)
                if pending_issue and index - pending_issue[1] <= 6:  # 第6期 printed above 2022年
                    year, issue = pending_year[0], pending_issue[0]
                    header_line = lines[pending_issue[1]].number
            elif match := _ISSUE_LINE_RE.match(text):
                if pending_year and index - pending_year[1] <= 6:
                    year, issue = pending_year[0], _numeral(match["issue"])
                    header_line = lines[index].number
                else:
                    pending_issue = (_numeral(match["issue"]), index)
        if published is None and (match := _COVER_DATE_RE.match(arabic_dates(text))):
            published = make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    return FrontMatter(name, name_line, year, issue, cumulative, published, header_line)


def issuer_from_red_headers(lines: Sequence[Line]) -> str:
    """The government behind the most frequent red header, or ''.

    ``葫芦岛市人民政府文件`` and ``葫芦岛市人民政府办公室文件`` both point at
    葫芦岛市人民政府: the gazette is the government's, whichever office signed.
    """
    counts: Counter[str] = Counter()
    for line in lines:
        text = tight(line.text)
        if len(text) <= 34 and (match := RED_HEADER_RE.match(text)):
            organ = re.sub(r"(?:办公室|办公厅)$", "", match["organ"])
            counts[organ] += 1
    return counts.most_common(1)[0][0] if counts else ""


def build_info(
    front: FrontMatter,
    metadata: IssueMetadata | None,
    lines: Sequence[Line],
    front_end: int,
) -> GazetteInfo:
    """Combine the printed masthead with the clerk's metadata.

    A printed value wins; the metadata fills what the text lacks. Raise
    GazetteParseError when the issuer, year or issue number cannot be known.
    """
    meta = metadata or IssueMetadata()
    issuer = front.name[: -len("公报")] if front.name else ""
    issuer = canonical_issuer(issuer) if issuer else ""
    if not issuer and meta.issuer:
        issuer = canonical_issuer(meta.issuer)
    if not issuer:
        issuer = issuer_from_red_headers(lines)
    if not issuer:
        raise GazetteParseError(
            "无法确定这期公报的发布机关：正文没有印出公报名称（“……公报”），"
            "请在导入时填写发布机关（例如“某某市人民政府”）。"
        )
    kind = kind_of(issuer) or meta.kind
    if kind is None:
        raise GazetteParseError(
            f"无法判断“{issuer}”是人大常委会公报还是政府公报，请在导入时填写公报类别。"
        )
    region = region_of(issuer) or (meta.region or "")
    year = front.year or meta.year or (front.published_on.year if front.published_on else None)
    if year is None:
        raise GazetteParseError("找不到这期公报的年份（如“2021年”），请在导入时填写年份。")
    issue = front.issue if front.issue is not None else meta.issue
    if issue is None:
        raise GazetteParseError("找不到这期公报的期号（如“第3号”或“第2期”），请在导入时填写期号。")
    cumulative = front.cumulative_issue if front.cumulative_issue is not None else meta.cumulative_issue
    published = front.published_on or meta.published_on
    span = Span(lines[0].number, lines[front_end - 1].number) if front_end > 0 and lines else None
    return GazetteInfo(
        issuer=issuer,
        region=region,
        kind=kind,
        year=year,
        issue=issue,
        cumulative_issue=cumulative,
        published_on=published,
        name=front.name,
        span=span,
    )
