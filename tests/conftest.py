"""Shared fixtures: the sample gazettes shipped with the portal, and a real browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "records" / "fixtures" / "gazettes"
GOLDEN = Path(__file__).resolve().parent / "golden"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
)


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture
def chromium(monkeypatch):
    """Debian's chromium, driven by Playwright's sync API."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM
    # calls are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # Inside Playwright's event loop the test's ORM calls get a connection of their own
        # (Django keys connections on the async context): close it, or it outlives the test
        # and PostgreSQL refuses to drop the test database at the end of the run.
        connections.close_all()


def prepared_statements(pattern: str) -> dict[str, tuple[int, int]]:
    """PostgreSQL: {statement: (generic plans, custom plans)} of this connection's
    prepared statements whose text is LIKE ``pattern``."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [pattern],
        )
        return {statement: (generic, custom) for statement, generic, custom in cursor.fetchall()}
