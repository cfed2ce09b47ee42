"""Time and memory of reading and parsing the sample gazettes.

usage: python -m records.parsing.bench [FILE ...] [--repeat N] [--strict]

For every sample in records/fixtures/gazettes (or the files given), runs
``read_source`` + ``parse_gazette`` on the file's bytes: the best wall time of
``--repeat`` runs (default 5), and, in one more run under tracemalloc, the
peak of Python memory allocated, as a multiple of the input size. Prints one
line a file and a total line, with the targets beside the figures:
0.25 s per MB and a peak of 20 times the input. ``--strict`` exits with
status 1 when a target is missed. MB here is 2**20 bytes. No Django.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .gazette import parse_gazette
from .sources import read_source
from .types import IssueMetadata

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "gazettes"
TARGET_SECONDS_PER_MB = 0.25
TARGET_PEAK_RATIO = 20.0
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    size: int  # bytes
    seconds: float  # best of the timed runs
    peak: int  # bytes, tracemalloc peak of one run

    @property
    def megabytes(self) -> float:
        return self.size / MB

    @property
    def seconds_per_mb(self) -> float:
        return self.seconds / self.megabytes if self.size else 0.0

    @property
    def peak_ratio(self) -> float:
        return self.peak / self.size if self.size else 0.0


def _metadata(path: Path) -> IssueMetadata | None:
    """What records/fixtures/gazettes/manifest.json supplies for a sample."""
    manifest = path.parent / "manifest.json"
    if not manifest.is_file():
        return None
    entry = json.loads(manifest.read_text(encoding="utf-8")).get(path.name)
    return IssueMetadata(**entry) if entry else None


def _run(data: bytes, name: str, metadata: IssueMetadata | None) -> None:
    parse_gazette(read_source(data, name), metadata)


def measure(path: Path, repeat: int = 5) -> Result:
    data = path.read_bytes()
    metadata = _metadata(path)
    best = float("inf")
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        _run(data, path.name, metadata)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    try:
        _run(data, path.name, metadata)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Result(path.name, len(data), best, peak)


def _mark(value: float, target: float) -> str:
    return "ok" if value <= target else "SLOW" if target == TARGET_SECONDS_PER_MB else "HIGH"


def report(results: Sequence[Result]) -> tuple[str, bool]:
    """The printed table and whether every target is met."""
    header = (
        f"{'sample':<36} {'MB':>7} {'best s':>8} {'s/MB':>7} "
        f"{'(target ' + format(TARGET_SECONDS_PER_MB, '.2f') + ')':>14} "
        f"{'peak MB':>8} {'peak/input':>10} {'(target ' + format(TARGET_PEAK_RATIO, '.0f') + 'x)':>14}"
    )
    lines = [header, "-" * len(header)]
    met = True

    def row(
        name: str, megabytes: float, seconds: float, per_mb: float, peak: float, ratio: float
    ) -> None:
        nonlocal met
        speed, memory = _mark(per_mb, TARGET_SECONDS_PER_MB), _mark(ratio, TARGET_PEAK_RATIO)
        met = met and speed == "ok" and memory == "ok"
        lines.append(
            f"{name:<36} {megabytes:>7.3f} {seconds:>8.4f} {per_mb:>7.3f} {speed:>14} "
            f"{peak:>8.1f} {ratio:>9.1f}x {memory:>14}"
        )

    for result in results:
        row(
            result.name,
            result.megabytes,
            result.seconds,
            result.seconds_per_mb,
            result.peak / MB,
            result.peak_ratio,
        )
    if results:
        size = sum(r.size for r in results)
        seconds = sum(r.seconds for r in results)
        worst = max(results, key=lambda r: r.peak_ratio)
        lines.append("-" * len(header))
        row(
            f"total ({len(results)} files; peak: worst file)",
            size / MB,
            seconds,
            seconds / (size / MB) if size else 0.0,
            worst.peak / MB,
            worst.peak_ratio,
        )
    return "\n".join(lines), met


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m records.parsing.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "files", nargs="*", type=Path, help="files to measure (default: the samples)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per file; the best counts"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    files: list[Path] = args.files or sorted(p for p in SAMPLES.iterdir() if p.suffix == ".txt")
    if not files:
        print(f"no samples in {SAMPLES}", file=sys.stderr)
        return 2
    table, met = report([measure(path, args.repeat) for path in files])
    print(table)
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
