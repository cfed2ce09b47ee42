"""Query plans: a record's page reads its rows through indexes, never by reading a whole table.

On a corpus of 10,000 issues a scan of the decision, attendance or article table
costs hundreds of milliseconds, where an index lookup costs well under one
(bench/RESULTS.md). Row counts here are small, so the plans are what is
checked: SQLite's EXPLAIN QUERY PLAN says SCAN for a read of a whole table.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from people.models import Person, Post
from records.loading import load_gazette_file
from records.models import Article, Gazette, Meeting
from tests.conftest import SAMPLES, prepared_statements

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")

BIG_TABLES = (
    "records_personneldecision",
    "records_personneldecision_sources",
    "records_attendance",
    "records_article",
    "records_provision",
    "records_meeting",
    "records_namelistentry",
    "people_person",
    "people_tenure",
)
# "SCAN t" (the whole table) or "SCAN t USING INDEX i" without a LIMIT to stop it.
WHOLE_TABLE = re.compile(r"^SCAN (\w+)(?: AS \w+)?$")


def plans_of(client, url: str) -> list[tuple[str, list[str]]]:
    """Each SELECT of the page with its plan; on PostgreSQL planned with sequential
    scans priced out, so that a scan shows only where no index can answer (the test
    tables are small enough that a scan would otherwise be the cheapest plan)."""
    seen: list[tuple[str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = client.get(url)
    assert response.status_code == 200, url
    plans = []
    with connection.cursor() as cursor:
        for sql, params in seen:
            if connection.vendor == "postgresql":
                cursor.execute("SET enable_seqscan = off")
                cursor.execute(f"EXPLAIN {sql}", params or None)  # None: values written in
                plans.append((sql, [row[0] for row in cursor.fetchall()]))
                cursor.execute("RESET enable_seqscan")
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plans.append((sql, [str(row[-1]) for row in cursor.fetchall()]))
    return plans


@pytest.fixture
def corpus(settings):
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        for alias in ("default", "pages", "data_version")
    }
    for path in sorted(SAMPLES.glob("*.txt")):
        load_gazette_file(path.read_bytes(), filename=path.name, publish=True)


def record_urls() -> list[str]:
    article = Article.objects.filter(personnel_decisions__isnull=False).order_by("id").first()
    meeting = Meeting.objects.filter(attendance__isnull=False).order_by("id").first()
    person = (
        Person.objects.filter(attendance__isnull=False, decisions__isnull=False)
        .order_by("id")
        .first()
    )
    post = Post.objects.filter(tenures__isnull=False).order_by("id").first()
    gazette = Gazette.objects.order_by("id").first()
    assert article and meeting and person and post and gazette
    return [
        article.get_absolute_url(),
        meeting.get_absolute_url(),
        f"/people/{person.pk}/",
        f"/posts/{post.pk}/",
        gazette.get_absolute_url(),
    ]


@sqlite_only
def test_record_pages_read_no_whole_table(client, corpus):
    scans = []
    for url in record_urls():
        for sql, plan in plans_of(client, url):
            for line in plan:
                found = WHOLE_TABLE.match(line.strip())
                if found and found.group(1) in BIG_TABLES:
                    scans.append((url, line.strip(), sql[:300]))
    assert not scans, scans


@postgres_only
def test_record_pages_read_no_whole_table_on_postgresql(client, corpus):
    """Every read of a big table has an index condition: no sequential scan, and no
    walk of a whole index either (what a plan without sequential scans falls back to)."""
    scans = []
    for url in record_urls():
        for sql, plan in plans_of(client, url):
            for number, line in enumerate(plan):
                found = re.search(
                    r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)(?: Backward)?(?: using \w+)? on (\w+)",
                    line,
                )
                if not found or found.group(2) not in BIG_TABLES:
                    continue
                node = [line]
                for following in plan[number + 1 :]:
                    if "->" in following:
                        break
                    node.append(following)
                if not any("Index Cond" in n or "Recheck Cond" in n for n in node):
                    scans.append((url, [n.strip() for n in node], sql[:300]))
    assert not scans, scans


@sqlite_only
def test_the_newest_issues_are_read_in_index_order(client, corpus):
    """The issue feeds and the home page's latest issues walk an index of published issues
    newest first; they do not take every published issue by status and sort them."""
    for url, index in (
        ("/feeds/gazettes.atom", "gazette_status_feed"),
        ("/feeds/decisions.atom", "gazette_status_feed"),
        ("/", "gazette_status_latest"),
    ):
        lines = [line for _, plan in plans_of(client, url) for line in plan]
        assert any(index in line for line in lines), (url, lines)
        assert not any("gazette_status_year (status=?)" in line for line in lines), (url, lines)


@sqlite_only
def test_the_people_list_reads_current_posts_by_person(client, corpus):
    """The page's people's current posts: by person, not by every open tenure of everyone."""
    lines = [
        line
        for sql, plan in plans_of(client, "/people/")
        if 'FROM "people_tenure"' in sql
        for line in plan
        if "people_tenure" in line
    ]
    assert lines and all("(person_id=?" in line for line in lines), lines


@sqlite_only
def test_a_filtered_search_walks_the_matches_newest_first(client, corpus):
    """A person's page searches their name in their region's articles: the text index
    hands out matches newest first and each is looked up by id, until enough pass;
    not a walk over every article's index row tested against a list of every match."""
    person = Person.objects.filter(attendance__isnull=False).order_by("id").first()
    lines = [
        line.strip()
        for sql, plan in plans_of(client, f"/people/{person.pk}/")
        if "records_search_entry" in sql
        for line in plan
    ]
    assert any(line.startswith("SCAN records_search_fts VIRTUAL TABLE") for line in lines), lines
    assert "SEARCH e2 USING INTEGER PRIMARY KEY (rowid=?)" in lines, lines
    assert not any("records_search_entry_object" in line for line in lines), lines


@sqlite_only
def test_the_api_issue_list_walks_published_issues_in_id_order(client, corpus):
    """Without planner statistics SQLite took every published issue by status and sorted
    them by id for each page of 50 (157 ms at 2,000 issues); the (status, id) index
    hands them out in order and the page stops after its rows."""
    following = client.get("/api/v1/gazettes/?page_size=1").json()["next"]
    assert following
    for url in ("/api/v1/gazettes/", following.removeprefix("http://testserver")):
        lines = [
            line
            for sql, plan in plans_of(client, url)
            if 'FROM "records_gazette"' in sql
            for line in plan
        ]
        assert any("gazette_status_id" in line for line in lines), (url, lines)
        assert not any("TEMP B-TREE FOR ORDER BY" in line for line in lines), (url, lines)


def test_the_api_decision_list_of_a_region_reads_its_rows_in_id_order(client, corpus):
    """The API's decisions of one region, in id order (its default): the (region, id)
    index hands out the page's rows. Without it PostgreSQL walked every decision by id
    and tested each one's region: 20,014 rows read for a page of 50 at 10,000 issues."""
    region = Gazette.objects.order_by("id").first().publication.region
    lines = [
        line
        for sql, plan in plans_of(client, f"/api/v1/personnel-decisions/?region={region}")
        if 'FROM "records_personneldecision"' in sql
        for line in plan
    ]
    assert any("decision_region_id" in line for line in lines), lines
    assert not any("TEMP B-TREE FOR ORDER BY" in line or "Sort" in line for line in lines), lines


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_stops_planning_the_queries_a_page_repeats(client, corpus):
    """A worker's connection prepares each query it sends again and again (portal.settings,
    PORTAL_PG_PREPARE): PostgreSQL plans it for its values five times, then keeps one
    plan for every value (a list filtered by another value is the same statement)."""
    from django.conf import settings

    connection.close()  # a new session: nothing prepared yet
    post = Post.objects.filter(tenures__isnull=False).order_by("id").first()
    for run in range(settings.PREPARE_AFTER + 8):
        action = ("appoint", "remove")[run % 2]  # one statement, two values
        for url in (
            f"/decisions/?action={action}",
            f"/posts/{post.pk}/",
            "/api/v1/personnel-decisions/",
        ):
            assert client.get(url).status_code == 200
    plans = prepared_statements('SELECT %"records_personneldecision"."id"%')
    assert len(plans) >= 3, plans  # the decision list's rows, the post's decisions, the API's
    assert all("$1" in statement for statement in plans)
    # Run 13 times: 5 before it was prepared, 5 planned for their values, then kept plans.
    assert all((generic, custom) == (3, 5) for generic, custom in plans.values()), plans
