"""read_source: uploads in every accepted format read back to the same gazette,
and every unreadable upload is refused with GazetteParseError alone.

The format fixtures in tests/fixtures/sources/ are all made from
records/fixtures/gazettes/anyang-congress-2021-03.txt by
tools/make_source_fixtures.py (see its docstring to rebuild them). The
scanned and the fake encrypted PDF, the zip bombs and the other bad inputs
are built here from bytes the tests control.

Runs without Django: ``.venv/bin/pytest tests/test_sources.py -p no:django``.
"""

from __future__ import annotations

import io
import random
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from records.parsing.errors import GazetteParseError
from records.parsing.sources import (
    MSG_DOC,
    MSG_DOCX_BROKEN,
    MSG_EMPTY,
    MSG_PDF_BOMB,
    MSG_PDF_ENCRYPTED,
    MSG_PDF_SCAN,
    MSG_ZIP_NOT_DOCX,
    ZIP_MAX_ENTRIES,
    read_source,
    sniff_kind,
)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(__file__).resolve().parent / "fixtures" / "sources"
SAMPLE = ROOT / "records" / "fixtures" / "gazettes" / "anyang-congress-2021-03.txt"
STEM = SAMPLE.stem
EXCERPT_LINES = 90  # as in tools/make_source_fixtures.py

# A refusal must come fast: no parsing of a bomb, no page-by-page crawl.
QUICK_SECONDS = 5.0


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def excerpt(sample: str) -> str:
    return "\n".join(sample.split("\n")[:EXCERPT_LINES])


def fold(text: str) -> str:
    """The text with every kind of whitespace removed."""
    return "".join(text.split())


def lines_without_trailing_blanks(text: str) -> list[str]:
    return [line.rstrip("\t ") for line in text.split("\n")]


def fixture_bytes(name: str) -> bytes:
    path = SOURCES / name
    assert path.is_file(), f"{path} is missing: run tools/make_source_fixtures.py"
    return path.read_bytes()


@pytest.fixture(scope="module")
def pdf_text() -> str:
    """The whole issue read from its PDF (about 7 s: read once per module)."""
    return read_source(fixture_bytes(f"{STEM}.pdf"), f"{STEM}.pdf")


# --- text files ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [f"{STEM}.gb18030.txt", f"{STEM}.utf16.txt", f"{STEM}.utf8-bom-crlf.txt"],
)
def test_encoded_text_fixture_reads_back_exactly(name: str, sample: str) -> None:
    assert read_source(fixture_bytes(name), name) == sample


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda t: t.encode("gbk"), id="gbk"),
        pytest.param(lambda t: t.encode("gb18030"), id="gb18030"),
        pytest.param(lambda t: t.encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(lambda t: t.encode("utf-16-be"), id="utf-16-be-no-bom"),
        pytest.param(lambda t: b"\xfe\xff" + t.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(lambda t: t.encode("utf-32"), id="utf-32-bom"),
    ],
)
def test_text_encodings(encode: Callable[[str], bytes], excerpt: str) -> None:
    assert read_source(encode(excerpt)) == excerpt


def test_text_cut_mid_character_still_reads(excerpt: str) -> None:
    utf8 = excerpt.encode("utf-8")
    assert read_source(utf8[:-1]) == excerpt[:-1] + "\ufffd"
    at = len(excerpt[:40].encode("utf-8"))  # a character boundary
    damaged = utf8[:at] + b"\xff" + utf8[at:]
    assert read_source(damaged).replace("\ufffd", "") == excerpt
    utf16 = excerpt.encode("utf-16")
    assert read_source(utf16[:-1]) == excerpt[:-1]


def test_short_gbk_text_is_not_taken_for_utf16() -> None:
    text = "安阳市人民代表大会常务委员会公报\n2021年第3号\n"
    assert read_source(text.encode("gbk")) == text
    assert read_source(text.encode("gbk").replace(b"\n", b"\r\n")) == text


def test_line_breaks_and_control_characters_are_normalised(excerpt: str) -> None:
    raw = "第一行\r\n第二行\r第三行\x0c第四行\u2028第五\x00行\x07\x1b\t表\x85末\ufeff行\n"
    clean = "第一行\n第二行\n第三行\n第四行\n第五行\t表\n末行\n"
    # A few stray control characters in a real text are dropped ...
    assert read_source((raw + excerpt).encode("utf-8")) == clean + excerpt
    # ... but a text made mostly of them is no text.
    with pytest.raises(GazetteParseError):
        read_source(("\x00\x01\x02\x03公报" * 50).encode("utf-8"))


def test_kangxi_radicals_from_pdf_fonts_become_ideographs() -> None:
    assert read_source("⼈⺠代表⼤会".encode()) == "人民代表大会"


def test_html_is_text_and_passes_unchanged() -> None:
    html = "<html><body><p>安阳市人民代表大会常务委员会公报</p></body></html>"
    assert read_source(html.encode("utf-8"), "issue.html") == html


def test_the_name_does_not_decide_the_type(excerpt: str) -> None:
    data = excerpt.encode("gb18030")
    assert read_source(data, "issue.pdf") == read_source(data, "issue.docx") == excerpt


def test_size_limit() -> None:
    with pytest.raises(GazetteParseError, match="太大"):
        read_source(b"x" * 101, max_bytes=100)
    assert read_source(b"x" * 100, max_bytes=100) == "x" * 100


# --- DOCX ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [f"{STEM}.docx", "excerpt.docx"])
def test_docx_fixture_keeps_every_line(name: str, sample: str, excerpt: str) -> None:
    expected = sample if name.startswith(STEM) else excerpt
    text = read_source(fixture_bytes(name), name)
    # Table rows are padded to the widest row of their table: only trailing
    # empty cells may differ.
    assert lines_without_trailing_blanks(text) == lines_without_trailing_blanks(expected)


def test_docx_tables_paragraph_order_tabs_and_breaks() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("市十四届人大常委会第二十二次会议出席人员名单")
    table = document.add_table(rows=2, cols=3)
    for row, names in zip(
        table.rows, [["徐家平", "张保香", "张 玲"], ["郝保旺", "", ""]], strict=True
    ):
        for cell, name in zip(row.cells, names, strict=True):
            cell.text = name
    paragraph = document.add_paragraph("标题")
    paragraph.add_run().add_tab()
    paragraph.add_run("1")
    paragraph.add_run().add_break()
    paragraph.add_run("下一行")
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_source(buffer.getvalue(), "x.docx") == (
        "市十四届人大常委会第二十二次会议出席人员名单\n徐家平\t张保香\t张 玲\n郝保旺\t\t\n标题\t1\n下一行"
    )


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_text_layer_has_every_character(pdf_text: str, sample: str) -> None:
    assert fold(pdf_text) == fold(sample)


def test_pdf_keeps_grids_as_tabs(pdf_text: str, sample: str) -> None:
    grid_rows = [line.strip() for line in sample.split("\n") if line.count("\t") >= 3]
    read_rows = {line.strip() for line in pdf_text.split("\n")}
    missing = [row for row in grid_rows if row.rstrip("\t") not in read_rows]
    assert not missing, missing[:5]


def test_pdf_rejoins_wrapped_paragraphs(pdf_text: str, sample: str) -> None:
    # Body paragraphs of up to 940 characters wrap over 10 lines on the page;
    # all but the ones broken by a page seam must come back as one line.
    assert len(pdf_text.split("\n")) <= len(sample.split("\n")) * 1.05


@pytest.mark.parametrize("name", ["excerpt.pdf", "encrypted-nopassword.pdf"])
def test_small_pdfs(name: str, excerpt: str) -> None:
    """A PDF encrypted with an owner password only opens without a password,
    as in any reader, so it is read."""
    assert fold(read_source(fixture_bytes(name), name)) == fold(excerpt)


def make_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF file from object bodies (object n is objects[n-1]), with an xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def text_pdf(content: bytes, *, flate: bool = False) -> bytes:
    """One page in Helvetica drawing ``content`` (a content stream)."""
    body = stream(zlib.compress(content), b"/Filter /FlateDecode") if flate else stream(content)
    return make_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            body,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def image_only_pdf(pages: int = 1) -> bytes:
    """A scan: each page shows one grey image and has no text at all."""
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
    ]
    image = 3 + 2 * pages
    for i in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>" % (image, 4 + 2 * i)
        )
        objects.append(stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q"))
    objects.append(
        stream(
            bytes([128] * 16),
            b"/Type /XObject /Subtype /Image /Width 4 /Height 4 "
            b"/ColorSpace /DeviceGray /BitsPerComponent 8",
        )
    )
    return make_pdf(objects)


def fake_encrypted_pdf() -> bytes:
    """Standard security handler with made-up O and U: no password opens it."""
    o_entry, u_entry = b"A1" * 32, b"B2" * 32
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        stream(b"\x8f\x12\x99junk-that-would-be-ciphertext"),
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (o_entry, u_entry),
    ]
    return make_pdf(
        objects,
        b"/Encrypt 5 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]",
    )


def test_minimal_pdf_text_layer_and_tab_gaps() -> None:
    content = (
        b"BT /F1 12 Tf 72 720 Td (Present:) Tj ET "
        b"BT /F1 12 Tf 72 700 Td (Alice Smith) Tj ET "
        b"BT /F1 12 Tf 300 700 Td (Bob Jones) Tj ET"
    )
    assert read_source(text_pdf(content)) == "Present:\nAlice Smith\tBob Jones"
    assert read_source(text_pdf(content, flate=True)) == "Present:\nAlice Smith\tBob Jones"


def test_pdf_stream_bomb_is_refused_quickly() -> None:
    """A content stream of 16 KB that would inflate to 16 MB of zeros (the
    limit is lowered to 8 MB for the test; the real one is 64 MB a stream)."""
    inflater = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    bomb = b"".join(inflater.compress(chunk) for _ in range(16)) + inflater.flush()
    assert len(bomb) < 50_000
    pdf = make_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            stream(bomb, b"/Filter /FlateDecode"),
        ]
    )
    from records.parsing import sources

    limit = sources.PDF_MAX_STREAM_BYTES
    sources.PDF_MAX_STREAM_BYTES = 8 * 1024 * 1024  # keep the test light
    try:
        started = time.monotonic()
        with pytest.raises(GazetteParseError) as caught:
            read_source(pdf)
        assert time.monotonic() - started < QUICK_SECONDS
    finally:
        sources.PDF_MAX_STREAM_BYTES = limit
    assert caught.value.message == MSG_PDF_BOMB


# --- bad inputs ------------------------------------------------------------------------------


def zip_of(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_with_many_entries(count: int) -> bytes:
    return zip_of({f"word/media/image{i}.png": b"" for i in range(count)}, zipfile.ZIP_STORED)


def zip_declaring_huge_size() -> bytes:
    """A docx-looking ZIP whose directory declares 3 GB of XML (a bomb's
    headers; the few real bytes are never inflated)."""
    data = bytearray(
        zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    )
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # every central directory record: uncompressed size at +24
        struct.pack_into("<I", data, at + 24, 3_000_000_000)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def random_bytes(size: int, seed: int = 20211213) -> bytes:
    return random.Random(seed).randbytes(size)


BAD_INPUTS: dict[str, tuple[Callable[[], bytes], str | None]] = {
    # name: (bytes, a word the message must contain; None = any message)
    "empty": (lambda: b"", MSG_EMPTY),
    "whitespace only": (lambda: b" \r\n\t\n", "没有文字"),
    "random bytes": (lambda: random_bytes(100_000), None),
    "random bytes, 2 KB": (lambda: random_bytes(2048, seed=1), None),
    "png header": (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random_bytes(200), "图片"),
    "jpeg": (lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + random_bytes(200), "图片"),
    "gzip": (lambda: zlib.compress(b"x") and b"\x1f\x8b\x08\x00" + random_bytes(100), "压缩包"),
    "elf executable": (lambda: b"\x7fELF\x02\x01\x01" + bytes(200), "程序"),
    "zip of 10000 entries": (lambda: zip_with_many_entries(10_000), "数量异常"),
    f"zip of {ZIP_MAX_ENTRIES + 1} entries": (
        lambda: zip_with_many_entries(ZIP_MAX_ENTRIES + 1),
        "数量异常",
    ),
    "zip declaring 3 GB": (zip_declaring_huge_size, "体积异常"),
    "zip that is not a docx": (lambda: zip_of({"notes.txt": "公报".encode()}), MSG_ZIP_NOT_DOCX),
    "xlsx": (
        lambda: zip_of({"[Content_Types].xml": b"spreadsheetml", "xl/workbook.xml": b""}),
        "Excel",
    ),
    "odt": (lambda: zip_of({"mimetype": b"application/vnd.oasis.opendocument.text"}), ".odt"),
    "zip posing as docx": (
        lambda: zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<not xml"}),
        MSG_DOCX_BROKEN,
    ),
    "truncated zip": (lambda: zip_of({"word/document.xml": b"x" * 1000})[:60], "损坏"),
    "doc (OLE header)": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), MSG_DOC),
    "rtf": (lambda: b"{\\rtf1\\ansi \\'b0\\'b2}", "RTF"),
    "fake encrypted pdf": (fake_encrypted_pdf, MSG_PDF_ENCRYPTED),
    "image-only pdf": (image_only_pdf, MSG_PDF_SCAN),
    "image-only pdf, 3 pages": (lambda: image_only_pdf(3), MSG_PDF_SCAN),
    "pdf header and junk": (lambda: b"%PDF-1.7\n" + random_bytes(5000), "PDF"),
    "truncated pdf": (lambda: text_pdf(b"BT /F1 12 Tf 72 720 Td (Hi) Tj ET")[:150], "PDF"),
    "pdf without pages": (
        lambda: make_pdf(
            [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
        ),
        "PDF",
    ),
    "binary with nuls": (lambda: bytes(range(256)) * 50, None),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_refused_quickly(name: str) -> None:
    make, expected = BAD_INPUTS[name]
    data = make()
    started = time.monotonic()
    with pytest.raises(GazetteParseError) as caught:
        read_source(data, name)
    elapsed = time.monotonic() - started
    assert type(caught.value) is GazetteParseError
    assert caught.value.message, "the clerk needs a message"
    if expected is not None:
        assert expected in caught.value.message
    assert elapsed < QUICK_SECONDS, f"{name} took {elapsed:.1f} s"


def test_password_protected_pdf_fixture() -> None:
    with pytest.raises(GazetteParseError) as caught:
        read_source(fixture_bytes("encrypted-password.pdf"))
    assert caught.value.message == MSG_PDF_ENCRYPTED


def test_non_bytes_input_is_a_parse_error() -> None:
    with pytest.raises(GazetteParseError):
        read_source("已经是文字")  # type: ignore[arg-type]


# --- sniff_kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda: fixture_bytes(f"{STEM}.pdf")[:2048], "pdf"),
        (lambda: fixture_bytes("excerpt.docx"), "docx"),
        (lambda: fixture_bytes(f"{STEM}.gb18030.txt"), "text"),
        (lambda: fixture_bytes(f"{STEM}.utf16.txt"), "text"),
        (lambda: "<html>公报</html>".encode(), "text"),
        (lambda: b"", "text"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "doc"),
        (lambda: b"{\\rtf1 x}", "doc"),
        (lambda: zip_of({"a.txt": b"x"}), "binary"),
        (lambda: zip_with_many_entries(ZIP_MAX_ENTRIES + 1), "binary"),
        (lambda: b"\x89PNG\r\n\x1a\n" + bytes(20), "binary"),
        (lambda: random_bytes(4096), "binary"),
    ],
)
def test_sniff_kind(make: Callable[[], bytes], kind: str) -> None:
    assert sniff_kind(make()) == kind


# --- the parsed gazette is the same whatever the format ----------------------------------------------


def core_results(parsed: Any, gazette_to_json: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    data = gazette_to_json(parsed)
    return {
        "gazette": data["gazette"],
        "document titles": [d["title"] for d in data["documents"]],
        "document categories": [d["category"] for d in data["documents"]],
        "document dates": [d["date"] for d in data["documents"]],
        "document pages": [d["page"] for d in data["documents"]],
        "meetings": [(m["body"], m["term"], m["number"], m["date"]) for m in data["meetings"]],
        "attendance": [(m["present"], m["on_leave"], m["attending"]) for m in data["meetings"]],
        "personnel decisions": [
            (d["person"], d["action"], d["positions"], d["date"])
            for d in data["personnel_decisions"]
        ],
        "votes": [
            (v["subject"], v["satisfied"], v["basically_satisfied"], v["unsatisfied"])
            for v in data["votes"]
        ],
        "toc": [(t["title"], t["page"]) for t in data["toc"]],
    }


@pytest.mark.parametrize(
    "name",
    [
        f"{STEM}.pdf",
        f"{STEM}.docx",
        f"{STEM}.gb18030.txt",
        f"{STEM}.utf16.txt",
        f"{STEM}.utf8-bom-crlf.txt",
    ],
)
def test_every_format_parses_to_the_same_gazette(name: str, sample: str, pdf_text: str) -> None:
    gazette = pytest.importorskip(
        "records.parsing.gazette", reason="parse_gazette is not written yet"
    )
    export = pytest.importorskip(
        "records.parsing.export", reason="gazette_to_json is not written yet"
    )
    text = pdf_text if name.endswith(".pdf") else read_source(fixture_bytes(name), name)
    expected = core_results(gazette.parse_gazette(sample), export.gazette_to_json)
    got = core_results(gazette.parse_gazette(text), export.gazette_to_json)
    assert len(expected["document titles"]) > 40, "the sample itself no longer parses"
    for key, value in expected.items():
        assert got[key] == value, f"{name}: {key} differ"
