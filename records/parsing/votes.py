"""Evaluation votes (满意度测评): satisfied / basically satisfied / unsatisfied.

Two printed forms are read:

* a TAB table whose header names the three grades (``报 告⇥满 意⇥基本满意⇥不 满 意``
  or ``序号⇥被评议单位⇥收回票数⇥满意票⇥基本满意票⇥不满意票⇥…``). Cells hold
  ``N 票 [P%]`` or bare numbers. A printed percentage that fits neither the
  membership (``实有 N 人``) nor the votes cast is reported, the counts are kept.
* the result line of a 通报 section, ``满意度测评结果：满意（满意票 36 票，基本满意票
  2 票，不满意票 0 票）``, whose subject is the section heading (``一、市卫生健康委员会``).

The same subject printed in both forms (a section and a summary-table row
with a shortened name) is one ``Vote``: the section's name, the table's count
of returned ballots.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .meetings import DocView, MeetingsResult, meeting_mentions
from .text import CJK, collapse_spaces, strip_markup
from .types import ElectionVote, GazetteInfo, MeetingRef, ParseWarning, Span, Vote

# One cell of a vote table: 33 票 88.25% / 0 票 / 36
_CELL_RE = re.compile(r"^(?P<count>\d{1,5})\s*(?:票|张|人)?\s*(?:(?P<pct>\d{1,3}(?:\.\d{1,3})?)\s*%)?$")
_BASE_RE = re.compile(r"实有\s*(\d{1,4})\s*人")
_VOTING_RES = (
    re.compile(r"参加(?:投票|测评|表决)\s*(\d{1,4})\s*人"),
    re.compile(r"(?:收回|回收)(?:有效)?(?:票|测评表|测评票)?\s*(\d{1,4})\s*[张份票]"),
    re.compile(r"实到(?:会)?\s*(\d{1,4})\s*人"),
)
# The three grades in a sentence: 满意票 36 票，基本满意票 2 票，不满意票 0 票
_SATISFIED_RE = re.compile(r"(?<![基本不])满意(?:票)?\s*(\d{1,5})\s*[票张]")
_BASIC_RE = re.compile(r"基本满意(?:票)?\s*(\d{1,5})\s*[票张]")
_UNSATISFIED_RE = re.compile(r"不满意(?:票)?\s*(\d{1,5})\s*[票张]")
# 一、市卫生健康委员会 — the heading of a 通报 section
_SECTION_RE = re.compile(r"^[一二三四五六七八九十]{1,3}、\s*(?P<subject>[^，。；：:]{2,40})$")
_SUBJECT_HEADERS = ("被评议单位", "被测评单位", "评议单位", "单位", "部门", "报告", "项目", "名称", "对象", "姓名")
_VOTING_HEADERS = ("收回票数", "收回票", "投票数", "参加投票", "票数", "实到")
_PCT_TOLERANCE = 0.051  # a printed percentage is rounded to at most two decimals


@dataclass(slots=True)
class _Columns:
    subject: int
    satisfied: int
    basic: int
    unsatisfied: int
    voting: int | None


def _columns(cells: Sequence[str]) -> _Columns | None:
    """Read a header row; None unless it names all three grades."""
    names = [collapse_spaces(c).replace(" ", "") for c in cells]
    stripped = [re.sub(r"(?:票数?|人数|率)$", "", n) for n in names]
    try:
        satisfied = stripped.index("满意")
        basic = stripped.index("基本满意")
        unsatisfied = stripped.index("不满意")
    except ValueError:
        return None
    subject = next((i for i, n in enumerate(names) for h in _SUBJECT_HEADERS if h in n), None)
    if subject is None:
        subject = next((i for i, n in enumerate(names) if n not in ("序号", "") and i < satisfied), 0)
    voting = next((i for i, n in enumerate(names) for h in _VOTING_HEADERS if h in n), None)
    return _Columns(subject, satisfied, basic, unsatisfied, voting)


def _cell(text: str) -> tuple[int, float | None] | None:
    match = _CELL_RE.match(collapse_spaces(text).replace(" ", ""))
    if not match:
        return None
    pct = float(match["pct"]) if match["pct"] else None
    return int(match["count"]), pct


SubjectType = Literal["report", "department", "person"]


def _subject_type(header: str, subject: str) -> SubjectType:
    if "报告" in header or subject.endswith("报告"):
        return "report"
    if "姓名" in header:
        return "person"
    return "department"


def _numbers_before(view: DocView, line: int) -> tuple[int | None, int | None]:
    """(membership base, votes cast) printed above a table."""
    base = voting = None
    for paragraph in view.body:
        if paragraph.first_line >= line:
            break
        text = paragraph.text
        found = _BASE_RE.search(text)
        base = int(found[1]) if found else base
        for pattern in _VOTING_RES:
            found = pattern.search(text)
            if found:
                voting = int(found[1])
                break
    return base, voting


def _table_votes(
    view: DocView, meeting: MeetingRef | None, warnings: list[ParseWarning]
) -> list[Vote]:
    votes: list[Vote] = []
    columns: _Columns | None = None
    header_text = ""
    base = voting = None
    for line in view.body_lines:
        if "\t" not in line.text:
            columns = None if line.text else columns
            continue
        # Split the raw line: an empty first cell (a merged cell) must stay a cell.
        cells = [strip_markup(cell) for cell in line.raw.split("\t")]
        found = _columns(cells)
        if found:
            columns, header_text = found, collapse_spaces(cells[found.subject]).replace(" ", "")
            base, voting = _numbers_before(view, line.number)
            continue
        if columns is None or len(cells) <= max(columns.satisfied, columns.basic, columns.unsatisfied):
            continue
        grades = [_cell(cells[i]) for i in (columns.satisfied, columns.basic, columns.unsatisfied)]
        subject = collapse_spaces(cells[columns.subject]).strip()
        if not subject or not all(grades):
            continue
        row_voting = voting
        if columns.voting is not None and columns.voting < len(cells):
            voted = _cell(cells[columns.voting])
            row_voting = voted[0] if voted else voting
        counts = [g[0] for g in grades if g]
        for grade in grades:
            if grade and grade[1] is not None and not _pct_fits(grade[0], grade[1], base, row_voting):
                warnings.append(
                    ParseWarning(
                        line.number,
                        "vote_percentage_mismatch",
                        f"“{subject}”：{grade[0]} 票印为 {grade[1]}%，与 {base or row_voting} 人不符",
                    )
                )
        satisfied_pct = grades[0][1] if grades[0] else None
        votes.append(
            Vote(
                subject=subject,
                subject_type=_subject_type(header_text, subject),
                satisfied=counts[0],
                basically_satisfied=counts[1],
                unsatisfied=counts[2],
                voting=row_voting,
                base=base,
                satisfied_pct=satisfied_pct,
                meeting=meeting,
                document=view.index,
                span=Span(line.number, line.number),
            )
        )
    return votes


def _pct_fits(count: int, pct: float, base: int | None, voting: int | None) -> bool:
    bases = [b for b in (base, voting) if b]
    if not bases:
        return True
    return any(abs(count * 100 / b - pct) <= _PCT_TOLERANCE for b in bases)


def _section_votes(view: DocView, meeting: MeetingRef | None) -> list[Vote]:
    """通报 sections: a numbered heading, then a 满意度测评结果 line."""
    votes: list[Vote] = []
    subject: str | None = None
    for paragraph in view.body:
        text = paragraph.text
        heading = _SECTION_RE.match(text)
        if heading:
            subject = heading["subject"]
            continue
        if subject is None or "满意" not in text:
            continue
        satisfied = _SATISFIED_RE.search(text)
        basic = _BASIC_RE.search(text)
        unsatisfied = _UNSATISFIED_RE.search(text)
        if not (satisfied and basic and unsatisfied):
            continue
        votes.append(
            Vote(
                subject=subject,
                subject_type="department",
                satisfied=int(satisfied[1]),
                basically_satisfied=int(basic[1]),
                unsatisfied=int(unsatisfied[1]),
                meeting=meeting,
                document=view.index,
                span=Span(paragraph.first_line, paragraph.last_line),
            )
        )
        subject = None
    return votes


def _same_subject(a: str, b: str) -> bool:
    """卫生健康委 and 卫生健康委员会 name one organ: one is a prefix of the other."""
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return a.startswith(b) or b.startswith(a)


def _counts(vote: Vote) -> tuple[int | None, int | None, int | None]:
    return vote.satisfied, vote.basically_satisfied, vote.unsatisfied


def extract_votes(
    views: Sequence[DocView], info: GazetteInfo, meetings: MeetingsResult
) -> tuple[tuple[Vote, ...], tuple[ParseWarning, ...]]:
    """Every evaluation vote of the issue, one per subject and meeting."""
    warnings: list[ParseWarning] = []
    sections: list[Vote] = []
    rows: list[Vote] = []
    for view in views:
        if not any("满意" in p.text for p in view.body):
            continue
        meeting = meetings.document_meetings.get(view.index)
        if meeting is None:
            for paragraph in view.body[:3]:
                mentions = meeting_mentions(paragraph.text, info.region)
                if mentions:
                    meeting = mentions[0].ref
                    break
        sections.extend(_section_votes(view, meeting))
        rows.extend(_table_votes(view, meeting, warnings))

    votes = list(sections)
    for row in rows:
        twin = next(
            (
                i
                for i, vote in enumerate(votes)
                if _counts(vote) == _counts(row)
                and (vote.meeting is None or row.meeting is None or vote.meeting == row.meeting)
                and _same_subject(vote.subject, row.subject)
            ),
            None,
        )
        if twin is None:
            votes.append(row)
            continue
        vote = votes[twin]
        votes[twin] = replace(
            vote,
            voting=vote.voting if vote.voting is not None else row.voting,
            base=vote.base if vote.base is not None else row.base,
            satisfied_pct=vote.satisfied_pct if vote.satisfied_pct is not None else row.satisfied_pct,
            meeting=vote.meeting or row.meeting,
        )
    return tuple(votes), tuple(warnings)


# --- election ballots ---------------------------------------------------------------------


_BALLOT_RE = re.compile(
    rf"(?:(?<=候选人)|(?<=[，,。；;、：:])|^)(?P<name>[{CJK}]{{2,4}}?)(?:同志)?得?赞成票\s*(?P<yes>\d{{1,5}})\s*[张票]"
    r"[，,、]?\s*反对票\s*(?P<no>\d{1,5})\s*[张票][，,、]?\s*弃权票\s*(?P<abstain>\d{1,5})\s*[张票]"
)
# 补选了许光文、胡玉合两名同志为辽宁省第十四届人民代表大会代表
_ELECTED_AS_RE = re.compile(r"(?P<verb>补选|选举)了?(?P<names>[^，。；为]{2,80}?)为(?P<post>[^，。；]{2,80})")


def extract_elections(views: Sequence[DocView], meetings: MeetingsResult) -> tuple[ElectionVote, ...]:
    """The candidates' ballot counts printed in minutes and announcements."""
    found: list[ElectionVote] = []
    for view in views:
        for paragraph in view.body:
            text = paragraph.text
            if "赞成票" not in text:
                continue
            statements = list(_ELECTED_AS_RE.finditer(text))
            for match in _BALLOT_RE.finditer(text):
                name = match["name"]
                subject = name
                for statement in statements:
                    if statement.start() < match.start() and name in statement["names"]:
                        subject = f"{statement['verb']}{name}为{statement['post']}"
                yes, no, abstain = int(match["yes"]), int(match["no"]), int(match["abstain"])
                found.append(
                    ElectionVote(
                        subject=subject,
                        candidate=name,
                        yes=yes,
                        no=no,
                        abstain=abstain,
                        voting=yes + no + abstain,
                        meeting=meetings.document_meetings.get(view.index),
                        document=view.index,
                        span=Span(paragraph.first_line, paragraph.last_line),
                    )
                )
    return tuple(found)
