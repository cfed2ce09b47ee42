"""portal.request_memo: values read once per request, and only within one."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.signals import request_finished, request_started
from django.urls import clear_script_prefix, set_script_prefix

from portal.paths import path
from portal.request_memo import remembered

# Django's own handlers of the request signals close stale database connections.
pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


@contextmanager
def request(method: str):
    request_started.send(sender=None, environ={"REQUEST_METHOD": method})
    try:
        yield
    finally:
        request_finished.send(sender=None)


def test_outside_a_request_every_call_reads_again():
    count = Counter()
    assert [remembered("k", count), remembered("k", count)] == [1, 2]


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_within_a_request_a_value_is_read_once(method):
    count = Counter()
    with request(method):
        assert [remembered("k", count), remembered("k", count)] == [1, 1]
    assert remembered("k", count) == 2  # the next request, or none, reads again


def test_read_only_values_are_kept_in_get_and_head_requests_only():
    count = Counter()
    with request("POST"):
        assert [remembered("k", count, read_only=True) for _ in range(2)] == [1, 2]
    with request("GET"):
        assert [remembered("k", count, read_only=True) for _ in range(2)] == [3, 3]


def test_links_follow_the_script_prefix_of_each_request():
    plain = path("records:gazette-detail", 5)
    try:
        set_script_prefix("/portal/")
        with request("GET"):
            assert path("records:gazette-detail", 5) == "/portal" + plain
    finally:
        clear_script_prefix()
    with request("GET"):
        assert path("records:gazette-detail", 5) == plain
