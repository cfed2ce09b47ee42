"""The public API (/api/v1/): published only, filters, ordering, cursors, pinned queries,
conditional GETs, CSV, the gazette/1 export, tombstones, throttling, errors, CORS, schema."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from urllib.parse import quote

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone
from django.utils.http import http_date

from people.models import Person
from portal import api as portal_api
from records.loading import load_gazette, load_gazette_file, publish_gazette, unpublish_gazette
from records.models import (
    Article,
    Attendance,
    Gazette,
    GazetteSource,
    Meeting,
    PersonnelDecision,
    Tombstone,
    Vote,
)
from records.parsing import IssueMetadata
from records.parsing import types as p
from tests.conftest import SAMPLES
from tests.factories import MEETING, make_document, make_parsed

pytestmark = pytest.mark.django_db

LISTS = [
    "publications",
    "gazettes",
    "articles",
    "meetings",
    "people",
    "posts",
    "tenures",
    "personnel-decisions",
    "votes",
    "changes",
]


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.PORTAL_API_RATE = None
    cache.clear()
    yield
    cache.clear()


def load(parsed: p.ParsedGazette, *, publish: bool = True, **kwargs):
    source = f"{parsed.gazette.year}-{parsed.gazette.issue}".encode()
    return load_gazette(
        parsed, source_bytes=source, source_text=source.decode(), publish=publish, **kwargs
    ).gazette


def draft_parsed() -> p.ParsedGazette:
    """An issue under review: its own articles, decision and attendance."""
    docs = (
        make_document(1, "草稿中的会议纪要", category="minutes", meeting=MEETING),
        make_document(2, "草稿中的任免名单", category="name_list", meeting=MEETING),
    )
    decision = p.PersonnelDecision(
        person="草稿人",
        action="appoint",
        positions=("示例市草稿局局长",),
        meeting=MEETING,
        date=dt.date(2021, 7, 1),
        documents=(2,),
    )
    return make_parsed(issue=9, documents=docs, decisions=(decision,), present=("草稿委员",))


def iso(moment: dt.datetime) -> str:
    """An instant for a query string ("+" would read as a space)."""
    return quote(moment.isoformat())


def results(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def all_pages(client, url: str) -> list[dict]:
    rows = []
    while url:
        body = client.get(url).json()
        rows.extend(body["results"])
        url = body["next"]
    return rows


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def published():
    return load(make_parsed())


@pytest.fixture
def draft(published):
    return load(draft_parsed(), publish=False)


# --- every endpoint answers ------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
def test_every_list_answers_a_cursor_page_of_json(client, published, name):
    response = client.get(f"/api/v1/{name}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    if name != "changes":
        assert body["results"], name
        detail = client.get(f"/api/v1/{name}/{body['results'][0]['id']}/")
        assert detail.status_code == 200
        assert detail.json()["id"] == body["results"][0]["id"]


def test_nested_lists_of_a_meeting_and_a_person(client, published):
    meeting = Meeting.objects.get()
    names = {row["name"] for row in results(client, f"/api/v1/meetings/{meeting.pk}/attendance/")}
    assert names == {"李强", "徐启", "张渤", "胡传新"}
    person = Person.objects.get(name="郑孝刚")
    tenures = results(client, f"/api/v1/people/{person.pk}/tenures/")
    assert [(t["post"]["title"], t["started_on"], t["current"]) for t in tenures] == [
        ("示例市人民政府副市长", "2021-06-10", True)
    ]


def test_every_record_carries_its_id_page_source_and_correction(client, published):
    article = Article.objects.get(number=2)
    article.title = "示例市促进民营经济发展条例（校对）"
    article.corrected_fields = ["title"]
    article.save()
    row = client.get(f"/api/v1/articles/{article.pk}/").json()
    assert row["id"] == article.pk
    assert row["url"] == f"http://testserver/articles/{article.pk}/"
    assert row["source"]["gazette"]["id"] == published.pk
    assert row["source"]["article"]["id"] == article.pk
    assert row["source"]["page"] == 2
    assert row["source"]["lines"] == [20, 29]
    assert (row["corrected"], row["corrected_fields"]) == (True, ["title"])
    assert [p["label"] for p in row["provisions"]] == ["第一条", "第二条"]
    assert row["citations"] == [{"kind": "doc_number", "text": "营人发〔2019〕45号", "repeals": True}]

    decision = results(client, "/api/v1/personnel-decisions/")[0]
    assert decision["source"]["article"]["number"] == 3
    assert decision["url"].endswith(f"/articles/{decision['source']['article']['id']}/")
    assert decision["corrected"] is False
    assert [a["number"] for a in decision["printings"]] == [3]
    assert decision["posts"][0]["title"] == "示例市人民政府副市长"


# --- published only ----------------------------------------------------------------


def test_records_of_an_unpublished_issue_are_404_and_never_listed(client, draft):
    error = error_of(client.get(f"/api/v1/gazettes/{draft.pk}/"), 404)
    assert error["code"] == "not_found"
    draft_records = {
        "articles": Article.objects.filter(gazette=draft).first(),
        "personnel-decisions": PersonnelDecision.objects.filter(gazette=draft).first(),
        "votes": Vote.objects.filter(gazette=draft).first(),
        "people": Person.objects.get(name="草稿人"),
    }
    for name, obj in draft_records.items():
        error_of(client.get(f"/api/v1/{name}/{obj.pk}/"), 404)
        assert obj.pk not in {row["id"] for row in all_pages(client, f"/api/v1/{name}/")}
    error_of(client.get(f"/api/v1/gazettes/{draft.pk}/export.json"), 404)
    error_of(client.get(f"/api/v1/people/{draft_records['people'].pk}/tenures/"), 404)
    meeting = Meeting.objects.get()
    names = {row["name"] for row in all_pages(client, f"/api/v1/meetings/{meeting.pk}/attendance/")}
    assert "草稿委员" not in names
    titles = {row["title"] for row in all_pages(client, "/api/v1/posts/")}
    assert "示例市草稿局局长" not in titles
    assert not [t for t in all_pages(client, "/api/v1/tenures/") if t["person"]["name"] == "草稿人"]

    publish_gazette(draft)
    assert client.get(f"/api/v1/people/{draft_records['people'].pk}/").status_code == 200


def test_a_meeting_first_reported_by_an_unpublished_issue_is_404(client):
    gazette = load(make_parsed(), publish=False)
    meeting = Meeting.objects.get()
    error_of(client.get(f"/api/v1/meetings/{meeting.pk}/"), 404)
    error_of(client.get(f"/api/v1/meetings/{meeting.pk}/attendance/"), 404)
    assert results(client, "/api/v1/publications/") == []
    publish_gazette(gazette)
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 200


# --- filters --------------------------------------------------------------------------


@pytest.fixture
def two_issues(published):
    docs = (
        make_document(1, "关于2024年预算执行情况的报告", category="report"),
        make_document(2, "葫芦岛市人民政府关于印发实施意见的通知", category="notice", doc_number="葫政发〔2024〕6号"),
    )
    removal = p.PersonnelDecision(
        person="郑孝刚",
        action="remove",
        positions=("示例市人民政府副市长",),
        meeting=p.MeetingRef("standing_committee", 17, 20),
        date=dt.date(2024, 1, 29),
        documents=(1,),
    )
    other = load(
        make_parsed(
            year=2024,
            issue=1,
            documents=docs,
            decisions=(removal,),
            issuer="别的市人民政府",
            region="别的市",
            present=("王五",),
        )
    )
    return published, other


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("articles/?category=regulation", {"示例市促进民营经济发展条例"}),
        ("articles/?year=2024", {"关于2024年预算执行情况的报告", "葫芦岛市人民政府关于印发实施意见的通知"}),
        ("articles/?region=别的市&category=notice", {"葫芦岛市人民政府关于印发实施意见的通知"}),
        ("articles/?q=预算", {"关于2024年预算执行情况的报告"}),
        ("articles/?doc_number=葫政发〔2024〕6号", {"葫芦岛市人民政府关于印发实施意见的通知"}),
        ("articles/?date_after=2021-06-11", set()),
        ("gazettes/?year=2021", {"示例市人民代表大会常务委员会公报 2021年第3期"}),
        ("gazettes/?region=别的市", {"别的市人民政府公报 2024年第1期"}),
        ("meetings/?term=17&number=20", {"别的市第17届人大常委会第20次会议"}),
        ("meetings/?region=示例市&body=standing_committee", {"示例市第16届人大常委会第34次会议"}),
        ("personnel-decisions/?action=remove", {"郑孝刚"}),
        ("personnel-decisions/?term=16", {"郑孝刚"}),
        ("personnel-decisions/?q=孝", {"郑孝刚"}),
        ("personnel-decisions/?date_before=2021-12-31&action=appoint", {"郑孝刚"}),
        ("people/?q=徐", {"徐启"}),
        ("people/?region=别的市", {"王五", "郑孝刚", "胡传新"}),
        ("posts/?q=副市长&region=别的市", {"示例市人民政府副市长"}),
        ("votes/?subject_type=department", set()),
        ("votes/?region=示例市", {"关于全市产业扶贫工作情况的报告"}),
        ("publications/?kind=congress", {"示例市人民代表大会常务委员会公报", "别的市人民政府公报"}),
    ],
)
def test_filters(client, two_issues, query, expected):
    rows = all_pages(client, f"/api/v1/{query}")
    labels = {row.get("title") or row.get("person_name") or row.get("name") or row.get("subject") for row in rows}
    assert labels == expected


def test_filters_by_publication_person_and_post(client, two_issues):
    _published, other = two_issues
    person = Person.objects.get(region="示例市", name="郑孝刚")
    rows = results(client, f"/api/v1/personnel-decisions/?person={person.pk}")
    assert [(r["action"], r["person"]["id"]) for r in rows] == [("appoint", person.pk)]
    post = PersonnelDecision.objects.get(person=person).posts.get()
    assert [r["name"] for r in results(client, f"/api/v1/people/?post={post.pk}")] == ["郑孝刚"]
    assert len(results(client, f"/api/v1/tenures/?post={post.pk}&current=true")) == 1
    assert results(client, f"/api/v1/tenures/?post={post.pk}&current=false") == []
    rows = results(client, f"/api/v1/articles/?publication={other.publication_id}")
    assert {r["gazette"]["id"] for r in rows} == {other.pk}


def test_malformed_filters_are_a_400_with_the_field(client, published):
    for query in ("year=abc", "year=0", "publication=-1", "date_after=2021-13-45", "category=nonsense", "updated_since=yesterday"):
        error = error_of(client.get(f"/api/v1/articles/?{query}"), 400)
        assert error["code"] == "invalid"
        assert query.split("=")[0] in error["fields"]


def test_updated_since_lists_what_changed_and_what_was_republished(client, published):
    later = iso(timezone.now() + dt.timedelta(seconds=1))
    for name in LISTS[:-1]:
        assert results(client, f"/api/v1/{name}/?updated_since={later}") == [], name
    earlier = iso(timezone.now() - dt.timedelta(hours=1))
    assert len(results(client, f"/api/v1/articles/?updated_since={earlier}")) == 3

    marker = timezone.now()
    article = Article.objects.get(number=1)
    article.title = "改过的标题"
    article.corrected_fields = ["title"]
    article.save()
    since = iso(marker)
    assert [r["title"] for r in results(client, f"/api/v1/articles/?updated_since={since}")] == ["改过的标题"]

    unpublish_gazette(published)
    marker = timezone.now()
    publish_gazette(Gazette.objects.get(pk=published.pk))
    since = iso(marker)
    for name in ("gazettes", "articles", "personnel-decisions", "votes", "people", "posts", "tenures", "publications"):
        assert results(client, f"/api/v1/{name}/?updated_since={since}"), name


def test_updated_since_far_outside_the_calendar_is_not_an_error(client, published):
    assert client.get("/api/v1/articles/?updated_since=0001-01-01T00:00:00%2B14:00").status_code == 200
    assert client.get("/api/v1/people/?updated_since=9999-12-31T23:59:59-12:00").status_code == 200


# --- ordering and pagination ----------------------------------------------------------


@pytest.fixture
def dated_decisions(published):
    dates = [dt.date(2021, 1, 5), None, dt.date(2020, 3, 1), dt.date(2021, 1, 5), None, dt.date(2019, 9, 9)]
    decisions = tuple(
        p.PersonnelDecision(person=f"人员{i}", action="appoint", positions=(f"职务{i}",), date=date)
        for i, date in enumerate(dates)
    )
    load(make_parsed(issue=4, decisions=decisions))
    return list(PersonnelDecision.objects.all())


def _expected(decisions, descending: bool) -> list[int]:
    dated = sorted((d for d in decisions if d.date), key=lambda d: (d.date, d.pk), reverse=descending)
    undated = sorted((d for d in decisions if not d.date), key=lambda d: d.pk, reverse=descending)
    return [d.pk for d in dated + undated]


@pytest.mark.parametrize("ordering", ["date", "-date", "id", "-id", "person_name"])
def test_cursor_pages_follow_the_ordering_forwards_and_back(client, dated_decisions, ordering):
    if ordering in ("date", "-date"):
        expected = _expected(dated_decisions, ordering.startswith("-"))
    elif ordering == "person_name":
        expected = [d.pk for d in sorted(dated_decisions, key=lambda d: (d.person_name, d.pk))]
    else:
        expected = sorted(d.pk for d in dated_decisions)[:: -1 if ordering == "-id" else 1]
    url = f"/api/v1/personnel-decisions/?ordering={ordering}&page_size=2"
    pages = []
    while url:
        body = client.get(url).json()
        pages.append(body)
        url = body["next"]
    assert [row["id"] for page in pages for row in page["results"]] == expected
    assert pages[0]["previous"] is None
    # Back from the last page, page by page, to the first.
    back = []
    url = pages[-1]["previous"]
    while url:
        body = client.get(url).json()
        back.insert(0, [row["id"] for row in body["results"]])
        url = body["previous"]
    assert [i for page in back for i in page] == expected[: len(expected) - len(pages[-1]["results"])]


def test_page_size_is_bounded(client):
    load(make_parsed(present=tuple(f"委员{i:03d}" for i in range(230))))
    body = client.get("/api/v1/people/?page_size=1000").json()
    assert len(body["results"]) == 200 and body["next"]
    assert len(client.get("/api/v1/people/").json()["results"]) == 50
    assert len(client.get("/api/v1/people/?page_size=7").json()["results"]) == 7
    error_of(client.get("/api/v1/people/?page_size=0"), 400)


def test_bad_orderings_are_a_400_and_bad_cursors_a_404(client, dated_decisions):
    for query in ("ordering=title", "ordering=--date"):
        assert error_of(client.get(f"/api/v1/personnel-decisions/?{query}"), 400)["code"] == "invalid_ordering"
    # A cursor that names no page is a 404, as in DRF's own cursor pagination.
    for query in ("cursor=garbage", "cursor=eyJ4IjoxfQ", "cursor=%C2%85%2B5%1E"):
        assert error_of(client.get(f"/api/v1/personnel-decisions/?{query}"), 404)["code"] == "invalid_cursor"
    body = client.get("/api/v1/personnel-decisions/?ordering=date&page_size=1").json()
    cursor = body["next"].split("cursor=")[1].split("&")[0]
    # A cursor is bound to its ordering.
    error_of(client.get(f"/api/v1/personnel-decisions/?ordering=-id&cursor={cursor}"), 404)


# --- pinned query counts ----------------------------------------------------------------

# (url, queries): 1 data version + 1 page + one per prefetched relation.
QUERIES = [
    ("/api/v1/publications/", 2),
    ("/api/v1/gazettes/", 2),
    ("/api/v1/articles/", 2),
    ("/api/v1/meetings/", 3),  # + published agenda
    ("/api/v1/meetings/{meeting}/attendance/", 3),  # + the meeting is public
    ("/api/v1/people/", 2),  # aliases in the same query
    ("/api/v1/people/{person}/tenures/", 3),  # + the person is public
    ("/api/v1/posts/", 2),
    ("/api/v1/tenures/", 4),  # + the page's people and posts by id
    ("/api/v1/personnel-decisions/", 4),  # + posts + printings
    ("/api/v1/votes/", 2),
    ("/api/v1/changes/", 2),
    ("/api/v1/publications/{publication}/", 2),
    ("/api/v1/gazettes/{gazette}/", 2),
    ("/api/v1/articles/{article}/", 4),  # + provisions + citations
    ("/api/v1/meetings/{meeting}/", 3),
    ("/api/v1/people/{person}/", 2),
    ("/api/v1/posts/{post}/", 2),
    ("/api/v1/tenures/{tenure}/", 2),
    ("/api/v1/personnel-decisions/{decision}/", 4),
    ("/api/v1/votes/{vote}/", 2),
    ("/api/v1/gazettes/{gazette}/export.json", 14),  # gazette, source, one per record table
    ("/api/v1/articles/?format=csv", 2),
]


def _ids(gazette) -> dict[str, int]:
    decision = PersonnelDecision.objects.filter(gazette=gazette).first()
    return {
        "publication": gazette.publication_id,
        "gazette": gazette.pk,
        "article": Article.objects.filter(gazette=gazette).first().pk,
        "meeting": Meeting.objects.get().pk,
        "person": decision.person_id,
        "post": decision.posts.get().pk,
        "tenure": decision.person.tenures.first().pk,
        "decision": decision.pk,
        "vote": Vote.objects.filter(gazette=gazette).first().pk,
    }


def test_query_counts_are_pinned_and_do_not_grow_with_rows(client, django_assert_num_queries):
    gazette = load(make_parsed())
    Tombstone.objects.create(model="records.article", object_id=999, reason="deleted")
    ids = _ids(gazette)
    for url, count in QUERIES:
        with django_assert_num_queries(count):
            assert client.get(url.format(**ids)).status_code == 200, url
    for issue in range(10, 16):
        decisions = (
            p.PersonnelDecision(
                person=f"新人{issue}", action="appoint", positions=(f"职务{issue}", "示例市人民政府副市长"), documents=(3,)
            ),
        )
        load(make_parsed(issue=issue, decisions=decisions, present=("李强", f"委员{issue}")))
        Tombstone.objects.create(model="records.article", object_id=issue, reason="deleted")
    cache.clear()
    for url, count in QUERIES:
        with django_assert_num_queries(count):
            assert client.get(url.format(**ids)).status_code == 200, url
    assert len(results(client, "/api/v1/personnel-decisions/")) > 5


# --- conditional requests ---------------------------------------------------------------


def test_a_matching_etag_is_a_304_with_one_query(client, published, django_assert_num_queries):
    first = client.get("/api/v1/articles/")
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    with django_assert_num_queries(1):
        again = client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Another URL or format has another ETag.
    assert client.get("/api/v1/articles/?format=csv")["ETag"] != etag
    assert client.get("/api/v1/articles/?year=2021")["ETag"] != etag
    # Any change anywhere moves it.
    article = Article.objects.get(number=1)
    article.title = "改过"
    article.save()
    changed = client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_if_modified_since_is_a_304_until_something_changes(client, published):
    response = client.get("/api/v1/gazettes/")
    since = response["Last-Modified"]
    assert client.get("/api/v1/gazettes/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    old = http_date((timezone.now() - dt.timedelta(days=1)).timestamp())
    assert client.get("/api/v1/gazettes/", HTTP_IF_MODIFIED_SINCE=old).status_code == 200


def test_unpublishing_moves_the_etag(client, published):
    etag = client.get(f"/api/v1/gazettes/{published.pk}/")["ETag"]
    unpublish_gazette(published)
    error_of(client.get(f"/api/v1/gazettes/{published.pk}/", HTTP_IF_NONE_MATCH=etag), 404)


def test_export_has_an_etag_of_its_content(client, published):
    url = f"/api/v1/gazettes/{published.pk}/export.json"
    response = client.get(url)
    assert response.status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    Article.objects.filter(number=1).update(title="直接改")
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


# --- CSV --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
def test_every_list_is_csv_with_a_bom(client, published, name):
    response = client.get(f"/api/v1/{name}/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[0] == "id"
    assert len(text.splitlines()) == 1 + len(results(client, f"/api/v1/{name}/?page_size=200"))


def test_csv_flattens_nested_fields_and_keeps_chinese(client, published):
    text = client.get("/api/v1/personnel-decisions/?format=csv").content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert "person.name" in header.split(",")
    assert "source.gazette.title" in header.split(",")
    assert "郑孝刚" in row and "示例市人民政府副市长" in row


def test_errors_stay_json_when_csv_was_asked_for(client, published):
    error_of(client.get("/api/v1/articles/?format=csv&ordering=nonsense"), 400)
    error_of(client.get("/api/v1/articles/999999/?format=csv"), 404)


# --- the gazette/1 export -------------------------------------------------------------------


def test_export_equals_the_parse_and_shows_corrections(client):
    parsed = make_parsed()
    from records.parsing import gazette_to_json

    expected = json.loads(json.dumps(gazette_to_json(parsed)))
    gazette = load_gazette(
        parsed, source_bytes=b"x", source_text="x", parsed_json=gazette_to_json(parsed), publish=True
    ).gazette
    url = f"/api/v1/gazettes/{gazette.pk}/export.json"
    assert client.get(url).json() == expected

    article = Article.objects.get(gazette=gazette, number=2)
    article.title = "示例市促进民营经济发展条例（校对稿）"
    article.corrected_fields = ["title"]
    article.save()
    decision = PersonnelDecision.objects.get(gazette=gazette)
    decision.positions = ["示例市人民政府市长"]
    decision.corrected_fields = ["positions"]
    decision.save()
    attendance = Attendance.objects.get(gazette=gazette, name="张渤")
    attendance.name = "张博"
    attendance.corrected_fields = ["name"]
    attendance.save()
    exported = client.get(url).json()
    assert exported["documents"][1]["title"] == "示例市促进民营经济发展条例（校对稿）"
    assert exported["documents"][1]["corrected_fields"] == ["title"]
    assert exported["personnel_decisions"][0]["positions"] == ["示例市人民政府市长"]
    assert exported["meetings"][0]["present"] == ["李强", "徐启", "张博"]
    # Everything else is still the parse.
    exported["documents"][1]["title"] = expected["documents"][1]["title"]
    del exported["documents"][1]["corrected_fields"]
    exported["personnel_decisions"][0] = expected["personnel_decisions"][0]
    exported["meetings"][0]["present"] = expected["meetings"][0]["present"]
    assert exported == expected


def test_export_keeps_the_printed_order_after_a_reload_adds_a_record(client):
    parsed = make_parsed()
    from records.parsing import gazette_to_json

    load_gazette(parsed, source_bytes=b"x", source_text="x", parsed_json=gazette_to_json(parsed), publish=True)
    extra = p.PersonnelDecision(person="新来的", action="elect", positions=("示例市监察委员会主任",), documents=(3,))
    changed = dataclasses.replace(parsed, personnel_decisions=(extra, *parsed.personnel_decisions))
    report = load_gazette(
        changed, source_bytes=b"y", source_text="y", parsed_json=gazette_to_json(changed)
    )
    exported = client.get(f"/api/v1/gazettes/{report.gazette.pk}/export.json").json()
    assert exported == json.loads(json.dumps(gazette_to_json(changed)))


MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_export_of_every_sample_equals_its_parse_until_a_clerk_corrects_it(client):
    for name, meta in MANIFEST.items():
        load_gazette_file(
            (SAMPLES / name).read_bytes(),
            filename=name,
            metadata=IssueMetadata(**meta) if meta else None,
            publish=True,
            allow_shrinkage=True,
        )
    assert Gazette.objects.count() == len(MANIFEST)
    for gazette in Gazette.objects.all():
        parsed = GazetteSource.objects.get(gazette=gazette).parsed
        exported = client.get(f"/api/v1/gazettes/{gazette.pk}/export.json").json()
        assert exported == json.loads(json.dumps(parsed)), str(gazette)

        article = Article.objects.filter(gazette=gazette).order_by("number").first()
        article.title = f"{article.title}（已校对）"
        article.corrected_fields = ["title"]
        article.save()
        exported = client.get(f"/api/v1/gazettes/{gazette.pk}/export.json").json()
        assert exported["documents"][0]["title"].endswith("（已校对）")
        assert exported["documents"][0]["corrected_fields"] == ["title"]
        assert exported["documents"][1:] == parsed["documents"][1:]


# --- tombstones ----------------------------------------------------------------------------


def _changes(client, since: str | None = None) -> set[tuple[str, int, str]]:
    url = "/api/v1/changes/" + (f"?since={since}" if since else "")
    return {(row["resource"], row["object_id"], row["reason"]) for row in all_pages(client, url)}


def test_unpublishing_an_issue_lists_everything_it_took_away(client, two_issues):
    published, _other = two_issues
    before = iso(timezone.now())
    only_here = Person.objects.get(region="示例市", name="徐启")
    articles = set(Article.objects.filter(gazette=published).values_list("pk", flat=True))
    unpublish_gazette(published)
    changes = _changes(client, before)
    assert ("gazettes", published.pk, "unpublished") in changes
    assert {pk for kind, pk, _ in changes if kind == "articles"} == articles
    assert ("people", only_here.pk, "unpublished") in changes
    assert ("meetings", Meeting.objects.get(region="示例市").pk, "unpublished") in changes
    assert {kind for kind, _, _ in changes} >= {"personnel-decisions", "votes", "attendance", "posts", "tenures"}
    # Every id in the feed is now a 404.
    for kind, pk, _ in changes:
        if kind != "attendance":
            assert client.get(f"/api/v1/{kind}/{pk}/").status_code == 404, (kind, pk)
    # The other city's people are untouched.
    assert not [c for c in changes if c[0] == "people" and Person.objects.get(pk=c[1]).region == "别的市"]
    later = iso(timezone.now() + dt.timedelta(seconds=1))
    assert _changes(client, later) == set()


def test_a_reload_that_deletes_records_lists_them(client, published):
    parsed = make_parsed()
    third = Article.objects.get(gazette=published, number=3)
    shrunk = dataclasses.replace(parsed, documents=parsed.documents[:2], toc=parsed.toc[:2])
    load(shrunk, allow_shrinkage=True)
    changes = _changes(client)
    assert ("articles", third.pk, "deleted") in changes
    row = next(r for r in results(client, "/api/v1/changes/") if r["object_id"] == third.pk and r["resource"] == "articles")
    assert row["model"] == "records.article"


def test_a_tenure_rebuilt_by_a_later_decision_leaves_a_tombstone(client, published):
    old = list(Person.objects.get(name="郑孝刚").tenures.values_list("pk", flat=True))
    removal = p.PersonnelDecision(
        person="郑孝刚", action="remove", positions=("示例市人民政府副市长",), date=dt.date(2024, 1, 29)
    )
    load(make_parsed(year=2024, issue=1, decisions=(removal,)))
    assert {("tenures", pk, "deleted") for pk in old} <= _changes(client)


# --- throttling, errors, CORS -----------------------------------------------------------------


def test_anonymous_clients_are_throttled_with_retry_after(client, published, settings):
    settings.PORTAL_API_RATE = "3/min"
    for _ in range(3):
        assert client.get("/api/v1/gazettes/").status_code == 200
    response = client.get("/api/v1/gazettes/")
    error = error_of(response, 429)
    assert error["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    assert error["retry_after"] == int(response["Retry-After"])
    # Counted per client address.
    assert client.get("/api/v1/gazettes/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_errors_are_json_never_html(client, published):
    error_of(client.get("/api/v1/no-such-list/"), 404)
    error_of(client.get("/api/v1/articles/abc/"), 404)
    error_of(client.get("/api/v1/articles/99999999999999999999/"), 404)
    error = error_of(client.post("/api/v1/articles/", {}), 405)
    assert error["code"] == "method_not_allowed"
    request = RequestFactory().get("/api/v1/articles/")
    response = portal_api.handler500(request)
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"
    page = portal_api.handler404(RequestFactory().get("/gazettes/999/"), None)
    assert page["Content-Type"].startswith("text/html")


def test_cors_is_open_for_get_on_the_api_only(client, published):
    response = client.get("/api/v1/gazettes/", HTTP_ORIGIN="https://example.net")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/gazettes/", HTTP_ORIGIN="https://example.net", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/healthz", HTTP_ORIGIN="https://example.net")


# --- schema and docs -------------------------------------------------------------------------


def test_schema_describes_every_field_and_documents_errors(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    missing = []
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if not spec.get("description") and name not in ("Error",) and not name.startswith("Paginated"):
                missing.append(f"{name}.{field}")
    assert missing == []
    for path, item in schema["paths"].items():
        operation = item["get"]
        assert {"200", "400", "404", "429", "304"} <= set(operation["responses"]), path
        assert operation["responses"]["200"]["content"]["application/json"].get("examples"), path


def test_docs_are_served_from_our_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    for cdn in ("cdn.", "jsdelivr", "unpkg", "cdnjs"):
        assert cdn not in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
