"""Property tests: whatever comes in, the only exception out is GazetteParseError.

``read_source`` is fed random bytes, random bytes behind real magic numbers
and damaged copies of real uploads (PDF, DOCX, encoded text); ``parse_gazette``
is fed the sample gazettes with lines deleted, duplicated and moved, junk
inserted, characters replaced by random Unicode and the text cut short.

``parse_gazette`` turns any internal exception into a GazetteParseError
(``from exc``), which would make "only GazetteParseError" impossible to fail;
so a GazetteParseError whose ``__cause__`` is another exception counts as a
failure here: it is a bug caught by the safety net.

Fast by design: about 200 examples a property and no deadline. Runs without
Django: ``.venv/bin/pytest tests/test_parser_fuzz.py -p no:django``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records.parsing.errors import GazetteParseError
from records.parsing.sources import normalise_text, read_source
from tests.test_sources import text_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "records" / "fixtures" / "gazettes"
SOURCES = Path(__file__).resolve().parent / "fixtures" / "sources"

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(FUZZ, max_examples=60)  # for inputs that take a pdfminer pass each

T = TypeVar("T")


def only_parse_errors(call: Callable[[], T]) -> T | None:
    """Run call; a GazetteParseError is fine unless it wraps another exception."""
    try:
        return call()
    except GazetteParseError as exc:
        assert type(exc) is GazetteParseError
        assert exc.message, "a refusal needs a message for the clerk"
        cause = exc.__cause__
        assert cause is None or isinstance(cause, GazetteParseError), (
            f"internal error behind the message: {cause!r}"
        )
        return None


def assert_clean_text(text: str) -> None:
    assert isinstance(text, str)
    bad = [ch for ch in text if (ord(ch) < 0x20 and ch not in "\t\n") or 0x7F <= ord(ch) <= 0x9F]
    assert not bad, f"control characters left: {bad[:5]!r}"
    assert "\r" not in text and "\ufeff" not in text


# --- read_source ---------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=8192))
def test_read_source_random_bytes(data: bytes) -> None:
    text = only_parse_errors(lambda: read_source(data))
    if text is not None:
        assert_clean_text(text)


MAGICS = [
    b"%PDF-1.4\n",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"{\\rtf1",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xff\xfe\x00\x00",
    b"\x89PNG\r\n\x1a\n",
    b"<html>",
]


@FUZZ
@given(st.sampled_from(MAGICS), st.binary(max_size=4096))
def test_read_source_magic_then_junk(magic: bytes, tail: bytes) -> None:
    text = only_parse_errors(lambda: read_source(magic + tail))
    if text is not None:
        assert_clean_text(text)


@FUZZ
@given(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030"]),
)
def test_read_source_decodes_what_was_encoded(text: str, encoding: str) -> None:
    """Any text written with a BOM (or as GB18030) reads back normalised,
    unless it is mostly control characters and so refused as binary."""
    data = text.encode(encoding)
    got = only_parse_errors(lambda: read_source(data))
    if got is None:
        return
    assert_clean_text(got)
    if encoding != "gb18030":  # without a BOM, short GB18030 may be read otherwise
        assert got == normalise_text(text)


@cache
def uploads() -> dict[str, bytes]:
    """Real uploads of a few kilobytes to damage."""
    excerpt = "\n".join(
        (SAMPLES / "anyang-congress-2021-03.txt").read_text(encoding="utf-8").split("\n")[:40]
    )
    files = {
        "tiny pdf": text_pdf(b"BT /F1 12 Tf 72 720 Td (Gazette) Tj ET", flate=True),
        "gb18030": excerpt.encode("gb18030"),
        "utf-16": excerpt.encode("utf-16"),
    }
    for name in ("excerpt.pdf", "excerpt.docx"):
        path = SOURCES / name
        if path.is_file():
            files[name] = path.read_bytes()
    return files


@st.composite
def damaged(draw: st.DrawFn, names: tuple[str, ...]) -> bytes:
    data = bytearray(uploads()[draw(st.sampled_from(names))])
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete", "zero"]))
        if action == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 512))]
        else:
            data[at : at + draw(st.integers(1, 64))] = bytes(draw(st.integers(1, 64)))
    return bytes(data)


@FUZZ
@given(damaged(("tiny pdf", "gb18030", "utf-16")))
def test_read_source_damaged_small_uploads(data: bytes) -> None:
    text = only_parse_errors(lambda: read_source(data))
    if text is not None:
        assert_clean_text(text)


@FEW
@given(damaged(("excerpt.pdf", "excerpt.docx")))
def test_read_source_damaged_office_and_pdf(data: bytes) -> None:
    if "excerpt.pdf" not in uploads():
        pytest.skip("tests/fixtures/sources is missing: run tools/make_source_fixtures.py")
    text = only_parse_errors(lambda: read_source(data))
    if text is not None:
        assert_clean_text(text)


# --- parse_gazette ------------------------------------------------------------------------


@cache
def sample_lines() -> dict[str, list[str]]:
    return {
        path.name: path.read_text(encoding="utf-8").split("\n")
        for path in sorted(SAMPLES.glob("*.txt"))
    }


JUNK_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
LIKELY_JUNK = st.sampled_from(
    [
        "目 录",
        "第一条",
        "第十四届人大常委会第二十二次会议",
        "\t\t\t",
        "·····\t12",
        "任命：",
        "免去：",
        "出席：",
        "请假：",
        "（2021年7月3日安阳市第十四届人民代表大会常务委员会第二十二次会议通过）",
        "#",
        "**",
        "一、",
        "(女)",
        "葫政发〔2020〕6号",
        "2021年第3号(总第205号)",
        "9" * 40,
        "〔",
    ]
)


@st.composite
def mutated_gazette(draw: st.DrawFn) -> str:
    lines = list(sample_lines()[draw(st.sampled_from(sorted(sample_lines())))])
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(
            st.sampled_from(
                [
                    "delete",
                    "delete-block",
                    "duplicate",
                    "move",
                    "junk",
                    "chars",
                    "cut",
                    "truncate-line",
                ]
            )
        )
        if action == "delete":
            del lines[at]
        elif action == "delete-block":
            del lines[at : at + draw(st.integers(1, 200))]
        elif action == "duplicate":
            lines[at:at] = lines[at : at + draw(st.integers(1, 30))]
        elif action == "move":
            block = lines[at : at + draw(st.integers(1, 50))]
            del lines[at : at + len(block)]
            to = draw(st.integers(0, len(lines)))
            lines[to:to] = block
        elif action == "junk":
            lines.insert(at, draw(st.one_of(JUNK_TEXT, LIKELY_JUNK)))
        elif action == "chars":
            line = lines[at]
            if line:
                pos = draw(st.integers(0, len(line) - 1))
                lines[at] = line[:pos] + draw(JUNK_TEXT) + line[pos + draw(st.integers(0, 5)) :]
        elif action == "cut":
            del lines[at:]
        else:
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
    return "\n".join(lines)


@FUZZ
@given(mutated_gazette())
def test_parse_gazette_on_mutated_samples(text: str) -> None:
    gazette = pytest.importorskip(
        "records.parsing.gazette", reason="parse_gazette is not written yet"
    )
    export = pytest.importorskip(
        "records.parsing.export", reason="gazette_to_json is not written yet"
    )
    parsed: Any = only_parse_errors(lambda: gazette.parse_gazette(text))
    if parsed is not None:
        json.dumps(export.gazette_to_json(parsed), ensure_ascii=False)


@FUZZ
@given(st.text(max_size=2000))
def test_parse_gazette_on_random_text(text: str) -> None:
    gazette = pytest.importorskip(
        "records.parsing.gazette", reason="parse_gazette is not written yet"
    )
    only_parse_errors(lambda: gazette.parse_gazette(text))
