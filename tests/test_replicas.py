"""Read replicas (portal/replicas.py): who reads them, and never a page older than the primary.

The test settings give a replica ``replica1`` that is the test database itself (a
mirror), so the routing is checked on both databases of the suite. A run with
DATABASE_REPLICA_URL pointing at a real streaming standby of DATABASE_URL's
server (.ci/run starts one) runs the standby tests too: replay paused, the page
must come from the primary.
"""

from __future__ import annotations

import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from portal import replicas
from portal.cache import bump_data_version
from records import search
from records.loading import load_gazette_file, unpublish_gazette
from records.models import ErrorReport, Gazette, PersonnelDecision
from tests.conftest import SAMPLES

REPLICA = "replica1"
BOTH = [DEFAULT_DB_ALIAS, REPLICA]
YINGKOU = "yingkou-congress-2021-03.txt"
ANYANG = "anyang-congress-2021-03.txt"


def load(name: str) -> Gazette:
    return load_gazette_file((SAMPLES / name).read_bytes(), filename=name, publish=True).gazette


def is_standby() -> bool:
    replica = connections[REPLICA]
    if replica.vendor != "postgresql":
        return False
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])


def wait_for_replay(timeout: float = 30.0) -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        (position,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while not replicas._has_replayed(REPLICA, position):
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.05)


@pytest.fixture
def with_replica(settings, monkeypatch):
    settings.PORTAL_READ_REPLICAS = [REPLICA]
    # A data version of the test's own (a real deployment's is shared by its processes).
    settings.CACHES = {
        **settings.CACHES,
        "data_version": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-replicas-version",
        },
    }
    caches["data_version"].clear()
    monkeypatch.setattr(replicas, "_position", None)
    replicas._unreachable_until.clear()
    yield
    replicas._unreachable_until.clear()
    caches["data_version"].clear()


@pytest.fixture
def published(with_replica):
    gazette = load(YINGKOU)
    if is_standby():
        wait_for_replay()
    yield gazette
    search.clear()  # flushes of transactional tests leave this raw table alone


def get(client: Client, path: str, **extra):
    """The response, and the statements each database ran for it."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(path, **extra)
    return response, [q["sql"] for q in primary], [q["sql"] for q in replica]


def only_the_position(statements: list[str]) -> bool:
    """What an anonymous page may ask the primary: where its log is (PostgreSQL), nothing else."""
    return all("pg_current_wal_insert_lsn" in sql for sql in statements)


def read_the_page(statements: list[str]) -> bool:
    """Whether the replica ran more than the check of its own position."""
    return any("pg_last_wal_replay_lsn" not in sql for sql in statements)


# --- which requests may read a replica ----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "extra", "expected"),
    [
        ("get", "/gazettes/", {}, True),
        ("head", "/api/v1/gazettes/", {}, True),
        ("get", "/search/", {"HTTP_COOKIE": "theme=dark"}, True),
        ("post", "/report/", {}, False),
        ("get", "/admin/records/gazette/", {}, False),
        ("get", "/gazettes/", {"HTTP_COOKIE": "sessionid=abc"}, False),
        ("get", "/gazettes/", {"HTTP_COOKIE": "messages=abc"}, False),
        ("get", "/api/v1/gazettes/", {"HTTP_AUTHORIZATION": "Token abc"}, False),
    ],
)
def test_only_anonymous_reads_outside_the_admin_may_read_a_replica(method, path, extra, expected):
    request = getattr(RequestFactory(), method)(path, **extra)
    assert replicas.anonymous_read(request) is expected


def test_writes_and_migrations_go_to_the_primary_and_reads_outside_a_request_too():
    router = replicas.ReplicaRouter()
    assert router.db_for_read(Gazette) is None  # Django's default: the primary
    assert router.db_for_write(Gazette) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "records")
    assert not router.allow_migrate(REPLICA, "records")
    assert replicas.reading_alias() == DEFAULT_DB_ALIAS


# --- pages and the API read from the replica ----------------------------------------------


PAGES = [
    "/",
    "/gazettes/",
    "/meetings/",
    "/decisions/",
    "/people/",
    "/search/?q=%E4%BB%BB%E5%91%BD",  # 任命
    "/api/v1/gazettes/",
    "/api/v1/personnel-decisions/",
    "/feeds/decisions.atom",
    "/meetings.ics",
]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_an_anonymous_readers_pages_read_the_replica_and_are_the_same(published, settings):
    client = Client()
    gazette_pages = [
        f"/gazettes/{published.pk}/",
        f"/gazettes/{published.pk}/text/",
        f"/api/v1/gazettes/{published.pk}/",
        f"/people/{PersonnelDecision.objects.filter(gazette=published, person__isnull=False).first().person_id}/",
    ]
    for path in PAGES + gazette_pages:
        response, primary, replica = get(client, path)
        assert response.status_code == 200, path
        assert read_the_page(replica), f"{path}: nothing read from the replica"
        assert only_the_position(primary), f"{path} read the primary: {primary}"
        settings.PORTAL_READ_REPLICAS = []
        direct, primary, replica = get(client, path)
        settings.PORTAL_READ_REPLICAS = [REPLICA]
        assert not replica and primary
        assert response.content == direct.content, path


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_signed_in_clerk_reads_the_primary(published):
    clerk = get_user_model().objects.create_superuser("clerk", "clerk@example.org", "pw-12345")
    client = Client()
    client.force_login(clerk)
    for path in ("/gazettes/", f"/admin/records/gazette/{published.pk}/change/"):
        response, primary, replica = get(client, path)
        assert response.status_code == 200, path
        assert primary and not replica, path


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_post_reads_and_writes_the_primary(published):
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = Client().post("/report/", {"path": "/gazettes/", "message": "页码有误"})
    assert response.status_code == 200
    assert ErrorReport.objects.filter(path="/gazettes/").exists()
    assert primary and not replica


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_without_replicas_every_read_is_the_primarys(published, settings):
    settings.PORTAL_READ_REPLICAS = []
    response, primary, replica = get(Client(), "/gazettes/")
    assert response.status_code == 200
    assert primary and not replica


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_primary_is_asked_its_position_once_per_data_version(published, monkeypatch):
    asked = []
    original = replicas._primary_position
    monkeypatch.setattr(replicas, "_primary_position", lambda: asked.append(1) or original())
    monkeypatch.setattr(replicas, "POSITION_SECONDS", 600.0)  # however slow the machine
    client = Client()
    for _ in range(3):
        response, primary, replica = get(client, "/gazettes/")
        assert response.status_code == 200 and read_the_page(replica)
    assert len(asked) == 1
    assert not primary  # the primary ran nothing at all for the last two
    bump_data_version()  # what every change of a public record does
    get(client, "/gazettes/")
    assert len(asked) == 2
    monkeypatch.setattr(replicas, "POSITION_SECONDS", 0.0)  # and again when it is old
    get(client, "/gazettes/")
    get(client, "/gazettes/")
    assert len(asked) == 4


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_replica_that_does_not_answer_is_passed_over_and_left_alone(published):
    replica = connections[REPLICA]
    if replica.vendor != "postgresql":
        pytest.skip("SQLite has no replicas: its mirror answers whatever its settings")
    port = replica.settings_dict["PORT"]
    replica.close()
    replica.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
            response = Client().get("/gazettes/")
        assert response.status_code == 200
        assert "营口" in response.content.decode()
        assert not only_the_position(primary)  # the page's own statements
        assert REPLICA in replicas._unreachable_until
        # Left alone: not even asked for its position again.
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
            assert Client().get("/decisions/").status_code == 200
        assert not any("pg_current_wal_insert_lsn" in q["sql"] for q in primary)
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_when_the_primary_does_not_answer_readers_get_pages_no_cache_keeps(
    published, settings, monkeypatch
):
    settings.PORTAL_PAGE_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "portal.cache.BoundedLocMemCache", "LOCATION": "test-replicas"},
    }
    caches["pages"].clear()
    asked = []

    def primary_down():
        asked.append(1)
        raise OperationalError("connection refused")

    monkeypatch.setattr(replicas, "_primary_position", primary_down)
    client = Client()
    for _ in range(2):
        response, primary, replica = get(client, "/gazettes/")
        assert response.status_code == 200 and "营口" in response.content.decode()
        assert read_the_page(replica) and not primary
        assert "no-store" in response["Cache-Control"]
        assert response.get("X-Page-Cache") is None  # neither kept nor served by the cache
    assert len(asked) == 1  # then left alone
    assert DEFAULT_DB_ALIAS in replicas._unreachable_until
    caches["pages"].clear()


# --- a real standby (DATABASE_REPLICA_URL): never older than the primary ---------------------


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_standby_behind_the_primary_is_passed_over_until_it_has_replayed(published):
    if not os.environ.get("DATABASE_REPLICA_URL"):
        pytest.skip("no standby: DATABASE_REPLICA_URL is not set (.ci/standby-pair starts one)")
    assert is_standby(), "DATABASE_REPLICA_URL is not a streaming standby of DATABASE_URL"
    client = Client()
    response, primary, replica = get(client, "/gazettes/")
    assert read_the_page(replica) and "营口" in response.content.decode()

    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        anyang = load(ANYANG)
        response, primary, replica = get(client, "/gazettes/")
        assert not read_the_page(replica), "a standby that had not replayed the load was read"
        assert f"/gazettes/{anyang.pk}/" in response.content.decode()

        unpublish_gazette(anyang)
        response, primary, replica = get(client, f"/gazettes/{anyang.pk}/")
        assert response.status_code == 404 and not read_the_page(replica)
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay()
    response, primary, replica = get(client, f"/gazettes/{anyang.pk}/")
    assert response.status_code == 404 and read_the_page(replica)
    response, primary, replica = get(client, "/gazettes/")
    assert read_the_page(replica) and only_the_position(primary)
    assert f"/gazettes/{anyang.pk}/" not in response.content.decode()
