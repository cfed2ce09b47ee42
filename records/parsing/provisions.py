"""Chapters (第N章) and articles (第N条) of normative texts.

Any document whose body holds a run of article labels starting at 第一条 is
read, whatever its category (a 通知 can carry the 办法 it issues). Labels are
trusted only in sequence: a label that does not continue the run (a cross
reference such as ``第三十二条第二款…`` that happens to open a line) is a
false start. A gap in the numbering is accepted, and reported, when the run
continues right after it. Chapter headings count only when an article follows
them before the next heading, so an internal 目录 listing the chapters is
ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .lines import Line
from .meetings import DocView
from .text import CN_NUMERAL, cn_to_int, collapse_spaces
from .types import ParseWarning, Provision, Span

# 第十四条 本办法自通过之日起施行 — the label, then a space (or text that is
# not the tail of a cross reference: 第三条规定的 / 第三条第二款 are not labels).
_ARTICLE_RE = re.compile(rf"^第\s*(?P<n>{CN_NUMERAL})\s*条(?:[\s\u3000]+|(?=[^\s第款项规的、至和及或中])|$)(?P<rest>.*)$")
_CHAPTER_RE = re.compile(rf"^第\s*(?P<n>{CN_NUMERAL})\s*章(?:[\s\u3000]*)(?P<title>.*)$")
# Lines that end the last article: an attachment, a signature date, a note.
_END_RE = re.compile(r"^(?:附件|附：|附表|[(（]此件|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$)")
# A new clause or item starts a new line of the article text.
_ITEM_START_RE = re.compile(r"^(?:[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}\s*[.．、])")
_TERMINAL = frozenset("。；：:;！？!?")
_MIN_RUN = 2  # articles needed before a document counts as a normative text


@dataclass(frozen=True, slots=True)
class _Label:
    position: int  # index in the body lines
    kind: str  # chapter | article
    number: int
    label: str
    rest: str


def _labels(lines: Sequence[Line]) -> list[_Label]:
    found = []
    for position, line in enumerate(lines):
        if not line.text.startswith("第"):
            continue
        # Without layout spaces (第 十 二 条, 总 则); the label's own space goes too,
        # so _ARTICLE_RE also accepts a label directly followed by its text.
        text = collapse_spaces(line.text)
        article = _ARTICLE_RE.match(text)
        if article:
            number = cn_to_int(article["n"])
            if number:
                label = f"第{article['n']}条"
                found.append(_Label(position, "article", number, label, article["rest"]))
            continue
        chapter = _CHAPTER_RE.match(text)
        if chapter and chapter["title"].strip() and len(chapter["title"]) <= 30:
            number = cn_to_int(chapter["n"])
            if number:
                found.append(_Label(position, "chapter", number, f"第{chapter['n']}章", chapter["title"]))
    return found


def _article_run(labels: Sequence[_Label], warnings: list[ParseWarning], lines: Sequence[Line]) -> list[_Label]:
    """The labels that form the sequence 1, 2, 3 …; false starts dropped."""
    articles = [label for label in labels if label.kind == "article"]
    run: list[_Label] = []
    expected = 1
    for k, label in enumerate(articles):
        if label.number == expected:
            run.append(label)
            expected += 1
        elif label.number > expected and run:
            # A gap is real when the numbering carries on from the new number.
            following = articles[k + 1 : k + 3]
            if any(later.number == label.number + 1 for later in following):
                warnings.append(
                    ParseWarning(
                        lines[label.position].number,
                        "provision_number_gap",
                        f"条文编号从第{expected - 1}条跳到{label.label}",
                    )
                )
                run.append(label)
                expected = label.number + 1
    return run


def _article_text(first: str, lines: Sequence[Line]) -> str:
    """The article's text, page seams joined, clauses and items on their own lines."""
    text = collapse_spaces(first)
    for line in lines:
        piece = collapse_spaces(line.text)
        if not piece:
            continue
        if not text:
            text = piece
        elif text[-1] in _TERMINAL or _ITEM_START_RE.match(piece):
            text += "\n" + piece
        else:
            text += piece  # a page seam inside a sentence
    return text


def extract_provisions(view: DocView) -> tuple[tuple[Provision, ...], tuple[ParseWarning, ...]]:
    """The chapters and articles of one document (empty when it has none)."""
    lines = view.body_lines
    labels = _labels(lines)
    if not any(label.kind == "article" and label.number == 1 for label in labels):
        return (), ()
    warnings: list[ParseWarning] = []
    run = _article_run(labels, warnings, lines)
    minimum = 1 if view.category == "regulation" else _MIN_RUN
    if len(run) < minimum:
        return (), ()
    accepted_articles = {label.position for label in run}

    # Chapters: a heading followed by an accepted article before the next heading.
    chapters: list[_Label] = []
    expected_chapter = 1
    ordered = sorted([*run, *(label for label in labels if label.kind == "chapter")], key=lambda x: x.position)
    for k, label in enumerate(ordered):
        if label.kind != "chapter" or label.number != expected_chapter:
            continue
        nxt = ordered[k + 1] if k + 1 < len(ordered) else None
        if nxt is not None and nxt.kind == "article" and nxt.position in accepted_articles:
            chapters.append(label)
            expected_chapter += 1
    starts = sorted([*run, *chapters], key=lambda x: x.position)

    provisions: list[Provision] = []
    chapter_number: int | None = None
    for k, label in enumerate(starts):
        line = lines[label.position]
        if label.kind == "chapter":
            chapter_number = label.number
            provisions.append(
                Provision(
                    kind="chapter",
                    number=label.number,
                    label=label.label,
                    heading=collapse_spaces(label.rest).replace(" ", ""),
                    text="",
                    span=Span(line.number, line.number),
                )
            )
            continue
        end = starts[k + 1].position if k + 1 < len(starts) else len(lines)
        following = []
        for later in lines[label.position + 1 : end]:
            if _END_RE.match(later.text):
                break
            following.append(later)
        while following and not following[-1].text:
            following.pop()
        last = following[-1].number if following else line.number
        provisions.append(
            Provision(
                kind="article",
                number=label.number,
                label=label.label,
                heading="",
                text=_article_text(label.rest, following),
                chapter=chapter_number,
                span=Span(line.number, last),
            )
        )
    return tuple(provisions), tuple(warnings)
