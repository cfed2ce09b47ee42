"""Source lines and the per-document slices that extractors work on."""

from __future__ import annotations

from dataclasses import dataclass

from .text import collapse_spaces, is_running_head, strip_markup
from .types import Document


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line of the source text."""

    number: int  # 1-based, counting blank lines
    raw: str  # as in the file, without the line break
    text: str  # markup stripped (#, **, bullets), ends trimmed; inner spaces kept
    running_head: bool = False  # a page number or the gazette's name/issue repeated on a page

    @property
    def compact(self) -> str:
        """The text without layout spaces between CJK characters."""
        return collapse_spaces(self.text)

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(text: str) -> list[Line]:
    """Cut a text into numbered lines (LF, CRLF or CR breaks)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = strip_markup(raw)
        lines.append(Line(number, raw, stripped, bool(stripped) and is_running_head(stripped)))
    return lines


@dataclass(frozen=True, slots=True)
class DocumentSource:
    """A segmented document together with its source lines.

    ``lines`` runs from the first line of the title block to the last line
    of the document; ``body_start`` is the index in ``lines`` of the first
    line after the title and its anchor lines (subtitle, adoption line …).
    """

    document: Document
    lines: tuple[Line, ...]
    body_start: int = 0

    @property
    def body(self) -> tuple[Line, ...]:
        return self.lines[self.body_start :]
