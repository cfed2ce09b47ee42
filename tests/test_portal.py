"""The public portal: every page's content, filters, 404s for unpublished issues, query counts.

The four sample gazettes are loaded and published once for the module (in a
transaction rolled back at the end); each test runs in a savepoint inside it.
Records are looked up by their natural keys: ids differ between databases.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse

from people.models import Person, Post, Tenure
from people.selectors import pinyin_key, stroke_key, stroke_order_available
from records import search, sitemaps
from records.loading import load_gazette_file, unpublish_gazette
from records.models import (
    Article,
    Gazette,
    GazetteStatus,
    Meeting,
    NameListEntry,
    PersonnelDecision,
    Publication,
)
from records.parsing import IssueMetadata
from tests.conftest import SAMPLES

pytestmark = pytest.mark.django_db

YINGKOU = "营口市人民代表大会常务委员会"
ANYANG = "安阳市人民代表大会常务委员会"
HULUDAO = "葫芦岛市人民政府"


def load_samples() -> None:
    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    for name, meta in manifest.items():
        load_gazette_file(
            (SAMPLES / name).read_bytes(),
            filename=name,
            metadata=IssueMetadata(**meta) if meta else None,
            publish=True,
            allow_shrinkage=True,
        )


@pytest.fixture(scope="module")
def samples(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        search.clear()  # flushes of transactional tests leave this raw table alone
        load_samples()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def client(client, samples):
    return client


def gazette(issuer: str, year: int, issue: int) -> Gazette:
    return Gazette.objects.get(publication__issuer=issuer, year=year, issue=issue)


def article(title: str) -> Article:
    return Article.objects.filter(title=title).order_by("id").first()


def meeting(region: str, body: str, term: int, number: int) -> Meeting:
    return Meeting.objects.get(region=region, body=body, term=term, number=number)


def person(region: str, name: str) -> Person:
    return Person.objects.get(region=region, name=name)


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def text_of(response) -> str:
    return response.content.decode()


def listing(response) -> str:
    """The list part of a list page, without the filter form."""
    return text_of(response).split('<ol class="record-list"')[1].split("</ol>")[0]


def report_link(label: str) -> str:
    """The error-report link every record page carries, with the record's label."""
    from urllib.parse import quote

    return f"label={quote(label)}"


# --- query counts: one number per page, whatever the page shows -------------------

@pytest.fixture(autouse=True)
def _first_visit():
    """Every page as its first reader sees it: no filter options kept (records.choices)."""
    cache.clear()


QUERY_COUNTS = {
    "home": 6,  # 4 once what is loaded per publication is kept (records.choices)
    "gazette-list": 4,  # 3 once the filter options are cached (records.choices)
    "gazette-detail": 4,
    "gazette-text": 2,
    "publication-list": 3,  # 1 once kept
    "publication-detail": 2,
    "article-detail": 7,
    "meeting-list": 5,  # 4 once the filter options are cached (one data version for all)
    "meeting-detail": 8,
    "decision-list": 4,  # 3 once the filter options are cached
    "person-list": 6,  # 5 once the filter options are cached
    "person-detail": 9,
    "post-list": 3,  # 2 once the region options are cached
    "post-detail": 3,
    "search": 5,
}


def test_home_shows_latest_issues_meetings_decisions_and_coverage(client, django_assert_num_queries):
    with django_assert_num_queries(QUERY_COUNTS["home"]):
        response = get(client, "/")
    with django_assert_num_queries(QUERY_COUNTS["home"] - 2):
        assert text_of(get(client, "/")) == text_of(response)
    html = text_of(response)
    assert "最新公报" in html and "最近的会议" in html and "最新人事任免" in html
    assert str(gazette(ANYANG, 2021, 3)) in html
    assert "营口市第17届人大常委会第20次会议" in html
    assert 'role="search"' in html and 'name="q"' in html
    for publication in Publication.objects.all():
        assert reverse("records:publication-detail", args=[publication.pk]) in html
    assert "2021–2024" in html  # Yingkou: two issues, 2021 and 2024
    # Newest first; issues without a printed date last, on every database.
    latest = html.split('id="latest-gazettes"')[1].split("</ul>")[0]
    order = [str(gazette(ANYANG, 2021, 3)), str(gazette(HULUDAO, 2020, 2)), str(gazette(YINGKOU, 2024, 1))]
    assert [latest.index(name) for name in order] == sorted(latest.index(name) for name in order)


def test_gazette_list_filters_by_publication_and_year(client, django_assert_num_queries):
    yingkou = Publication.objects.get(issuer=YINGKOU)
    with django_assert_num_queries(QUERY_COUNTS["gazette-list"]):
        html = text_of(get(client, f"/gazettes/?publication={yingkou.pk}"))
    assert "营口市人民代表大会常务委员会公报 2024年第1期" in html
    assert "营口市人民代表大会常务委员会公报 2021年第3期" in html
    assert "安阳市人民代表大会常务委员会公报" not in html.split("<ol")[1]
    html = text_of(get(client, f"/gazettes/?publication={yingkou.pk}&year=2024"))
    assert "2024年第1期" in html and "2021年第3期</a>" not in html
    assert "没有符合条件的公报" in text_of(get(client, "/gazettes/?year=1999"))
    get(client, "/gazettes/?year=abc", 400)
    get(client, "/gazettes/?page=2", 404)
    get(client, "/gazettes/?page=x", 404)


def test_gazette_page_has_toc_with_pages_download_and_source(client, django_assert_num_queries):
    g = gazette(YINGKOU, 2021, 3)
    with django_assert_num_queries(QUERY_COUNTS["gazette-detail"]):
        html = text_of(get(client, g.get_absolute_url()))
    report = article("关于我市义务教育工作情况的报告")
    assert f'<a href="{report.get_absolute_url()}">关于我市义务教育工作情况的报告</a>' in html
    assert 'aria-label="第5页">5</span>' in html
    assert reverse("records:gazette-download", args=[g.pk]) in html
    assert reverse("records:gazette-text", args=[g.pk]) in html
    assert report_link(str(g)) in html

    response = get(client, reverse("records:gazette-download", args=[g.pk]))
    assert response.content == (SAMPLES / "yingkou-congress-2021-03.txt").read_bytes()
    assert "attachment" in response["Content-Disposition"]
    assert "yingkou-congress-2021-03.txt" in response["Content-Disposition"]

    with django_assert_num_queries(QUERY_COUNTS["gazette-text"]):
        html = text_of(get(client, reverse("records:gazette-text", args=[g.pk])))
    assert f'id="L{report.first_line}"' in html
    # Every line of the source, in order, as its anchor, its number and its text alone:
    # the page of a long issue is mostly its text.
    lines = (SAMPLES / "yingkou-congress-2021-03.txt").read_text(encoding="utf-8").splitlines()
    items = re.findall(r'<li id="L(\d+)"><a href="#L\1">\1</a>(.*?)</li>', html)
    assert [int(n) for n, _ in items] == list(range(1, len(lines) + 1))
    assert [unescape(line) for _, line in items] == lines


def test_coverage_page_lists_present_and_missing_issues(client, django_assert_num_queries):
    yingkou = Publication.objects.get(issuer=YINGKOU)
    with django_assert_num_queries(QUERY_COUNTS["publication-list"]):
        assert str(yingkou) in text_of(get(client, "/publications/"))
    with django_assert_num_queries(QUERY_COUNTS["publication-list"] - 2):
        assert str(yingkou) in text_of(get(client, "/publications/"))
    with django_assert_num_queries(QUERY_COUNTS["publication-detail"]):
        html = text_of(get(client, f"/publications/{yingkou.pk}/"))
    # 2021: issue 3 present, 1 and 2 missing; 2022 and 2023 missing; 2024: issue 1.
    assert "已收录 <strong>2</strong> 期" in html
    row_2021 = re.search(r"<th scope=\"row\">2021年</th>(.*?)</tr>", html, re.S).group(1)
    assert "第3期" in row_2021 and "第1期</span>" in row_2021 and "第2期</span>" in row_2021
    for year in (2022, 2023):
        assert re.search(rf"{year}年</th>.*?全年缺失", html, re.S)
    get(client, "/publications/999999/", 404)


def test_regulation_reads_with_anchored_articles_toc_and_linked_citations(
    client, django_assert_num_queries
):
    regulation = article("营口市促进民营经济发展条例")
    with django_assert_num_queries(QUERY_COUNTS["article-detail"]):
        html = text_of(get(client, regulation.get_absolute_url()))
    assert '<h1 id="article-title">营口市促进民营经济发展条例</h1>' in html
    assert 'id="第一条"' in html and 'href="#第一条"' in html and 'href="#第四十条"' in html
    assert "条文目录" in html
    assert "法规规章" in html and "2024年第1期" in html and "第1页" in html
    assert report_link("营口市促进民营经济发展条例") in html
    assert "查看原文" in html

    # The drafting explanation cites the regulation: the citation is a link, in the text too.
    explanation = article("关于《营口市促进民营经济发展条例》的起草说明")
    html = text_of(get(client, explanation.get_absolute_url()))
    assert f'<a href="{regulation.get_absolute_url()}">《营口市促进民营经济发展条例》</a>' in html
    assert "（门户中暂无）" in html  # a national law that is not in the portal


def test_regulation_with_chapters_nests_articles_under_chapter_headings(client):
    rules = article("营口市人民代表大会会议事规则")
    html = text_of(get(client, rules.get_absolute_url()))
    assert re.search(r'<section class="chapter" id="第一章".*?<h2 id="第一章-h">', html, re.S)
    assert html.index('id="第一章"') < html.index('id="第一条"') < html.index('id="第二章"')
    assert 'href="#第七十五条"' in html
    meeting_link = rules.meeting.get_absolute_url()
    assert meeting_link in html


def test_article_links_the_people_and_meeting_it_names(client):
    minutes = Article.objects.get(
        gazette=gazette(YINGKOU, 2021, 3), title="营口市第十六届人民代表大会常务委员会第三十四次会议纪要"
    )
    html = text_of(get(client, minutes.get_absolute_url()))
    zheng = person("营口市", "郑孝刚")
    assert reverse("people:person-detail", args=[zheng.pk]) in html
    assert minutes.meeting.get_absolute_url() in html


def test_meeting_list_filters_by_publication_body_term_and_year(client, django_assert_num_queries):
    anyang = Publication.objects.get(issuer=ANYANG)
    with django_assert_num_queries(QUERY_COUNTS["meeting-list"]):
        html = text_of(get(client, f"/meetings/?publication={anyang.pk}"))
    assert "安阳市第14届人大常委会第25次会议" in html and "营口市第17届" not in html
    html = text_of(get(client, "/meetings/?body=congress"))
    assert "安阳市第14届人民代表大会第5次会议" in html and "人大常委会第25次" not in html
    html = listing(get(client, "/meetings/?term=16"))
    assert "营口市第16届人大常委会第34次会议" in html and "第17届" not in html
    html = listing(get(client, "/meetings/?year=2023"))
    assert "营口市第17届人大常委会第18次会议" in html and "2024年1月" not in html
    get(client, "/meetings/?body=senate", 400)


def test_meeting_page_agenda_attendance_rate_documents_decisions_and_votes(
    client, django_assert_num_queries
):
    m = meeting("安阳市", "standing_committee", 14, 25)
    with django_assert_num_queries(QUERY_COUNTS["meeting-detail"]):
        html = text_of(get(client, m.get_absolute_url()))
    assert "<h2 id=\"agenda-h\">议程</h2>" in html
    assert "出席（38人）" in html and "列席（9人）" in html
    assert "<dt>出席率</dt><dd>100%</dd>" in html
    assert "安阳市人大常委会会议纪要" in html  # a document of the meeting
    assert "常景斌" in html and "安阳市民族宗教事务局局长" in html  # a decision
    assert '<svg viewBox="0 0 600' in html and 'class="bar-yes"' in html  # the vote chart
    assert "市卫生健康委员会" in html and "95%" in html  # 36 of 38 satisfied
    assert report_link(str(m)) in html

    yingkou = meeting("营口市", "standing_committee", 16, 34)
    html = text_of(get(client, yingkou.get_absolute_url()))
    assert "请假（" in html  # on leave is shown and counted
    present = html.count("出席（")
    assert present == 1


def test_decision_list_filters_and_links(client, django_assert_num_queries):
    with django_assert_num_queries(QUERY_COUNTS["decision-list"]):
        html = text_of(get(client, "/decisions/"))
    zheng = person("营口市", "郑孝刚")
    removal = PersonnelDecision.objects.get(person=zheng, action="remove")
    row = re.search(rf'<tr id="decision-{removal.pk}">(.*?)</tr>', html, re.S).group(1)
    assert reverse("people:person-detail", args=[zheng.pk]) in row
    assert removal.meeting.get_absolute_url() in row
    assert removal.article.get_absolute_url() in row

    html = text_of(get(client, "/decisions/?action=elect"))
    assert "选举" in html and 'class="badge action-remove"' not in html
    html = text_of(get(client, "/decisions/?position=副市长"))
    assert "郑孝刚" in html and "张亮" not in html
    post = Post.objects.get(title="营口市人民政府副市长")
    # + the post's title, - the publication options kept since the first visit
    with django_assert_num_queries(QUERY_COUNTS["decision-list"]):
        html = text_of(get(client, f"/decisions/?post={post.pk}"))
    assert "王正刚" in html and "常景斌" not in html and "职务：营口市人民政府副市长" in html
    html = text_of(get(client, "/decisions/?date_after=2024-01-01&date_before=2024-01-31"))
    assert "王正刚" in html and "常景斌" not in html
    huludao = Publication.objects.get(issuer=HULUDAO)
    assert "没有符合条件的人事任免" in text_of(get(client, f"/decisions/?publication={huludao.pk}"))
    m = meeting("安阳市", "standing_committee", 14, 25)
    html = text_of(get(client, f"/decisions/?meeting={m.pk}"))
    assert "常景斌" in html and "王正刚" not in html
    get(client, "/decisions/?date_after=yesterday", 400)


def test_people_list_sorted_by_pinyin_and_by_surname_strokes(client, django_assert_num_queries):
    anyang = Publication.objects.get(issuer=ANYANG)
    with django_assert_num_queries(QUERY_COUNTS["person-list"]):
        html = text_of(get(client, f"/people/?publication={anyang.pk}&term=14&role=member"))
    names = re.findall(r'class="record-title" href="/people/\d+/">([^<]+)</a>', html)
    assert names == sorted(names, key=pinyin_key)
    assert "张玲" in names and "郑孝刚" not in names
    assert '<h2 class="initial" id="initial-Z">Z</h2>' in html

    if stroke_order_available():
        html = text_of(get(client, f"/people/?publication={anyang.pk}&order=stroke"))
        names = re.findall(r'class="record-title" href="/people/\d+/">([^<]+)</a>', html)
        assert names == sorted(names, key=stroke_key)
        assert names.index("丁琦") < names.index("王朴") < names.index("王大鹏")

    html = text_of(get(client, "/people/?role=appointee&q=郑"))
    assert "郑孝刚" in html
    get(client, "/people/?term=x", 400)


def test_stroke_order_follows_the_printed_presidium_list():
    """The 主席团 of Anyang's congress is printed 按姓氏笔画排列: the order is reproduced."""
    if not stroke_order_available():
        pytest.skip("cn_sort's stroke table is not installed")
    printed = ["丁琦", "马宝红", "王朴", "王辉", "王大鹏", "王红兵", "元浩", "牛建芳", "方圆", "申明芳"]
    assert sorted(printed, key=stroke_key) == printed
    assert sorted(["张三", "王五", "李四"], key=stroke_key) == ["王五", "李四", "张三"]


def test_pinyin_order_reads_surnames_as_surnames():
    assert sorted(["曾明", "陈刚"], key=pinyin_key) == ["陈刚", "曾明"]  # zeng, not ceng
    assert sorted(["单雄", "邓亮"], key=pinyin_key) == ["邓亮", "单雄"]  # shan, not dan


def test_person_page_shows_posts_timeline_attendance_and_articles(client, django_assert_num_queries):
    zheng = person("营口市", "郑孝刚")
    with django_assert_num_queries(QUERY_COUNTS["person-detail"]):
        html = text_of(get(client, f"/people/{zheng.pk}/"))
    timeline = html.split('id="tenures-h"')[1].split("</section>")[0]
    assert "营口市人民政府副市长" in timeline
    assert "2021年6月10日 — 2024年1月29日" in timeline
    assert "始于：任命" in timeline and "止于：免去" in timeline
    # Ordered by date on every database: a tenure known only by its end sorts by that end.
    assert timeline.index("营口市人民政府副市长") < timeline.index("辽宁省第十四届人民代表大会代表")
    assert "提到此人的文章" in html and "决定任免名单" in html
    assert report_link("郑孝刚（营口市）") in html

    zhang = person("安阳市", "张玲")
    html = text_of(get(client, f"/people/{zhang.pk}/"))
    assert "第14届人大常委会（安阳市）" in html
    assert "<dt>任内会议</dt><dd>4次</dd>" in html and "<dt>出席率</dt><dd>100%</dd>" in html


def test_person_page_and_api_give_the_recorded_name_variants_sorted(client):
    zheng = person("营口市", "郑孝刚")
    zheng.aliases.create(name="郑孝钢")
    zheng.aliases.create(name="郑晓刚")
    html = text_of(get(client, f"/people/{zheng.pk}/"))
    assert "又作：郑孝钢、郑晓刚" in html
    assert client.get(f"/api/v1/people/{zheng.pk}/").json()["aliases"] == ["郑孝钢", "郑晓刚"]
    listed = client.get("/api/v1/people/", {"q": "郑孝刚"}).json()["results"]
    assert [row["aliases"] for row in listed] == [["郑孝钢", "郑晓刚"]]
    zhang = person("安阳市", "张玲")
    assert "又作" not in text_of(get(client, f"/people/{zhang.pk}/"))
    assert client.get(f"/api/v1/people/{zhang.pk}/").json()["aliases"] == []


def test_attendance_rate_counts_only_meetings_held_while_a_member(client):
    """A member absent from the printed list of a meeting of her term has missed it."""
    zhang = person("安阳市", "张玲")
    m = meeting("安阳市", "standing_committee", 14, 25)
    zhang.attendance.filter(meeting=m).delete()
    html = text_of(get(client, f"/people/{zhang.pk}/"))
    assert "<dt>任内会议</dt><dd>4次</dd>" in html
    assert "<dt>缺席</dt><dd>1次</dd>" in html and "<dt>出席率</dt><dd>75%</dd>" in html
    # Meetings of the congress itself (not the committee) do not count for the committee term.
    assert "安阳市第14届人民代表大会第5次会议</a></th>" not in html


def test_attendance_rate_ends_when_the_seat_on_the_committee_ends(client):
    zhang = person("安阳市", "张玲")
    seat, _ = Post.objects.get_or_create(region="安阳市", title="安阳市人民代表大会常务委员会委员")
    Tenure.objects.create(person=zhang, post=seat, ended_on=dt.date(2021, 8, 1), derived=False)
    html = text_of(get(client, f"/people/{zhang.pk}/"))
    assert "<dt>任内会议</dt><dd>2次</dd>" in html  # the meetings of July 2021 only
    assert "安阳市第14届人大常委会第25次会议</a></th>" not in html


def test_post_page_lists_holders_over_time(client, django_assert_num_queries):
    post = Post.objects.get(title="营口市人民政府副市长")
    with django_assert_num_queries(QUERY_COUNTS["post-detail"]):
        html = text_of(get(client, f"/posts/{post.pk}/"))
    holders = html.split('id="holders-h"')[1].split("</section>")[0]
    assert holders.index("郑孝刚") < holders.index("王正刚")
    assert "2024年1月29日 — 至今" in holders
    with django_assert_num_queries(QUERY_COUNTS["post-list"]):
        html = text_of(get(client, "/posts/?q=市长"))
    assert "安阳市人民政府市长" in html and "检察员" not in html


def test_query_counts_do_not_grow_with_the_records(client, django_assert_num_queries):
    """Thousands of rows: the same number of queries, one page of rows at a time."""
    g = gazette(ANYANG, 2021, 3)
    m = meeting("安阳市", "standing_committee", 14, 25)
    post = Post.objects.get(title="安阳市人民政府副市长")
    people = Person.objects.bulk_create(
        Person(region="安阳市", name=f"测试{i:04d}") for i in range(1500)
    )
    decisions = PersonnelDecision.objects.bulk_create(
        PersonnelDecision(
            gazette=g, key=f"bulk:{p.pk}", region="安阳市", person=p, person_name=p.name,
            action="appoint", positions=[post.title], meeting=m, date=dt.date(2021, 9, 22),
        )
        for p in people
    )  # fmt: skip
    PersonnelDecision.posts.through.objects.bulk_create(
        PersonnelDecision.posts.through(personneldecision=d, post=post) for d in decisions
    )
    m.attendance.model.objects.bulk_create(
        m.attendance.model(gazette=g, meeting=m, key=f"bulk:{p.pk}", person=p, name=p.name, status="present")
        for p in people
    )
    for url, name in (
        ("/decisions/", "decision-list"),
        ("/decisions/?page=20", "decision-list"),
        ("/people/", "person-list"),
        ("/people/?page=20&order=stroke", "person-list"),
        (m.get_absolute_url(), "meeting-detail"),
    ):
        cache.clear()  # the filter options kept by records.choices: count the first visit
        with django_assert_num_queries(QUERY_COUNTS[name]):
            get(client, url)
    with django_assert_num_queries(QUERY_COUNTS["post-detail"]):
        response = get(client, f"/posts/{post.pk}/")
    html = text_of(response)
    assert "测试1499" in html
    # The newest decisions only; the decision list, filtered by the post, has them all.
    from people.selectors import POST_DECISIONS

    assert response.content.decode().count('id="decision-') == POST_DECISIONS
    assert "在人事任免中查看全部" in html


def test_unpublished_issue_is_404_everywhere(client):
    g = gazette(HULUDAO, 2020, 2)
    a = g.articles.order_by("number").first()
    unpublish_gazette(g)
    get(client, g.get_absolute_url(), 404)
    get(client, reverse("records:gazette-text", args=[g.pk]), 404)
    get(client, reverse("records:gazette-download", args=[g.pk]), 404)
    get(client, a.get_absolute_url(), 404)
    huludao = Publication.objects.get(issuer=HULUDAO)
    get(client, f"/publications/{huludao.pk}/", 404)
    assert str(g) not in text_of(get(client, "/gazettes/"))
    assert a.title not in text_of(get(client, "/search/?q=" + a.title[:12]))

    # Records of an issue in review: its meeting, its people, its posts.
    g = gazette(YINGKOU, 2024, 1)
    unpublish_gazette(g)
    get(client, meeting("营口市", "standing_committee", 17, 20).get_absolute_url(), 404)
    wang = person("营口市", "王正刚")  # named only in that issue
    get(client, f"/people/{wang.pk}/", 404)
    get(client, f"/posts/{Post.objects.get(title='营口市司法局局长').pk}/", 404)
    assert "王正刚" not in text_of(get(client, "/decisions/"))
    assert "王正刚" not in text_of(get(client, "/people/?q=王"))
    assert wang.name not in text_of(get(client, "/feeds/decisions.atom"))


def test_old_person_id_redirects_to_the_merged_person(client):
    from records.review import merge_people

    keep = person("营口市", "郑孝刚")
    twin = Person.objects.create(region="营口市", name="郑孝钢")
    decision = PersonnelDecision.objects.filter(person=keep).first()
    decision.person = twin
    decision.save()
    old_id = twin.pk
    merge_people(keep, [twin])
    response = client.get(f"/people/{old_id}/")
    assert response.status_code == 301
    assert response["Location"] == f"/people/{keep.pk}/"


def test_old_article_id_redirects_to_the_article_in_its_place(client):
    a = article("关于我市义务教育工作情况的报告")
    old_id = a.pk
    a.delete()
    Article.objects.create(
        gazette=a.gazette, number=a.number, key=a.key, title=a.title, category=a.category, text="…"
    )
    response = client.get(f"/articles/{old_id}/")
    assert response.status_code == 301
    assert response["Location"] == article("关于我市义务教育工作情况的报告").get_absolute_url()
    get(client, "/articles/999999999/", 404)


def test_every_record_page_has_a_citation_line_source_link_and_report_link(client):
    zheng = person("营口市", "郑孝刚")
    pages = [
        gazette(YINGKOU, 2021, 3).get_absolute_url(),
        article("营口市促进民营经济发展条例").get_absolute_url(),
        meeting("营口市", "standing_committee", 16, 34).get_absolute_url(),
        f"/people/{zheng.pk}/",
        f"/posts/{Post.objects.get(title='营口市人民政府副市长').pk}/",
    ]
    for url in pages:
        html = text_of(get(client, url))
        assert 'class="citation"' in html, url
        assert "/text/" in html and "查看原文" in html, url
        assert reverse("records:report-error") + "?path=" in html and "报告错误" in html, url


def test_atom_and_rss_feeds(client):
    for url in ("/feeds/gazettes.atom", "/feeds/decisions.atom"):
        root = ET.fromstring(get(client, url).content)
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        assert root.findall("{http://www.w3.org/2005/Atom}entry")
    rss = ET.fromstring(get(client, "/feeds/gazettes.rss").content)
    titles = [item.findtext("title") for item in rss.iter("item")]
    assert str(gazette(ANYANG, 2021, 3)) in titles
    zheng = person("营口市", "郑孝刚")
    atom = ET.fromstring(get(client, f"/people/{zheng.pk}/feed.atom").content)
    entries = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in atom.iter("{http://www.w3.org/2005/Atom}entry")]
    assert "免去 郑孝刚：营口市人民政府副市长" in entries
    assert "任命 郑孝刚：营口市人民政府副市长" in entries
    get(client, "/people/999999999/feed.rss", 404)


def test_icalendar_feed_of_meetings_follows_rfc_5545(client):
    response = get(client, "/meetings.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    lines = body.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2] == b"END:VCALENDAR" and lines[-1] == b""
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    unfolded = body.decode().replace("\r\n ", "")
    dated = Meeting.objects.exclude(date=None).count()
    assert unfolded.count("BEGIN:VEVENT") == dated
    m = meeting("安阳市", "standing_committee", 14, 25)
    assert f"UID:meeting-{m.pk}@" in unfolded
    assert "DTSTART;VALUE=DATE:20210922" in unfolded
    assert "SUMMARY:安阳市第14届人大常委会第25次会议" in unfolded


def test_sitemap_and_robots(client):
    index = ET.fromstring(get(client, "/sitemap.xml").content)
    sections = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(s.endswith("/sitemap-articles.xml") for s in sections)
    zhang = person("安阳市", "张玲")
    page = -(-zhang.pk // sitemaps.LIMIT)  # sections are paged by id range
    urls = ET.fromstring(get(client, f"/sitemap-people.xml?p={page}").content)
    locs = [loc.text for loc in urls.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(f"/people/{zhang.pk}/") for loc in locs)
    robots = text_of(get(client, "/robots.txt"))
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots


def test_search_page(client, django_assert_num_queries):
    # PostgreSQL reads the newest index id first, to choose its windows (records.search).
    expected = QUERY_COUNTS["search"] + (connection.vendor == "postgresql")
    # The publications' labels are read once per data version, and the version once
    # per request: a search of the same data reads only the index and its records.
    get(client, "/search/?q=市长")
    with django_assert_num_queries(expected):
        html = text_of(get(client, "/search/?q=张玲"))
    zhang = person("安阳市", "张玲")
    first = re.search(r'<li class="hit">.*?href="([^"]+)"', html, re.S).group(1)
    assert first == f"/people/{zhang.pk}/"
    assert "<mark>张玲</mark>" in html
    assert "人员（1）" in html and "文章（" in html
    assert text_of(get(client, "/search/")).count('class="hit"') == 0


def test_search_facet_links_narrow_keep_the_query_and_go_back_to_page_one(client):
    def facet_links(html: str, label: str) -> dict[str, str]:
        nav = html.split(f'aria-label="按{label}"')[1].split("</nav>")[0]
        return {text: href.replace("&amp;", "&") for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)}

    html = text_of(get(client, "/search/?q=市长&page=2"))
    years = facet_links(html, "年份")
    assert years and all(href.startswith("?q=%E5%B8%82%E9%95%BF&year=") for href in years.values())
    assert "page=" not in "".join(years.values())
    kinds = facet_links(html, "类型")
    article_link = next(href for text, href in kinds.items() if text.startswith("文章"))
    narrowed = text_of(get(client, f"/search/{article_link}"))
    assert re.search(r'<span aria-current="true" class="current">文章（\d+）</span>', narrowed)
    assert facet_links(narrowed, "类型")["全部"] == "?q=%E5%B8%82%E9%95%BF"
    publications = facet_links(narrowed, "公报刊物")
    one = next(href for text, href in publications.items() if text != "全部")
    assert one.startswith("?q=%E5%B8%82%E9%95%BF&type=article&publication=")
    count = int(re.search(r"（(\d+)）", next(t for t in publications if t != "全部")).group(1))
    both = text_of(get(client, f"/search/{one}"))
    assert f"找到 {count} 条结果" in both or f"最新的 {count} 条" in both


def test_pages_are_chinese_and_accessible_by_construction(client):
    html = text_of(get(client, "/"))
    assert '<html lang="zh-Hans">' in html
    assert '<a class="skip-link" href="#main">跳到正文</a>' in html
    assert '<main id="main"' in html and '<nav class="site-nav" aria-label="主导航">' in html
    # Every form control of a filter form has a label.
    html = text_of(get(client, "/decisions/"))
    for control in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
        assert f'<label for="{control}"' in html or f'for="{control}"' in html, control
    assert "style=" not in html and "<script" not in html


def test_tenures_and_decisions_in_fixture_are_what_the_pages_assume(samples):
    # Guards the assumptions of the tests above against parser changes.
    assert Tenure.objects.filter(person__name="郑孝刚", post__title="营口市人民政府副市长").count() == 1
    assert NameListEntry.objects.filter(label__contains="按姓氏笔画排列").exists()
    assert Gazette.objects.filter(status=GazetteStatus.PUBLISHED).count() == 4
    assert dt.date(2024, 1, 29) in set(
        PersonnelDecision.objects.values_list("date", flat=True)
    )
