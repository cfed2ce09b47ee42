"""Keyset paging of the public lists (people.paging): every row once, in order, at any depth."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from people.models import Person, Post, Tenure
from people.paging import MAX_NUMBERED_PAGE, Order, keyset_page
from records.loading import load_gazette
from tests.factories import make_parsed

# Two nullable keys with many ties and NULLs in both, then a non-null key with ties, then the id.
ORDER = Order.of("-started_on", "-ended_on", "post_id", "id")


def make_tenures(count: int) -> list[int]:
    person = Person.objects.create(region="示例市", name="李强")
    posts = [Post.objects.create(region="示例市", title=f"职务{i}") for i in range(3)]
    days = [None, dt.date(2020, 1, 1), dt.date(2021, 6, 1), dt.date(2021, 6, 1)]
    tenures = []
    for i in range(count):
        started = days[i % 4]
        ended = None if i % 3 == 0 or started is None else started + dt.timedelta(days=(i % 5) * 30)
        tenures.append(Tenure(person=person, post=posts[i % 3], started_on=started, ended_on=ended))
    Tenure.objects.bulk_create(tenures)
    return list(Tenure.objects.order_by(*ORDER.order_by(Tenure)).values_list("id", flat=True))


def walk_forward(per_page: int) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = keyset_page(Tenure.objects.all(), ORDER, cursor, per_page)
        pages.append([t.id for t in page])
        assert page.number == len(pages)
        if not page.has_next:
            return pages
        cursor = page.next_cursor


@pytest.mark.django_db
@pytest.mark.parametrize("per_page", [1, 4, 7, 50])
def test_walking_forward_shows_every_row_once_in_the_lists_order(per_page):
    expected = make_tenures(41)
    pages = walk_forward(per_page)
    assert [row for page in pages for row in page] == expected
    assert all(len(page) == per_page for page in pages[:-1])


@pytest.mark.django_db
@pytest.mark.parametrize("per_page", [1, 4, 7])
def test_walking_back_from_the_last_page_shows_the_same_pages(per_page):
    make_tenures(41)
    forward = walk_forward(per_page)
    cursor = keyset_page(Tenure.objects.all(), ORDER, None, per_page).next_cursor
    page = keyset_page(Tenure.objects.all(), ORDER, None, per_page)
    while page.has_next:  # to the last page by cursors
        cursor = page.next_cursor
        page = keyset_page(Tenure.objects.all(), ORDER, cursor, per_page)
    backward = [[t.id for t in page]]
    while page.previous_cursor:
        page = keyset_page(Tenure.objects.all(), ORDER, page.previous_cursor, per_page)
        backward.append([t.id for t in page])
        assert page.has_next
    assert page.number == 1 and not page.has_previous
    assert list(reversed(backward)) == forward


@pytest.mark.django_db
def test_a_page_is_one_query_or_two_where_it_crosses_into_the_undated_rows():
    expected = make_tenures(41)
    dated = Tenure.objects.filter(started_on__isnull=False).count()
    counts = []
    cursor = None
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = keyset_page(Tenure.objects.all(), ORDER, cursor, 5)
        counts.append(len(queries))
        if not page.has_next:
            break
        cursor = page.next_cursor
    # Two queries only where the page starts after a dated row and it (with the one row
    # read to know whether a next page exists) reaches the undated ones.
    crossing = [k for k in range(1, len(counts)) if 5 * k <= dated < 5 * k + 6]
    assert len(expected) > dated > 0 and len(crossing) == 2
    assert [k for k, n in enumerate(counts) if n == 2] == crossing
    assert set(counts) == {1, 2}


@pytest.mark.django_db
def test_a_deep_page_is_a_range_on_the_index_not_an_offset():
    make_tenures(41)
    order = Order.of("-started_on", "-id")
    first = keyset_page(Tenure.objects.filter(post__isnull=False), order, None, 5)
    with CaptureQueriesContext(connection) as queries:
        keyset_page(Tenure.objects.all(), order, first.next_cursor, 5)
    sql = queries[0]["sql"]
    assert " OFFSET " not in sql.upper()
    assert re.search(r'"started_on" <= ', sql), sql  # the bound the index is walked from


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        base64.urlsafe_b64encode(json.dumps({"o": "id", "n": 2, "v": [3]}).encode()).decode(),
        base64.urlsafe_b64encode(
            json.dumps({"o": ORDER.name, "n": 2, "v": [None, None, 1]}).encode()
        ).decode(),
        base64.urlsafe_b64encode(
            json.dumps({"o": ORDER.name, "n": 2, "v": ["x", None, 1, 2]}).encode()
        ).decode(),
        base64.urlsafe_b64encode(
            json.dumps({"o": ORDER.name, "n": 2, "v": [None, None, 1, None]}).encode()
        ).decode(),
        base64.urlsafe_b64encode(
            json.dumps({"o": ORDER.name, "n": True, "v": [None, None, 1, 2]}).encode()
        ).decode(),
        base64.urlsafe_b64encode(
            json.dumps({"o": ORDER.name, "n": 2, "v": [None, None, 1, 2**70]}).encode()
        ).decode(),
    ],
)
def test_a_cursor_that_names_no_page_is_a_404(cursor):
    make_tenures(5)
    with pytest.raises(Http404):
        keyset_page(Tenure.objects.all(), ORDER, cursor, 2)


@pytest.mark.django_db
def test_a_cursor_past_the_end_is_a_404():
    expected = make_tenures(6)
    last = Tenure.objects.get(pk=expected[-1])
    page = keyset_page(Tenure.objects.filter(pk=last.pk), ORDER, None, 1)
    assert page.items == [last] and not page.has_next
    beyond = keyset_page(Tenure.objects.filter(pk__in=expected[-2:]), ORDER, None, 1).next_cursor
    keyset_page(Tenure.objects.filter(pk__in=expected[-2:]), ORDER, beyond, 1)
    with pytest.raises(Http404):
        keyset_page(Tenure.objects.filter(pk__in=expected[:-1]), ORDER, beyond, 1)


@pytest.mark.django_db
def test_numbered_pages_answer_for_the_first_pages_only():
    make_tenures(12)
    assert [
        t.id for t in keyset_page(Tenure.objects.all(), ORDER, None, 5, number="2")
    ] == walk_forward(5)[1]
    with pytest.raises(Http404):
        keyset_page(Tenure.objects.all(), ORDER, None, 5, number=str(MAX_NUMBERED_PAGE + 1))


# --- the pages ---------------------------------------------------------------------------

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREVIOUS = re.compile(r'<a rel="prev" href="([^"]+)"')


def publish_decisions(count: int) -> None:
    from records.parsing import types as p

    decisions = tuple(
        p.PersonnelDecision(
            person=f"张{'一二三四五六七八九十'[i % 10]}{'甲乙丙丁戊己庚辛壬癸'[i // 10 % 10]}{'东南西北'[i // 100]}",
            action="appoint",
            positions=(f"示例市第{i}局局长",),
            date=None if i % 7 == 0 else dt.date(2021, 1 + i % 12, 1),
        )
        for i in range(count)
    )
    load_gazette(make_parsed(decisions=decisions), source_bytes=b"s", source_text="s", publish=True)


@pytest.mark.django_db
def test_the_decision_list_links_page_to_page_by_cursor(client):
    publish_decisions(120)
    url, seen, numbers = "/decisions/", [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        seen += re.findall(r'<tr id="decision-(\d+)">', html)
        numbers.append(int(re.search(r"第 (\d+) 页", html).group(1)))
        link = NEXT.search(html)
        url = "/decisions/" + unescape(link.group(1)) if link else None
        assert url is None or ("cursor=" in url and "page=" not in url)
    assert numbers == [1, 2, 3]
    assert len(seen) == len(set(seen)) == 120
    # Back from the last page: the link to the first page has no cursor at all.
    back = PREVIOUS.search(html).group(1)
    second = client.get("/decisions/" + unescape(back)).content.decode()
    assert "第 2 页" in second
    assert unescape(PREVIOUS.search(second).group(1)) in ("?", "")


def test_only_nullable_columns_say_where_their_nulls_go():
    """ "id DESC NULLS LAST" is not the order of an index on "id DESC" (PostgreSQL), nor
    is "x ASC NULLS LAST" on SQLite: the database would sort rows its index has in order."""
    sql = str(Tenure.objects.order_by(*Order.of("-started_on", "post_id", "-id").order_by(Tenure)).query)
    order_by = sql[sql.index("ORDER BY") :]
    assert re.search(r'"started_on" DESC NULLS LAST', order_by), order_by
    assert re.search(r'"post_id" ASC(,|$)', order_by), order_by
    assert re.search(r'"id" DESC$', order_by), order_by


@pytest.mark.django_db
def test_a_post_page_shows_its_newest_holders_and_says_where_the_rest_are(client, monkeypatch):
    from people import selectors
    from records.parsing import types as p

    title = "示例市财政局局长"
    decisions = tuple(
        p.PersonnelDecision(
            person=name, action="appoint", positions=(title,), date=dt.date(2010 + i, 3, 1)
        )
        for i, name in enumerate(("张一", "李二", "王三", "赵四", "钱五"))
    )
    load_gazette(make_parsed(decisions=decisions), source_bytes=b"s", source_text="s", publish=True)
    post = Post.objects.get(title=title)
    monkeypatch.setattr(selectors, "POST_TENURES", 2)
    profile = selectors.post_profile(post_id=post.pk)
    assert [t.person.name for t in profile.tenures] == ["赵四", "钱五"]  # the newest two, oldest first
    assert profile.more_tenures
    html = client.get(f"/posts/{post.pk}/").content.decode()
    assert f"/api/v1/tenures/?post={post.pk}" in html
    monkeypatch.setattr(selectors, "POST_TENURES", 5)
    everyone = selectors.post_profile(post_id=post.pk)
    assert len(everyone.tenures) == 5 and not everyone.more_tenures
