#!/usr/bin/env python3
"""Rebuild the upload-format fixtures in tests/fixtures/sources/.

usage (from the project root):
    .venv/bin/python tools/make_source_fixtures.py [--check]

Every fixture is made from ONE text sample, records/fixtures/gazettes/
anyang-congress-2021-03.txt (the one with a hand-checked expectation in
tests/golden/), so the tests can check that each format reads back to the
same gazette:

    anyang-congress-2021-03.gb18030.txt       GB18030 (GBK-compatible) text
    anyang-congress-2021-03.utf16.txt         UTF-16 LE with BOM
    anyang-congress-2021-03.utf8-bom-crlf.txt UTF-8 with BOM, CRLF line breaks
    anyang-congress-2021-03.docx              python-docx: a line holding TABs
                                              becomes a row of a real Word
                                              table (consecutive ones share a
                                              table); every other line, blank
                                              ones included, a paragraph
    anyang-congress-2021-03.pdf               the .docx converted by LibreOffice
                                              (embedded subset CJK font, real
                                              text layer), then recompressed
                                              by qpdf (object streams)
    excerpt.docx / excerpt.pdf                the first 90 lines only: small
                                              inputs for the mutation fuzz tests
    encrypted-password.pdf                    excerpt.pdf encrypted by qpdf with
                                              the user password "secret"
    encrypted-nopassword.pdf                  excerpt.pdf encrypted by qpdf with
                                              an owner password only (opens
                                              without a password)

The PDF page is A4 landscape with 8 pt type so that the table of contents
and the attendance grids fit on one line per row; body paragraphs wrap, and
read_source has to join them again. The font is Droid Sans Fallback: its
subset glyphs take 40 % less room than Noto Sans CJK's (600 KB instead of
1 MB for the whole issue); set FIXTURE_FONT to try another.

Needs, beyond the project's requirements: LibreOffice (``soffice``), a CJK
font and qpdf. On Debian:
    apt-get install -y libreoffice-writer-nogui fonts-droid-fallback qpdf

--check only reads the fixtures back through read_source and prints how
closely each matches the sample (all whitespace removed). The image-only
(scanned) PDF and the fake encrypted PDF are built inside the tests from
bytes they control, not here.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "records" / "fixtures" / "gazettes" / "anyang-congress-2021-03.txt"
OUT = ROOT / "tests" / "fixtures" / "sources"
STEM = SAMPLE.stem
EXCERPT_LINES = 90
FONT = os.environ.get("FIXTURE_FONT", "Droid Sans Fallback")
FONT_SIZE_PT = 8
FIXED_ZIP_TIME = (2021, 12, 13, 0, 0, 0)


def display_width(text: str) -> int:
    """Width in half-width cells: CJK and full-width characters count 2."""
    return sum(1 if ord(ch) < 0x2E80 else 2 for ch in text)


def build_docx(lines: list[str]) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    text_width = Mm(297 - 30)

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(FONT_SIZE_PT)
    r_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        r_fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    index = 0
    while index < len(lines):
        if "\t" not in lines[index]:
            document.add_paragraph(lines[index])
            index += 1
            continue
        block: list[list[str]] = []
        while index < len(lines) and "\t" in lines[index]:
            block.append(lines[index].split("\t"))
            index += 1
        columns = max(len(row) for row in block)
        widths = [
            max([display_width(row[col]) for row in block if col < len(row)] + [4]) + 4
            for col in range(columns)
        ]
        table = document.add_table(rows=len(block), cols=columns)
        table.autofit = False
        for col, width in enumerate(widths):
            share = int(text_width * width / sum(widths))
            table.columns[col].width = share
            for cell in table.columns[col].cells:
                cell.width = share
        for row_cells, row in zip(table.rows, block, strict=True):
            for col, value in enumerate(row):
                row_cells.cells[col].paragraphs[0].text = value

    buffer = io.BytesIO()
    document.save(buffer)
    return rezip_fixed_time(buffer.getvalue())


def rezip_fixed_time(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed timestamps so rebuilding gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename), compresslevel=9)
    return out.getvalue()


def docx_to_pdf(docx_bytes: bytes) -> bytes:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("soffice not found: apt-get install -y libreoffice-writer-nogui")
    fonts = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    if FONT not in fonts:
        sys.exit(f"font {FONT!r} not installed: apt-get install -y fonts-droid-fallback")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.docx"
        source.write_bytes(docx_bytes)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        return qpdf_compact((Path(tmp) / "in.pdf").read_bytes())


def qpdf_compact(pdf: bytes) -> bytes:
    """Recompress every stream at level 9 and pack objects into object streams."""
    return run_qpdf(
        pdf, ["--object-streams=generate", "--recompress-flate", "--compression-level=9"]
    )


def qpdf_encrypt(pdf: bytes, user: str, owner: str) -> bytes:
    return run_qpdf(pdf, ["--encrypt", user, owner, "256", "--"])


def run_qpdf(pdf: bytes, options: list[str]) -> bytes:
    qpdf = shutil.which("qpdf")
    if not qpdf:
        sys.exit("qpdf not found: apt-get install -y qpdf")
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [qpdf, *options, str(source), str(target)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return target.read_bytes()


def check() -> None:
    from records.parsing.sources import read_source

    def fold(text: str) -> str:
        return "".join(text.split())

    sample = SAMPLE.read_text(encoding="utf-8")
    excerpt = "\n".join(sample.split("\n")[:EXCERPT_LINES])
    for path in sorted(OUT.iterdir()):
        expected = excerpt if path.name.startswith(("excerpt", "encrypted")) else sample
        try:
            text = read_source(path.read_bytes(), path.name)
        except Exception as exc:  # a report, not a test
            print(f"{path.name:45} {path.stat().st_size:>9,} B  error: {exc}")
            continue
        same = fold(text) == fold(expected)
        lines_same = [ln.rstrip("\t ") for ln in text.split("\n")] == [
            ln.rstrip("\t ") for ln in expected.split("\n")
        ]
        print(
            f"{path.name:45} {path.stat().st_size:>9,} B  "
            f"non-space text identical: {same}  lines identical: {lines_same}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only read the fixtures back")
    args = parser.parse_args()
    if args.check:
        check()
        return

    OUT.mkdir(parents=True, exist_ok=True)
    text = SAMPLE.read_text(encoding="utf-8")
    lines = text.split("\n")

    (OUT / f"{STEM}.gb18030.txt").write_bytes(text.encode("gb18030"))
    (OUT / f"{STEM}.utf16.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    (OUT / f"{STEM}.utf8-bom-crlf.txt").write_bytes(
        b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    )

    full_docx = build_docx(lines)
    (OUT / f"{STEM}.docx").write_bytes(full_docx)
    (OUT / f"{STEM}.pdf").write_bytes(docx_to_pdf(full_docx))

    excerpt_docx = build_docx(lines[:EXCERPT_LINES])
    excerpt_pdf = docx_to_pdf(excerpt_docx)
    (OUT / "excerpt.docx").write_bytes(excerpt_docx)
    (OUT / "excerpt.pdf").write_bytes(excerpt_pdf)
    (OUT / "encrypted-password.pdf").write_bytes(qpdf_encrypt(excerpt_pdf, "secret", "owner"))
    (OUT / "encrypted-nopassword.pdf").write_bytes(qpdf_encrypt(excerpt_pdf, "", "owner"))

    for path in sorted(OUT.iterdir()):
        print(f"{path.name:45} {path.stat().st_size:>9,} B")
    check()


if __name__ == "__main__":
    main()
