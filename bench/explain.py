"""The queries of a page or endpoint, with their time and the database's query plan.

usage:
    python -m bench.explain [--db sqlite|postgres] URL [URL ...]

Requests each URL with Django's test client (page cache off) against the
benchmark corpus (the same databases as bench/run.py), then prints every query
it made with its time, the number of rows the plan touched where the database
says so, and the plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
PostgreSQL, which runs the query once more). For finding the query that makes
a page slow and the index that would help it.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.run import ROOT, setup_django


def explain(sql: str, params: tuple) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # No parameters: a search writes its values into the statement (records.search).
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params or None)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [str(row[-1]) for row in cursor.fetchall()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.explain", description=__doc__.split("\n")[0]
    )
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sqlite-path", default=str(ROOT / "var" / "bench.sqlite3"))
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--redis", default="")
    parser.add_argument("--slower-than", type=float, default=0.0, help="only queries slower (ms)")
    args = parser.parse_args(argv)
    setup_django(args)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for url in args.urls:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        queries = captured.captured_queries
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        print(
            f"== {url}: HTTP {response.status_code}, {elapsed:.1f} ms, {len(queries)} queries ({sql_ms:.1f} ms)"
        )
        for number, query in enumerate(queries, 1):
            ms = float(query["time"]) * 1000
            if ms < args.slower_than:
                continue
            print(f"-- [{number}] {ms:.1f} ms: {query['sql'][:2000]}")
        # Plans: run again, with the parameters apart (the captured SQL is interpolated).
        raw = _raw_queries(client, url)
        for number, (sql, params, ms) in enumerate(raw, 1):
            if ms < args.slower_than:
                continue
            print(f"-- plan [{number}] ({ms:.1f} ms)")
            for line in explain(sql, params):
                print(f"     {line}")
    return 0


def _raw_queries(client, url: str) -> list[tuple[str, tuple, float]]:
    """The (sql, params, ms) of each query of a request, before interpolation."""
    from django.db import connection

    seen: list[tuple[str, tuple, float]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not many and sql.lstrip().upper().startswith("SELECT"):
                seen.append((sql, tuple(params or ()), (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(wrapper):
        client.get(url)
    return seen


if __name__ == "__main__":
    sys.exit(main())
