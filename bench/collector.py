"""Time spent in Python's cyclic garbage collector while serving every benchmark URL.

usage:
    python -m bench.collector [--db sqlite|postgres] [--rounds 5] [--runs 3]
                              [--threshold 700,10,10 --threshold 7000,20,20 ...]

Each run is a new process that requests every URL of bench/run.py once (page
cache off), freezes what is alive then (as portal/wsgi.py does once the
application is loaded), sets the collector's thresholds, and requests every
URL ``--rounds`` times more, timing each collection (``gc.callbacks``). The
settings' runs alternate. Per run: CPU time of the requests, time collecting,
and collections per generation with their milliseconds.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time

from bench.run import ROOT, corpus_arguments, pick_urls, setup_django


def measure(args: argparse.Namespace) -> dict[str, object]:
    setup_django(args)
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    urls = [path for _name, path in pick_urls(args)]
    for path in urls:
        client.get(path)
    gc.freeze()
    gc.set_threshold(*args.threshold[0])
    counts, spent = [0, 0, 0], [0.0, 0.0, 0.0]
    began: list[float] = []

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began.append(time.perf_counter())
        else:
            generation = info["generation"]
            counts[generation] += 1
            spent[generation] += time.perf_counter() - began.pop()

    gc.callbacks.append(timed)
    started = time.process_time()
    for _ in range(args.rounds):
        for path in urls:
            client.get(path)
    cpu = time.process_time() - started
    gc.callbacks.remove(timed)
    return {
        "threshold": args.threshold[0],
        "requests": args.rounds * len(urls),
        "cpu_s": round(cpu, 3),
        "gc_s": round(sum(spent), 3),
        "collections": counts,
        "ms_by_generation": [round(s * 1000) for s in spent],
    }


def _threshold(text: str) -> tuple[int, int, int]:
    values = tuple(int(part) for part in text.split(","))
    if len(values) != 3:
        raise argparse.ArgumentTypeError("three integers: gen0,gen1,gen2")
    return values  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.collector", description=__doc__.split("\n")[0]
    )
    corpus_arguments(parser)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3, help="runs of each setting")
    parser.add_argument("--threshold", type=_threshold, action="append")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.threshold = args.threshold or [(700, 10, 10), (7000, 20, 20)]
    if args.one:
        print(json.dumps(measure(args)))
        return 0
    common = [
        *("--db", args.db, "--sqlite-path", args.sqlite_path, "--database-url", args.database_url),
        *("--search2", args.search2, "--search6", args.search6, "--rounds", str(args.rounds)),
    ]
    for _ in range(args.runs):
        for threshold in args.threshold:
            setting = ",".join(map(str, threshold))
            out = subprocess.run(
                [sys.executable, "-m", "bench.collector", *common, "--one", "--threshold", setting],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            share = result["gc_s"] / result["cpu_s"] * 100 if result["cpu_s"] else 0.0
            print(
                f"threshold {setting:>12}: {result['requests']} requests, "
                f"CPU {result['cpu_s']:.2f} s, collecting {result['gc_s']:.3f} s ({share:.1f} %), "
                f"collections {result['collections']}, ms {result['ms_by_generation']}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
