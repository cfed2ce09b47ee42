"""Citations between documents: 《…》 titles and 文号, with repeals marked.

A title is kept as printed (``（草案）`` included) on one line; a 文号 is
written in its standard form (``葫政办发〔2017〕259号``). A citation is a repeal
when the text says the cited document is repealed: ``《X》（文号）同时废止``,
``废止《X》``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .meetings import DocView
from .text import DOC_NUMBER_RE, collapse_spaces, normalise_doc_number
from .types import Citation

_TITLE_RE = re.compile(r"《(?P<title>[^《》]{1,200})》")
# After a citation: an optional bracketed 文号 or title, then the repeal.
_BRACKETED_RE = re.compile(r"^[)）]?\s*(?:[（(][^（()）]{0,60}[)）])?")
_REPEAL_AFTER_RE = re.compile(r"^[)）]?\s*(?:已|同时|予以|即行|一并|自行|相应)?(?:宣布)?(?:废止|废除)")
_REPEAL_BEFORE_RE = re.compile(r"(?:废止|废除)(?:了)?[（(]?$")
# Characters that end the words before a 文号's prefix (根据|安组干, 组织部|安组干).
_PREFIX_BOUNDARY = frozenset("的和与及据照在将按了见于为由经是对把并或即部局厅院会")
_MAX_PREFIX = 8


def _trim_prefix(prefix: str) -> str:
    """Cut the words that DOC_NUMBER_RE's greedy prefix took from the sentence."""
    for at in range(len(prefix) - 3, -1, -1):
        if prefix[at] in _PREFIX_BOUNDARY:
            prefix = prefix[at + 1 :]
            break
    return prefix[-_MAX_PREFIX:]


def _repeals(text: str, start: int, end: int) -> bool:
    tail = text[end : end + 80]
    skipped = _BRACKETED_RE.match(tail)
    rest = tail[skipped.end() :] if skipped else tail
    return bool(_REPEAL_AFTER_RE.match(rest) or _REPEAL_AFTER_RE.match(tail)) or bool(
        _REPEAL_BEFORE_RE.search(text[max(0, start - 6) : start])
    )


def extract_citations(view: DocView) -> tuple[Citation, ...]:
    """Every document a document cites, once each, in order of first mention."""
    found: dict[tuple[str, str], Citation] = {}

    def add(citation: Citation) -> None:
        key = (citation.kind, citation.text)
        if key in found:
            if citation.repeals and not found[key].repeals:
                found[key] = replace(found[key], repeals=True)
            return
        found[key] = citation

    own = view.source.document.doc_number
    for position, paragraph in enumerate((*view.head, *view.body)):
        text = paragraph.text
        # The document's own 文号 stands alone on a line above or under its title.
        own_number = position < len(view.head) + 2 and DOC_NUMBER_RE.fullmatch(text.replace(" ", ""))
        if "《" in text:
            for match in _TITLE_RE.finditer(text):
                title = collapse_spaces(match["title"]).strip()
                if len(title) >= 2:
                    add(Citation("title", title, _repeals(text, match.start(), match.end()), paragraph.first_line))
        if own_number or ("号" not in text):
            continue
        for match in DOC_NUMBER_RE.finditer(text):
            prefix = _trim_prefix(match["prefix"])
            if len(prefix) < 2:
                continue
            number = normalise_doc_number(prefix, match["year"], match["seq"])
            if number == own:
                continue
            add(Citation("doc_number", number, _repeals(text, match.start(), match.end()), paragraph.first_line))
    return tuple(found.values())
