"""Faults: a load that fails anywhere leaves the database exactly as it was.

* An exception injected at each step of a load (the fault points of records/loading.py:
  after the issue row, mid-articles, during people matching, during publishing, and in
  the search index and tenure rebuilds) leaves every row of every table, values
  included, as before, for a new issue and for a reload of a published one.
* A ``manage.py load_gazette`` process killed with SIGKILL mid-load (it sleeps at a
  fault point, PORTAL_FAULT_SLEEP) leaves no partial issue, on a file SQLite database
  and on PostgreSQL, and the next load works.
* PostgreSQL restarted under a running server: the next request succeeds without
  restarting the app (CONN_HEALTH_CHECKS, portal/settings.py). PostgreSQL only; it
  restarts the local cluster and waits until it accepts connections again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from records import loading, review
from records.loading import load_gazette, load_gazette_file
from records.models import Gazette, GazetteImport, GazetteStatus
from records.parsing import types as p
from tests.conftest import ROOT, SAMPLES
from tests.factories import make_parsed

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
STEPS = ["gazette", "articles", "people", "publish"]


class Injected(Exception):
    pass


def database_snapshot() -> dict[str, list]:
    """Every row of every table of the portal's apps (history included), and the search index."""
    snapshot: dict[str, list] = {}
    for app in ("records", "people"):
        for model in apps.get_app_config(app).get_models():
            rows = list(model._default_manager.order_by("pk").values())
            snapshot[model._meta.label] = [
                {k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()} for row in rows
            ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM records_search_entry ORDER BY id")
        snapshot["search"] = [tuple(row) for row in cursor.fetchall()]
    return snapshot


def fail_at(monkeypatch, step: str) -> None:
    def fault_point(name: str) -> None:
        if name == step:
            raise Injected(step)

    monkeypatch.setattr(loading, "_fault_point", fault_point)


def changed_parse() -> p.ParsedGazette:
    """The factory issue again with a changed article, a new article and a new person."""
    parsed = make_parsed()
    docs = list(parsed.documents)
    docs[1] = dataclasses.replace(docs[1], date=dt.date(2021, 6, 11), title="示例市促进民营经济发展条例（修订）")
    docs.append(dataclasses.replace(docs[0], index=4, title="新增的一篇报告", category="report", meeting=None))
    return dataclasses.replace(parsed, documents=tuple(docs), meetings=(
        dataclasses.replace(parsed.meetings[0], present=(*parsed.meetings[0].present, p.PersonName("新来人"))),
    ))


@pytest.fixture
def loaded(db):
    """One published issue from a sample file, and the factory issue as a draft."""
    published = load_gazette_file(
        (SAMPLES / "yingkou-congress-2021-03.txt").read_bytes(), filename="yingkou.txt", publish=True
    ).gazette
    draft = load_gazette(make_parsed(), source_bytes=b"v1", source_text="v1").gazette
    return published, draft


@pytest.mark.django_db
@pytest.mark.parametrize("step", STEPS)
def test_a_new_issue_failing_at_any_step_writes_nothing(monkeypatch, loaded, step):
    before = database_snapshot()
    fail_at(monkeypatch, step)
    with pytest.raises(Injected):
        load_gazette_file(
            (SAMPLES / "anyang-congress-2021-03.txt").read_bytes(), filename="anyang.txt", publish=True
        )
    assert database_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("step", STEPS)
def test_a_reload_failing_at_any_step_changes_nothing(monkeypatch, loaded, step):
    _, draft = loaded
    before = database_snapshot()
    fail_at(monkeypatch, step)
    with pytest.raises(Injected):
        load_gazette(changed_parse(), source_bytes=b"v2", source_text="v2", publish=True, allow_shrinkage=True)
    assert database_snapshot() == before
    assert Gazette.objects.get(pk=draft.pk).status == GazetteStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["records.loading.rebuild_search_index", "records.loading.rebuild_tenures"])
def test_a_failing_index_or_tenure_rebuild_changes_nothing(monkeypatch, loaded, where):
    module, name = where.rsplit(".", 1)

    def broken(*args, **kwargs):
        raise Injected(name)

    monkeypatch.setattr(sys.modules[module], name, broken)
    before = database_snapshot()
    with pytest.raises(Injected):
        load_gazette(changed_parse(), source_bytes=b"v2", source_text="v2", publish=True, allow_shrinkage=True)
    assert database_snapshot() == before


@pytest.mark.django_db
def test_publishing_that_fails_midway_leaves_the_issue_a_draft(monkeypatch, loaded):
    _, draft = loaded
    before = database_snapshot()
    fail_at(monkeypatch, "publish")
    with pytest.raises(Injected):
        loading.publish_gazette(draft)
    assert database_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("step", STEPS[:3])
def test_a_clerks_apply_failing_at_any_step_keeps_the_import_pending(monkeypatch, loaded, step):
    imp = review.stage_upload((SAMPLES / "anyang-congress-2021-03.txt").read_bytes(), filename="anyang.txt")
    before = database_snapshot()
    fail_at(monkeypatch, step)
    with pytest.raises(Injected):
        review.apply_import(imp)
    assert database_snapshot() == before
    assert GazetteImport.objects.get(pk=imp.pk).status == "pending"


@pytest.mark.django_db
def test_the_fault_point_does_nothing_without_the_variable(monkeypatch):
    monkeypatch.delenv(loading.FAULT_SLEEP_ENV, raising=False)
    started = time.monotonic()
    loading._fault_point("articles")
    monkeypatch.setenv(loading.FAULT_SLEEP_ENV, "people:5")
    loading._fault_point("articles")  # another step: no sleep
    assert time.monotonic() - started < 1


# --- SIGKILL mid-load --------------------------------------------------------------------------


def manage(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def run_manage(*args: str, env: dict[str, str]) -> str:
    proc = manage(*args, env=env)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    return out


def kill_mid_load(path: Path, step: str, env: dict[str, str]) -> float:
    """Start a load that sleeps at ``step``, SIGKILL it there; return when it was killed."""
    proc = manage("load_gazette", str(path), "--publish", env={**env, loading.FAULT_SLEEP_ENV: f"{step}:120"})
    deadline = time.monotonic() + 180
    lines = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        if f"fault point {step}" in line:
            break
        if not line and proc.poll() is not None:
            break
    else:
        proc.kill()
    assert proc.poll() is None, "the load ended before its fault point: " + "".join(lines)
    started = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return time.monotonic() - started


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "DATABASE_URL"))}
    return {**env, "DJANGO_SETTINGS_MODULE": "portal.settings_test", "PYTHONUNBUFFERED": "1"}


SQLITE_TABLES = """SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'
                   AND name NOT LIKE '%fts%' ORDER BY name"""


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute(SQLITE_TABLES)]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite variant runs in the SQLite run of the suite")
@pytest.mark.parametrize("step", ["articles", "people"])
def test_sigkill_mid_load_leaves_no_partial_issue_on_sqlite(tmp_path, step):
    env = {**base_env(), "PORTAL_SQLITE_PATH": str(tmp_path / "portal.sqlite3")}
    run_manage("migrate", "--noinput", env=env)
    run_manage("load_gazette", str(SAMPLES / "yingkou-congress-2021-03.txt"), "--publish", env=env)
    before = sqlite_counts(tmp_path / "portal.sqlite3")
    assert before["records_gazette"] == 1 and before["records_article"] > 0

    kill_mid_load(SAMPLES / "anyang-congress-2021-03.txt", step, env)

    assert sqlite_counts(tmp_path / "portal.sqlite3") == before
    with sqlite3.connect(tmp_path / "portal.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The killed writer left no lock behind: the same load now goes through.
    out = run_manage("load_gazette", str(SAMPLES / "anyang-congress-2021-03.txt"), "--publish", env=env)
    assert "published" in out
    assert sqlite_counts(tmp_path / "portal.sqlite3")["records_gazette"] == 2


@pytest.fixture
def scratch_postgres():
    """A database of its own on the test server (the suite's own is inside a transaction)."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, _, _ = url.rpartition("/")
    name = f"portal_kill_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL=postgres://…")
@pytest.mark.parametrize("step", ["articles", "people"])
def test_sigkill_mid_load_leaves_no_partial_issue_on_postgres(scratch_postgres, step):
    env = {**base_env(), "DATABASE_URL": scratch_postgres}
    run_manage("migrate", "--noinput", env=env)
    run_manage("load_gazette", str(SAMPLES / "yingkou-congress-2021-03.txt"), "--publish", env=env)
    before = postgres_counts(scratch_postgres)
    assert before["records_gazette"] == 1

    kill_mid_load(SAMPLES / "anyang-congress-2021-03.txt", step, env)

    # The server rolls the dead client's transaction back (and frees its row locks).
    assert postgres_counts(scratch_postgres) == before
    out = run_manage("load_gazette", str(SAMPLES / "anyang-congress-2021-03.txt"), "--publish", env=env)
    assert "published" in out
    assert postgres_counts(scratch_postgres)["records_gazette"] == 2


# --- PostgreSQL restart -------------------------------------------------------------------------
# On a throwaway PostgreSQL instance of its own (initdb in a temporary directory, a free
# port): restarting the suite's own server would kill the connections other tests keep
# (the live server's, Playwright's), and any other user's.


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.iterdir(), key=lambda p: int(p.name)) if root.is_dir() else []
    return versions[-1] / "bin" if versions else None


@pytest.fixture
def own_postgres():
    """A PostgreSQL server started for this test alone; yields its URL and a restart()."""
    import tempfile

    import psycopg

    bin_dir = postgres_bin()
    home = Path(tempfile.mkdtemp(prefix="portal-pg-", dir="/tmp"))
    data = home / "data"
    data.mkdir()
    for path in (home, data):
        shutil.chown(path, "postgres", "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def pg_ctl(*args: str) -> None:
        # The server's output goes to its log file, never to a pipe this test would wait on.
        subprocess.run(
            [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w", "-t", "60", *args],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
        )

    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8"], check=True, capture_output=True, timeout=120)  # fmt: skip
    pg_ctl("-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start")
    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE portal")
        yield f"postgres://postgres@127.0.0.1:{port}/portal", lambda: pg_ctl("-m", "fast", "restart")
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL run of the suite checks this")
@pytest.mark.skipif(
    os.geteuid() != 0 or postgres_bin() is None or not shutil.which("runuser"),
    reason="starts a PostgreSQL server of its own: needs root and the server binaries",
)
def test_the_app_reconnects_after_a_postgres_restart(own_postgres):
    """gunicorn (one sync worker, persistent connections: CONN_MAX_AGE=60, page cache off)
    serves a page, PostgreSQL restarts, and the very next request is answered: the health
    check (CONN_HEALTH_CHECKS) finds the dead connection and opens a new one. With health
    checks off, that request is a 500 (docs/reliability.md)."""
    url, restart = own_postgres
    env = {**base_env(), "DATABASE_URL": url, "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "PORTAL_PAGE_CACHE": "0"}  # every request reaches the database  # fmt: skip
    run_manage("migrate", "--noinput", env=env)
    run_manage("load_gazette", str(SAMPLES / "yingkou-congress-2021-03.txt"), "--publish", env=env)
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "portal.wsgi", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    page = f"http://127.0.0.1:{port}" + reverse("records:gazette-list")

    def get() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(page, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    try:
        deadline = time.monotonic() + 60
        status, body = 0, ""
        while time.monotonic() < deadline:
            try:
                status, body = get()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200 and "营口市" in body
        started = time.monotonic()
        restart()
        restarted = time.monotonic() - started
        # The worker's persistent connection died with the restart: the first request
        # after it is answered all the same, from a new connection.
        status, body = get()
        assert status == 200 and "营口市" in body
        assert get()[0] == 200
        print(f"\n  PostgreSQL restarted in {restarted:.1f} s; the next request answered 200")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
