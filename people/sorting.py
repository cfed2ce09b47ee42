"""Name order: pinyin and surname strokes, and the stored keys that let the database sort.

Pinyin order uses pypinyin, with the readings of surnames that differ from
the common reading (曾 zēng, 单 shàn, 解 xiè …). The official surname-stroke
order (姓氏笔画) ranks the surname by stroke count and then by its strokes in
the order 横竖撇点折, puts single-character given names before longer ones,
and then ranks the given name the same way; the stroke table is the one
cn_sort ships (stroke count, then stroke shapes, for 20,000 characters).
Without that table the stroke order is not offered.

``pinyin_key`` and ``stroke_key`` define the order. Sorting in Python reads
every name on every request, so each person also stores both keys encoded as
strings (``sort_keys``) whose plain string order is the order of those
tuples: the database sorts and pages on an index. The strings are digits
only: every collation orders digits one by one, while letters are not safe
(Danish sorts "aa" as å, Czech "ch" after h, so a key of pinyin or hex
letters would sort differently under those PostgreSQL locales than under
SQLite's binary order). Numbers are zero-padded to a fixed width, and each
part either has a fixed width or ends in a terminator that sorts below
anything that can follow it, so no part can run into the next.

pypinyin (tens of MB) and the stroke table are loaded only when a key is
computed, that is when a person is written: reading pages never needs them.
"""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache
from importlib.util import find_spec
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

PINYIN_FIELD = "sort_pinyin"
STROKE_FIELD = "sort_stroke"
SORT_FIELDS = (PINYIN_FIELD, STROKE_FIELD)

# Upper bounds of the keys of a name of Person.name's 50 characters: a pinyin
# part is at most 40 digits (a syllable's code, tone, rank, code point), a
# stroke key 10 + 7 per given-name character + 7 per character.
PINYIN_KEY_LENGTH = 2000
STROKE_KEY_LENGTH = 720

# Surnames read otherwise than the character's common reading.
SURNAME_READINGS = {
    "曾": "zeng1", "单": "shan4", "解": "xie4", "仇": "qiu2", "朴": "piao2", "查": "zha1",
    "区": "ou1", "乐": "yue4", "覃": "qin2", "缪": "miao4", "盖": "ge3", "召": "shao4",
    "翟": "zhai2", "任": "ren2", "华": "hua4", "纪": "ji3", "宁": "ning4", "秘": "bi4",
    "种": "chong2", "繁": "po2", "员": "yun4", "句": "gou1", "过": "guo1", "燕": "yan1",
    "洗": "xian3", "隗": "wei3", "阚": "kan4", "藏": "zang4", "薄": "bo2", "相": "xiang4",
    "都": "du1", "长": "chang2", "能": "nai4", "黑": "he4", "蕃": "pi2", "尉": "wei4",
}  # fmt: skip

TONES = frozenset("12345")  # pypinyin's tone digits; 0 is "no tone"

# A character missing from the stroke table ranks after every one in it (the
# table's ranks stay below 21,000), by code point: at most 2,114,111, 7 digits.
UNRANKED = 1_000_000
RANK_DIGITS = 7


# --- the stroke table -------------------------------------------------------------


@cache
def _stroke_table_path() -> str | None:
    """cn_sort's data file; only the file is read: importing the package would reconfigure logging."""
    spec = find_spec("cn_sort")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(next(iter(spec.submodule_search_locations)), "res", "all_word.json")
    return path if os.path.isfile(path) else None


@cache
def _stroke_ranks() -> dict[str, int] | None:
    """Character → rank by stroke count, then strokes 横竖撇点折; None without the table."""
    path = _stroke_table_path()
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)["all_word"]
    except (OSError, ValueError, KeyError):
        return None
    return {entry["chinese"]: entry["stroke_increment_level"] for entry in entries}


def stroke_order_available() -> bool:
    """Whether the stroke table is installed; asked on every list request, so the table is not read."""
    return _stroke_table_path() is not None


def _stroke_rank(char: str) -> int:
    ranks = _stroke_ranks() or {}
    return ranks.get(char, UNRANKED + ord(char))


# --- the order ----------------------------------------------------------------------


@lru_cache(maxsize=65536)
def stroke_key(name: str) -> tuple:
    """姓氏笔画: the surname's strokes, then shorter given names first, then their strokes."""
    if not name:
        return ()
    return (_stroke_rank(name[0]), len(name), tuple(_stroke_rank(c) for c in name[1:]), name)


@lru_cache(maxsize=65536)
def pinyin_key(name: str) -> tuple[tuple[str, str, int, str], ...]:
    """Pinyin order: each syllable without tone, then tone, then strokes, then the character.

    One part per character, so the characters themselves are the last tiebreak
    and two names with equal keys are the same name.
    """
    from pypinyin import Style, lazy_pinyin

    def read(text: str) -> list[str]:
        return lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=list)

    syllables = read(name)
    if len(syllables) != len(name):  # not seen: a reading per character keeps the parts aligned
        syllables = [(read(char) or [char])[0] for char in name]
    if name and name[0] in SURNAME_READINGS:
        syllables[0] = SURNAME_READINGS[name[0]]
    key = []
    for char, syllable in zip(name, syllables, strict=True):
        syllable = syllable.lower()
        tone = syllable[-1] if syllable[-1:] in TONES else "0"
        key.append((syllable.rstrip("012345"), tone, _stroke_rank(char), char))
    return tuple(key)


def pinyin_initial(name: str) -> str:
    """The letter a name is filed under in pinyin order (A–Z, or # for anything else)."""
    key = pinyin_key(name)
    first = key[0][0][:1] if key else ""
    return first.upper() if "a" <= first <= "z" else "#"


# --- the stored keys -------------------------------------------------------------------


LETTER_CODES = 20  # a is "20", z is "45"


def _text_code(text: str) -> str:
    """``text`` in digits, in the same string order, ended by "0" (below every character's code).

    A letter a–z is two digits 20–45; a character below a is "1" and its code
    point in three digits, one above z "5" and its code point in seven. The
    first digit tells the width, so no code is the start of another.
    """
    parts = []
    for char in text:
        if "a" <= char <= "z":
            parts.append(str(LETTER_CODES + ord(char) - ord("a")))
        elif char < "a":
            parts.append(f"1{ord(char):03d}")
        else:
            parts.append(f"5{ord(char):07d}")
    parts.append("0")
    return "".join(parts)


def _rank_code(rank: int) -> str:
    return f"{rank:0{RANK_DIGITS}d}"


def _char_code(char: str) -> str:
    return f"{ord(char):07d}"  # code points end at 1,114,111


def pinyin_sort_key(name: str) -> str:
    """pinyin_key(name) as a string in the same order."""
    return "".join(
        _text_code(syllable) + tone + _rank_code(rank) + _char_code(char)
        for syllable, tone, rank, char in pinyin_key(name)
    )


def stroke_sort_key(name: str) -> str:
    """stroke_key(name) as a string in the same order.

    Names compared past the surname have the same length, so the given
    name's ranks and the characters are fixed-width runs of equal length.
    """
    key = stroke_key(name)
    if not key:
        return ""
    surname, length, given, _ = key
    return (
        _rank_code(surname)
        + f"{length:03d}"
        + "".join(_rank_code(rank) for rank in given)
        + "".join(_char_code(char) for char in name)
    )


def sort_keys(name: str) -> dict[str, str]:
    """The stored keys of a name, by field."""
    return {PINYIN_FIELD: pinyin_sort_key(name), STROKE_FIELD: stroke_sort_key(name)}


def initial_of(sort_pinyin: str) -> str:
    """pinyin_initial of a name, read off its stored pinyin key (the first syllable's first letter)."""
    head = sort_pinyin[:2]
    if len(head) == 2 and LETTER_CODES <= int(head) < LETTER_CODES + 26:
        return chr(ord("A") + int(head) - LETTER_CODES)
    return "#"


def fill_sort_keys(people: QuerySet, *, batch_size: int = 2000) -> int:
    """Store the keys of every person in ``people``; returns how many were written.

    Reads by primary key in batches (no OFFSET, no full read), so it stays
    linear however many people there are, and writes each batch with one
    executemany: bulk_update's CASE per row took 4 s for 8,000 people where
    executemany takes 0.1 s. Works on a migration's historical model too.
    """
    from django.db import connections

    connection = connections[people.db]
    quote = connection.ops.quote_name
    meta = people.model._meta
    update = (
        f"UPDATE {quote(meta.db_table)} SET {quote(PINYIN_FIELD)} = %s, {quote(STROKE_FIELD)} = %s"
        f" WHERE {quote(meta.pk.column)} = %s"
    )
    written, last = 0, 0
    while batch := list(people.filter(pk__gt=last).order_by("pk").values_list("pk", "name")[:batch_size]):
        rows = [(pinyin_sort_key(name), stroke_sort_key(name), pk) for pk, name in batch]
        with connection.cursor() as cursor:
            cursor.executemany(update, rows)
        written += len(batch)
        last = batch[-1][0]
    return written
