"""The parser against hand-checked expectations and its own reviewed snapshots.

``tests/golden/<sample>.expected.json`` are written by hand from the source text:
every measure of tools/score_gazette.py must reach its bar (core 0.95, soft 0.85).
``tests/golden/<sample>.parsed.json`` are snapshots of the parser's own output, so that
any change to it shows up as a reviewed diff. Regenerate the snapshots with
``UPDATE_GOLDEN=1 make test`` and read ``git diff tests/golden`` before committing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
from pathlib import Path

import pytest

from records.parsing import IssueMetadata, gazette_to_json, parse_gazette, read_source
from tests.conftest import GOLDEN, ROOT, SAMPLES

MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
SAMPLE_NAMES = sorted(MANIFEST)
EXPECTED = sorted(GOLDEN.glob("*.expected.json"))


def _load_scorer():
    spec = importlib.util.spec_from_file_location("score_gazette", ROOT / "tools" / "score_gazette.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_sample(name: str) -> dict:
    meta = MANIFEST[name]
    text = read_source((SAMPLES / name).read_bytes(), name)
    parsed = parse_gazette(text, IssueMetadata(**meta) if meta else None)
    return json.loads(json.dumps(gazette_to_json(parsed), ensure_ascii=False))


def test_every_hand_checked_expectation_has_a_sample():
    assert len(EXPECTED) >= 3
    for path in EXPECTED:
        assert path.name.replace(".expected.json", ".txt") in MANIFEST


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_parse_reaches_every_bar_of_the_hand_checked_expectation(expected: Path, tmp_path: Path):
    sample = expected.name.replace(".expected.json", ".txt")
    actual = tmp_path / "actual.json"
    actual.write_text(json.dumps(parse_sample(sample), ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = _load_scorer().main(["score", str(expected), str(actual)])
    assert status == 0, out.getvalue()


@pytest.mark.parametrize("sample", SAMPLE_NAMES, ids=lambda n: n.removesuffix(".txt"))
def test_parse_matches_its_reviewed_snapshot(sample: str):
    snapshot = GOLDEN / sample.replace(".txt", ".parsed.json")
    actual = parse_sample(sample)
    if os.environ.get("UPDATE_GOLDEN"):
        snapshot.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert snapshot.exists(), f"no snapshot yet: run UPDATE_GOLDEN=1 make test and review {snapshot}"
    assert actual == json.loads(snapshot.read_text(encoding="utf-8"))
