"""The sitemap, the feeds and the meeting calendar at national scale.

Each answers in a fixed number of queries whatever the number of rows, never
counts a table, reads a bounded number of rows, and shows published issues
only. The sitemap's page size is lowered to a few rows so that a few hundred
rows make several pages.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from people.models import Person, Post
from records import feeds, sitemaps
from records.feeds import ical_fold
from records.loading import load_gazette
from records.models import Article, Attendance, Gazette, Meeting, PersonnelDecision, Publication
from records.parsing import types as p
from tests.factories import MEETING, make_parsed

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
PAGE = 50  # sitemap rows per page in these tests
MANY = 300

# Pinned query counts: the same with two rows or thousands.
INDEX_QUERIES = 6  # one MAX(id) per table section
SECTION_QUERIES = 2  # MAX(id) (pages past the end are 404s), the page's rows
CALENDAR_QUERIES = 2  # the meetings, their agenda
CALENDAR_OF_PUBLICATION_QUERIES = 3  # + the publication


def load(parsed: p.ParsedGazette, *, publish: bool) -> Gazette:
    return load_gazette(parsed, source_bytes=b"gazette", source_text="gazette", publish=publish).gazette


@pytest.fixture
def issues(monkeypatch) -> tuple[Gazette, Gazette]:
    """A published issue and a draft of another city, whose people it alone names."""
    monkeypatch.setattr(sitemaps, "LIMIT", PAGE)
    published = load(make_parsed(), publish=True)
    draft_decision = p.PersonnelDecision(
        person="草稿丙",
        action="appoint",
        positions=("草稿市人民政府副市长",),
        meeting=MEETING,
        date=dt.date(2021, 6, 10),
        documents=(3,),
    )
    draft = load(
        make_parsed(
            issue=4,
            region="草稿市",
            issuer="草稿市人民代表大会常务委员会",
            present=("草稿甲", "草稿乙"),
            decisions=(draft_decision,),
        ),
        publish=False,
    )
    return published, draft


def add_many(gazette: Gazette, n: int = MANY) -> None:
    """n more articles, meetings, decisions and public people in one issue."""
    Article.objects.bulk_create(
        Article(gazette=gazette, key=f"bulk:{i}", number=100 + i, title=f"文章{i}", category="report")
        for i in range(n)
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            region="示例市", body="standing_committee", term=17, number=i + 1,
            date=dt.date(2022, 1, 1) + dt.timedelta(days=i), gazette=gazette,
        )
        for i in range(n)
    )  # fmt: skip
    people = Person.objects.bulk_create(Person(region="示例市", name=f"测试{i:04d}") for i in range(n))
    Attendance.objects.bulk_create(
        Attendance(gazette=gazette, meeting=m, key=f"bulk:{person.pk}", person=person, name=person.name, status="present")
        for m, person in zip(meetings, people, strict=True)
    )
    PersonnelDecision.objects.bulk_create(
        PersonnelDecision(
            gazette=gazette, key=f"bulk:{person.pk}", region="示例市", person=person, person_name=person.name,
            action="appoint", positions=["示例市人民政府副市长"], date=dt.date(2022, 1, 1),
        )
        for person in people
    )  # fmt: skip


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def locs(content: bytes) -> list[str]:
    return [loc.text or "" for loc in ET.fromstring(content).iter(f"{NS}loc")]


def paths(client) -> list[str]:
    """The path of every URL of every sitemap page the index lists."""
    found = []
    for page in locs(get(client, "/sitemap.xml").content):
        found += [re.sub(r"^https?://[^/]+", "", url) for url in locs(get(client, page).content)]
    return found


# --- the sitemap -------------------------------------------------------------------------------


def sitemap_queries(client, django_assert_num_queries) -> list[str]:
    with django_assert_num_queries(INDEX_QUERIES), CaptureQueriesContext(connection) as queries:
        index = get(client, "/sitemap.xml")
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    with django_assert_num_queries(SECTION_QUERIES):
        get(client, "/sitemap-articles.xml")
    with django_assert_num_queries(SECTION_QUERIES):
        get(client, "/sitemap-people.xml")
    with django_assert_num_queries(0):
        get(client, "/sitemap-pages.xml")
    return locs(index.content)


def test_sitemap_queries_do_not_grow_with_the_rows(client, issues, django_assert_num_queries):
    published, _ = issues
    few = sitemap_queries(client, django_assert_num_queries)
    add_many(published)
    many = sitemap_queries(client, django_assert_num_queries)
    assert len(many) > len(few)
    top = Article.objects.aggregate(top=Max("pk"))["top"]
    articles = [loc for loc in many if "/sitemap-articles.xml" in loc]
    assert len(articles) == math.ceil(top / PAGE) > 1
    assert articles[0].endswith("/sitemap-articles.xml") and articles[1].endswith("/sitemap-articles.xml?p=2")


def test_sitemap_pages_list_every_public_row_once(client, issues):
    published, _ = issues
    add_many(published)
    found = paths(client)
    records = [path for path in found if path != "/"]  # "/" also stands in on empty pages
    assert len(records) == len(set(records))
    expected = {a.get_absolute_url() for a in Article.objects.filter(gazette=published)}
    assert expected <= set(found)
    assert {f"/people/{pk}/" for pk in Person.objects.filter(name__startswith="测试").values_list("pk", flat=True)} <= set(found)
    for page in locs(get(client, "/sitemap.xml").content):
        assert len(locs(get(client, page).content)) <= PAGE


def test_sitemap_shows_no_record_of_a_draft_issue(client, issues):
    published, draft = issues
    found = set(paths(client))
    assert published.get_absolute_url() in found
    assert draft.get_absolute_url() not in found
    assert not {a.get_absolute_url() for a in Article.objects.filter(gazette=draft)} & found
    assert not {m.get_absolute_url() for m in Meeting.objects.filter(gazette=draft)} & found
    drafted = Person.objects.filter(region="草稿市")
    assert drafted.exists() and not {f"/people/{pk}/" for pk in drafted.values_list("pk", flat=True)} & found
    post = Post.objects.get(title="草稿市人民政府副市长")
    assert f"/posts/{post.pk}/" not in found
    assert f"/publications/{draft.publication_id}/" not in found
    assert f"/publications/{published.publication_id}/" in found


def test_a_page_without_public_rows_is_still_a_valid_sitemap(client, issues):
    _, draft = issues
    used = math.ceil(Article.objects.aggregate(top=Max("pk"))["top"] / PAGE)  # ids differ by database
    hidden = Article.objects.create(
        pk=(used + 3) * PAGE + 1, gazette=draft, key="far", number=99, title="草稿", category="report"
    )
    pages = [loc for loc in locs(get(client, "/sitemap.xml").content) if "/sitemap-articles.xml" in loc]
    assert len(pages) == used + 4
    for page in pages[used:]:  # none public, the last one holding a draft's article only
        assert locs(get(client, page).content) == ["http://testserver/"]  # sitemap.xsd: one <url> at least
    assert hidden.get_absolute_url() not in paths(client)


def test_sitemap_pages_past_the_end_and_unknown_sections_are_404s(client, issues):
    top = max(Article.objects.aggregate(top=Max("pk"))["top"], 1)
    get(client, f"/sitemap-articles.xml?p={math.ceil(top / PAGE)}")
    for url in (
        f"/sitemap-articles.xml?p={math.ceil(top / PAGE) + 1}",
        "/sitemap-articles.xml?p=0",
        "/sitemap-articles.xml?p=x",
        "/sitemap-articles.xml?p=99999999999999999999999",
        "/sitemap-pages.xml?p=2",
        "/sitemap-nothing.xml",
    ):
        get(client, url, 404)


# --- the calendar ------------------------------------------------------------------------------


def events(content: bytes) -> list[str]:
    return re.findall(r"UID:meeting-(\d+)@", content.decode().replace("\r\n ", ""))


def test_calendar_holds_the_most_recent_meetings_in_fixed_queries(client, issues, monkeypatch, django_assert_num_queries):
    published, draft = issues
    monkeypatch.setattr(feeds, "CALENDAR_MEETINGS", 5)
    with django_assert_num_queries(CALENDAR_QUERIES):
        few = get(client, "/meetings.ics").content
    assert events(few) == [str(m.pk) for m in Meeting.objects.filter(gazette=published)]
    assert "X-WR-CALDESC:" in few.decode()
    add_many(published)
    with django_assert_num_queries(CALENDAR_QUERIES):
        many = get(client, "/meetings.ics").content
    newest = Meeting.objects.filter(gazette=published).exclude(date=None).order_by("-date", "-pk")[:5]
    assert events(many) == [str(m.pk) for m in reversed(newest)]
    with django_assert_num_queries(CALENDAR_OF_PUBLICATION_QUERIES):
        mine = get(client, f"/meetings.ics?publication={published.publication_id}").content
    assert events(mine) == events(many)
    assert not {str(m.pk) for m in Meeting.objects.filter(gazette=draft)} & set(events(many))


def test_calendar_of_one_publication(client, issues):
    published, draft = issues
    other = load(make_parsed(region="另一市", issuer="另一市人民代表大会常务委员会"), publish=True)
    both = events(get(client, "/meetings.ics").content)
    mine = events(get(client, f"/meetings.ics?publication={published.publication_id}").content)
    theirs = events(get(client, f"/meetings.ics?publication={other.publication_id}").content)
    assert len(both) == 2 and sorted(mine + theirs) == sorted(both) and len(mine) == 1
    missing = Publication.objects.aggregate(top=Max("pk"))["top"] + 1
    for value in (draft.publication_id, missing, "x", "-1", "99999999999999999999999"):
        get(client, f"/meetings.ics?publication={value}", 404)


def test_calendar_is_bounded_by_default():
    assert feeds.CALENDAR_MEETINGS == 500


CHINESE = "安阳市第十四届人民代表大会常务委员会第二十五次会议，听取和审议关于《条例》的报告；"


@settings(deadline=None)  # a loaded CI machine; the fold takes microseconds
@given(
    st.text(alphabet=st.sampled_from(CHINESE + "ab 1\\;,😀é"), max_size=300)
    | st.text(alphabet=st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), max_size=300)
)
def test_ical_fold_cuts_at_75_octets_between_characters(text):
    line = "DESCRIPTION:" + text
    folded = ical_fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert all(part.startswith(" ") for part in folded.split("\r\n")[1:])
    assert folded.replace("\r\n ", "") == line


def test_ical_fold_of_a_long_chinese_line():
    line = "SUMMARY:" + CHINESE * 200
    parts = ical_fold(line).split("\r\n")
    assert all(70 <= len(part.encode("utf-8")) <= 75 for part in parts[:-1])
    assert "".join(part.removeprefix(" ") if i else part for i, part in enumerate(parts)) == line


# --- the feeds ---------------------------------------------------------------------------------


def feed_queries(client, person: Person, django_assert_num_queries) -> None:
    for url, count in (("/feeds/gazettes.atom", 1), ("/feeds/decisions.atom", 1), ("/feeds/decisions.rss", 1)):
        with django_assert_num_queries(count):
            content = get(client, url).content
        assert len(re.findall(rb"<entry>|<item>", content)) <= feeds.FEED_ITEMS
    with django_assert_num_queries(2):
        get(client, f"/people/{person.pk}/feed.atom")


def test_feeds_are_bounded_in_fixed_queries(client, issues, django_assert_num_queries):
    published, draft = issues
    person = Person.objects.get(region="示例市", name="郑孝刚")
    feed_queries(client, person, django_assert_num_queries)
    add_many(published)
    feed_queries(client, person, django_assert_num_queries)
    atom = ET.fromstring(get(client, "/feeds/decisions.atom").content)
    assert len(atom.findall(f"{ATOM}entry")) == feeds.FEED_ITEMS
    text = get(client, "/feeds/decisions.atom").content.decode() + get(client, "/feeds/gazettes.rss").content.decode()
    assert "草稿丙" not in text and str(draft) not in text
