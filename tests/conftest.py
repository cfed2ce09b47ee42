"""Shared fixtures: the sample gazettes shipped with the portal."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "records" / "fixtures" / "gazettes"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
