"""The one error the parser raises."""

from __future__ import annotations


class GazetteParseError(ValueError):
    """The input is not a gazette issue that can be loaded.

    ``message`` is written for a clerk; ``line`` points at the offending line
    of the text when there is one.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message if line is None else f"第 {line} 行：{message}")
        self.message = message
        self.line = line
