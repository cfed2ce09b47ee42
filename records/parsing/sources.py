"""Turn an uploaded file into the text the gazette parser reads.

``read_source(data, filename)`` decides what the bytes are by their content
(magic bytes), never by the file name, and returns plain text with LF line
breaks:

* PDF (``%PDF-``): the text layer, read with pdfminer.six (the engine of
  pdfplumber, pinned by it; pdfplumber's own per-character layer is three
  times slower on a gazette). Characters are put back into lines by position; a wide horizontal gap becomes a TAB (so table
  grids survive as they do in the text samples), a paragraph's wrapped lines
  are joined again, a vertical gap of about one empty line becomes a blank
  line, and pages are joined with a blank line (the samples show page seams
  the same way). A PDF without a text layer (a scan) is refused: it needs OCR.
* DOCX (a ZIP holding a WordprocessingML main part): paragraphs in body
  order; each table row is one line of TAB-joined cells.
* Text: UTF-8 (with or without BOM), UTF-16/UTF-32 (BOM, or UTF-16 recognised
  by its NUL bytes) and GB18030/GBK, decoded strictly; of the encodings that
  decode without error the one giving the most plausible Chinese text wins.
  HTML and Markdown are text: nothing is stripped, the parser judges them.
* Anything else (legacy .doc/.rtf, images, archives, executables, random
  bytes) raises ``GazetteParseError`` with a message a clerk can act on.

Whatever the source, the text is normalised the same way: CRLF, CR and the
other Unicode line separators become LF, form feeds (page breaks of
``pdftotext``) become line breaks, NUL and other control characters except
TAB and LF are removed, and Kangxi radicals that PDF fonts put in place of
ordinary ideographs (⼈ for 人) are mapped back.

Limits guard the server against hostile files: ``max_bytes`` for the upload,
an entry count and a total uncompressed size for ZIP files (checked before
python-docx opens them), and for PDFs a page count, a per-stream and a total
budget of decoded bytes (enforced inside pdfminer's stream filters, see
``_install_pdf_guards``), a character count and a time budget.

The only exception raised is ``GazetteParseError``. pdfminer and python-docx
are imported inside the functions that need them, so importing
``records.parsing`` stays fast. No Django here.
"""

from __future__ import annotations

import contextvars
import io
import itertools
import os
import re
import statistics
import struct
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Literal

from .errors import GazetteParseError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SourceKind",
    "normalise_text",
    "read_path",
    "read_source",
    "sniff_kind",
]

SourceKind = Literal["pdf", "docx", "doc", "text", "binary"]

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 50 * MB

# ZIP (DOCX) limits, checked on the central directory before anything is inflated.
ZIP_MAX_ENTRIES = 2_000  # a Word file has a few dozen parts, a few hundred with images
ZIP_MAX_UNCOMPRESSED = 256 * MB
ZIP_MAX_CONTENT_TYPES = 1 * MB
_ZIP_CHUNK = 1 * MB

# PDF limits.
PDF_MAX_PAGES = 3_000
PDF_MAX_STREAM_BYTES = 64 * MB  # one decoded stream
PDF_MAX_DECODED_BYTES = 512 * MB  # all decoded streams of one document
PDF_MAX_SECONDS = 180.0
MAX_TEXT_CHARS = 30_000_000

# --- messages (for a clerk) ---------------------------------------------------

MSG_EMPTY = "文件是空的，没有可读取的内容。"
MSG_NO_TEXT = "文件中没有文字内容。"
MSG_TOO_LARGE = "文件太大（{size:.1f} MB），上限为 {limit:.0f} MB。请拆分后分别上传。"
MSG_DOC = (
    "这是旧版 Office 二进制文件（如 Word 97-2003 的 .doc），无法直接读取。"
    "请在 Word 或 WPS 中“另存为” .docx，或导出为 PDF 后再上传。"
    "（设有打开密码的 .docx 也是这种格式，请先取消密码。）"
)
MSG_RTF = (
    "这是 RTF 格式的文件，无法直接读取。请在 Word 或 WPS 中“另存为” .docx，或导出为 PDF 后再上传。"
)
MSG_IMAGE = (
    "这是一张图片（{kind}），不是文字文件。请上传公报的 PDF、Word（.docx）或文本文件；"
    "扫描图片需要先做文字识别（OCR）。"
)
MSG_ARCHIVE = (
    "这是一个压缩包或程序文件（{kind}），不是公报文件。请上传 PDF、Word（.docx）或文本文件。"
)
MSG_BINARY = (
    "无法识别的文件格式：内容不是 PDF、Word（.docx）或文本。请上传 PDF、Word（.docx）或文本文件。"
)
MSG_ENCODING = (
    "无法识别文本文件的编码（不是 UTF-8、UTF-16 或 GB18030/GBK）。"
    "请用记事本或 WPS 将文件另存为 UTF-8 编码后再上传。"
)
MSG_ZIP_NOT_DOCX = (
    "这是一个 ZIP 压缩包，但不是 Word（.docx）文档。请上传 PDF、Word（.docx）或文本文件。"
)
MSG_ZIP_OTHER_OFFICE = "这是{kind}文件，不是 Word 文档。请上传公报的 PDF、Word（.docx）或文本文件。"
MSG_ZIP_BROKEN = (
    "压缩文件（.docx）已损坏，无法打开。请在 Word 或 WPS 中重新“另存为” .docx 后再上传。"
)
MSG_ZIP_ENTRIES = (
    "文档内部的文件数量异常（{count} 个，上限 {limit} 个），疑似损坏或恶意文件，已拒绝。"
)
MSG_ZIP_SIZE = (
    "文档解压后的体积异常（{size:.0f} MB，上限 {limit:.0f} MB），疑似损坏或恶意文件，已拒绝。"
)
MSG_ZIP_ENCRYPTED = "文档的压缩包设有密码，无法读取。请取消密码后再上传。"
MSG_DOCX_BROKEN = (
    "无法读取这个 Word 文件：文件已损坏，或者是模板（.dotx）、启用宏的文档（.docm）。"
    "请在 Word 或 WPS 中“另存为”普通的 .docx 或导出为 PDF 后再上传。"
)
MSG_PDF_BROKEN = "PDF 文件已损坏或格式不正确，无法读取。请重新导出 PDF 后再上传。"
MSG_PDF_PAGE_BROKEN = "PDF 第 {page} 页已损坏，无法读取文字。请重新导出 PDF 后再上传。"
MSG_PDF_ENCRYPTED = "PDF 文件设有打开密码（已加密），无法读取。请上传未加密的 PDF。"
MSG_PDF_CRYPT_UNSUPPORTED = "PDF 文件使用了不支持的加密方式，无法读取。请上传未加密的 PDF。"
MSG_PDF_SCAN = (
    "这份 PDF 是扫描件：页面只有图片，没有文字层，无法读取文字。"
    "请先做文字识别（OCR），或上传带文字的 PDF、Word（.docx）或文本文件。"
)
MSG_PDF_EMPTY = "PDF 中没有任何文字（空白页面）。"
MSG_PDF_NO_UNICODE = (
    "PDF 的文字层无法转换成文字（字体缺少编码映射，复制出来是乱码）。"
    "请上传 Word（.docx）或文本文件，或对 PDF 做文字识别（OCR）。"
)
MSG_PDF_PAGES = "PDF 页数过多（{count} 页，上限 {limit} 页）。请拆分后分别上传。"
MSG_PDF_BOMB = "PDF 内容解压后的体积异常，疑似损坏或恶意文件，已拒绝。"
MSG_PDF_SLOW = "PDF 处理超时（超过 {limit:.0f} 秒），文件可能过于复杂或已损坏。"
MSG_TEXT_TOO_LONG = "文件中的文字过多（超过 {limit} 字），请拆分后分别上传。"

# --- sniffing -------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_RTF_MAGIC = b"{\\rtf"
_IMAGE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
)
_ARCHIVE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\x7fELF", "ELF"),
)
_ISO_BMFF_IMAGES = (b"heic", b"heix", b"mif1", b"avif")


def _image_kind(data: bytes) -> str | None:
    for magic, kind in _IMAGE_MAGICS:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp" and data[8:12] in _ISO_BMFF_IMAGES:
        return "HEIC/AVIF"
    return None


def _archive_kind(data: bytes) -> str | None:
    for magic, kind in _ARCHIVE_MAGICS:
        if data.startswith(magic):
            return kind
    return None


def _is_pdf(data: bytes) -> bool:
    """``%PDF-`` at the start (after blanks), or behind a short binary preamble."""
    if data[:1024].lstrip(b" \t\r\n\x0c\x00")[:5] == b"%PDF-":
        return True
    at = data.find(b"%PDF-", 0, 1024)
    return at > 0 and any(b < 0x09 or b >= 0x80 for b in data[:at])


def _is_zip(data: bytes) -> bool:
    return data[:4] in _ZIP_MAGICS


def sniff_kind(data: bytes) -> SourceKind:
    """Say what the bytes are, by content only. Never raises.

    ``doc`` covers the binary Office formats (OLE compound files) and RTF,
    which are recognised only to refuse them with a useful message.
    """
    if data.startswith(_OLE_MAGIC) or data.startswith(_RTF_MAGIC):
        return "doc"
    if _is_pdf(data):
        return "pdf"
    if _is_zip(data):
        try:
            _check_docx_zip(data)
        except GazetteParseError:
            return "binary"
        return "docx"
    if _image_kind(data) or _archive_kind(data):
        return "binary"
    if not data:
        return "text"
    return "text" if _decode_text(data) is not None else "binary"


# --- entry point ----------------------------------------------------------------------


def read_path(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a file on disk, refused by its size before it is read.

    Reads at most ``max_bytes + 1`` bytes, so that a file that grows while it
    is read, or a device with no end, is refused by length as well.
    Raises OSError when the file cannot be opened.
    """
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise GazetteParseError(MSG_TOO_LARGE.format(size=size / MB, limit=max_bytes / MB))
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise GazetteParseError(MSG_TOO_LARGE.format(size=len(data) / MB, limit=max_bytes / MB))
    return data


def read_source(data: bytes, filename: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the text of an uploaded gazette file.

    ``filename`` is never used to decide the type (only the content is); it
    is accepted so callers can pass what they have. Raises
    ``GazetteParseError`` (and nothing else) when the file cannot be read.
    """
    del filename  # the content decides, see the module docstring
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise GazetteParseError("内部错误：上传内容不是字节数据。")
    data = bytes(data)
    if len(data) > max_bytes:
        raise GazetteParseError(MSG_TOO_LARGE.format(size=len(data) / MB, limit=max_bytes / MB))
    if not data:
        raise GazetteParseError(MSG_EMPTY)

    if data.startswith(_OLE_MAGIC):
        raise GazetteParseError(MSG_DOC)
    if data.startswith(_RTF_MAGIC):
        raise GazetteParseError(MSG_RTF)
    if _is_pdf(data):
        text = _read_pdf(data)
    elif _is_zip(data):
        text = _read_docx(data)
    else:
        image = _image_kind(data)
        if image:
            raise GazetteParseError(MSG_IMAGE.format(kind=image))
        archive = _archive_kind(data)
        if archive:
            raise GazetteParseError(MSG_ARCHIVE.format(kind=archive))
        text = _read_text(data)

    text = normalise_text(text)
    if len(text) > MAX_TEXT_CHARS:
        raise GazetteParseError(MSG_TEXT_TOO_LONG.format(limit=MAX_TEXT_CHARS))
    if not text.strip():
        raise GazetteParseError(MSG_NO_TEXT)
    return text


# --- normalisation -------------------------------------------------------------------

_LINE_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
_RADICAL_RE = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")


# CJK radicals (U+2E80-U+2FDF) that look exactly like a whole character. PDF
# fonts often map glyphs to them instead of to the ideograph, so copied text
# reads ⼈⺠ for 人民. The Kangxi block has NFKC mappings; the supplement
# mostly not, so its whole-character forms are listed here.
_RADICAL_SUPPLEMENT = str.maketrans(
    "⺠⻓⻔⻢⻄⻅⻆⻉⻋⻘⻝⻙⻛⻜⻚⻩⻬⻰⻥⻦⻨⻮⺩⺝⺮⻣⻤⻧⻪⻊⺁⺇⺊⺒⺓⺛⺞⺳⺻⻁",
    "民长门马西见角贝车青食韦风飞页黄齐龙鱼鸟麦齿王月竹骨鬼卤黾足厂几卜巳幺旡歺网聿虎",
)


def _radical(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match[0].translate(_RADICAL_SUPPLEMENT))


def normalise_text(text: str) -> str:
    """LF line breaks only; no control characters except TAB and LF; CJK
    radicals that stand for whole characters replaced by the characters."""
    text = _LINE_BREAK_RE.sub("\n", text)
    text = _CONTROL_RE.sub("", text)
    return _RADICAL_RE.sub(_radical, text)


# --- text files ---------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\x84\x31\x95\x33", "gb18030"),
)
# Characters a gazette is made of: CJK ideographs and punctuation, full-width
# forms, ASCII, Latin-1, general punctuation, circled numbers, box drawing,
# geometric shapes (○), Roman numerals, Greek and Cyrillic, arrows, maths.
_NOT_GOOD_RE = re.compile(
    "[^\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff00-\uffef\t\n\r\x20-\x7e\u00a0-\u00ff"
    "\u2000-\u206f\u2460-\u24ff\u2500-\u25ff\u2160-\u217f\u3200-\u32ff\u0391-\u03c9"
    "\u0401-\u0451\u2190-\u22ff\ufe30-\ufe4f\uf900-\ufaff\u2e80-\u2fdf\U00020000-\U0003134f]"
)
_BAD_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff]")
_SAMPLE_CHARS = 200_000
_MAX_BAD_RATIO = 0.05
_MIN_GOOD_RATIO = 0.6


@dataclass(frozen=True, slots=True)
class _Decoded:
    text: str
    encoding: str
    good: float  # share of characters a gazette is made of
    bad: float  # share of control characters and replacement marks
    common: float  # share of the non-ASCII characters that GB2312 has (common hanzi)
    wide: int  # non-ASCII characters in the sample (both only measured for ``chinese``)


_COMMON_SAMPLE = 50_000
# Chinese text is almost all GB2312 (99.7 % in the samples); GBK byte pairs
# decoded by chance are mostly rare characters (about 30 % GB2312).
_MIN_COMMON_RATIO = 0.5
_MIN_WIDE_FOR_COMMON = 8


def _try_decode(data: bytes, encoding: str, *, chinese: bool = False) -> _Decoded | None:
    unit = 4 if "32" in encoding else 2 if "16" in encoding else 1
    if unit > 1:
        data = data[: len(data) - len(data) % unit]  # a file cut short mid-character
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return _measure(text, encoding, chinese=chinese)


def _damaged_utf8(data: bytes) -> _Decoded | None:
    """UTF-8 with a few broken bytes (a file cut mid-character, a bad sector):
    read it with U+FFFD marking the damage rather than as another encoding."""
    text = data.decode("utf-8", errors="replace")
    damage = text.count("\ufffd") - data.count("\ufffd".encode())
    if damage > 1 + len(text) // 200:  # GBK read as UTF-8 breaks at nearly every character
        return None
    return _measure(text, "utf-8", chinese=False)


def _measure(text: str, encoding: str, *, chinese: bool) -> _Decoded:
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return _Decoded(text, encoding, 1.0, 0.0, 1.0, 0)
    # Count the rare kind (regex scanning is fast where nothing matches).
    good = 1.0 - len(_NOT_GOOD_RE.findall(sample)) / len(sample)
    bad = len(_BAD_RE.findall(sample)) / len(sample)
    common, wide = 1.0, 0
    if chinese:
        head = sample[:_COMMON_SAMPLE]
        wide = len(head) - len(head.encode("ascii", errors="ignore"))
        if wide:
            missing = head.encode("gb2312", errors="replace").count(b"?") - head.count("?")
            common = 1.0 - missing / wide
    return _Decoded(text, encoding, good, bad, common, wide)


def _plausible(decoded: _Decoded | None, *, chinese: bool = False) -> bool:
    """Text rather than binary; with ``chinese``, also mostly common hanzi
    (for decodings that nothing but the bytes themselves vouches for)."""
    if decoded is None or decoded.bad > _MAX_BAD_RATIO or decoded.good < _MIN_GOOD_RATIO:
        return False
    if chinese and decoded.wide >= _MIN_WIDE_FOR_COMMON:
        return decoded.common >= _MIN_COMMON_RATIO
    return True


def _utf16_by_nuls(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII characters (line breaks, digits) leave NULs
    in one byte of each pair, always the same one."""
    sample = data[:65536]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    high, low = max(even, odd), min(even, odd)
    if high < max(2, pairs // 100) or low > high // 10:
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def _decode_text(data: bytes) -> _Decoded | None:
    """The most plausible decoding of a text file, or None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            decoded = _try_decode(data[len(bom) :], encoding)
            if _plausible(decoded):
                return decoded
            break
    utf16 = _utf16_by_nuls(data)
    if utf16:
        decoded = _try_decode(data, utf16)
        if _plausible(decoded):
            return decoded
    decoded = _try_decode(data, "utf-8") or _damaged_utf8(data)
    if decoded is not None:
        # (Almost) valid UTF-8 with many high bytes is hardly ever anything else.
        return decoded if _plausible(decoded) else None
    candidates = [
        _try_decode(data, enc, chinese=True) for enc in ("gb18030", "utf-16-le", "utf-16-be")
    ]
    plausible = [c for c in candidates if c is not None and _plausible(c, chinese=True)]
    if not plausible:
        return None
    # Ties go to the earlier candidate (GB18030).
    return max(plausible, key=lambda c: c.common + c.good - c.bad)


def _read_text(data: bytes) -> str:
    decoded = _decode_text(data)
    if decoded is not None:
        return decoded.text
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 0x09 or 0x0E <= b < 0x20 or b == 0x7F)
    if controls > len(sample) * _MAX_BAD_RATIO:
        raise GazetteParseError(MSG_BINARY)
    raise GazetteParseError(MSG_ENCODING)


# --- DOCX ------------------------------------------------------------------------------


def _zip_declared_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record (ZIP64 aware)."""
    start = max(0, len(data) - 65_557)
    at = data.rfind(b"PK\x05\x06", start)
    if at < 0 or at + 22 > len(data):
        return None
    try:
        (count,) = struct.unpack_from("<H", data, at + 10)
        if count == 0xFFFF and at >= 20 and data[at - 20 : at - 16] == b"PK\x06\x07":
            (offset,) = struct.unpack_from("<Q", data, at - 12)
            if offset + 40 <= len(data) and data[offset : offset + 4] == b"PK\x06\x06":
                (count,) = struct.unpack_from("<Q", data, offset + 32)
    except struct.error:
        return None
    return int(count)


_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    KeyError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    OverflowError,
)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a ZIP after checking its directory against the limits."""
    declared = _zip_declared_entries(data)
    if declared is not None and declared > ZIP_MAX_ENTRIES:
        raise GazetteParseError(MSG_ZIP_ENTRIES.format(count=declared, limit=ZIP_MAX_ENTRIES))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_ERRORS:
        raise GazetteParseError(MSG_ZIP_BROKEN) from None
    if len(infos) > ZIP_MAX_ENTRIES:
        raise GazetteParseError(MSG_ZIP_ENTRIES.format(count=len(infos), limit=ZIP_MAX_ENTRIES))
    total = sum(info.file_size for info in infos)
    if total > ZIP_MAX_UNCOMPRESSED:
        raise GazetteParseError(
            MSG_ZIP_SIZE.format(size=total / MB, limit=ZIP_MAX_UNCOMPRESSED / MB)
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise GazetteParseError(MSG_ZIP_ENCRYPTED)
    _inflate_within_declared_sizes(archive, infos)
    return archive


def _inflate_within_declared_sizes(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Inflate every part in small chunks, so that a part larger than it says is refused.

    The checks above trust the sizes the directory declares; zipfile stops a
    part at its declared size and fails its CRC, but only after inflating a
    whole read at once, and python-docx reads each part whole. Reading here in
    chunks finds the lie while memory stays at one chunk.
    """
    try:
        for info in infos:
            with archive.open(info) as member:
                while member.read(_ZIP_CHUNK):
                    pass
    except _ZIP_ERRORS:
        raise GazetteParseError(MSG_ZIP_BROKEN) from None


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except _ZIP_ERRORS:
        raise GazetteParseError(MSG_ZIP_BROKEN) from None


def _check_docx_zip(data: bytes) -> None:
    """Raise unless the ZIP is, on its face, a WordprocessingML document."""
    archive = _open_zip(data)
    names = set(archive.namelist())
    content_types = b""
    if "[Content_Types].xml" in names:
        content_types = _read_member(archive, "[Content_Types].xml", ZIP_MAX_CONTENT_TYPES)
    if "word/document.xml" in names or b"wordprocessingml.document.main" in content_types:
        return
    if "mimetype" in names:
        mimetype = _read_member(archive, "mimetype", 200)
        if b"opendocument.text" in mimetype:
            raise GazetteParseError(MSG_ZIP_OTHER_OFFICE.format(kind=" OpenDocument 文字（.odt）"))
        if b"opendocument" in mimetype:
            raise GazetteParseError(MSG_ZIP_OTHER_OFFICE.format(kind=" OpenDocument "))
    if "xl/workbook.xml" in names or b"spreadsheetml" in content_types:
        raise GazetteParseError(MSG_ZIP_OTHER_OFFICE.format(kind=" Excel 表格（.xlsx）"))
    if "ppt/presentation.xml" in names or b"presentationml" in content_types:
        raise GazetteParseError(MSG_ZIP_OTHER_OFFICE.format(kind=" PowerPoint 演示文稿（.pptx）"))
    raise GazetteParseError(MSG_ZIP_NOT_DOCX)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Subtrees that hold no running text of the paragraph: properties, deleted
# text, field instructions, drawings and text boxes (their text would come in
# twice through mc:AlternateContent's Choice and Fallback).
_SKIP_TAGS = frozenset(
    {
        _W + "pPr",
        _W + "rPr",
        _W + "del",
        _W + "moveFrom",
        _W + "delText",
        _W + "instrText",
        _W + "drawing",
        _W + "pict",
        _W + "object",
        _W + "footnoteReference",
        _W + "endnoteReference",
        _W + "commentReference",
        _MC + "AlternateContent",
    }
)
_CELL_SPACE_RE = re.compile(r"[\t\n]+")


def _run_text(element: Any, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            continue
        if tag == _W + "t":
            out.append(child.text or "")
        elif tag == _W + "tab" or tag == _W + "ptab":
            out.append("\t")
        elif tag == _W + "br" or tag == _W + "cr":
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        else:
            _run_text(child, out)


def _paragraph_text(paragraph: Any) -> str:
    out: list[str] = []
    _run_text(paragraph, out)
    return "".join(out)


def _table_rows(table: Any) -> list[str]:
    rows: list[str] = []
    for row in table.iterchildren(_W + "tr"):
        cells: list[str] = []
        for cell in row.iterchildren(_W + "tc"):
            parts: list[str] = []
            for block in cell.iterchildren():
                if block.tag == _W + "p":
                    parts.append(_paragraph_text(block))
                elif block.tag == _W + "tbl":
                    parts.extend(_table_rows(block))
            text = " ".join(part.strip() for part in parts if part.strip())
            cells.append(_CELL_SPACE_RE.sub(" ", text))
        rows.append("\t".join(cells) if any(cells) else "")
    return rows


def _block_lines(container: Any) -> list[str]:
    lines: list[str] = []
    for child in container.iterchildren():
        tag = child.tag
        if tag == _W + "p":
            lines.append(_paragraph_text(child))
        elif tag == _W + "tbl":
            lines.extend(_table_rows(child))
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                lines.extend(_block_lines(content))
        elif tag == _W + "customXml":
            lines.extend(_block_lines(child))
    return lines


def _read_docx(data: bytes) -> str:
    _check_docx_zip(data)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines = _block_lines(document.element.body)
    except GazetteParseError:
        raise
    except Exception:  # python-docx and lxml raise many kinds on a broken file
        raise GazetteParseError(MSG_DOCX_BROKEN) from None
    return "\n".join(lines)


# --- PDF: guards inside pdfminer ----------------------------------------------------------


class _DecodeLimitError(Exception):
    """A PDF stream decodes to more than the limits allow (not a zlib.error,
    so pdfminer's own error handling does not swallow it)."""


@dataclass(slots=True)
class _Budget:
    left: int


_PDF_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "gazette_pdf_budget", default=None
)


def _charge(size: int) -> None:
    if size > PDF_MAX_STREAM_BYTES:
        raise _DecodeLimitError
    budget = _PDF_BUDGET.get()
    if budget is not None:
        budget.left -= size
        if budget.left < 0:
            raise _DecodeLimitError


def _bounded_inflate(data: bytes, *_args: Any) -> bytes:
    """zlib.decompress with an output bound, salvaging a corrupted tail.

    On a stream that is damaged part-way the decoded prefix is returned (as
    pdfminer's own fallback does, but without its byte-by-byte loop); on a
    stream that is damaged from the start zlib.error is raised as usual.
    """
    inflater = zlib.decompressobj()
    out = bytearray()
    view = memoryview(data)
    step = 1 << 16
    try:
        for start in range(0, len(data), step):
            out += inflater.decompress(
                view[start : start + step], PDF_MAX_STREAM_BYTES + 1 - len(out)
            )
            if len(out) > PDF_MAX_STREAM_BYTES or inflater.unconsumed_tail:
                raise _DecodeLimitError
            if inflater.eof:
                break
    except zlib.error:
        if not out:
            raise
    _charge(len(out))
    return bytes(out)


def _bounded_lzw(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    pieces: list[bytes] = []
    size = 0
    for piece in LZWDecoder(io.BytesIO(data)).run():
        size += len(piece)
        if size > PDF_MAX_STREAM_BYTES:
            raise _DecodeLimitError
        pieces.append(piece)
    _charge(size)
    return b"".join(pieces)


def _bounded_runlength(data: bytes) -> bytes:
    out = bytearray()
    at, end = 0, len(data)
    while at < end:
        length = data[at]
        at += 1
        if length == 128:
            break
        if length < 128:
            out += data[at : at + length + 1]
            at += length + 1
        elif at < end:
            out += data[at : at + 1] * (257 - length)
            at += 1
        if len(out) > PDF_MAX_STREAM_BYTES:
            raise _DecodeLimitError
    _charge(len(out))
    return bytes(out)


_guards_installed = False


def _install_pdf_guards() -> None:
    """Bound pdfminer's stream decoders (Flate, LZW, RunLength).

    pdfminer inflates every stream it needs in one go, with no limit, so a
    few kilobytes of PDF can claim gigabytes of memory. Its module-level
    references to the decoders are replaced, once, by bounded equivalents
    that charge a per-document budget kept in a context variable (so
    concurrent requests do not share it). Outside ``read_source`` only the
    per-stream bound applies.
    """
    global _guards_installed
    if _guards_installed:
        return
    from pdfminer import pdftypes

    shim = SimpleNamespace(
        decompress=_bounded_inflate,
        decompressobj=zlib.decompressobj,
        error=zlib.error,
    )
    setattr(pdftypes, "zlib", shim)  # noqa: B010 - patching a module attribute on purpose
    setattr(pdftypes, "lzwdecode", _bounded_lzw)  # noqa: B010
    setattr(pdftypes, "rldecode", _bounded_runlength)  # noqa: B010
    _guards_installed = True


# --- PDF: reading ----------------------------------------------------------------------------

# A horizontal gap of this many font sizes between two characters is a TAB
# (a table column or a tab stop); a smaller one, but at least SPACE_GAP, is a
# space when the PDF drew none. Next to a CJK character the gap must be wider
# (CJK_SPACE_GAP): typesetters put about 1/4 em between CJK and Latin or digits
# (2021 年), which is spacing, not a space in the text.
TAB_GAP = 2.0
SPACE_GAP = 0.2
CJK_SPACE_GAP = 0.5


def _space_gap(before: str, after: str) -> float:
    wide = before[-1:] >= "\u2e80" or after[:1] >= "\u2e80"
    return CJK_SPACE_GAP if wide else SPACE_GAP


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    size: float

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class _PdfLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    tabbed: bool
    lead: float  # width of the first unbreakable piece (see _lead_width)


# Line-breaking classes, enough to find where a line could have been broken
# (after Unicode UAX #14: no break before closing, after opening punctuation,
# nor on either side of a quotation mark).
_NO_START = set("，。、；：？！）】》〉」』〕〗”’·…—%％‰),.;:?!]}")
_NO_END = set("（【《〈「『〔〖“‘([{")
_QUOTES = set("“”‘’\"'")


def _can_break(before: str, after: str) -> bool:
    if before.isspace() or after.isspace():
        return True
    if after in _NO_START or before in _NO_END or before in _QUOTES or after in _QUOTES:
        return False
    return before >= "\u2e80" or after >= "\u2e80"


def _lead_width(chars: list[_Char]) -> float:
    """Width of a line's first piece that a typesetter could not have split:
    one ideograph with the punctuation stuck to it, or a whole Latin word or
    number. If it would have fitted at the end of the line above, that line
    ended on purpose; otherwise the line above was wrapped."""
    inked = [c for c in chars if not c.text.isspace()]
    if not inked:
        return 0.0
    end = len(inked)
    for at in range(1, len(inked)):
        if (
            _can_break(inked[at - 1].text, inked[at].text)
            or inked[at].x0 - inked[at - 1].x1 > 0.5 * inked[at].size
        ):
            end = at
            break
    return inked[end - 1].x1 - inked[0].x0


def _dedupe(chars: list[_Char]) -> list[_Char]:
    """Drop characters drawn twice at (almost) the same place: fake bold, shadows."""
    ordered = sorted(chars, key=lambda c: (c.text, round(c.top), c.x0))
    kept: list[_Char] = []
    for char in ordered:
        last = kept[-1] if kept else None
        if (
            last is not None
            and last.text == char.text
            and abs(last.top - char.top) <= 1.0
            and abs(last.x0 - char.x0) <= 1.0
        ):
            continue
        kept.append(char)
    return kept


def _line_of(chars: list[_Char]) -> _PdfLine:
    chars.sort(key=lambda c: c.x0)
    size = statistics.median(c.size for c in chars)
    out: list[str] = []
    tabbed = False
    prev: _Char | None = None
    for char in chars:
        if prev is not None:
            gap = char.x0 - prev.x1
            if gap >= TAB_GAP * size:
                while out and out[-1] == " ":
                    out.pop()
                if char.text == " ":
                    continue
                out.append("\t")
                tabbed = True
            elif (
                gap >= _space_gap(prev.text, char.text) * size
                and char.text != " "
                and prev.text != " "
            ):
                out.append(" ")
        if char.text == " " and out and out[-1] == "\t":
            continue
        out.append(char.text)
        prev = char
    inked = [c for c in chars if c.text.strip()] or chars
    return _PdfLine(
        text="".join(out).strip(" "),
        x0=min(c.x0 for c in inked),
        x1=max(c.x1 for c in inked),
        top=min(c.top for c in chars),
        bottom=max(c.bottom for c in chars),
        size=size,
        tabbed=tabbed,
        lead=_lead_width(chars),
    )


def _page_lines(chars: list[_Char]) -> list[_PdfLine]:
    """Group a page's characters into lines, top to bottom."""
    chars = sorted(_dedupe(chars), key=lambda c: (c.mid, c.x0))
    groups: list[list[_Char]] = []
    anchor = 0.0
    for char in chars:
        if groups and abs(char.mid - anchor) <= 0.5 * char.size:
            groups[-1].append(char)
            continue
        groups.append([char])
        anchor = char.mid
    return [_line_of(group) for group in groups if any(c.text.strip() for c in group)]


def _edge(values: list[float], pick: Callable[[Iterable[float]], float]) -> float | None:
    """The outermost x shared by at least three lines (within 1 pt): a margin."""
    if len(values) < 3:
        return None
    counts: dict[int, int] = {}
    for value in values:
        counts[round(value)] = counts.get(round(value), 0) + 1
    shared = [
        x
        for x in counts
        if counts.get(x - 1, 0) + counts[x] + counts.get(x + 1, 0) >= max(3, len(values) // 50)
    ]
    return float(pick(shared)) if shared else None


def _typical_pitch(pages: list[list[_PdfLine]]) -> float:
    """Usual distance between consecutive lines, in font sizes."""
    ratios = [
        (b.top - a.top) / max(a.size, b.size)
        for lines in pages
        for a, b in itertools.pairwise(lines)
        if 0 < (b.top - a.top) / max(a.size, b.size) < 3
    ]
    return statistics.median(ratios) if ratios else 1.5


def _joint(before: str, after: str) -> str:
    """What goes between two halves of a wrapped line: a space between words only."""
    a, b = before[-1:], after[:1]
    return " " if a.isascii() and b.isascii() and a.isalnum() and b.isalnum() else ""


def _assemble(pages: list[list[_PdfLine]]) -> str:
    """Write the lines as text: rejoin wrapped lines, mark paragraph gaps.

    A line is the continuation of the one above when its first unbreakable
    piece would not have fitted at the end of that line (so the typesetter
    had to wrap), it starts at the left margin (no indent), both are plain
    text lines of the same size and no paragraph gap separates them.
    Margins are the outermost x positions many lines share.
    """
    plain = [line for lines in pages for line in lines if not line.tabbed]
    right = _edge([line.x1 for line in plain], max)
    left = _edge([line.x0 for line in plain], min)
    pitch = _typical_pitch(pages)
    page_texts: list[str] = []
    for lines in pages:
        out: list[str] = []
        prev: _PdfLine | None = None
        for line in lines:
            if prev is not None:
                size = max(prev.size, line.size)
                spaced = line.top - prev.top > (pitch + 0.6) * size
                wrapped = (
                    not spaced
                    and right is not None
                    and left is not None
                    and not prev.tabbed
                    and not line.tabbed
                    and abs(prev.size - line.size) < 0.5
                    and prev.x1 + line.lead > right - prev.size
                    and line.x0 <= left + 0.5 * line.size
                )
                if wrapped:
                    out[-1] += _joint(out[-1], line.text) + line.text
                    prev = line
                    continue
                if spaced:
                    out.append("")
            out.append(line.text)
            prev = line
        page_texts.append("\n".join(out))
    return "\n\n".join(page_texts)


def _pdf_error(exc: BaseException) -> GazetteParseError:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    inner: BaseException = exc
    while inner.args and isinstance(inner.args[0], BaseException):
        inner = inner.args[0]
    if isinstance(inner, _DecodeLimitError):
        return GazetteParseError(MSG_PDF_BOMB)
    if isinstance(inner, PDFPasswordIncorrect):
        return GazetteParseError(MSG_PDF_ENCRYPTED)
    if isinstance(inner, PDFEncryptionError) or "crypt" in type(inner).__name__.lower():
        return GazetteParseError(MSG_PDF_CRYPT_UNSUPPORTED)
    return GazetteParseError(MSG_PDF_BROKEN)


def _declared_page_count(document: Any) -> int | None:
    from pdfminer.pdftypes import resolve1

    try:
        pages = resolve1(document.catalog.get("Pages"))
        count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    except Exception:
        return None
    return count if isinstance(count, int) else None


def _read_pdf(data: bytes) -> str:
    _install_pdf_guards()
    token = _PDF_BUDGET.set(_Budget(PDF_MAX_DECODED_BYTES))
    try:
        return _read_pdf_guarded(data)
    except GazetteParseError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a broken file
        raise _pdf_error(exc) from None
    finally:
        _PDF_BUDGET.reset(token)


@dataclass(slots=True)
class _PageContent:
    chars: list[_Char]
    unmapped: int = 0  # glyphs without a Unicode mapping, written (cid:N) by pdfminer
    images: int = 0


def _collect(container: Any, page_top: float, content: _PageContent) -> None:
    from pdfminer.layout import LTChar, LTContainer, LTImage

    for item in container:
        if isinstance(item, LTChar):
            text = item.get_text()
            if text.startswith("(cid:"):
                content.unmapped += 1
            elif text:
                content.chars.append(
                    _Char(
                        text=text,
                        x0=float(item.x0),
                        x1=float(item.x1),
                        top=page_top - float(item.y1),
                        bottom=page_top - float(item.y0),
                        size=max(float(item.size or 0.0), float(item.height), 1.0),
                    )
                )
        elif isinstance(item, LTImage):
            content.images += 1
        elif isinstance(item, LTContainer):
            _collect(item, page_top, content)


def _read_pdf_guarded(data: bytes) -> str:
    # pdfminer.six is the engine under pdfplumber (pinned by it); it is used
    # directly because pdfplumber's per-character dictionaries and its
    # quadratic dedupe_chars made a 65-page gazette take 25 s instead of 7 s.
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    started = time.monotonic()
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    declared = _declared_page_count(document)
    if declared is not None and declared > PDF_MAX_PAGES:
        raise GazetteParseError(MSG_PDF_PAGES.format(count=declared, limit=PDF_MAX_PAGES))
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)

    pages: list[list[_PdfLine]] = []
    visible = unmapped = image_pages = chars_total = 0
    for number, page in enumerate(PDFPage.create_pages(document), start=1):
        if number > PDF_MAX_PAGES:
            raise GazetteParseError(
                MSG_PDF_PAGES.format(count=f"{PDF_MAX_PAGES}+", limit=PDF_MAX_PAGES)
            )
        if time.monotonic() - started > PDF_MAX_SECONDS:
            raise GazetteParseError(MSG_PDF_SLOW.format(limit=PDF_MAX_SECONDS))
        content = _PageContent(chars=[])
        try:
            interpreter.process_page(page)
            layout = device.get_result()
            _collect(layout, float(layout.y1), content)
        except _DecodeLimitError:
            raise
        except Exception:
            raise GazetteParseError(MSG_PDF_PAGE_BROKEN.format(page=number)) from None
        lines = _page_lines(content.chars)
        visible += sum(1 for c in content.chars if c.text.strip())
        unmapped += content.unmapped
        image_pages += content.images > 0
        chars_total += sum(len(line.text) for line in lines)
        if chars_total > MAX_TEXT_CHARS:
            raise GazetteParseError(MSG_TEXT_TOO_LONG.format(limit=MAX_TEXT_CHARS))
        pages.append(lines)

    if unmapped and unmapped >= visible:
        raise GazetteParseError(MSG_PDF_NO_UNICODE)
    if visible == 0:
        raise GazetteParseError(MSG_PDF_SCAN if image_pages else MSG_PDF_EMPTY)
    if len(pages) >= 3 and visible < 5 * len(pages) and image_pages * 2 >= len(pages):
        raise GazetteParseError(MSG_PDF_SCAN)
    return _assemble(pages)
