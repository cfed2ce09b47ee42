"""Wall and CPU time of every benchmark URL in one process, for comparing two settings.

usage:
    python -m bench.inprocess [--db sqlite|postgres] [--repeat 9] [--warm 12] > A.json
    python -m bench.inprocess --table A1.json B1.json A2.json B2.json

Requests each URL of bench/run.py (the same corpus, page cache off) ``--warm`` times,
then ``--repeat`` times more, and writes the least wall time (the database server's
work included) and the least CPU time of this process of each, as JSON. Settings
come from the environment: run it once per setting, alternately, each in a new
process (the machine's own speed moves between runs). ``--table`` reads the runs
of two settings, alternating and the first setting's first, and prints per URL
the least of each setting's runs as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.run import corpus_arguments, pick_urls, setup_django


def measure(args: argparse.Namespace) -> dict[str, list[float]]:
    setup_django(args)
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    result = {}
    for name, path in pick_urls(args):
        for _ in range(args.warm):
            client.get(path)
        wall, cpu = [], []
        for _ in range(args.repeat):
            started, began = time.perf_counter(), time.process_time()
            client.get(path)
            cpu.append(time.process_time() - began)
            wall.append(time.perf_counter() - started)
        result[name] = [round(min(wall) * 1000, 2), round(min(cpu) * 1000, 2)]
    return result


def table(paths: list[str]) -> str:
    runs = [json.loads(Path(path).read_text(encoding="utf-8")) for path in paths]
    first, second = runs[0::2], runs[1::2]
    lines = [
        "| page or endpoint | wall ms, A | wall ms, B | CPU ms, A | CPU ms, B |",
        "|---|--:|--:|--:|--:|",
    ]
    sums = [0.0] * 4
    for name in runs[0]:
        figures = [
            min(run[name][column] for run in setting)
            for column in (0, 1)
            for setting in (first, second)
        ]
        sums = [total + figure for total, figure in zip(sums, figures, strict=True)]
        lines.append(f"| {name} | " + " | ".join(f"{figure:.1f}" for figure in figures) + " |")
    lines.append(
        f"| **all {len(runs[0])} URLs** | " + " | ".join(f"{total:.0f}" for total in sums) + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.inprocess", description=__doc__.split("\n")[0]
    )
    corpus_arguments(parser)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--warm", type=int, default=12)
    parser.add_argument("--table", nargs="+", metavar="RUN.json")
    args = parser.parse_args(argv)
    if args.table:
        if len(args.table) < 2 or len(args.table) % 2:
            parser.error("--table takes the runs of two settings, alternating: an even number")
        print(table(args.table))
    else:
        json.dump(measure(args), sys.stdout, ensure_ascii=False)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
