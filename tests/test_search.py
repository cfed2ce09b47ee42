"""Full-text search: tokens, queries, and the same results on SQLite (FTS5) and PostgreSQL (GIN).

The expected results below are literal lists: the suite passes on both
databases only if both return exactly these hits in exactly this order.
"""

from __future__ import annotations

import itertools
from unittest.mock import patch

import pytest
from django.db import connection, transaction
from django.utils.html import escape
from hypothesis import example, given, settings
from hypothesis import strategies as st

from people.models import Person
from records import foldtable, search
from records.loading import publish_gazette, unpublish_gazette
from records.models import Article, Gazette, GazetteStatus, Publication
from tests.test_portal import load_samples

# --- tokens and queries (no database) -----------------------------------------------


def test_fold_table_is_current():
    """Every code point folds as fold_char says: the table is made from it, and an
    upgrade of OpenCC or of Python's Unicode data that changes a character fails here."""
    every = "".join(map(chr, range(0x110000)))
    assert search.fold(every) == "".join(map(foldtable.fold_char, every))


def test_fold_is_simplified_half_width_lower_case_and_keeps_the_length():
    for text in ("張玲 市長", "ＡＢＣ１２３（〔", "營口市人民政府", "abc"):
        assert len(search.fold(text)) == len(text)
    assert search.fold("張玲 市長") == "张玲 市长"
    assert search.fold("ＡＢＣ１２３") == "abc123"


def test_punctuation_inside_the_cjk_blocks_separates_words():
    assert search.index_tokens("カタ・カナ").split() == ["カタ", "カナ", "カ", "タ", "ナ"]


def test_tokens_are_bigrams_words_then_each_character_once():
    tokens = search.index_tokens("张玲同志任市长，2021年").split()
    assert tokens[:5] == ["张玲", "玲同", "同志", "志任", "任市"]
    assert "市长" in tokens and "2021" in tokens
    assert tokens[-8:] == sorted(set("张玲同志任市长年"))  # the one-character tail


def test_a_two_character_query_is_one_token_and_a_long_one_a_phrase():
    assert search.parse_query("张玲").pieces == (("张玲",),)
    assert search.parse_query("市長").pieces == (("市长",),)
    long = search.parse_query("促进民营经济发展")
    assert long.pieces == (("促进", "进民", "民营", "营经", "经济", "济发", "发展"),)
    assert search.parse_query("营").pieces == (("营",),)
    mixed = search.parse_query("葫政发〔2020〕6号")
    assert mixed.pieces == (("葫政", "政发"), ("2020",), ("6",), ("号",))
    assert mixed.fts5() == '"葫政 政发" AND "2020" AND "6" AND "号"'
    assert mixed.tsquery() == "('葫政' <-> '政发') & ('2020') & ('6') & ('号')"
    # What PostgreSQL's index answers alone (no positions); the phrase is checked after.
    assert mixed.has_phrase() and mixed.tsquery_words() == "'葫政' & '政发' & '2020' & '6' & '号'"
    assert search.parse_query("哈哈哈").tsquery_words() == "'哈哈'"
    assert not search.parse_query("张玲 2020").has_phrase()
    assert not search.parse_query("，。！ ")


def test_a_phrase_is_looked_up_by_its_rarer_bigrams():
    common = {"生态": 0.17, "环境": 0.33, "保护": 0.17, "人民": 0.73, "民代": 0.41, "代表": 0.56}
    phrase = search.parse_query("生态环境保护")
    assert search.candidate_words(phrase, common) == "'态环' & '境保'"
    assert search.candidate_words(phrase, {}) == phrase.tsquery_words()
    # All of a phrase common: its two least common.
    assert search.candidate_words(search.parse_query("人民代表"), common) == "'民代' & '代表'"
    # A piece of one token is asked for as it is, common or not.
    mixed = search.parse_query("人民 生态环境保护 2021")
    assert search.candidate_words(mixed, common) == "'人民' & '态环' & '境保' & '2021'"


def test_query_syntax_of_the_user_cannot_reach_the_database():
    query = search.parse_query("""张玲" OR 'x' & !市长 NEAR(a b) *""")
    for token in (t for piece in query.pieces for t in piece):
        assert token.isalnum(), token


def test_chunks_respect_postgresql_tsvector_limits():
    text = "哈" * 9000 + "结尾的独特短语" + "人民代表大会" * 2000
    spans = search.chunk_spans(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start < end  # chunks overlap: no phrase is cut in two
    for start, end in spans:
        tokens = search.index_tokens("标题", text[start:end]).split()
        assert len(tokens) < 16383
        assert max(tokens.count(t) for t in set(tokens)) <= 256


def test_index_rows_hold_the_tokens_of_their_own_chunk_of_the_original_text():
    body = ("關於張玲同志任職的決定，ＡＢＣ２０２１年\n" * 150) + "哈" * 4000 + "结尾"
    row = search._Row(search.ARTICLE, 1, None, None, 2021, "標題", body, extra="〔2021〕3号")
    chunks = row.chunks()
    assert [(c[8]) for c in chunks] == [body[a:b] for a, b in search.chunk_spans(body)]
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk[7] == "标题"
        assert chunk[9] == search.index_tokens("標題", "〔2021〕3号", chunk[8])
    assert "张玲" in chunks[0][9].split() and "abc2021" in chunks[0][9].split()


def test_highlight_escapes_then_marks():
    html = search.highlight("<b>張玲</b>同志 & 张玲", search.parse_query("张玲").needles)
    assert html == "&lt;b&gt;<mark>張玲</mark>&lt;/b&gt;同志 &amp; <mark>张玲</mark>"
    snippet = search.highlight("甲" * 300 + "民营经济" + "乙" * 300, ["民营经济"], width=40)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>民营经济</mark>" in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) == 42


def _highlight_folding_everything(text, needles, width):
    """highlight() as it was before it folded only what a snippet needs: the reference."""
    text = " ".join(text.split())
    spans = search._spans(search.fold(text), needles)
    start, end = 0, len(text)
    if len(text) > width:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - width // 4, len(text) - width))
        end = start + width
    parts = ["…" if start > 0 else ""]
    position = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(escape(text[position:s]) + f"<mark>{escape(text[s:e])}</mark>")
        position = e
    parts.append(escape(text[position:end]) + ("…" if end < len(text) else ""))
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet="张張玲经經济濟民营营Ａa 1<\n", max_size=120),
    query=st.text(alphabet="张張玲经經济濟民营Ａa1 ", min_size=1, max_size=6),
    width=st.integers(min_value=1, max_value=40),
    block=st.integers(min_value=1, max_value=16),
)
# A longer needle across a block's end, a shorter one inside it later: the first is the longer.
@example(text="甲甲甲甲经济民" + "乙" * 20, query="经济民 济", width=4, block=4)
def test_snippets_fold_only_what_they_show_and_mark_the_same(text, query, width, block):
    needles = search.parse_query(query).needles
    with patch.object(search, "SNIPPET_SCAN_CHARS", block):
        assert search.highlight(text, needles, width=width) == _highlight_folding_everything(
            text, needles, width
        )


# --- the database ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        search.clear()
        load_samples()
        yield
        transaction.set_rollback(True)


def hits(q: str, **kwargs) -> list[tuple[str, str]]:
    found = search.search(search.parse_query(q), per_page=50, **kwargs)
    return [(hit.kind, hit.title) for hit in found.hits]


MEETING_MINUTES = "安阳市人大常委会会议纪要"

EXPECTED = {
    "张玲": [
        ("person", "张玲"),
        ("article", "关于评议市民政局工作情况的调研报告"),
        ("article", "关于评议市卫生健康委员会工作情况的调研报告"),
        ("article", MEETING_MINUTES),
        (
            "article",
            "关于加强殷墟保护区文物保护与民生建设、发掘甲骨文文化效能、在安阳市规范使用汉语言文字的议案督办意见的报告",
        ),
        (
            "article",
            "安阳市政府关于加强殷墟保护区文物保护与民生建设、发掘甲骨文文化效能、在安阳市规范使用汉语言文字的议案办理情况报告",
        ),
        ("article", MEETING_MINUTES),
        ("article", "安阳市第十四届人民代表大会第五次会议主席团和秘书长名单"),
        ("article", MEETING_MINUTES),
        ("article", MEETING_MINUTES),
    ],
    "促进民营经济发展": [
        ("article", "营口市人大法制委员会关于《营口市促进民营经济发展条例(草案)》审议结果的报告"),
        (
            "article",
            "营口市人民代表大会财政经济委员会关于《营口市促进民营经济发展条例（草案）》的审议意见",
        ),
        ("article", "关于《营口市促进民营经济发展条例》的起草说明"),
        ("article", "营口市促进民营经济发展条例"),
        ("article", "营口市人民代表大会常务委员会工作报告"),
        (
            "article",
            "关于营口市2023年国民经济和社会发展规划执行情况与2024年国民经济和社会发展规划草案的审查结果报告",
        ),
        (
            "article",
            "关于营口市2023年国民经济和社会发展规划执行情况与2024年国民经济和社会发展计划草案的报告",
        ),
        ("article", "营口市人民政府工作报告"),
        ("article", "营口市人民代表大会常务委员会公告"),
    ],
    "市长": [
        ("post", "营口市人民政府副市长"),
        ("decision", "免去 郑孝刚：营口市人民政府副市长"),
        ("decision", "任命 王正刚：营口市人民政府副市长"),
        ("post", "安阳市人民政府市长"),
        ("post", "安阳市人民政府副市长"),
        ("post", "安阳市人民政府代理市长"),
        ("decision", "免去 田海涛：安阳市人民政府副市长"),
        ("decision", "接受辞职 袁家健：安阳市人民政府市长"),
        ("decision", "任命 高永：安阳市人民政府副市长、安阳市人民政府代理市长"),
        ("decision", "任命 郑孝刚：营口市人民政府副市长"),
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("q", sorted(EXPECTED))
def test_the_same_hits_in_the_same_order_on_every_database(samples, q):
    assert hits(q)[: len(EXPECTED[q])] == EXPECTED[q]


@pytest.mark.django_db
def test_two_character_name_and_post(samples):
    found = search.search(search.parse_query("张玲"))
    assert found.total == 10 and found.facets.kinds == {"person": 1, "article": 9}
    found = search.search(search.parse_query("市长"))
    assert found.facets.kinds == {"article": 32, "decision": 6, "person": 7, "post": 4}
    assert found.total == 49
    assert ("post", "安阳市人民政府市长") in hits("市长", kind="post")


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["市长", "张玲", "人民代表大会", "关于 决定", "条例", "2021"])
def test_ranking_the_read_matches_gives_the_pages_the_database_ranking_gives(samples, q):
    """Without a facet chosen the matched rows are ranked in Python; with facets off, in SQL."""
    query = search.parse_query(q)
    for per_page in (1, 3, 20):
        for page in (1, 2, 3, 7):
            here = search.search(query, page=page, per_page=per_page)
            there = search.search(query, page=page, per_page=per_page, facets=False)
            assert (here.hits, here.has_next) == (there.hits, there.has_next), (page, per_page)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite asks FTS5 for the phrase")
@pytest.mark.parametrize(
    "q", ["促进民营经济发展", "人民代表大会", "关于我市义务教育工作情况的报告", "营口市人民政府"]
)
def test_a_phrase_found_by_fewer_bigrams_gives_the_same_results(samples, q, monkeypatch):
    """PostgreSQL asks its index for a phrase's rarer bigrams (records.search.candidate_words):
    what it finds is the same whichever of them it asks for, all of them included."""
    query = search.parse_query(q)
    bigrams = [token for piece in query.pieces for token in piece]

    def found_with(common: dict[str, float]):
        monkeypatch.setattr(search, "_common_lexemes", lambda: common)
        result = search.search(query, per_page=50)
        return result.hits, result.total, result.facets, result.capped

    every = found_with({})
    assert every[0]
    assert found_with({token: 0.5 for token in bigrams}) == every  # the two least common
    assert found_with({token: 0.5 for token in bigrams[1:]}) == every  # the first alone
    assert found_with({token: 0.5 for token in bigrams[:-1]}) == every  # the last alone


@pytest.mark.django_db
def test_traditional_input_finds_what_simplified_input_finds(samples):
    assert hits("張玲") == hits("张玲")
    assert hits("市長") == hits("市长")
    assert hits("關於我市義務教育工作情況的報告") == hits("关于我市义务教育工作情况的报告")
    assert hits("關於我市義務教育工作情況的報告")[0] == (
        "article",
        "关于我市义务教育工作情况的报告",
    )


@pytest.mark.django_db
def test_a_long_phrase_matches_only_where_it_stands(samples):
    assert len(hits("关于我市义务教育工作情况的报告")) == 3
    # The same characters out of order are not the phrase.
    assert hits("报告情况工作教育义务我市关于") == []
    # Words separated by spaces must all be there, anywhere.
    assert [t for _, t in hits("民营经济 条例")] == [t for _, t in hits("促进民营经济发展")]


@pytest.mark.django_db
def test_document_numbers_and_one_character_queries(samples):
    assert hits("葫政发〔2020〕6号") == [
        ("article", "葫芦岛市人民政府印发关于支持工业企业发展的若干政策意见的通知")
    ]
    found = search.search(search.parse_query("殷"))
    assert found.total >= len(hits("殷墟")) > 0


@pytest.mark.django_db
def test_facets_narrow_and_count_the_other_choices(samples):
    q = search.parse_query("市长")
    anyang = Publication.objects.get(issuer="安阳市人民代表大会常务委员会")
    narrowed = search.search(q, publication=anyang.pk)
    assert narrowed.facets.publications == search.search(q).facets.publications
    assert narrowed.total == narrowed.facets.publications[anyang.pk] == 34
    by_year = search.search(q, year=2024)
    assert by_year.total == 9 and by_year.facets.years == {2021: 40, 2024: 9}
    both = search.search(q, publication=anyang.pk, kind="post")
    assert [h.title for h in both.hits] == [
        "安阳市人民政府市长",
        "安阳市人民政府副市长",
        "安阳市人民政府代理市长",
    ]


@pytest.mark.django_db
def test_a_common_word_ranks_only_its_newest_matches_and_says_so(samples, monkeypatch):
    q = search.parse_query("市长")
    everything = search.search(q, per_page=100)
    assert not everything.capped and everything.total == len(everything.hits) == 49
    monkeypatch.setattr(search, "MATCH_CAP", 10)
    capped = search.search(q)
    assert capped.capped and 0 < capped.total <= 10
    newest_rows = search.search(q, per_page=50).hits
    assert {(h.kind, h.object_id) for h in newest_rows} <= {
        (h.kind, h.object_id) for h in everything.hits
    }
    # Filters narrow before the cap: an issue's own hits are all there.
    anyang = Publication.objects.get(issuer="安阳市人民代表大会常务委员会")
    assert search.search(q, publication=anyang.pk, kind="post").total == 3
    page = search_page_html(q="市长")
    assert "结果很多，以下是最新的" in page


def search_page_html(q: str) -> str:
    from django.test import Client

    return Client().get("/search/", {"q": q}).content.decode()


@pytest.mark.django_db
def test_pages_of_hits_without_counting_rows(samples):
    q = search.parse_query("市长")
    first = search.search(q, per_page=20)
    second = search.search(q, per_page=20, page=2)
    third = search.search(q, per_page=20, page=3)
    assert first.has_next and second.has_next and not third.has_next
    keys = [(h.kind, h.object_id) for page in (first, second, third) for h in page.hits]
    assert len(keys) == len(set(keys)) == 49


@pytest.mark.django_db
def test_unpublished_issues_leave_the_index_and_come_back(samples):
    gazette = Gazette.objects.get(publication__issuer="葫芦岛市人民政府")
    unpublish_gazette(gazette)
    assert hits("葫政发〔2020〕6号") == []
    gazette.refresh_from_db()
    publish_gazette(gazette)
    assert len(hits("葫政发〔2020〕6号")) == 1

    yingkou = Gazette.objects.get(publication__issuer="营口市人民代表大会常务委员会", year=2024)
    unpublish_gazette(yingkou)
    assert ("person", "王正刚") not in hits("王正刚")  # named in that issue only
    assert ("post", "营口市人民政府副市长") in hits("副市长")  # still named by 2021's issue
    assert ("decision", "任命 王正刚：营口市人民政府副市长") not in hits("市长")


@pytest.mark.django_db
def test_rows_of_deleted_records_are_purged_on_the_next_rebuild(samples):
    anyang = Gazette.objects.get(publication__issuer="安阳市人民代表大会常务委员会")
    zhang = Person.objects.get(name="张玲")
    zhang.attendance.all().update(person=None)
    zhang.name_list_entries.all().update(person=None)
    search.rebuild_search_index(anyang)
    assert ("person", "张玲") not in hits("张玲")
    huludao = Gazette.objects.get(publication__issuer="葫芦岛市人民政府")
    huludao.delete()
    search.rebuild_search_index(anyang)
    assert hits("葫政发〔2020〕6号") == []


@pytest.mark.django_db
def test_deleting_a_record_removes_its_row_at_once_and_a_rebuild_reads_only_its_issue(samples):
    anyang = Gazette.objects.get(publication__issuer="安阳市人民代表大会常务委员会")
    titles = list(Article.objects.values_list("title", flat=True))
    article = next(a for a in anyang.articles.order_by("number") if titles.count(a.title) == 1)
    assert ("article", article.title) in hits(article.title)
    article.delete()
    assert ("article", article.title) not in hits(article.title)
    zhang = Person.objects.get(name="张玲")
    zhang.delete()
    assert ("person", "张玲") not in hits("张玲")
    # A rebuild touches the index through the issue's own rows only: no statement
    # of it reads the whole index (an anti-join over every row would grow with the corpus).
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        search.rebuild_search_index(anyang)
    statements = [q["sql"] for q in captured.captured_queries if "records_search_entry" in q["sql"]]
    assert statements
    assert not [sql for sql in statements if "NOT EXISTS" in sql.upper()]


@pytest.mark.django_db
def test_long_and_repetitive_texts_match_to_their_last_character(samples):
    """Without chunks PostgreSQL would drop positions past 16,383 and past 256 per lexeme."""
    gazette = Gazette.objects.get(publication__issuer="葫芦岛市人民政府")
    Article.objects.create(
        gazette=gazette,
        number=999,
        key="long",
        title="长文测试",
        category="other",
        text="哈" * 20000 + "哈哈大笑的结尾独特短语" + "。人民代表大会" * 3000 + "最后一句话在这里",
    )
    search.rebuild_search_index(gazette)
    for phrase in ("哈哈大笑的结尾独特短语", "最后一句话在这里", "大笑的结尾"):
        assert hits(phrase) == [("article", "长文测试")], phrase


@pytest.mark.django_db
def test_search_index_uses_the_database_index(samples):
    q = search.parse_query("张玲")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT id FROM records_search_entry e WHERE " + search._match_sql(),
                [q.tsquery()],
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "records_search_entry_tsv" in plan
        else:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT rowid FROM records_search_fts WHERE records_search_fts MATCH %s",
                [q.fts5()],
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan


@pytest.mark.django_db
def test_index_holds_published_issues_only(samples):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT gazette_id FROM {search.TABLE} WHERE gazette_id IS NOT NULL"
        )
        indexed = {row[0] for row in cursor.fetchall()}
    assert indexed == set(
        Gazette.objects.filter(status=GazetteStatus.PUBLISHED).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_rebuild_all_gives_the_same_index(samples):
    before = hits("市长")
    assert search.rebuild_all() == 4
    assert hits("市长") == before
