"""Read replicas under gunicorn: what the primary still runs per request, with and without one.

usage:
    .ci/standby-pair start       # a primary on :5440, a streaming standby of it on :5441
    export DATABASE_URL=postgres://postgres@127.0.0.1:5440/portal
    createdb -h 127.0.0.1 -p 5440 -U postgres portal
    python manage.py migrate && python manage.py generate_corpus --issues 100
    python -m bench.replicas --database-url $DATABASE_URL \\
        --replica-url postgres://postgres@127.0.0.1:5441/portal

For each URL, gunicorn (page cache off) without the replica, then with it: wrk's
requests per second and p50/p99, and the transactions each server committed per
request (``pg_stat_database``, read after gunicorn has stopped, when every
connection has reported its counts; each statement of a page is a transaction of
its own, and so is Django's health check of a kept connection). Then, with the
replica, the same while ``generate_corpus`` loads ``--load-issues`` more issues
into the primary (configured as the site, so its changes move the data version):
requests that find the standby behind read the primary.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import urllib.request

from bench.run import ROOT, VENV_BIN, Load, base_env, gunicorn, run_wrk

URLS = [
    ("gazette list", "/gazettes/"),
    ("decision list", "/decisions/"),
    ("person list", "/people/"),
    ("search, 2 characters", "/search/?q=%E9%A2%84%E7%AE%97"),
    ("API gazettes", "/api/v1/gazettes/"),
]
WARM = 20


def committed(url: str) -> int:
    database = url.rsplit("/", 1)[1]
    out = subprocess.run(
        ["psql", url.rsplit("/", 1)[0] + "/postgres", "-qAtc",
         f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{database}'"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(out.strip())


def measure(args: argparse.Namespace, path: str, *, replica: bool, port: int) -> tuple[Load, list]:
    """wrk on one URL; the transactions per request of the primary and of the replica."""
    os.environ.pop("DATABASE_REPLICA_URL", None)
    if replica:
        os.environ["DATABASE_REPLICA_URL"] = args.replica_url
    servers = [args.database_url, args.replica_url]
    before = [committed(url) for url in servers]
    with gunicorn(args, cached=False, port=port):
        url = f"http://127.0.0.1:{port}{path}"
        for _ in range(WARM):
            urllib.request.urlopen(url, timeout=30).read()
        load = run_wrk(url, args)
    time.sleep(1)  # the workers' connections closed: their counts are in
    after = [committed(url) for url in servers]
    requests = load.requests + WARM
    return load, [(b - a) / requests for a, b in zip(before, after, strict=True)]


def loading(args: argparse.Namespace, issues: int) -> subprocess.Popen:
    # Configured as the site is, so that its changes move the data version the site reads.
    env = {
        **base_env(args, cached=False),
        "DATABASE_URL": args.database_url,
        "DATABASE_REPLICA_URL": args.replica_url,
    }
    return subprocess.Popen(
        [str(VENV_BIN / "python"), "manage.py", "generate_corpus", "--issues", str(issues), "--resume"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def issue_count(url: str) -> int:
    out = subprocess.run(
        ["psql", url, "-qAtc", "SELECT count(*) FROM records_gazette"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(out.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.replicas", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--replica-url", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument(
        "--load-issues",
        type=int,
        default=20,
        help="generate_corpus --resume to this many more than the issues there are "
        "(it loads the corpus's issues up to that index that are missing: its own line says how many)",
    )
    args = parser.parse_args(argv)
    args.db, args.redis = "postgres", ""

    print(
        "| page or endpoint | replica | req/s | p50 ms | p99 ms | errors "
        "| primary's transactions per request | replica's |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    port = 8041
    for name, path in URLS:
        for replica in (False, True):
            load, per_request = measure(args, path, replica=replica, port=port)
            port += 1
            print(
                f"| {name} | {'yes' if replica else 'no'} | {load.rps:.0f} | {load.p50:.1f} "
                f"| {load.p99:.1f} | {load.errors} | {per_request[0]:.2f} | {per_request[1]:.2f} |"
            )
            sys.stdout.flush()

    # While the primary loads issues: the standby is behind now and then.
    first = issue_count(args.database_url)
    args.duration = max(args.duration, 20)
    result: dict[str, tuple[Load, list]] = {}

    def serve() -> None:
        result["load"] = measure(args, "/gazettes/", replica=True, port=port)

    server = threading.Thread(target=serve)
    server.start()
    time.sleep(8)  # gunicorn up and warm, wrk running
    started = time.monotonic()
    target = first + args.load_issues
    process = loading(args, target)
    output, _ = process.communicate()
    took = time.monotonic() - started
    server.join()
    load, per_request = result["load"]
    print(
        f"\nwhile generate_corpus --issues {target} --resume loaded into the primary ({took:.1f} s, "
        f"from about 8 s into gunicorn's run; wrk {args.duration} s; it said: "
        f"{output.strip().splitlines()[-1] if output.strip() else '(nothing)'}):"
    )
    print(
        f"gazette list with the replica: {load.rps:.0f} req/s, p50 {load.p50:.1f} ms, "
        f"p99 {load.p99:.1f} ms, {load.errors} errors; transactions per request: primary "
        f"{per_request[0]:.2f}, replica {per_request[1]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
