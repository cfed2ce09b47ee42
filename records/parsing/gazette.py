"""Parse one gazette issue: front matter, TOC, articles, records.

``parse_gazette`` is the parser's entry point. It reads the text line by
line, finds the masthead and the table of contents, cuts the body into
articles, classifies them, runs the record extractors over them and merges
what they find back into the documents. Every recoverable problem becomes a
``ParseWarning``; an input that is not a gazette raises ``GazetteParseError``
with a message for the clerk, and nothing else escapes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .classify import MEETING_DATED, Draft, build_draft, meeting_dates, sign_date_of
from .errors import GazetteParseError
from .extract import Extracted, extract_records
from .frontmatter import FrontMatter, build_info, read_front_matter, tight
from .lines import Line, split_lines
from .segment import ORGAN_LINE_RE, SPEAKER_RE, Segment, segment_body
from .text import CJK
from .toc import parse_toc
from .types import Document, GazetteInfo, IssueMetadata, ParsedGazette, ParseWarning, TocEntry

# Characters that do not occur in text: NUL and other controls, the
# replacement character of a failed decoding, private-use code points.
_JUNK_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")
_CJK_RE = re.compile(f"[{CJK}]")
_NON_SPACE_RE = re.compile(r"\S")
_MAX_JUNK_SHARE = 0.01
_MIN_CJK_SHARE = 0.2
_MIN_CJK_CHARS = 20
_CLOSED_END = frozenset("。！？!?…”’）)》】」』〕；;")
_OPEN_END = frozenset("，、：:,（(《“‘—")
_SAMPLE_CHARS = 8192
_SAMPLE_CHUNKS = 16
_SHORT_LINE = 12  # a last line this short without punctuation is a name, organ or label


def parse_gazette(text: str, metadata: IssueMetadata | None = None) -> ParsedGazette:
    """Parse the text of one gazette issue.

    ``metadata`` fills what the text does not print (the issuer of a gazette
    that never prints its own name, say). Raise GazetteParseError when the
    text is not a gazette issue.
    """
    try:
        return _parse(text, metadata)
    except GazetteParseError:
        raise
    except Exception as exc:  # nothing but GazetteParseError may reach the caller
        raise GazetteParseError(
            f"解析这份公报时程序出错（{type(exc).__name__}: {exc}）。"
            "请把这份文件交给技术人员检查。"
        ) from exc


def _sample(text: str) -> str:
    """Up to about 8k characters taken evenly from the text (for cheap tests)."""
    if len(text) <= _SAMPLE_CHARS:
        return text
    step = len(text) // _SAMPLE_CHUNKS
    size = _SAMPLE_CHARS // _SAMPLE_CHUNKS
    return "".join(text[i * step : i * step + size] for i in range(_SAMPLE_CHUNKS))


def _check_readable(text: str) -> str:
    """Return the text without BOMs, or raise when it is no readable Chinese text."""
    if not isinstance(text, str):
        raise GazetteParseError("输入的不是文本，请先把文件转换为文字。")
    text = text.replace("\ufeff", "")
    if not text.strip():
        raise GazetteParseError("文件是空的，没有任何文字。")
    sample = _sample(text)
    junk = len(_JUNK_RE.findall(sample))
    if junk > max(3, len(sample) * _MAX_JUNK_SHARE):
        raise GazetteParseError(
            "文件内容无法识别：其中有大量乱码或二进制字符，可能不是文本文件，或编码有误。"
            "请上传公报的文本、PDF 或 Word 文件。"
        )
    cjk = len(_CJK_RE.findall(sample))
    if cjk < _MIN_CJK_CHARS or cjk < len(_NON_SPACE_RE.findall(sample)) * _MIN_CJK_SHARE:
        raise GazetteParseError("文件里几乎没有中文，不像是一期公报。")
    return text


def _parse(text: str, metadata: IssueMetadata | None) -> ParsedGazette:
    text = _check_readable(text)
    lines = split_lines(text)
    # A text with no masthead anywhere is refused before the costly steps; the
    # masthead is looked for again below, in the front matter proper.
    _require_header(read_front_matter(lines, len(lines)), metadata)
    toc = parse_toc(lines)
    body_lo = toc.end if toc.entries else 0
    segmentation = segment_body(lines, toc.entries, body_lo)
    segments = list(segmentation.segments)
    warnings = list(toc.warnings) + list(segmentation.warnings)
    if not segments and toc.entries:
        # The TOC matched nothing: try the anchors before giving up.
        fallback = segment_body(lines, (), body_lo)
        segments = list(fallback.segments)
        warnings.extend(fallback.warnings)

    front_end = segments[0].start if segments else len(lines)
    front = read_front_matter(lines, front_end)
    _require_header(front, metadata)
    if not any(_has_body(lines, s) for s in segments):
        found = "封面和目录" if toc.entries else "封面"
        raise GazetteParseError(
            f"找到了公报的{found}，但没有找到任何正文文章：文件可能在第一篇文章之前就被截断了，请检查文件是否完整。"
        )
    info = build_info(front, metadata, lines, front_end)

    entries = toc.entries
    drafts = [
        build_draft(position + 1, lines, segment, entries[segment.toc] if segment.toc is not None else None)
        for position, segment in enumerate(segments)
    ]
    extracted, extract_warnings = _extract(drafts, info)
    documents = _merge(drafts, extracted)
    toc_entries = _link_toc(entries, segments)
    warnings.extend(_unmatched_warnings(toc_entries))
    truncated, cut_warning = _truncation(lines, segments, toc_entries)
    if cut_warning:
        warnings.append(cut_warning)
    warnings.extend(extract_warnings)
    warnings.extend(extracted.warnings)
    return ParsedGazette(
        gazette=info,
        toc=tuple(toc_entries),
        documents=tuple(documents),
        meetings=extracted.meetings,
        personnel_decisions=extracted.personnel_decisions,
        votes=extracted.votes,
        elections=extracted.elections,
        warnings=tuple(sorted(warnings, key=lambda w: (w.line is None, w.line or 0))),
        truncated=truncated,
    )


def _has_body(lines: Sequence[Line], segment: Segment) -> bool:
    """True when an article has at least one line after its title block."""
    return any(lines[i].text for i in range(segment.body_start, segment.end))


def _require_header(front: FrontMatter, metadata: IssueMetadata | None) -> None:
    """Raise unless the text (or the metadata) names an issue."""
    if front.found:
        return
    if metadata is not None and metadata.year and metadata.issue is not None:
        return
    raise GazetteParseError(
        "没有找到公报的刊头（公报名称，或“2021年第3号”这样的年份和期号），这份文件不像是一期公报。"
        "如果它确实是公报，请在导入时填写年份、期号和发布机关。"
    )


def _extract(drafts: Sequence[Draft], info: GazetteInfo) -> tuple[Extracted, list[ParseWarning]]:
    """Run the record extractors; a failure there costs records, not the issue."""
    try:
        return extract_records([d.source for d in drafts], info), []
    except Exception as exc:  # the documents are still worth loading
        return Extracted(), [
            ParseWarning(
                None,
                "extractor_failed",
                f"读取会议、人事任免等记录时程序出错（{type(exc).__name__}: {exc}），"
                "这些记录没有导入，请交给技术人员检查。",
            )
        ]


def _merge(drafts: Sequence[Draft], extracted: Extracted) -> list[Document]:
    """Fold the extractors' findings into the documents."""
    dates = {**meeting_dates(drafts), **extracted.meeting_dates}
    documents: list[Document] = []
    for draft in drafts:
        doc = draft.document
        meeting = doc.meeting or extracted.document_meetings.get(doc.index)
        date = doc.date
        if date is None and not draft.date_printed:
            # Minutes, agendas and name lists print no date: their meeting's is theirs.
            ref = draft.named_meeting
            if ref is None and doc.category in MEETING_DATED:
                ref = meeting
            date = dates.get(ref) if ref is not None else None
        documents.append(
            dataclasses.replace(
                doc,
                meeting=meeting,
                date=date,
                provisions=tuple(extracted.provisions.get(doc.index, ())),
                citations=tuple(extracted.citations.get(doc.index, ())),
            )
        )
    return documents


def _link_toc(entries: Sequence[TocEntry], segments: Sequence[Segment]) -> list[TocEntry]:
    """Point each TOC entry at its document (1-based index), None if unmatched."""
    matched = {segment.toc: position + 1 for position, segment in enumerate(segments) if segment.toc is not None}
    return [dataclasses.replace(entry, document=matched.get(position)) for position, entry in enumerate(entries)]


def _unmatched_warnings(entries: Sequence[TocEntry]) -> list[ParseWarning]:
    return [
        ParseWarning(
            entry.span.first_line if entry.span else None,
            "toc_entry_without_article",
            f"目录第 {entry.ordinal} 条“{entry.title}”"
            + (f"（第 {entry.page} 页）" if entry.page is not None else "")
            + "在正文中没有找到对应的文章。",
        )
        for entry in entries
        if entry.document is None
    ]


def _last_nonblank(lines: Sequence[Line]) -> Line | None:
    for line in reversed(lines):
        if line.text:
            return line
    return None


def _ends_mid_sentence(line: Line) -> bool:
    """True when the file's last line stops in the middle of a sentence."""
    text = tight(line.text)
    if "\t" in line.text or not text or text[-1] in _CLOSED_END:
        return False
    if text[-1] in _OPEN_END:
        return True
    if sign_date_of(text) is not None or ORGAN_LINE_RE.match(text) or SPEAKER_RE.match(line.text):
        return False
    return len(text) > _SHORT_LINE


def _truncation(
    lines: Sequence[Line], segments: Sequence[Segment], entries: Sequence[TocEntry]
) -> tuple[bool, ParseWarning | None]:
    """Does the file end mid-article? TOC entries after the last article say so too."""
    last = _last_nonblank(lines)
    if last is None:
        return False, None
    matched = [e.ordinal for e in entries if e.document is not None]
    missing_tail = bool(matched) and any(e.document is None and e.ordinal > max(matched) for e in entries)
    last_segment = segments[-1]
    if not (_ends_mid_sentence(last) or missing_tail or not _has_body(lines, last_segment)):
        return False, None
    title = "".join(tight(lines[i].text) for i in last_segment.title)
    return True, ParseWarning(
        last.number,
        "issue_truncated",
        f"文件似乎在第 {last.number} 行被截断：最后一篇文章“{title}”没有结束"
        + ("，目录中其后的文章也都没有出现" if missing_tail else "")
        + "。截断之前的内容已保留，请补齐文件后重新导入。",
    )

