"""PostgreSQL finds the newest matching rows through id windows in the GIN index (records/0009)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the windows are PostgreSQL's"),
]

WORD = "预算"


def insert_rows(ids_and_tokens: list[tuple[int, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {search.TABLE} (id, kind, object_id, chunk, gazette_id, publication_id, "
            "year, title, title_folded, body, tokens) "
            "VALUES (%s, 'article', %s, 0, NULL, NULL, 2021, '标题', '标题', '正文', %s)",
            [(pk, pk, tokens) for pk, tokens in ids_and_tokens],
        )


def newest(cap: int, monkeypatch, word: str = WORD) -> tuple[list[int], int]:
    monkeypatch.setattr(search, "MATCH_CAP", cap)
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        rows = search._newest_matches(cursor, search.parse_query(word))
    ids = [row[0] for row in rows]
    assert len(ids) == len(set(ids)), "a row was read twice"
    # Reads of the index (a phrase also reads, once per data version, its statistics).
    reads = [query for query in queries if f"FROM {search.TABLE}" in query["sql"]]
    return sorted(ids, reverse=True), len(reads)


@pytest.fixture
def spread_rows():
    """Rows far apart in id (blocks of 8,192 / 65,536 / 524,288), one in three matching;
    dense near the newest id, sparse further back, as an index that grows over years."""
    ids = sorted(
        {
            *range(1_200_000, 1_200_060),
            *range(1_000_000, 1_200_000, 7_919),
            *range(5, 900_000, 40_009),
        }
    )
    rows = [(pk, f"{WORD} 安排" if n % 3 == 0 else "其他 工作") for n, pk in enumerate(ids)]
    insert_rows(rows)
    return sorted((pk for pk, tokens in rows if WORD in tokens), reverse=True)


@pytest.mark.parametrize("cap", [1, 5, 20, 30, 10_000])
def test_the_windows_give_the_newest_matches_a_full_read_would(spread_rows, cap, monkeypatch):
    found, _ = newest(cap, monkeypatch)
    assert found == spread_rows[:cap]


PHRASE = "生态环境"  # bigrams 生态 态环 环境


@pytest.fixture
def phrase_rows():
    """As spread_rows, for a phrase: a third of the rows hold it; another third hold its
    three bigrams but not in a row, so the index finds them and the positions reject them."""
    ids = sorted(
        {
            *range(1_200_000, 1_200_060),
            *range(1_000_000, 1_200_000, 7_919),
            *range(5, 900_000, 40_009),
        }
    )
    kinds = ("生态 态环 环境 工作", "环境 态环 生态 工作", "其他 工作")
    rows = [(pk, kinds[n % 3]) for n, pk in enumerate(ids)]
    insert_rows(rows)
    return sorted((pk for pk, tokens in rows if tokens == kinds[0]), reverse=True)


@pytest.mark.parametrize("cap", [1, 5, 20, 30, 10_000])
def test_a_phrase_gets_the_newest_rows_that_hold_it_in_order(phrase_rows, cap, monkeypatch):
    found, queries = newest(cap, monkeypatch, PHRASE)
    assert found == phrase_rows[:cap]
    assert queries <= 1 + search.WINDOW_PASSES + 1


def test_a_filtered_phrase_search_counts_only_the_rows_that_hold_it(phrase_rows, monkeypatch):
    monkeypatch.setattr(search, "MATCH_CAP", 10_000)
    results = search.search(search.parse_query(PHRASE), kind="article", per_page=5)
    assert results.total == len(phrase_rows)
    assert [hit.object_id for hit in results.hits] == phrase_rows[:5]
    monkeypatch.setattr(search, "MATCH_CAP", 7)
    capped = search.search(search.parse_query(PHRASE), kind="article", per_page=5)
    assert capped.capped and capped.total == 7


def test_a_common_word_is_answered_from_the_newest_window(spread_rows, monkeypatch):
    found, queries = newest(5, monkeypatch)
    assert found == spread_rows[:5]
    assert queries == 2  # the newest id, then the first window held enough


def test_a_rare_word_widens_the_window_to_every_row(spread_rows, monkeypatch):
    found, queries = newest(10_000, monkeypatch)
    assert found == spread_rows
    # the newest id, a window or two, then every row
    assert queries <= 1 + search.WINDOW_PASSES + 1


def test_a_window_is_the_fewest_newest_blocks_that_hold_the_ids_asked_for():
    newest = 1_200_059  # block 146 of 8,192 ids, 18 of 65,536, 2 of 524,288
    assert search._window(newest, 16_384) == (13, 3)  # ids from 8,192 × 144 = 1,179,648
    assert search._window(newest, 8_192 * 7) == (13, 8)  # 7 blocks' worth of ids spans 8
    assert search._window(newest, 8_192 * 8) == (16, 2)
    assert search._window(newest, 600_000) == (19, 2)  # 10 blocks of 65,536: too many lexemes
    assert search._window(newest, 1_200_000) is None  # from block 0: every row
    for rows in (1, 100, 16_384, 70_000, 300_000, 700_000):
        window = search._window(newest, rows)
        if window is not None:
            level, blocks = window
            assert blocks <= search.MAX_WINDOW_BLOCKS
            assert ((newest >> level) - blocks + 1) << level <= newest - rows + 1


def test_the_next_window_follows_the_density_of_matches():
    assert search._next_window_rows(16_384, 0) == 8 * 16_384
    assert search._next_window_rows(16_384, search.MATCH_CAP - 1) == 2 * 16_384  # at least double
    # 100 matches in 16,384 ids: 2,000 need about 327,680 ids; half as many again asked for
    assert search._next_window_rows(16_384, 100) == 16_384 * search.MATCH_CAP * 3 // 200


def test_each_row_carries_its_window_lexemes():
    insert_rows([(70_000, WORD)])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tsv::text FROM {search.TABLE} WHERE id = 70000")
        (tsv,) = cursor.fetchone()
    for level in search.WINDOW_LEVELS:
        assert f"'qqw{level}x{70_000 >> level}'" in tsv


def test_a_search_is_planned_for_its_own_words(spread_rows):
    """A search's statements carry its words, not parameters: PostgreSQL never runs a
    plan kept for every word (records.search._ValuesInStatement)."""
    sent: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        unfiltered = search.search(search.parse_query(WORD))
        filtered = search.search(search.parse_query(WORD), kind="article", year=2021)
    assert unfiltered.total == filtered.total == len(spread_rows)
    matching = [(sql, params) for sql, params in sent if "to_tsquery" in sql]
    assert len(matching) >= 4  # the windows, the facets, the count, the page
    assert all(WORD in sql and not params for sql, params in matching), matching
