"""What each character folds to for search, when it is not itself (records.search.fold).

Made by ``fold_char`` for every code point; after an upgrade of
OpenCC or of Python's Unicode data, make it again (tests/test_search.py checks
that it is current)::

    python -m records.foldtable
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("foldtable.txt")
# The CJK characters of search: they make bigrams, every other letter or digit makes words.
CJK = "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_CHAR_RE = re.compile(f"[{CJK}]")


@cache
def _converter() -> Any:
    import opencc  # only to make the table

    return opencc.OpenCC("t2s")


def fold_char(char: str) -> str:
    """What one character folds to: Simplified, half-width, lower case, one for one."""
    if "\ud800" <= char <= "\udfff":
        return char  # a lone surrogate (no character; OpenCC cannot encode it)
    folded = unicodedata.normalize("NFKC", char).casefold()
    if len(folded) == 1:
        folded = _converter().convert(folded)
    value = folded if len(folded) == 1 else char.casefold()
    if len(value) != 1:
        value = char
    if _CJK_CHAR_RE.match(value) and unicodedata.category(value) not in ("Lo", "Lm", "Nl"):
        value = " "  # marks and punctuation in the CJK blocks (・゠゛) separate, as in FTS5
    return value


def _read() -> tuple[str, str]:
    source, target = [], []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        code, folded = line.split(" ")
        source.append(chr(int(code, 16)))
        target.append(chr(int(folded, 16)))
    return "".join(source), "".join(target)


def character_class(chars: str, also: str = "") -> str:
    """A regular expression's class of these characters, consecutive ones as ranges,
    and ``also`` (ranges written as a class writes them)."""
    codes = sorted(map(ord, chars))
    parts = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        first, last = re.escape(chr(start)), re.escape(chr(previous))
        parts.append(first if start == previous else f"{first}-{last}")
        start = previous = code
    return "[" + "".join(parts) + also + "]"


def make() -> tuple[str, str]:
    """Every code point that folds to another character, and what it folds to."""
    source, target = [], []
    for code in range(0x110000):
        char = chr(code)
        folded = fold_char(char)
        if folded != char:
            source.append(char)
            target.append(folded)
    return "".join(source), "".join(target)


SOURCE, TARGET = _read() if DATA.exists() else ("", "")  # none yet: being made

if __name__ == "__main__":
    made = make()
    DATA.write_text(
        "".join(f"{ord(a):x} {ord(b):x}\n" for a, b in zip(*made, strict=True)), encoding="utf-8"
    )
    print(f"{DATA}: {len(made[0])} characters")
