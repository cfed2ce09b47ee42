"""Generate a synthetic corpus from the sample gazettes, through the real load path.

    python manage.py generate_corpus --issues 10000 [--seed 1] [--resume] [--part K/N]

Each issue is a sample made into another city's issue of another year
(records.corpus), written by records.loading.load_gazette and published.
The same seed gives the same corpus. Use a database of its own
(PORTAL_SQLITE_PATH=var/bench.sqlite3 or DATABASE_URL=…/bench): the corpus
is meant for benchmarks (bench/run.py), not for the portal's own data.

On PostgreSQL, N processes with ``--part 1/N`` … ``--part N/N`` load the corpus
side by side. Parts split by city: a city's people, posts and meetings
come from its own issues only, so each part loads its cities' issues in the
order one process would, and the parts never create the same row.
"""

from __future__ import annotations

import argparse
import time
import zlib

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from records import corpus
from records.models import Article, Gazette


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (SQLite has none until ANALYZE).

    Without them SQLite takes ``status = 'published'`` for a selective filter
    and plans the lists from the issues' side. On SQLite the analysis reads a
    bounded sample of each index (analysis_limit), so it takes seconds, not minutes.
    On PostgreSQL the tables are vacuumed too, as autovacuum would have done
    during a load this long (where it runs): index-only scans and bitmap scans
    skip the rows the visibility map marks, which it does only after a VACUUM.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=2000")
            cursor.execute("ANALYZE")
        elif connection.in_atomic_block:  # VACUUM cannot run inside a caller's transaction
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM (ANALYZE)")


FIRST_ANALYSIS = 100  # issues loaded before the first ANALYZE; then at 200, 400 …


def refresh_statistics() -> None:
    """ANALYZE during a long load, where no autovacuum does (it may be off, as here).

    The planner keeps the row counts of its last statistics: tables that grew
    a hundredfold since are planned as if they had not, and the loader's join
    of a post's decisions with their issues (search.reindex_posts) went from a
    few milliseconds to 3 s an issue at 7,000 issues on PostgreSQL. Called when
    the issues loaded double, so the cost stays a small share of the load.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


def bulk_load_settings() -> None:
    """PostgreSQL settings of this session for a long bulk load (nothing reads meanwhile).

    The search index's GIN index takes new rows into its pending list and merges
    the list into the tree when it outgrows gin_pending_list_limit (4 MB), in
    batches of work_mem (4 MB): a merge of a few issues' rows touches the
    posting list of every common bigram (nine tenths of the server's time in a
    profile of the load). A larger list, merged in larger batches, touches each
    once for many issues; the VACUUM at the end merges the rest. Commits need
    not wait for the WAL to reach disk: a crash loses the last issues, which
    --resume loads again.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET gin_pending_list_limit = '256MB'")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET synchronous_commit = off")


def part(value: str) -> tuple[int, int]:
    """``K/N`` (1 ≤ K ≤ N): the K-th of N parts."""
    number, _, parts = value.partition("/")
    try:
        k, n = int(number), int(parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N, such as 1/2, not {value!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"K/N needs 1 ≤ K ≤ N, not {value!r}")
    return k, n


def in_part(plan: corpus.IssuePlan, which: tuple[int, int]) -> bool:
    # By a hash of the city, not its place in the list, which follows the pattern of
    # the publications' kinds (every fourth a government gazette, its issues shorter).
    k, n = which
    return zlib.crc32(plan.city.encode("utf-8")) % n == k - 1


class Command(BaseCommand):
    help = "Load N synthetic, published gazette issues made from the samples (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--issues", type=int, required=True, help="size of the corpus")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same corpus")
        parser.add_argument(
            "--publications",
            type=int,
            default=None,
            help="number of gazette series (default: about 64 issues each)",
        )
        parser.add_argument("--start", type=int, default=0, help="first issue index to load")
        parser.add_argument("--stop", type=int, default=None, help="stop before this index")
        parser.add_argument(
            "--resume",
            action="store_true",
            help="skip the issues already in the database (an interrupted run goes on)",
        )
        parser.add_argument(
            "--part",
            type=part,
            default=(1, 1),
            metavar="K/N",
            help="load only the issues of the K-th of N groups of cities (N processes at once)",
        )
        parser.add_argument(
            "--no-parsed-json",
            action="store_true",
            help="do not keep the gazette/1 JSON of each issue in GazetteSource.parsed",
        )
        parser.add_argument(
            "--no-analyze",
            action="store_true",
            help="do not refresh the query planner's statistics (during the load and at the end)",
        )
        parser.add_argument("--progress", type=int, default=100, help="print a line every N issues")

    def handle(self, *args, **options):
        total = options["issues"]
        if total < 1:
            raise CommandError("--issues must be at least 1")
        seed = options["seed"]
        publications = options["publications"] or corpus.default_publications(total)
        start = max(0, options["start"])
        stop = min(total, options["stop"] if options["stop"] is not None else total)
        progress = max(1, options["progress"])
        keep_json = not options["no_parsed_json"]
        which = options["part"]
        present: set[tuple[str, int, int]] = set()
        if options["resume"]:
            present = set(Gazette.objects.values_list("publication__issuer", "year", "issue"))
        self.stdout.write(
            f"corpus: seed {seed}, {total} issues over {publications} publications; "
            f"loading {start}…{stop - 1}"
            + (f", part {which[0]}/{which[1]} (by city)" if which[1] > 1 else "")
            + f" into {connection.vendor} {connection.settings_dict['NAME']}"
        )
        corpus.templates()  # parse the samples before the clock starts
        if connection.vendor == "postgresql":
            bulk_load_settings()
        began = time.perf_counter()
        window = began
        loaded = skipped = articles = 0
        next_analysis = FIRST_ANALYSIS if not options["no_analyze"] else 0
        for index in range(start, stop):
            plan = corpus.issue_plan(seed, index, total, publications)
            if not in_part(plan, which):
                continue
            if (plan.publication.issuer, plan.year, plan.issue) in present:
                skipped += 1
                continue
            issue = corpus.make_issue(plan)
            corpus.load_issue(issue, parsed_json=keep_json)
            loaded += 1
            articles += len(issue.parsed.documents)
            if loaded == next_analysis:
                refresh_statistics()
                next_analysis *= 2
            if loaded % progress == 0:
                now = time.perf_counter()
                self.stdout.write(
                    f"  {index + 1}/{total}: {loaded} loaded, {articles} articles, "
                    f"{(now - window) / progress:.3f} s/issue over the last {progress}, "
                    f"{now - began:.0f} s in all"
                )
                self.stdout.flush()
                window = now
        elapsed = time.perf_counter() - began
        if loaded and not options["no_analyze"]:
            analyze()
        per_issue = elapsed / loaded if loaded else 0.0
        self.stdout.write(
            f"done: {loaded} issues ({articles} articles) loaded and published in {elapsed:.1f} s "
            f"({per_issue:.3f} s/issue), {skipped} already present; the database now holds "
            f"{Gazette.objects.count()} issues and {Article.objects.count()} articles"
        )
