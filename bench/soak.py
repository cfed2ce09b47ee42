"""Soak test: gunicorn on PostgreSQL with the samples loaded, driven at a fixed rate.

Not a test of the suite: a script whose figures go into docs/reliability.md.

    .venv/bin/python bench/soak.py --capacity               # closed loop: the capacity
    .venv/bin/python bench/soak.py --rate 60 --duration 300  # open loop at a fixed rate
    .venv/bin/python bench/soak.py --uncached …              # without the page cache

It creates (and afterwards drops) the database ``portal_soak`` on the PostgreSQL server
of ``--postgres`` (default postgres://postgres@127.0.0.1:5432), migrates it, loads and
publishes the sample gazettes, collects static files, starts gunicorn on 127.0.0.1 with
production settings (DEBUG off, Redis cache, the page cache on unless ``--uncached``),
and sends requests only to 127.0.0.1, for a bounded time. Requests go out on a fixed schedule (open loop);
a latency is measured from the moment the request was due, so a stalled server shows.
Every 10 s it samples the resident memory (RSS) of each gunicorn worker. At the end it
checks the API throttle on the same stack: a client over its limit gets 429.

Prints: requests, errors (anything but 200, or no answer), achieved rate, latency
percentiles, and the RSS series of the workers.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
HOST = "127.0.0.1"
DB = "portal_soak"


def log(message: str) -> None:
    print(message, flush=True)


# --- set-up -----------------------------------------------------------------------------------


def environment(args: argparse.Namespace, *, api_rate: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE="0",  # plain HTTP on the loopback; TLS is the proxy's in production
        DATABASE_URL=f"{args.postgres}/{DB}",
        PORTAL_API_RATE=api_rate,
        DJANGO_LOG_LEVEL="WARNING",
    )
    if args.redis:
        env["REDIS_URL"] = args.redis
    if args.uncached:
        env["PORTAL_PAGE_CACHE"] = "0"  # every request renders from the database
    return env


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB}"')
    manage(env, "migrate", "--noinput")
    manage(env, "load_samples")
    manage(env, "collectstatic", "--noinput")


def drop_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


def urls(args: argparse.Namespace) -> list[str]:
    """A mix of what citizens and programs ask for: pages, search, API."""
    import psycopg

    with psycopg.connect(f"{args.postgres}/{DB}") as db:
        gazettes = [r[0] for r in db.execute("SELECT id FROM records_gazette")]
        articles = [r[0] for r in db.execute("SELECT id FROM records_article ORDER BY id")]
        people = [r[0] for r in db.execute("SELECT id FROM people_person ORDER BY id")]
        meetings = [r[0] for r in db.execute("SELECT id FROM records_meeting ORDER BY id")]
    rng = random.Random(20211213)
    mix = ["/", "/gazettes/", "/decisions/", "/meetings/", "/people/", "/search/?q=%E4%BB%BB%E5%91%BD",
           "/api/v1/gazettes/", "/api/v1/articles/?page_size=50", "/api/v1/people/?page_size=50",
           "/api/v1/personnel-decisions/"]  # fmt: skip
    mix += [f"/gazettes/{pk}/" for pk in gazettes]
    mix += [f"/articles/{pk}/" for pk in rng.sample(articles, min(40, len(articles)))]
    mix += [f"/people/{pk}/" for pk in rng.sample(people, min(40, len(people)))]
    mix += [f"/meetings/{pk}/" for pk in meetings[:10]]
    mix += [f"/api/v1/articles/{pk}/" for pk in rng.sample(articles, min(20, len(articles)))]
    return mix


def start_gunicorn(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    import socket

    with socket.socket() as probe:
        if probe.connect_ex((HOST, args.port)) == 0:
            raise SystemExit(f"port {args.port} is taken by another server: choose --port")
    proc = subprocess.Popen(
        [GUNICORN, "portal.wsgi", "--workers", str(args.workers), "--bind", f"{HOST}:{args.port}",
         "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            if request("/healthz", args.port)[0] == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise SystemExit("gunicorn did not start")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def workers_of(master: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry.name))
    return sorted(children)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- load --------------------------------------------------------------------------------------


def request(path: str, port: int, timeout: float = 30) -> tuple[int, int]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": HOST, "Accept-Encoding": "gzip"})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def open_loop(args: argparse.Namespace, paths: list[str], master: int) -> dict:
    """``rate`` requests a second for ``duration`` seconds, on a fixed schedule."""
    interval = 1.0 / args.rate
    total = int(args.rate * args.duration)
    start = time.monotonic() + 0.5
    lock = threading.Lock()
    next_index = [0]
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    rss: list[tuple[float, list[float]]] = []
    stop_sampling = threading.Event()

    def sampler() -> None:
        while not stop_sampling.is_set():
            rss.append(
                (time.monotonic() - start, [round(rss_mb(pid), 1) for pid in workers_of(master)])
            )
            stop_sampling.wait(10)

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                return
            due = start + index * interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                status, _ = request(rng.choice(paths), args.port)
                key = str(status)
            except OSError as exc:
                key = type(exc).__name__
            with lock:
                latencies.append(time.monotonic() - due)
                statuses[key] += 1

    threading.Thread(target=sampler, daemon=True).start()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(args.duration + 120)
    elapsed = time.monotonic() - start
    stop_sampling.set()
    rss.append((elapsed, [round(rss_mb(pid), 1) for pid in workers_of(master)]))
    return {"latencies": latencies, "statuses": statuses, "rss": rss, "elapsed": elapsed}


def closed_loop(
    args: argparse.Namespace, paths: list[str], concurrency: int, seconds: float
) -> tuple[float, float, int]:
    """``concurrency`` clients back to back: requests/s, p99 latency, errors."""
    end = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < end:
            started = time.monotonic()
            try:
                ok = request(rng.choice(paths), args.port)[0] == 200
            except OSError:
                ok = False
            with lock:
                latencies.append(time.monotonic() - started)
                errors[0] += not ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / seconds, percentile(latencies, 0.99), errors[0]


def throttle_check(args: argparse.Namespace) -> None:
    env = environment(args, api_rate="30/min")
    proc = start_gunicorn(args, env)
    try:
        if args.redis:
            subprocess.run(
                ["redis-cli", "-u", args.redis, "FLUSHDB"], check=False, stdout=subprocess.DEVNULL
            )
        statuses = Counter(request("/api/v1/gazettes/", args.port)[0] for _ in range(40))
        log(f"throttle at 30/min, 40 API requests from one address: {dict(statuses)}")
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second (open loop)")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds (at most 900)")
    parser.add_argument("--clients", type=int, default=32, help="client threads of the open loop")
    parser.add_argument(
        "--capacity", action="store_true", help="measure the capacity instead (closed loop)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--uncached", action="store_true", help="turn the page cache off (portal/cache.py)")
    args = parser.parse_args()
    args.duration = min(args.duration, 900.0)  # bounded, whatever is asked

    env = environment(args, api_rate="1000000/min")  # one client address: no throttle while soaking
    log(f"page cache {'off' if args.uncached else 'on (the production default)'}; "
        f"cache {'Redis ' + args.redis if args.redis else 'local memory'}")
    log(f"preparing database {DB} (migrate, load_samples, collectstatic) …")
    prepare_database(args, env)
    paths = urls(args)
    proc = start_gunicorn(args, env)
    try:
        for path in paths[:5]:
            request(path, args.port)  # warm up
        if args.capacity:
            for concurrency in (2, 4, 8, 16):
                rate, p99, errors = closed_loop(args, paths, concurrency, 20)
                log(
                    f"closed loop, {concurrency:2d} clients, 20 s: {rate:6.1f} req/s, p99 {p99 * 1000:6.0f} ms, {errors} errors"
                )
            return
        log(f"soak: {args.rate:g} req/s for {args.duration:g} s against {args.workers} gunicorn workers, "
            f"{len(paths)} URLs")  # fmt: skip
        result = open_loop(args, paths, proc.pid)
    finally:
        stop(proc)
    lat = result["latencies"]
    errors = sum(n for key, n in result["statuses"].items() if key != "200")
    log(
        f"requests {len(lat)} in {result['elapsed']:.0f} s = {len(lat) / result['elapsed']:.1f} req/s; "
        f"statuses {dict(result['statuses'])}; errors {errors}"
    )
    log("latency from the due time: " + ", ".join(
        f"p{int(q * 100)} {percentile(lat, q) * 1000:.0f} ms" for q in (0.5, 0.9, 0.99)
    ) + f", max {max(lat) * 1000:.0f} ms, mean {statistics.mean(lat) * 1000:.0f} ms")  # fmt: skip
    log("worker RSS (MB) every 10 s:")
    for at, values in result["rss"]:
        log(f"  {at:6.0f} s  {values}")
    first, last = result["rss"][0][1], result["rss"][-1][1]
    if first and last:
        log(
            f"RSS first sample → last: {sum(first) / len(first):.1f} → {sum(last) / len(last):.1f} MB per worker"
        )
    throttle_check(args)
    if not args.keep:
        drop_database(args)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
