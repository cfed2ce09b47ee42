"""Benchmark the portal against gunicorn serving the synthetic corpus (bench/RESULTS.md).

usage:
    python -m bench.run --db sqlite   [--mode uncached|cached|both] [--duration 5] ...
    python -m bench.run --db postgres [...]

One run:

1. points Django at the corpus (``manage.py generate_corpus``): SQLite in
   var/bench.sqlite3 (--sqlite-path) or PostgreSQL postgres://postgres@127.0.0.1:5432/bench
   (--database-url); collects the static files; picks the URLs to measure from
   the database (a gazette, an article, a meeting, the busiest person …);
2. counts the queries of every URL with Django's test client
   (CaptureQueriesContext, page cache off) and notes status and size;
3. times the parser (s/MB, records.parsing.bench) and the loader: each sample
   issue loaded through ``load_gazette`` into the corpus database, in a
   transaction rolled back afterwards (s and queries per issue), plus one
   issue with three times the articles, to show the query count does not grow;
4. for each mode (uncached: PORTAL_PAGE_CACHE=0; cached: the page cache on)
   starts gunicorn on 127.0.0.1 only (--workers, sync workers), warms every
   URL up, and runs ``wrk`` (Debian package ``wrk``) on each URL for
   --duration seconds with --connections connections: requests per second,
   p50 and p99 latency, as a ratio to /healthz measured in the same run
   (at the start and at the end; their mean is the reference). With
   --repeat R every URL is measured R times, interleaved, and the medians count;
5. reads the RSS of each gunicorn worker at the end, stops gunicorn and
   prints one table per mode (``--markdown`` also prints it as Markdown).
   JSON results go to var/bench/.

The API's per-client rate limit is switched off (PORTAL_API_RATE empty): wrk is
one client. Every step is bounded in time; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "var" / "bench"

# Targets of the issue (bench/RESULTS.md).
UNCACHED_RATIO = 0.25
CACHED_RATIO = 0.70
P99_MS = 100.0
SEARCH_P95_MS = 50.0
MAX_QUERIES = 10
LOAD_SECONDS = 1.0
RSS_MB = 200.0


# --- set-up ------------------------------------------------------------------------------


def base_env(args: argparse.Namespace, *, cached: bool) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "PORTAL_SQLITE_PATH", "REDIS_URL", "DJANGO_DEBUG"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-never-used-in-production-0123456789",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PORTAL_API_RATE": "",  # wrk is one client: no per-client limit
            "PORTAL_PAGE_CACHE": "1" if cached else "0",
        }
    )
    if args.db == "postgres":
        env["DATABASE_URL"] = args.database_url
    else:
        env["PORTAL_SQLITE_PATH"] = str(Path(args.sqlite_path).resolve())
    if args.redis:
        env["REDIS_URL"] = args.redis
    return env


def setup_django(args: argparse.Namespace) -> None:
    env = base_env(args, cached=False)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def collectstatic(args: argparse.Namespace) -> None:
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=base_env(args, cached=False),
        check=True,
        timeout=300,
    )


def static_url() -> str:
    from django.contrib.staticfiles.storage import staticfiles_storage

    return staticfiles_storage.url("css/site.css")


def cursor(pk: int, ordering: str = "id") -> str:
    raw = json.dumps({"o": ordering, "v": None, "id": pk}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def deep_page(rows, order, per_page: int) -> str:
    """The cursor of a page near the end of a list (90 % of the way), as 下一页 links reach it."""
    from people.paging import encode_cursor

    ordered = rows.order_by(*order.order_by(rows.model))
    position = max(1, int(ordered.count() * 0.9) // per_page * per_page)
    row = ordered[position - 1]
    return encode_cursor(row, order, position // per_page + 1)


def pick_urls(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(name, path) of every page type and API endpoint, with ids taken from the corpus."""
    from urllib.parse import quote

    from django.db.models import Count

    from people.models import Person, Post
    from people.paging import Order
    from records.models import (
        Article,
        Attendance,
        Gazette,
        Meeting,
        PersonnelDecision,
        Publication,
    )

    published = Gazette.objects.filter(status="published")
    n_gazettes = published.count()
    if not n_gazettes:
        raise SystemExit("the corpus is empty: run manage.py generate_corpus first")
    congress = published.filter(publication__kind="congress").order_by("pk")
    gazette = congress[congress.count() // 2]
    publication = Publication.objects.get(pk=gazette.publication_id)
    article = (
        Article.objects.filter(gazette=gazette, category="regulation").order_by("number").first()
        or Article.objects.filter(gazette=gazette).order_by("number").first()
    )
    meeting = (
        Meeting.objects.filter(gazette=gazette, attendance__isnull=False).order_by("pk").first()
        or Meeting.objects.filter(gazette__status="published").order_by("pk").first()
    )
    busiest = (
        Attendance.objects.filter(person__isnull=False, person__region=publication.region)
        .values("person")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    person_id = busiest["person"] if busiest else Person.objects.order_by("pk").first().pk
    through = PersonnelDecision.posts.through
    post_row = (
        through.objects.filter(post__region=publication.region)
        .values("post")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    post_id = post_row["post"] if post_row else Post.objects.order_by("pk").first().pk
    from people.views import POST_ORDER
    from records.views import DECISION_ORDER, GAZETTE_ORDER, MEETING_ORDER

    pinyin = Order.of("sort_pinyin", "id")
    max_id = {
        "gazettes": published.order_by("-pk").values_list("pk", flat=True).first(),
        "articles": Article.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "meetings": Meeting.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "people": Person.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "decisions": PersonnelDecision.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "posts": Post.objects.order_by("-pk").values_list("pk", flat=True).first(),
    }

    def deep_cursor(name: str) -> str:
        return cursor(int(max_id[name] * 0.9))

    pub, year, region = publication.pk, gazette.year, publication.region
    q2, q6 = args.search2, args.search6
    urls = [
        ("static file (whitenoise)", static_url()),
        ("home", "/"),
        ("gazette list", "/gazettes/"),
        ("gazette list, deep page", f"/gazettes/?cursor={deep_page(published, GAZETTE_ORDER, 30)}"),
        ("gazette list, filtered", f"/gazettes/?publication={pub}&year={year}"),
        ("gazette", f"/gazettes/{gazette.pk}/"),
        ("gazette text", f"/gazettes/{gazette.pk}/text/"),
        ("publication list", "/publications/"),
        ("publication coverage", f"/publications/{pub}/"),
        ("article", f"/articles/{article.pk}/"),
        ("meeting list", "/meetings/"),
        (
            "meeting list, deep page",
            f"/meetings/?cursor={deep_page(Meeting.objects, MEETING_ORDER, 30)}",
        ),
        ("meeting list, filtered", f"/meetings/?publication={pub}&year={year}"),
        ("meeting", f"/meetings/{meeting.pk}/"),
        ("decision list", "/decisions/"),
        (
            "decision list, deep page",
            f"/decisions/?cursor={deep_page(PersonnelDecision.objects, DECISION_ORDER, 50)}",
        ),
        ("decision list, filtered", f"/decisions/?publication={pub}&action=appoint"),
        ("person list", "/people/"),
        ("person list, deep page", f"/people/?cursor={deep_page(Person.objects, pinyin, 50)}"),
        ("person list, filtered", f"/people/?publication={pub}"),
        ("person", f"/people/{person_id}/"),
        ("post list", "/posts/"),
        ("post list, deep page", f"/posts/?cursor={deep_page(Post.objects, POST_ORDER, 100)}"),
        ("post list, filtered", f"/posts/?region={region}"),
        ("post", f"/posts/{post_id}/"),
        (f"search, 2 characters ({q2})", f"/search/?q={q2}"),
        (f"search, 6 characters ({q6})", f"/search/?q={q6}"),
        ("gazette download (original file)", f"/gazettes/{gazette.pk}/download/"),
        ("issue feed (Atom)", "/feeds/gazettes.atom"),
        ("decision feed (Atom)", "/feeds/decisions.atom"),
        ("person feed (Atom)", f"/people/{person_id}/feed.atom"),
        ("API publications", "/api/v1/publications/"),
        ("API gazettes", "/api/v1/gazettes/"),
        ("API gazettes, deep", f"/api/v1/gazettes/?cursor={deep_cursor('gazettes')}"),
        ("API gazettes, filtered", f"/api/v1/gazettes/?publication={pub}&year={year}"),
        ("API gazette", f"/api/v1/gazettes/{gazette.pk}/"),
        ("API articles", "/api/v1/articles/"),
        ("API articles, deep", f"/api/v1/articles/?cursor={deep_cursor('articles')}"),
        ("API articles, filtered", f"/api/v1/articles/?publication={pub}&category=report"),
        ("API article", f"/api/v1/articles/{article.pk}/"),
        ("API meetings", "/api/v1/meetings/"),
        ("API meetings, deep", f"/api/v1/meetings/?cursor={deep_cursor('meetings')}"),
        ("API meetings, filtered", f"/api/v1/meetings/?region={region}&body=standing_committee"),
        ("API meeting", f"/api/v1/meetings/{meeting.pk}/"),
        ("API meeting attendance", f"/api/v1/meetings/{meeting.pk}/attendance/"),
        ("API people", "/api/v1/people/"),
        ("API people, deep", f"/api/v1/people/?cursor={deep_cursor('people')}"),
        ("API people, filtered", f"/api/v1/people/?region={region}"),
        ("API person", f"/api/v1/people/{person_id}/"),
        ("API person tenures", f"/api/v1/people/{person_id}/tenures/"),
        ("API posts", "/api/v1/posts/"),
        ("API posts, deep", f"/api/v1/posts/?cursor={deep_cursor('posts')}"),
        ("API post", f"/api/v1/posts/{post_id}/"),
        ("API tenures", "/api/v1/tenures/"),
        ("API decisions", "/api/v1/personnel-decisions/"),
        ("API decisions, deep", f"/api/v1/personnel-decisions/?cursor={deep_cursor('decisions')}"),
        ("API decisions, filtered", f"/api/v1/personnel-decisions/?region={region}&action=appoint"),
        ("API votes", "/api/v1/votes/"),
        ("API changes", "/api/v1/changes/"),
        # Last: their output grows with the corpus (every meeting; a count of every section).
        ("meeting calendar (iCalendar)", "/meetings.ics"),
        ("sitemap index", "/sitemap.xml"),
    ]
    return [(name, quote(path, safe="/?&=%")) for name, path in urls]


# --- query counts --------------------------------------------------------------------------


@dataclass
class PageInfo:
    status: int
    size: int
    queries: int
    seconds: float
    cpu_ms: float = float("nan")  # Python's CPU time for one request, best of CPU_REPEAT


# In-process requests per URL whose CPU time is taken (the least is reported): the
# server's own work per page, apart from how wrk's connections queue on a shared machine.
CPU_REPEAT = 5


def count_queries(urls: list[tuple[str, str]]) -> dict[str, PageInfo]:
    """Status, size, queries and CPU time of each URL (after a first request), with the test client.

    The CPU time is this process's (time.process_time): Django, and SQLite inside
    the process; PostgreSQL's own work is in its server process, not counted.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    result = {}
    for _name, path in urls:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            seconds = time.perf_counter() - started
        size = len(response.content) if not response.streaming else 0
        # Counted before any other request: a reconnection clears the connection's log.
        queries = len(captured.captured_queries)
        cpu = []
        for _ in range(CPU_REPEAT):
            began = time.process_time()
            client.get(path)
            cpu.append(time.process_time() - began)
        result[path] = PageInfo(response.status_code, size, queries, seconds, min(cpu) * 1000)
    return result


# --- parser and loader -----------------------------------------------------------------------


def time_parser() -> dict[str, Any]:
    from records.parsing import bench as parser_bench

    samples = sorted(p for p in parser_bench.SAMPLES.iterdir() if p.suffix == ".txt")
    results = [parser_bench.measure(path, repeat=3) for path in samples]
    size = sum(r.size for r in results)
    seconds = sum(r.seconds for r in results)
    return {
        "files": {r.name: {"mb": r.megabytes, "seconds": r.seconds} for r in results},
        "mb": size / parser_bench.MB,
        "seconds": seconds,
        "seconds_per_mb": seconds / (size / parser_bench.MB),
    }


def _times_three(parsed: Any) -> Any:
    """The issue with its articles printed three times over (3 × the articles, same records)."""
    docs = parsed.documents
    n = len(docs)
    extra = []
    for copy in (1, 2):
        for doc in docs:
            extra.append(
                dataclasses.replace(
                    doc,
                    index=doc.index + copy * n,
                    title=f"{doc.title}（之{copy + 1}）",
                    toc_title=None,
                    parent=doc.parent + copy * n if doc.parent else None,
                )
            )
    return dataclasses.replace(parsed, documents=docs + tuple(extra))


def time_loader(repeat: int = 2) -> list[dict[str, Any]]:
    """Each sample loaded and published into the corpus database, then rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from records.loading import load_gazette
    from records.parsing import gazette_to_json, parse_gazette, read_source
    from records.parsing import types as p

    manifest_path = ROOT / "records" / "fixtures" / "gazettes" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    rows = []
    cases = []
    for name, meta in sorted(manifest.items()):
        data = (manifest_path.parent / name).read_bytes()
        text = read_source(data, name)
        parsed = parse_gazette(text, p.IssueMetadata(**meta) if meta else None)
        # A year no corpus issue has: a new issue, as a clerk's upload would be.
        info = dataclasses.replace(parsed.gazette, year=2099)
        parsed = dataclasses.replace(parsed, gazette=info)
        cases.append((name, data, text, parsed))
        if name.startswith("anyang"):
            cases.append((f"{name} × 3 articles", data, text, _times_three(parsed)))
    for name, data, text, parsed in cases:
        best = float("inf")
        queries = 0
        for _ in range(repeat):
            with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                load_gazette(
                    parsed,
                    source_bytes=data,
                    source_text=text,
                    filename=name,
                    parsed_json=gazette_to_json(parsed),
                    publish=True,
                )
                best = min(best, time.perf_counter() - started)
                queries = len(captured.captured_queries)
                transaction.set_rollback(True)
        rows.append(
            {
                "issue": name,
                "articles": len(parsed.documents),
                "seconds": best,
                "queries": queries,
            }
        )
    return rows


# --- gunicorn and wrk --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(args: argparse.Namespace, *, cached: bool, port: int) -> Iterator[subprocess.Popen]:
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(OUT / f"gunicorn-{args.db}-{'cached' if cached else 'uncached'}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=base_env(args, cached=cached),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {log.name}")
            time.sleep(0.3)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def worker_rss_mb(master: int) -> list[float]:
    out = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(master)], capture_output=True, text=True, timeout=10
    ).stdout
    return [int(line) / 1024 for line in out.split() if line.strip()]


def _get(url: str, timeout: float = 60) -> tuple[float, str]:
    """Seconds taken and the X-Page-Cache header ("" when absent or on error)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            header = response.headers.get("X-Page-Cache", "")
    except OSError:
        header = ""
    return time.perf_counter() - started, header


def warm(port: int, urls: list[tuple[str, str]], *, cached: bool) -> None:
    """Request every URL once; cached, until every worker answers it from the cache.

    Which sync worker takes a request is up to the kernel: six hits in a row
    leave a cold worker unnoticed with a probability of 1/64 (two workers).
    """
    for _name, path in urls:
        url = f"http://127.0.0.1:{port}{path}"
        _get(url)
        if not cached:
            continue
        hits = tries = 0
        while hits < 6 and tries < 40:
            _, header = _get(url)
            tries += 1
            if header != "hit":
                hits = 0
                if header == "":  # not cacheable: nothing to warm
                    break
            else:
                hits += 1


def wait_idle(port: int, workers: int, limit: float = 120.0) -> None:
    """Wait until every worker answers /healthz at once: no slow request still running.

    A request wrk gave up on (its 10 s timeout) keeps its worker busy; without
    this the next URL would be measured against a half-busy server.
    """
    from concurrent.futures import ThreadPoolExecutor

    url = f"http://127.0.0.1:{port}/healthz"
    deadline = time.monotonic() + limit
    with ThreadPoolExecutor(workers * 2) as pool:
        while time.monotonic() < deadline:
            times = [t for t, _ in pool.map(lambda _: _get(url, 5), range(workers * 2))]
            if max(times) < 0.05:
                return
            time.sleep(0.5)


PERCENTILES = Path(__file__).resolve().parent / "percentiles.lua"


@dataclass
class Load:
    rps: float
    p50: float  # milliseconds
    p90: float
    p95: float
    p99: float
    requests: int
    errors: int  # non-2xx/3xx and socket errors


def run_wrk(url: str, args: argparse.Namespace) -> Load:
    command = [
        "wrk",
        f"-t{min(args.connections, 2)}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "--script",
        str(PERCENTILES),
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 60).stdout
    percent = {k: int(v) / 1000 for k, v in re.findall(r"^P(\d+) (\d+)$", out, re.MULTILINE)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    return Load(
        rps=float(rps.group(1)) if rps else 0.0,
        p50=percent.get("50", float("nan")),
        p90=percent.get("90", float("nan")),
        p95=percent.get("95", float("nan")),
        p99=percent.get("99", float("nan")),
        requests=int(total.group(1)) if total else 0,
        errors=errors,
    )


def search_latency(port: int, terms: list[str], requests: int = 30) -> list[dict[str, Any]]:
    """Sequential searches, one connection, nothing else running: p50 and p95 of each term."""
    from urllib.parse import quote

    rows = []
    for term in terms:
        url = f"http://127.0.0.1:{port}/search/?q={quote(term)}"
        for _ in range(2):
            urllib.request.urlopen(url, timeout=60).read()
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            urllib.request.urlopen(url, timeout=60).read()
            times.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                "term": term,
                "chars": len(term),
                "p50": statistics.median(times),
                "p95": statistics.quantiles(times, n=20)[18],
                "max": max(times),
            }
        )
    return rows


@dataclass
class Row:
    name: str
    path: str
    loads: list[Load] = field(default_factory=list)

    def median(self, attr: str) -> float:
        values = [getattr(load, attr) for load in self.loads]
        return statistics.median(values) if values else float("nan")


def measure_mode(
    args: argparse.Namespace, urls: list[tuple[str, str]], *, cached: bool
) -> dict[str, Any]:
    port = free_port()
    with gunicorn(args, cached=cached, port=port) as process:
        base = f"http://127.0.0.1:{port}"
        warm(port, urls, cached=cached)
        wait_idle(port, args.workers)
        load_before = os.getloadavg()
        health = Row("/healthz (ceiling)", "/healthz")
        rows = [Row(name, path) for name, path in urls]
        started = time.perf_counter()
        for round_ in range(args.repeat):
            health.loads.append(run_wrk(base + "/healthz", args))
            for row in rows:
                wait_idle(port, args.workers)
                row.loads.append(run_wrk(base + row.path, args))
                if args.verbose:
                    last = row.loads[-1]
                    print(
                        f"  [{round_ + 1}] {row.name}: {last.rps:.0f}/s p50 {last.p50:.1f} ms "
                        f"p99 {last.p99:.1f} ms errors {last.errors}",
                        flush=True,
                    )
        wait_idle(port, args.workers)
        health.loads.append(run_wrk(base + "/healthz", args))
        searches = [] if cached else search_latency(port, args.search_terms)
        rss = worker_rss_mb(process.pid)
        elapsed = time.perf_counter() - started
    return {
        "health": health,
        "rows": rows,
        "rss": rss,
        "seconds": elapsed,
        "searches": searches,
        "load": (load_before, os.getloadavg()),
    }


# --- reporting -----------------------------------------------------------------------------------


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB RAM"
    return f"{os.cpu_count()} CPUs ({cpu}), {mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def corpus_size() -> dict[str, int]:
    from people.models import Person, Post
    from records.models import Article, Attendance, Gazette, Meeting, PersonnelDecision

    return {
        "issues": Gazette.objects.count(),
        "articles": Article.objects.count(),
        "meetings": Meeting.objects.count(),
        "decisions": PersonnelDecision.objects.count(),
        "attendance": Attendance.objects.count(),
        "people": Person.objects.count(),
        "posts": Post.objects.count(),
    }


def report_mode(
    label: str,
    result: dict[str, Any],
    pages: dict[str, PageInfo],
    *,
    cached: bool,
    markdown: bool,
) -> tuple[str, list[str]]:
    health: Row = result["health"]
    ceiling = statistics.mean(load.rps for load in health.loads)
    target = CACHED_RATIO if cached else UNCACHED_RATIO
    misses = []
    lines = []
    header = [
        *("page or endpoint", "queries", "KB", "CPU ms"),
        *("req/s", "× healthz", "p50 ms", "p99 ms", ""),
    ]
    table = [header]
    table.append(
        [
            "/healthz (ceiling)",
            "0",
            "",
            "",
            f"{ceiling:.0f}",
            "1.00",
            f"{health.median('p50'):.1f}",
            f"{health.median('p99'):.1f}",
            " / ".join(f"{load.rps:.0f}" for load in health.loads) + " req/s",
        ]
    )
    for row in result["rows"]:
        info = pages.get(row.path)
        rps = row.median("rps")
        ratio = rps / ceiling if ceiling else 0.0
        p99 = row.median("p99")
        flags = []
        if ratio < target:
            flags.append(f"< {target:.0%}")
        if p99 >= P99_MS:
            flags.append("p99")
        if info and info.queries > MAX_QUERIES:
            flags.append("queries")
        if info and info.status != 200:
            flags.append(f"HTTP {info.status}")
        if any(load.requests == 0 for load in row.loads):
            flags.append("no answer within 10 s")
        elif any(load.errors for load in row.loads):
            flags.append("errors")
        if flags:
            misses.append(f"{row.name}: {', '.join(flags)}")
        table.append(
            [
                row.name,
                str(info.queries) if info else "?",
                f"{info.size / 1024:.0f}" if info else "?",
                f"{info.cpu_ms:.1f}" if info else "?",
                f"{rps:.0f}",
                f"{ratio:.2f}",
                f"{row.median('p50'):.1f}",
                f"{p99:.1f}",
                "MISS: " + ", ".join(flags) if flags else "ok",
            ]
        )
    if result["searches"]:
        lines_search = ["", "search latency, one request at a time (uncached):"]
        for item in result["searches"]:
            flag = "ok" if item["p95"] < SEARCH_P95_MS else "MISS (p95 ≥ 50 ms)"
            if flag != "ok":
                misses.append(f"search {item['term']}: p95 {item['p95']:.0f} ms")
            lines_search.append(
                f"  {item['term']} ({item['chars']} chars): p50 {item['p50']:.1f} ms, "
                f"p95 {item['p95']:.1f} ms, max {item['max']:.1f} ms  {flag}"
            )
    else:
        lines_search = []
    rss = result["rss"]
    title = f"{label}: {'cached' if cached else 'uncached'}"
    if markdown:
        lines.append(f"#### {title}")
        lines.append("")
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(["---", *["--:"] * (len(header) - 2), "---"]) + "|")
        for cells in table[1:]:
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append(f"== {title}")
        widths = [max(len(r[i]) for r in table) for i in range(len(header))]
        for cells in table:
            lines.append(
                "  ".join(
                    c.ljust(widths[i]) if i in (0, len(header) - 1) else c.rjust(widths[i])
                    for i, c in enumerate(cells)
                )
            )
    lines.extend(lines_search)
    lines.append("")
    lines.append(
        f"gunicorn worker RSS after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}"
        + ("  MISS (≥ 200 MB)" if any(mb >= RSS_MB for mb in rss) else "")
    )
    before, after = result["load"]
    lines.append(
        f"measured in {result['seconds']:.0f} s; load average {before[0]:.1f} before, "
        f"{after[0]:.1f} after (2 CPUs: other work on the machine competes with the server)"
    )
    return "\n".join(lines), misses


def corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that say which corpus a benchmark reads (and the searches it asks for)."""
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sqlite-path", default=str(ROOT / "var" / "bench.sqlite3"))
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench")
    parser.add_argument(
        "--redis", default="", help="REDIS_URL for the cache, e.g. redis://127.0.0.1:6379/3"
    )
    parser.add_argument("--search2", default="预算", help="the 2-character search")
    parser.add_argument("--search6", default="生态环境保护", help="the 6-character search")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    corpus_arguments(parser)
    parser.add_argument("--mode", choices=["uncached", "cached", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per URL")
    parser.add_argument("--repeat", type=int, default=1, help="measure every URL this many times")
    parser.add_argument(
        "--search-terms",
        default="预算,市长,财政局,安全生产,城乡建设,生态环境保护,人民代表大会",
        help="comma-separated searches timed one at a time (uncached mode)",
    )
    parser.add_argument("--only", default="", help="only the URLs whose name contains this")
    parser.add_argument("--skip-loader", action="store_true", help="do not time parser and loader")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    args.search_terms = [t for t in args.search_terms.split(",") if t]
    if args.workers < 1 or args.connections < 1 or args.duration < 1 or args.repeat < 1:
        parser.error("workers, connections, duration and repeat must be at least 1")
    for tool in ("wrk", str(VENV_BIN / "gunicorn")):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            raise SystemExit(f"{tool} not found (apt-get install -y wrk)")

    setup_django(args)
    from django.db import connection

    label = f"{args.db} ({connection.settings_dict['NAME']})"
    print(f"bench: {label}, {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}")
    print(f"machine: {machine()}")
    size = corpus_size()
    print("corpus: " + ", ".join(f"{v} {k}" for k, v in size.items()))
    collectstatic(args)
    urls = pick_urls(args)
    if args.only:
        urls = [(n, u) for n, u in urls if args.only in n]
    pages = count_queries(urls)
    print(f"query counts taken for {len(urls)} URLs")
    results: dict[str, Any] = {
        "db": label,
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus": size,
        "args": vars(args),
        "pages": {path: dataclasses.asdict(info) for path, info in pages.items()},
    }
    if not args.skip_loader:
        parser_result = time_parser()
        loader = time_loader()
        results["parser"] = parser_result
        results["loader"] = loader
        print(
            f"parser: {parser_result['seconds_per_mb']:.3f} s/MB over the four samples "
            f"({parser_result['mb']:.2f} MB in {parser_result['seconds']:.3f} s)"
        )
        print("loader (load_gazette + publish into the corpus database, rolled back; best of 2):")
        for row in loader:
            flag = "" if row["seconds"] < LOAD_SECONDS else "  MISS (≥ 1 s)"
            print(
                f"  {row['issue']:<44} {row['articles']:>4} articles  {row['seconds']:.3f} s  "
                f"{row['queries']:>4} queries{flag}"
            )
    connection.close()
    modes = {"uncached": [False], "cached": [True], "both": [False, True]}[args.mode]
    all_misses = []
    for cached in modes:
        result = measure_mode(args, urls, cached=cached)
        text, misses = report_mode(label, result, pages, cached=cached, markdown=args.markdown)
        print()
        print(text)
        all_misses += [f"{'cached' if cached else 'uncached'} · {m}" for m in misses]
        key = "cached" if cached else "uncached"
        results[key] = {
            "healthz": [dataclasses.asdict(load) for load in result["health"].loads],
            "rows": [
                {"name": r.name, "path": r.path, "loads": [dataclasses.asdict(x) for x in r.loads]}
                for r in result["rows"]
            ],
            "rss_mb": result["rss"],
            "searches": result["searches"],
        }
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    path = OUT / f"{args.db}-{args.mode}-{stamp}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    print()
    print(f"targets missed: {len(all_misses)}")
    for miss in all_misses:
        print(f"  {miss}")
    print(f"results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
