"""Gazette parser.

Pure Python: this package must not import Django or anything from the
project's apps. It is fed the bytes or text of one gazette issue and returns
frozen dataclasses (``ParsedGazette``); writing to the database is
``records.loading``'s job.

Public API:
    read_source(data, filename) -> str          bytes of .txt/.md/.pdf/.docx → text
    read_path(path) -> bytes                     a file's bytes, refused by size before reading
    parse_gazette(text, metadata=None) -> ParsedGazette
    gazette_to_json(parsed) -> dict              the gazette/1 shape
    GazetteParseError                            the only exception raised
"""

from .errors import GazetteParseError
from .export import gazette_to_json
from .gazette import parse_gazette
from .sources import read_path, read_source
from .types import IssueMetadata, ParsedGazette

__all__ = ["GazetteParseError", "IssueMetadata", "ParsedGazette", "gazette_to_json", "parse_gazette", "read_path", "read_source"]
