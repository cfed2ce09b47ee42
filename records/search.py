"""Full-text search over what the public sees: articles, people, posts and decisions.

The index is one table, ``records_search_entry`` (created by migration
records/0005_search_index), with one row per record (long texts: one per
chunk): kind, object id, the issue it was built from, publication, year,
title, the text, and the text's *tokens*. ``rebuild_search_index(gazette)``
keeps it in step with the load path (records.loading calls it after every
load, publish and unpublish); ``search()`` queries it.

Tokens. Text and queries are folded the same way, one character for one
character (Traditional → Simplified with OpenCC, full-width → half-width,
lower case), so offsets into the folded text are offsets into the original
and snippets can be cut and highlighted on the stored text. The folded text
becomes overlapping CJK character bigrams (张玲 → 张玲; 市长 → 市长;
人民政府 → 人民 民政 政府), ASCII words and numbers as they are, and, after
them, every distinct CJK character once, so that a one-character query is
one token as well. A query's CJK run of two or more characters is the
*phrase* of its bigrams (a long phrase matches only where it stands in the
text); every other piece is one token; all pieces must match (AND).

Two databases, one answer. SQLite matches tokens with an FTS5 table
(external content, kept by triggers); PostgreSQL with a GIN-indexed
``tsvector`` column, ``to_tsvector('simple', tokens)``. Both see the same
tokens and the same phrase/AND query, and the hits are grouped, counted and
ordered by the same portable SQL (title matches first, then newest, then
kind, then id), so both return the same results in the same order. Long
texts are cut into overlapping chunks small enough for PostgreSQL's
tsvector limits (positions up to 16,383; 256 positions per lexeme), which
would otherwise drop positions silently and make phrase matches differ.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.models.signals import post_delete, pre_delete
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.replicas import read_connection
from records import choices, foldtable

TABLE = "records_search_entry"
FTS_TABLE = "records_search_fts"

ARTICLE, PERSON, POST, DECISION = "article", "person", "post", "decision"
KIND_LABELS = {PERSON: "人员", POST: "职务", DECISION: "人事任免", ARTICLE: "文章"}
# Order of kinds among hits that score the same: the few people and posts first.
KIND_ORDER = (PERSON, POST, DECISION, ARTICLE)

PUBLISHED = "published"  # GazetteStatus.PUBLISHED; historical models (migrations) have no enums

# Chunks: small enough that no lexeme reaches PostgreSQL's 256 positions and the
# positions stay below 16,383; overlapping so that phrases across a cut still match.
CHUNK_CHARS = 3000
CHUNK_OVERLAP = 120
MAX_POSITIONS_PER_TOKEN = 250
MAX_QUERY_CHARS = 200
MAX_QUERY_PIECES = 12
MAX_TOKEN_CHARS = 60  # longer ASCII runs (hashes, garbage) are not indexed

_RUN_RE = re.compile(f"([{foldtable.CJK}]+)|([0-9a-z]+)")


# --- folding and tokens --------------------------------------------------------


# Only about 14,000 characters of Unicode fold to another, and few of them are in
# gazette text: finding them with one character class and replacing each takes a
# third of the time of str.translate, which looks up every character. The class
# holds those of the Basic Multilingual Plane (a lookup table to the regular
# expression engine) and every character past it as one range (a list of ranges
# there is read one by one for each character).
_FOLDS = dict(zip(foldtable.SOURCE, foldtable.TARGET, strict=True))
_FOLDS_RE = re.compile(
    foldtable.character_class(
        "".join(char for char in foldtable.SOURCE if char <= "\uffff"), also="\U00010000-\U0010ffff"
    )
)


def _folded_match(match: re.Match[str]) -> str:
    char = match.group()
    return _FOLDS.get(char, char)


def fold(text: str) -> str:
    """Simplified, half-width, lower-case text of exactly the same length."""
    return _FOLDS_RE.sub(_folded_match, text)


def _runs(folded: str) -> Iterable[tuple[bool, str]]:
    for match in _RUN_RE.finditer(folded):
        cjk, word = match.groups()
        if cjk:
            yield True, cjk
        elif len(word) <= MAX_TOKEN_CHARS:
            yield False, word


def _inline_tokens(folded: str) -> list[str]:
    tokens: list[str] = []
    for is_cjk, run in _runs(folded):
        if is_cjk:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def index_tokens(*texts: str) -> str:
    """The token text of a row: bigrams and words in order, then each CJK character once."""
    return _folded_index_tokens(*(fold(text) for text in texts))


def _folded_index_tokens(*folded_texts: str) -> str:
    inline: list[str] = []
    chars: set[str] = set()
    for folded in folded_texts:
        for is_cjk, run in _runs(folded):
            if is_cjk:
                inline.extend(run[i : i + 2] for i in range(len(run) - 1))
                chars.update(run)
            else:
                inline.append(run)
    return " ".join([*inline, *sorted(chars)])


def _fits(tokens: Sequence[str]) -> bool:
    counts = Counter(tokens)
    return not counts or max(counts.values()) <= MAX_POSITIONS_PER_TOKEN


def chunk_spans(text: str) -> list[tuple[int, int]]:
    """Cut text into overlapping (start, end) spans that PostgreSQL indexes whole."""
    return _folded_chunk_spans(fold(text))


def _folded_chunk_spans(folded: str) -> list[tuple[int, int]]:
    # Folding keeps every character's place (and line breaks), so spans of the
    # folded text are spans of the text.
    if not folded:
        return [(0, 0)]
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(len(folded), start + CHUNK_CHARS)
        if end < len(folded):
            # Prefer to cut at a line break in the last fifth of the window.
            cut = folded.rfind("\n", start + CHUNK_CHARS * 4 // 5, end)
            if cut > start:
                end = cut + 1
        spans.extend(_split_until_fit(folded, start, end))
        if end >= len(folded):
            return spans
        start = max(end - CHUNK_OVERLAP, start + 1)


def _split_until_fit(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    if end - start <= 2 * CHUNK_OVERLAP or _fits(_inline_tokens(folded[start:end])):
        return [(start, end)]
    middle = (start + end) // 2
    return _split_until_fit(folded, start, middle + CHUNK_OVERLAP // 2) + _split_until_fit(
        folded, middle - CHUNK_OVERLAP // 2, end
    )


# --- queries -------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A parsed search: the pieces that must all match, and what to highlight."""

    raw: str
    folded: str
    pieces: tuple[tuple[str, ...], ...]  # each a phrase of tokens; one token is a phrase too
    needles: tuple[str, ...]  # folded runs, for title scores and highlighting

    def __bool__(self) -> bool:
        return bool(self.pieces)

    def fts5(self) -> str:
        return " AND ".join('"' + " ".join(piece) + '"' for piece in self.pieces)

    def tsquery(self) -> str:
        return " & ".join(
            "(" + " <-> ".join(f"'{token}'" for token in piece) + ")" for piece in self.pieces
        )

    def has_phrase(self) -> bool:
        return any(len(piece) > 1 for piece in self.pieces)

    def tsquery_words(self) -> str:
        """Every token of the query, in any order and place: what the GIN index answers alone."""
        tokens = dict.fromkeys(token for piece in self.pieces for token in piece)
        return " & ".join(f"'{token}'" for token in tokens)


def parse_query(text: str) -> Query:
    raw = " ".join((text or "").split())[:MAX_QUERY_CHARS]
    folded = fold(raw)
    pieces: list[tuple[str, ...]] = []
    needles: list[str] = []
    for is_cjk, run in _runs(folded):
        if is_cjk and len(run) > 1:
            piece = tuple(run[i : i + 2] for i in range(len(run) - 1))
        else:
            piece = (run,)
        if piece not in pieces:
            pieces.append(piece)
            needles.append(run)
    return Query(
        raw=raw,
        folded=folded,
        pieces=tuple(pieces[:MAX_QUERY_PIECES]),
        needles=tuple(needles[:MAX_QUERY_PIECES]),
    )


# --- highlighting (Python, on the stored text: the same on every database) -------


def _spans(folded: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    found = []
    for needle in needles:
        start = folded.find(needle)
        while start != -1:
            found.append((start, start + len(needle)))
            start = folded.find(needle, start + len(needle))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


SNIPPET_SCAN_CHARS = 1024


def _first_match(text: str, needles: Sequence[str]) -> int:
    """Where the first needle starts in the folded text (0 if none).

    Folding keeps every character's place, so a needle found in the text as it is
    bounds the first match: only the text up to it is folded. Otherwise the text
    is folded a block at a time: a snippet needs only that place, and most texts
    match early.
    """
    reach = max(map(len, needles), default=1) - 1
    bound = min((start for needle in needles if (start := text.find(needle)) != -1), default=-1)
    if bound != -1:
        folded = fold(text[: bound + reach + 1])
        starts = [start for needle in needles if (start := folded.find(needle)) != -1]
        if starts:
            return min(starts)
    for block in range(0, len(text), SNIPPET_SCAN_CHARS):
        folded = fold(text[block : block + SNIPPET_SCAN_CHARS + reach])
        starts = [folded.find(needle) for needle in needles]
        # Only matches that start in this block: one starting past it may not be the first.
        inside = [start for start in starts if 0 <= start < SNIPPET_SCAN_CHARS]
        if inside:
            return block + min(inside)
    return 0


def highlight(text: str, needles: Sequence[str], *, width: int | None = None) -> SafeString:
    """Escape text and wrap what the query matched in <mark>; with width, cut a snippet."""
    text = " ".join(text.split()) if width else text
    start, end = 0, len(text)
    if width and len(text) > width:
        start = max(0, min(_first_match(text, needles) - width // 4, len(text) - width))
        end = start + width
        # Folding keeps every character's place, so the snippet's matches are found in
        # the snippet alone, widened by a needle's length for those across its edges.
        reach = max(map(len, needles), default=1) - 1
        around = max(0, start - reach)
        spans = [
            (s + around, e + around) for s, e in _spans(fold(text[around : end + reach]), needles)
        ]
    else:
        spans = _spans(fold(text), needles)
    parts = ["…" if start > 0 else ""]
    position = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(escape(text[position:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        position = e
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # every piece of text is escaped above


# --- searching -----------------------------------------------------------------


@dataclass(frozen=True)
class RawHit:
    kind: str
    object_id: int
    publication_id: int | None
    year: int | None
    title: str
    body: str


@dataclass(frozen=True)
class Facets:
    kinds: dict[str, int] = field(default_factory=dict)
    publications: dict[int, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RawResults:
    query: Query
    hits: list[RawHit]
    has_next: bool
    total: int
    facets: Facets
    capped: bool = False  # more rows matched than MATCH_CAP: total and facets are lower bounds


def _match_sql(alias: str = "e") -> str:
    if connection.vendor == "postgresql":
        return f"{alias}.tsv @@ to_tsquery('simple', %s)"
    return f"{alias}.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"


def _match_param(query: Query) -> str:
    return query.tsquery() if connection.vendor == "postgresql" else query.fts5()


# A query matches at most this many index rows, the most recently indexed first: a
# two-character word such as 预算 is in tens of thousands of rows, and ranking,
# grouping and counting them all would cost time in proportion to the corpus. Past
# the cap the counts read "more than"; filters narrow the rows before the cap.
# Each row of a phrase's matches is checked against its positions on PostgreSQL
# (about 10 µs a row): 1,000 rows take about half the SQL time of 2,000 (bench/RESULTS.md,
# search before and after) and still fill up to 50 pages of 20 hits.
MATCH_CAP = 1000


def _where(
    query: Query,
    *,
    kind: str | None,
    publication: int | None,
    year: int | None,
    publications: Sequence[int] | Any | None = None,  # ids, or a QuerySet of ids
) -> tuple[str, list[Any]]:
    """``e.id IN (the newest MATCH_CAP matching rows that pass the filters)``."""
    clauses, params = [], []
    if kind:
        clauses.append("e2.kind = %s")
        params.append(kind)
    if publication:
        clauses.append("e2.publication_id = %s")
        params.append(publication)
    if publications is not None and hasattr(publications, "query"):  # a QuerySet of ids
        sub_sql, sub_params = publications.query.sql_with_params()
        clauses.append(f"e2.publication_id IN ({sub_sql})")
        params.extend(sub_params)
    elif publications is not None:
        clauses.append(f"e2.publication_id IN ({', '.join(['%s'] * len(publications))})")
        params.extend(publications)
    if year:
        clauses.append("e2.year = %s")
        params.append(year)
    if connection.vendor != "postgresql" and not clauses:
        # FTS5 hands its rowids out newest first and stops at the limit.
        sub = (
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"ORDER BY rowid DESC LIMIT {MATCH_CAP}"
        )
        return f"e.id IN ({sub})", [_match_param(query)]
    if connection.vendor != "postgresql":
        # FTS5 hands out its matches newest first; each is looked up by id and checked
        # against the filters until MATCH_CAP pass (CROSS JOIN keeps that order of the
        # loops: otherwise SQLite may walk every row of a kind and test it against a
        # list of every match).
        sub = (
            f"SELECT e2.id FROM {FTS_TABLE} CROSS JOIN {TABLE} e2 ON e2.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {' AND '.join(clauses)} "
            f"ORDER BY {FTS_TABLE}.rowid DESC LIMIT {MATCH_CAP}"
        )
        return f"e.id IN ({sub})", [_match_param(query), *params]
    if not query.has_phrase():
        match = _match_sql("e2")
        sub = (
            f"SELECT e2.id FROM {TABLE} e2 WHERE {' AND '.join([match, *clauses])} "
            f"ORDER BY {_newest_first('e2')} LIMIT {MATCH_CAP}"
        )
        return f"e.id IN ({sub})", [_match_param(query), *params]
    # A phrase: the candidates that have its words and pass the filters, newest first,
    # are checked against their positions only until MATCH_CAP pass (_newest_matches).
    candidates = (
        f"SELECT e2.id, e2.tsv FROM {TABLE} e2 "
        f"WHERE {' AND '.join([_match_sql('e2'), *clauses])} "
        f"ORDER BY {_newest_first('e2')} OFFSET 0"
    )
    sub = (
        f"SELECT c.id FROM ({candidates}) c "
        f"WHERE c.tsv @@ to_tsquery('simple', %s) LIMIT {MATCH_CAP}"
    )
    return f"e.id IN ({sub})", [query.tsquery_words(), *params, query.tsquery()]


class _ValuesInStatement:
    """A cursor that writes a search's values into the statement itself on PostgreSQL.

    Parameters bound by the server let PostgreSQL keep one plan for a statement that
    runs again and again (portal.settings, PORTAL_PG_PREPARE). A search's best plan
    depends on its words: PostgreSQL cannot tell a rare word from a common one in a
    plan kept for every value, and the one it kept for 预算 after five planned runs
    read every row (4.7–6.7 s a search instead of 0.14–0.26, bench/RESULTS.md). With
    its values written in, each search is planned for its own words.
    """

    def __init__(self, cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        database = self._cursor.db
        if database.vendor == "postgresql" and params:
            self._cursor.execute(database.ops.compose_sql(sql, list(params)))
        else:
            self._cursor.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def _newest_first(alias: str) -> str:
    """ORDER BY of matching rows, newest first.

    PostgreSQL: "id + 0" keeps the planner off the id index. Walking the rows newest
    first and testing each row's tsvector (decompressed, kilobytes a row) costs far
    more than the planner estimates; the GIN index finds the matches, then they are sorted.
    """
    return f"{alias}.id + 0 DESC" if connection.vendor == "postgresql" else f"{alias}.id DESC"


# Window lexemes (records/0009): a row's block of 2**level ids, for each level.
WINDOW_LEVELS = (13, 16, 19)
FIRST_WINDOW_ROWS = 2 * 2**13  # the newest 16,384 ids
MAX_WINDOW_BLOCKS = 8  # lexemes ORed in one window
# Windows read before every row is: with the newest id and the full read, a search
# page stays within ten queries.
WINDOW_PASSES = 4


def _window(newest: int, rows: int) -> tuple[int, int] | None:
    """(level, blocks): the fewest newest blocks that hold the newest ``rows`` ids,
    or None when they would hold every row (then every row is read, without windows)."""
    for level in WINDOW_LEVELS:
        first = max(newest - rows + 1, 0) >> level
        if first == 0:
            return None
        blocks = (newest >> level) - first + 1
        if blocks <= MAX_WINDOW_BLOCKS:
            return level, blocks
    return None


def _next_window_rows(covered: int, found: int) -> int:
    """How many of the newest ids the windows should hold once the next one is read,
    from how many the windows read so far held and the matches found in them.

    Matches are assumed as dense further back as in the windows read (and half
    again as many ids are asked for, as they thin out); at least twice as many
    ids, eight times as many when none matched.
    """
    if not found:
        return covered * 8
    return max(2 * covered, -(-covered * MATCH_CAP * 3 // (2 * found)))


def candidate_words(query: Query, common: dict[str, float]) -> str:
    """What the GIN index is asked for to find a phrase's candidates: its rarer bigrams.

    The index decodes the whole posting list of every lexeme it is asked for, and a
    phrase's bigrams that are words (人民, 环境, 保护) are in a sixth to three quarters of
    the rows, where the ones across two words (态环, 境保) are rare. Each phrase is asked
    for by its bigrams that are not among ``common`` (the index's most common lexemes,
    with their share of rows), or its two least common when all are; every other piece
    as it is. The phrase check that follows keeps only the rows with the whole phrase,
    so the rows found are the same: 生态环境保护 in its two windows of the 10,000-issue
    corpus, 15.0 + 28.6 ms with all five bigrams, 7.8 + 24.2 ms with 态环 and 境保 (psql).
    """
    chosen: list[str] = []
    for piece in query.pieces:
        rare = [token for token in piece if token not in common]
        if len(piece) > 1 and not rare:
            rare = sorted(piece, key=lambda token: common[token])[:2]
        chosen.extend(rare or piece)
    return " & ".join(f"'{token}'" for token in dict.fromkeys(chosen))


def _common_lexemes() -> dict[str, float]:
    """The index's most common lexemes and their share of rows, as PostgreSQL's last
    ANALYZE of the tsvector column counted them; read once per data version."""

    def read() -> dict[str, float]:
        with read_connection().cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'tsv'",
                [TABLE],
            )
            row = cursor.fetchone()
        if not row or not row[0]:
            return {}
        # The frequencies are followed by their least and most (and the share of empty
        # values): zip stops at the last lexeme.
        return dict(zip(row[0], row[1], strict=False))

    return choices.per_data_version("search-common-lexemes", read)


def _newest_matches(cursor, query: Query) -> list[tuple[Any, ...]]:
    """(id, kind, object id, publication, year, folded title) of the newest MATCH_CAP matching rows.

    On PostgreSQL the GIN index is asked for the query's words AND the newest blocks
    of ids (16,384 ids first), then for the blocks below the ones read, as many as
    the matches found so far say are needed, and last for every row below them; each
    read asks only for the matches still missing, and no row is read twice. A common
    word reads the matching rows of a recent window only; a rare one goes on to every
    row after one or two windows. The windows are read newest first, so the rows
    found are the ones a read of every match would give.

    A phrase (three or more characters) is found by its bigrams in the index and
    checked against each row's positions, which means reading the row's tsvector
    (kilobytes, out of line). The candidates of a read are sorted newest first and
    checked in that order only until the missing matches are found.
    """
    columns = "e.id, e.kind, e.object_id, e.publication_id, e.year, e.title_folded"
    if connection.vendor != "postgresql":
        where, params = _where(query, kind=None, publication=None, year=None)
        cursor.execute(f"SELECT {columns} FROM {TABLE} e WHERE {where}", params)
        return cursor.fetchall()
    cursor.execute(f"SELECT max(id) FROM {TABLE}")
    (newest,) = cursor.fetchone()
    if newest is None:
        return []
    phrase = query.has_phrase()
    words = candidate_words(query, _common_lexemes()) if phrase else query.tsquery()

    def matches_up_to(last_id: int, window: str | None, wanted: int) -> list[tuple[Any, ...]]:
        match, params = "to_tsquery('simple', %s)", [words]
        if window is not None:
            match, params = f"({match} && to_tsquery('simple', %s))", [*params, window]
        candidates = (
            f"SELECT {columns}{', e.tsv' if phrase else ''} FROM {TABLE} e "
            f"WHERE e.tsv @@ {match} AND e.id <= %s ORDER BY {_newest_first('e')}"
        )
        params.append(last_id)
        if phrase:
            # OFFSET 0 keeps the check out of the candidates' scan: it runs on the
            # sorted candidates, newest first, and stops at the LIMIT.
            sql = (
                f"SELECT {columns} FROM ({candidates} OFFSET 0) e "
                f"WHERE e.tsv @@ to_tsquery('simple', %s) LIMIT %s"
            )
            params.append(query.tsquery())
        else:
            sql = f"{candidates} LIMIT %s"
        cursor.execute(sql, [*params, wanted])
        return cursor.fetchall()

    found: list[tuple[Any, ...]] = []
    last_id, wanted_ids = newest, FIRST_WINDOW_ROWS
    for _ in range(WINDOW_PASSES):
        window = _window(last_id, wanted_ids)
        if window is None:
            break
        level, blocks = window
        last_block = last_id >> level
        lexemes = " | ".join(f"qqw{level}x{last_block - n}" for n in range(blocks))
        found.extend(matches_up_to(last_id, lexemes, MATCH_CAP - len(found)))
        if len(found) >= MATCH_CAP:
            return found
        first_id = (last_block - blocks + 1) << level
        covered = newest - first_id + 1
        wanted_ids = _next_window_rows(covered, len(found)) - covered
        last_id = first_id - 1
    found.extend(matches_up_to(last_id, None, MATCH_CAP - len(found)))
    return found


def search(
    query: Query,
    *,
    kind: str | None = None,
    publication: int | None = None,
    year: int | None = None,
    publications: Sequence[int] | Any | None = None,  # ids, or a QuerySet of ids
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
) -> RawResults:
    """Hits of one page (per_page + 1 fetched to know if another follows) and the facets.

    Each facet is counted with the other facets' choices applied, not its own,
    so that a reader can switch between its values. Three queries with no facet
    chosen, six with one; two without facets. ``publications`` limits the hits to those publications.
    """
    if not query or (isinstance(publications, list) and not publications):
        return RawResults(query, [], False, 0, Facets())
    no_choice = facets and not (kind or publication or year or publications is not None)
    with read_connection().cursor() as database_cursor:
        cursor = _ValuesInStatement(database_cursor)
        if no_choice:
            # No choice made: the matching rows are read once, for every facet and for
            # the ranking (PostgreSQL's phrase check on each row is the costly part),
            # and ranked here; only the page's rows are read again, for their text.
            matched = _newest_matches(cursor, query)
            if not matched:
                return RawResults(query, [], False, 0, Facets())
            counted = _facets_of([row[1:5] for row in matched])
            firsts, has_next = _rank(matched, query, page=page, per_page=per_page)
            by_id = _rows_by_id(cursor, firsts)
            page_rows = [by_id[pk] for pk in firsts if pk in by_id]
            matched_rows = len(matched)
        else:
            score_sql = " + ".join(
                ["CASE WHEN e.title_folded = %s THEN 2 ELSE 0 END"]
                + ["CASE WHEN e.title_folded LIKE %s THEN 1 ELSE 0 END"] * len(query.needles)
            )
            score_params = [query.folded, *(f"%{needle}%" for needle in query.needles)]
            kind_rank = (
                "CASE g.kind "
                + " ".join(f"WHEN '{k}' THEN {rank}" for rank, k in enumerate(KIND_ORDER))
                + " ELSE 9 END"
            )
            order = f"g.score DESC, g.newest DESC, {kind_rank}, g.object_id DESC"
            where, params = _where(
                query, kind=kind, publication=publication, year=year, publications=publications
            )
            counted, matched_rows = Facets(), 0
            if facets:
                counted = _facets(cursor, query, kind=kind, publication=publication, year=year)
                cursor.execute(f"SELECT COUNT(*) FROM {TABLE} e WHERE {where}", params)
                (matched_rows,) = cursor.fetchone()
            # One row per record (its first chunk shows), ranked, with the page's rows
            # read in the same statement.
            cursor.execute(
                f"SELECT e.id, e.kind, e.object_id, e.publication_id, e.year, e.title, e.body "
                f"FROM (SELECT e.kind, e.object_id, MIN(e.id) AS first, MAX({score_sql}) AS score, "
                f"MAX(COALESCE(e.year, 0)) AS newest "
                f"FROM {TABLE} e WHERE {where} GROUP BY e.kind, e.object_id "
                f"ORDER BY {order.replace('g.', '')} LIMIT %s OFFSET %s) g "
                f"JOIN {TABLE} e ON e.id = g.first ORDER BY {order}",
                [*score_params, *params, per_page + 1, (page - 1) * per_page],
            )
            ranked = cursor.fetchall()
            has_next = len(ranked) > per_page
            page_rows = ranked[:per_page]
    hits = [
        RawHit(kind=r[1], object_id=r[2], publication_id=r[3], year=r[4], title=r[5], body=r[6])
        for r in page_rows
    ]
    total = counted.kinds.get(kind, 0) if kind else sum(counted.kinds.values())
    return RawResults(query, hits, has_next, total, counted, capped=matched_rows >= MATCH_CAP)


def _title_score(title_folded: str, query: Query) -> int:
    """The SQL ranking's score of one row: 2 for a title that is the query, 1 per needle in it."""
    return 2 * (title_folded == query.folded) + sum(
        needle in title_folded for needle in query.needles
    )


_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}


def _rank(
    matched: Sequence[tuple[Any, ...]], query: Query, *, page: int, per_page: int
) -> tuple[list[int], bool]:
    """The first row ids of one page of records, ranked as the SQL of ``search`` ranks them.

    ``matched`` rows are (id, kind, object id, publication, year, folded title).
    A record (several chunks) scores its best chunk, counts its newest year and
    shows its first chunk. Returns the page's first-row ids and whether another
    page follows.
    """
    records: dict[tuple[str, int], list[int]] = {}
    scores: dict[str, int] = {}  # by title: a record's chunks, and many records, share one
    for row_id, kind, object_id, _publication, year, title_folded in matched:
        score = scores.get(title_folded)
        if score is None:
            score = scores[title_folded] = _title_score(title_folded, query)
        record = records.get((kind, object_id))
        if record is None:
            records[(kind, object_id)] = [row_id, score, year or 0]
        else:
            record[0] = min(record[0], row_id)
            record[1] = max(record[1], score)
            record[2] = max(record[2], year or 0)
    ordered = sorted(
        records.items(),
        key=lambda item: (-item[1][1], -item[1][2], _KIND_RANK.get(item[0][0], 9), -item[0][1]),
    )
    start = (page - 1) * per_page
    window = ordered[start : start + per_page + 1]
    return [record[0] for _key, record in window[:per_page]], len(window) > per_page


def _rows_by_id(cursor, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(
        f"SELECT e.id, e.kind, e.object_id, e.publication_id, e.year, e.title, e.body "
        f"FROM {TABLE} e WHERE e.id IN ({marks})",
        list(ids),
    )
    return {row[0]: row for row in cursor.fetchall()}


def _facets_of(rows: Sequence[tuple[str, int, int | None, int | None]]) -> Facets:
    """The facets of matching rows (kind, object, publication, year), as _facets counts them."""
    distinct = set(rows)  # a record's chunks repeat its publication and year
    kinds = Counter(kind for kind, _object_id in {(k, o) for k, o, _p, _y in distinct})
    publications = Counter(p for _k, _o, p in {(k, o, p) for k, o, p, _y in distinct})
    years = Counter(y for _k, _o, y in {(k, o, y) for k, o, _p, y in distinct})
    return Facets(
        kinds=dict(kinds),
        publications={int(p): n for p, n in publications.items() if p is not None},
        years={int(y): n for y, n in years.items() if y is not None},
    )


def _facets(cursor, query: Query, *, kind, publication, year) -> Facets:
    where, params = _where(query, kind=None, publication=publication, year=year)
    cursor.execute(
        f"SELECT e.kind, COUNT(DISTINCT e.object_id) FROM {TABLE} e WHERE {where} GROUP BY e.kind",
        params,
    )
    kinds = {k: n for k, n in cursor.fetchall()}
    counted = {}
    for column, others in (
        ("publication_id", {"kind": kind, "publication": None, "year": year}),
        ("year", {"kind": kind, "publication": publication, "year": None}),
    ):
        where, params = _where(query, **others)
        cursor.execute(
            f"SELECT d.value, COUNT(*) FROM (SELECT DISTINCT e.kind, e.object_id, e.{column} AS value "
            f"FROM {TABLE} e WHERE {where}) d WHERE d.value IS NOT NULL GROUP BY d.value",
            params,
        )
        counted[column] = {int(value): n for value, n in cursor.fetchall()}
    return Facets(kinds=kinds, publications=counted["publication_id"], years=counted["year"])


# --- writing the index -----------------------------------------------------------


@dataclass
class _Row:
    kind: str
    object_id: int
    gazette_id: int | None
    publication_id: int | None
    year: int | None
    title: str
    body: str
    extra: str = ""  # indexed with every chunk, not shown (文号, aliases …)

    def chunks(self) -> list[tuple]:
        rows = []
        title_folded = fold(self.title)
        extra_folded = fold(self.extra)
        body_folded = fold(self.body)
        for number, (start, end) in enumerate(_folded_chunk_spans(body_folded)):
            text = self.body[start:end]
            rows.append(
                (
                    self.kind,
                    self.object_id,
                    number,
                    self.gazette_id,
                    self.publication_id,
                    self.year,
                    self.title,
                    title_folded,
                    text,
                    _folded_index_tokens(title_folded, extra_folded, body_folded[start:end]),
                )
            )
        return rows


def _insert(rows: list[_Row]) -> None:
    values = [chunk for row in rows for chunk in row.chunks()]
    if not values:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} (kind, object_id, chunk, gazette_id, publication_id, year, "
            f"title, title_folded, body, tokens) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            values,
        )


def _delete(kind: str, ids: Iterable[int]) -> None:
    ids = sorted(set(ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE kind = %s AND object_id IN ({marks})", [kind, *batch]
            )


def _ids_built_from(cursor, gazette_id: int, kind: str) -> set[int]:
    cursor.execute(
        f"SELECT DISTINCT object_id FROM {TABLE} WHERE gazette_id = %s AND kind = %s",
        [gazette_id, kind],
    )
    return {row[0] for row in cursor.fetchall()}


class _Models:
    """The models the index reads, from the app registry (or a migration's)."""

    def __init__(self, apps) -> None:
        get = apps.get_model
        self.Gazette = get("records", "Gazette")
        self.Article = get("records", "Article")
        self.Decision = get("records", "PersonnelDecision")
        self.Attendance = get("records", "Attendance")
        self.NameListEntry = get("records", "NameListEntry")
        self.Person = get("people", "Person")
        self.PersonAlias = get("people", "PersonAlias")
        self.Post = get("people", "Post")


ACTION_LABELS = {
    "appoint": "任命",
    "remove": "免去",
    "accept_resignation": "接受辞职",
    "approve_appointment": "批准任命",
    "approve_removal": "批准免去",
    "approve_resignation": "批准辞职",
    "elect": "选举",
    "dismiss": "撤职罢免",
}


def decision_title(action: str, person_name: str, positions: Sequence[str]) -> str:
    label = ACTION_LABELS.get(action, action)
    return f"{label} {person_name}" + (f"：{'、'.join(positions)}" if positions else "")


def rebuild_search_index(gazette, *, apps=django_apps) -> None:
    """Bring the index in step with one issue: its articles and decisions, and the
    people and posts it names (their rows summarise every published issue).

    An unpublished issue leaves no row of its own behind. Rows of records that
    no longer exist (a deleted issue, a merged person) are removed as well.
    """
    m = _Models(apps)
    status = m.Gazette.objects.filter(pk=gazette.pk).values_list("status", flat=True).first()
    with transaction.atomic(), connection.cursor() as cursor:
        people = _ids_built_from(cursor, gazette.pk, PERSON)
        posts = _ids_built_from(cursor, gazette.pk, POST)
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE gazette_id = %s AND kind IN (%s, %s)",
            [gazette.pk, ARTICLE, DECISION],
        )
        if status == PUBLISHED:
            _insert(_article_rows(m, gazette.pk) + _decision_rows(m, gazette.pk))
        decisions = m.Decision.objects.filter(gazette_id=gazette.pk)
        people |= set(decisions.exclude(person=None).values_list("person_id", flat=True))
        for model in (m.Attendance, m.NameListEntry):
            people |= set(
                model.objects.filter(gazette_id=gazette.pk)
                .exclude(person=None)
                .values_list("person_id", flat=True)
            )
        posts |= set(
            m.Decision.posts.through.objects.filter(
                personneldecision__gazette_id=gazette.pk
            ).values_list("post_id", flat=True)
        )
        reindex_people(people, apps=apps)
        reindex_posts(posts, apps=apps)


# --- rows of deleted records ----------------------------------------------------------
# Deleting a record deletes its index row at once (one indexed DELETE), so that a
# rebuild never has to look for orphans across the whole index: that look grows with
# every issue ever loaded, and would make each load slower than the one before.

_KIND_OF_MODEL = {
    "records.article": ARTICLE,
    "records.personneldecision": DECISION,
    "people.person": PERSON,
    "people.post": POST,
}


def _record_deleted(sender, instance, **kwargs) -> None:
    kind = _KIND_OF_MODEL.get(sender._meta.label_lower)
    if kind is not None:
        _delete(kind, [instance.pk])


def _gazette_about_to_be_deleted(sender, instance, **kwargs) -> None:
    """Note the people and posts whose rows summarise this issue, to rewrite them after."""
    with connection.cursor() as cursor:
        instance._search_people = _ids_built_from(cursor, instance.pk, PERSON)
        instance._search_posts = _ids_built_from(cursor, instance.pk, POST)


def _gazette_deleted(sender, instance, **kwargs) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE gazette_id = %s", [instance.pk])
    reindex_people(getattr(instance, "_search_people", ()))
    reindex_posts(getattr(instance, "_search_posts", ()))


for _label in _KIND_OF_MODEL:
    post_delete.connect(_record_deleted, sender=_label, dispatch_uid=f"search-delete-{_label}")
pre_delete.connect(
    _gazette_about_to_be_deleted, sender="records.Gazette", dispatch_uid="search-gazette-pre"
)
post_delete.connect(_gazette_deleted, sender="records.Gazette", dispatch_uid="search-gazette")


def _article_rows(m: _Models, gazette_id: int) -> list[_Row]:
    gazette = m.Gazette.objects.get(pk=gazette_id)
    return [
        _Row(
            kind=ARTICLE,
            object_id=article.pk,
            gazette_id=gazette_id,
            publication_id=gazette.publication_id,
            year=gazette.year,
            title=article.title,
            body=article.text,
            extra=" ".join(filter(None, [article.toc_title, article.doc_number, article.issuer])),
        )
        for article in m.Article.objects.filter(gazette_id=gazette_id).order_by("number")
    ]


def _decision_rows(m: _Models, gazette_id: int) -> list[_Row]:
    rows = []
    decisions = (
        m.Decision.objects.filter(gazette_id=gazette_id)
        .select_related("gazette", "meeting")
        .order_by("id")
    )
    for d in decisions:
        title = decision_title(d.action, d.person_name, d.positions)
        meeting = _meeting_label(d.meeting) if d.meeting_id else ""
        rows.append(
            _Row(
                kind=DECISION,
                object_id=d.pk,
                gazette_id=gazette_id,
                publication_id=d.gazette.publication_id,
                year=d.date.year if d.date else d.gazette.year,
                title=title,
                body="\n".join(
                    filter(None, [title, meeting, d.date.isoformat() if d.date else ""])
                ),
            )
        )
    return rows


def _meeting_label(meeting) -> str:
    # Not str(meeting): a migration's historical models have no __str__.
    from records.models import meeting_label

    return meeting_label(meeting.region, meeting.body, meeting.term, meeting.number)


def _latest(mentions: Iterable[tuple[int, int, int, int, int]]) -> dict[int, tuple[int, int, int]]:
    """(object, gazette, publication, year, issue) → object: its newest (gazette, publication, year)."""
    best: dict[int, tuple[tuple[int, int, int], tuple[int, int, int]]] = {}
    for obj, gazette, publication, year, issue in mentions:
        rank = (year, issue, gazette)
        if obj not in best or rank > best[obj][0]:
            best[obj] = (rank, (gazette, publication, year))
    return {obj: value for obj, (_, value) in best.items()}


_MENTION = ("gazette_id", "gazette__publication_id", "gazette__year", "gazette__issue")


def reindex_people(person_ids: Iterable[int], *, apps=django_apps) -> None:
    """Rewrite the rows of these people: public ones get one, the others none."""
    m = _Models(apps)
    ids = sorted(set(person_ids))
    _delete(PERSON, ids)
    if not ids:
        return
    mentions: list[tuple[int, int, int, int, int]] = []
    titles: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        for model, extra in (
            (m.Decision, "positions"),
            (m.Attendance, "title"),
            (m.NameListEntry, "label"),
        ):
            for row in model.objects.filter(
                person_id__in=batch, gazette__status=PUBLISHED
            ).values_list("person_id", *_MENTION, extra):
                mentions.append(row[:5])
                value = row[5]
                titles[row[0]].extend(value if isinstance(value, list) else [value])
    latest = _latest(mentions)
    if not latest:
        return
    aliases: dict[int, list[str]] = defaultdict(list)
    for person_id, name in m.PersonAlias.objects.filter(person_id__in=latest).values_list(
        "person_id", "name"
    ):
        aliases[person_id].append(name)
    rows = []
    for person in m.Person.objects.filter(pk__in=latest).order_by("pk"):
        gazette_id, publication_id, year = latest[person.pk]
        seen = list(dict.fromkeys(t for t in titles[person.pk] if t))
        rows.append(
            _Row(
                kind=PERSON,
                object_id=person.pk,
                gazette_id=gazette_id,
                publication_id=publication_id,
                year=year,
                title=person.name,
                body="\n".join([person.region, *seen]),
                extra=" ".join(aliases[person.pk]),
            )
        )
    _insert(rows)


def reindex_posts(post_ids: Iterable[int], *, apps=django_apps) -> None:
    """Rewrite the rows of these posts: named by a published decision, or none."""
    m = _Models(apps)
    ids = sorted(set(post_ids))
    _delete(POST, ids)
    if not ids:
        return
    through = m.Decision.posts.through
    mentions = []
    holders: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        for row in through.objects.filter(
            post_id__in=batch, personneldecision__gazette__status=PUBLISHED
        ).values_list(
            "post_id",
            *(f"personneldecision__{name}" for name in _MENTION),
            "personneldecision__person_name",
        ):
            mentions.append(row[:5])
            holders[row[0]].append(row[5])
    latest = _latest(mentions)
    rows = []
    for post in m.Post.objects.filter(pk__in=latest).order_by("pk"):
        gazette_id, publication_id, year = latest[post.pk]
        rows.append(
            _Row(
                kind=POST,
                object_id=post.pk,
                gazette_id=gazette_id,
                publication_id=publication_id,
                year=year,
                title=post.title,
                body="\n".join([post.title, "、".join(dict.fromkeys(holders[post.pk]))]),
            )
        )
    _insert(rows)


def rebuild_all(*, apps=django_apps) -> int:
    """Rebuild the whole index from the database; return the number of issues indexed."""
    m = _Models(apps)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
        gazettes = list(m.Gazette.objects.filter(status=PUBLISHED).order_by("pk"))
        for gazette in gazettes:
            rebuild_search_index(gazette, apps=apps)
    return len(gazettes)


def clear() -> None:
    """Empty the index (tests; flushes leave this raw table alone)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
