"""Frozen dataclasses returned by the gazette parser.

Every record carries the 1-based source lines it came from (``Span``), so the
clerk's review can show exactly where in the text a record was read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

GazetteKind = Literal["congress", "government"]

Category = Literal[
    "minutes",
    "agenda",
    "report",
    "review_opinion",
    "resolution",
    "decision",
    "regulation",
    "explanation",
    "motion",
    "notice",
    "announcement",
    "name_list",
    "speech",
    "resignation_letter",
    "other",
]
CATEGORIES: tuple[Category, ...] = (
    "minutes",
    "agenda",
    "report",
    "review_opinion",
    "resolution",
    "decision",
    "regulation",
    "explanation",
    "motion",
    "notice",
    "announcement",
    "name_list",
    "speech",
    "resignation_letter",
    "other",
)

MeetingBody = Literal["standing_committee", "congress"]
MEETING_BODIES: tuple[MeetingBody, ...] = ("standing_committee", "congress")

PersonnelAction = Literal[
    "appoint",
    "remove",
    "accept_resignation",
    "approve_appointment",
    "approve_removal",
    "approve_resignation",
    "elect",
    "dismiss",
]
PERSONNEL_ACTIONS: tuple[PersonnelAction, ...] = (
    "appoint",
    "remove",
    "accept_resignation",
    "approve_appointment",
    "approve_removal",
    "approve_resignation",
    "elect",
    "dismiss",
)

AttendanceStatus = Literal["present", "on_leave", "attending"]
ATTENDANCE_STATUSES: tuple[AttendanceStatus, ...] = ("present", "on_leave", "attending")

ProvisionKind = Literal["chapter", "article"]
CitationKind = Literal["title", "doc_number"]


@dataclass(frozen=True, slots=True)
class Span:
    """Source lines of a record: 1-based, both ends inclusive."""

    first_line: int
    last_line: int


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """A recoverable problem a clerk should look at; never fatal."""

    line: int | None  # 1-based line in the source text, None for the whole issue
    code: str  # stable machine name, e.g. "toc_entry_without_article"
    message: str  # Chinese or English sentence for the clerk


@dataclass(frozen=True, slots=True)
class GazetteInfo:
    """The issue itself: who publishes it and which number it is."""

    issuer: str  # 安阳市人民代表大会常务委员会 / 葫芦岛市人民政府
    region: str  # 安阳市
    kind: GazetteKind
    year: int
    issue: int  # 第N号 / 第N期 within the year
    cumulative_issue: int | None = None  # 总第N期
    published_on: dt.date | None = None
    name: str = ""  # the gazette's printed name, e.g. 安阳市人民代表大会常务委员会公报
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One line of the table of contents, joined if it wrapped."""

    ordinal: int  # 1-based order in the TOC
    title: str
    page: int | None
    section: str = ""  # e.g. 葫政发文件 (a TOC group heading)
    doc_number: str | None = None  # a 文号 printed glued to the title
    document: int | None = None  # index of the matching Document, None if unmatched
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Provision:
    """A chapter (第N章) or article (第N条) of a normative text."""

    kind: ProvisionKind
    number: int
    label: str  # as printed without spaces: 第一章 / 第十四条
    heading: str  # chapter title (总则), empty for articles
    text: str  # the article's text, joined across page seams
    chapter: int | None = None  # number of the enclosing chapter, for articles
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A reference from one document to another."""

    kind: CitationKind
    text: str  # 《…》 title without the brackets, or a 文号
    repeals: bool = False  # cited as 同时废止 / 废止
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One article of the issue's body, in body order."""

    index: int  # 1-based position in the body
    title: str
    category: Category
    page: int | None = None
    doc_number: str | None = None  # the document's own 文号
    date: dt.date | None = None  # adoption / signature / delivery date
    toc_title: str | None = None  # the TOC wording when it differs from the title
    issuer: str = ""  # issuing organ when printed (signature or organ line)
    meeting: MeetingRef | None = None  # meeting it was adopted at or delivered to
    text: str = ""  # body text with layout noise removed, page seams rejoined
    provisions: tuple[Provision, ...] = ()
    citations: tuple[Citation, ...] = ()
    parent: int | None = None  # index of the enclosing document (attachments)
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class MeetingRef:
    """Natural key of a meeting within one region."""

    body: MeetingBody
    term: int  # 届
    number: int  # 次


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person as printed in a list: the name plus its annotations."""

    name: str  # without layout spaces: 董伟
    gender: str | None = None  # 女 when annotated
    ethnicity: str | None = None  # 满族 when annotated
    note: str | None = None  # e.g. 兼
    title: str | None = None  # the post printed beside the name, if any
    line: int | None = None


@dataclass(frozen=True, slots=True)
class NameList:
    """Any other printed list of a meeting: presidium, executive chairs …"""

    kind: str  # presidium | secretary_general | executive_chairs | …
    label: str  # the printed header, e.g. 主席团(54人,按姓名笔画为序)
    declared_count: int | None
    members: tuple[PersonName, ...]
    span: Span | None = None
    sitting: int | None = None  # 第N次全体会议 for lists per plenary sitting


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting the issue reports on, merged from all its documents."""

    ref: MeetingRef
    date: dt.date | None = None
    agenda: tuple[str, ...] = ()
    present: tuple[PersonName, ...] = ()
    on_leave: tuple[PersonName, ...] = ()
    attending: tuple[PersonName, ...] = ()
    name_lists: tuple[NameList, ...] = ()
    declared_present: int | None = None  # the count printed in the minutes
    documents: tuple[int, ...] = ()  # indexes of the documents about it
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class PersonnelDecision:
    """A decision taken (never a proposal), merged over all its printings."""

    person: str
    action: PersonnelAction
    positions: tuple[str, ...]
    meeting: MeetingRef | None = None
    date: dt.date | None = None
    gender: str | None = None
    documents: tuple[int, ...] = ()  # every document that prints it
    span: Span | None = None  # the first printing


@dataclass(frozen=True, slots=True)
class Vote:
    """One row of an evaluation vote (满意度测评)."""

    subject: str
    subject_type: Literal["report", "department", "person"]
    satisfied: int | None
    basically_satisfied: int | None
    unsatisfied: int | None
    voting: int | None = None  # ballots cast / returned
    base: int | None = None  # membership used for printed percentages
    satisfied_pct: float | None = None  # as printed
    meeting: MeetingRef | None = None
    document: int | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class ElectionVote:
    """The ballot count of one candidate (得赞成票49张，反对票0张，弃权票0张)."""

    subject: str  # 补选许光文为辽宁省第十四届人民代表大会代表, or the candidate alone
    candidate: str
    yes: int
    no: int
    abstain: int
    voting: int
    meeting: MeetingRef | None
    document: int
    span: Span


@dataclass(frozen=True, slots=True)
class ParsedGazette:
    """Everything read from one gazette issue."""

    gazette: GazetteInfo
    toc: tuple[TocEntry, ...] = ()
    documents: tuple[Document, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    personnel_decisions: tuple[PersonnelDecision, ...] = ()
    votes: tuple[Vote, ...] = ()
    elections: tuple[ElectionVote, ...] = ()
    warnings: tuple[ParseWarning, ...] = field(default=())
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class IssueMetadata:
    """What a clerk may supply where the text does not print it.

    A value given here wins over nothing, never over a printed value, except
    ``issuer``/``kind``/``region`` for gazettes that never print their name.
    """

    issuer: str | None = None
    region: str | None = None
    kind: GazetteKind | None = None
    year: int | None = None
    issue: int | None = None
    cumulative_issue: int | None = None
    published_on: dt.date | None = None
