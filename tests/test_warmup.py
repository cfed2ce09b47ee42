"""portal/warmup.py: a worker freezes what its first requests built, collecting first."""

import gc
import weakref

import pytest
from django.core.signals import request_finished

from portal.warmup import FreezeAfterRequests, freeze_after_warm_up


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture
def unfreeze():
    yield
    gc.unfreeze()


def test_freezes_at_each_count_then_stops(unfreeze):
    receiver = FreezeAfterRequests(after=(3, 5))
    before = gc.get_freeze_count()
    receiver()
    receiver()
    assert gc.get_freeze_count() == before
    receiver()
    first = gc.get_freeze_count()
    assert first > before
    kept = [Node() for _ in range(50)]  # tracked after the first freeze
    receiver()
    assert gc.get_freeze_count() == first  # nothing at the fourth request
    receiver()
    assert gc.get_freeze_count() >= first + len(kept)
    assert receiver.pending == []
    gc.unfreeze()
    receiver()  # past the last count nothing is frozen
    assert gc.get_freeze_count() == 0


def test_collects_before_freezing_so_no_garbage_is_kept(unfreeze):
    garbage = Node()
    alive = weakref.ref(garbage)
    del garbage
    assert alive() is not None  # a cycle outlives its last name
    FreezeAfterRequests(after=(1,))()
    assert alive() is None


def test_counts_finished_requests_until_its_last_freeze(unfreeze, client):
    receiver = freeze_after_warm_up(after=(2,))
    try:
        client.get("/healthz")
        before = gc.get_freeze_count()
        client.get("/healthz")
        assert gc.get_freeze_count() > before
        client.get("/healthz")
        assert receiver.served == 2  # disconnected after its last freeze
    finally:
        request_finished.disconnect(receiver)
