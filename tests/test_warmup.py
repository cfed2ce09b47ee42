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


def frozen(thing) -> bool:
    # The collector's lists leave out the frozen objects. (The count of frozen objects
    # is no measure: frozen objects are still freed when nothing refers to them.)
    return not any(tracked is thing for tracked in gc.get_objects())


def test_freezes_at_each_count_then_stops(unfreeze):
    receiver = FreezeAfterRequests(after=(3, 5))
    early = Node()
    receiver()
    receiver()
    assert not frozen(early)
    receiver()
    assert frozen(early)
    later = Node()
    receiver()
    assert not frozen(later)  # nothing at the fourth request
    receiver()
    assert frozen(later)
    assert receiver.pending == []
    gc.unfreeze()
    receiver()  # past the last count nothing is frozen
    assert not frozen(later)


def test_collects_before_freezing_so_no_garbage_is_kept(unfreeze):
    gc.disable()  # only the receiver's own collection may free the cycle
    try:
        garbage = Node()
        alive = weakref.ref(garbage)
        del garbage
        assert alive() is not None  # a cycle outlives its last name
        FreezeAfterRequests(after=(1,))()
        assert alive() is None
    finally:
        gc.enable()


def test_counts_finished_requests_until_its_last_freeze(unfreeze, client):
    receiver = freeze_after_warm_up(after=(2,))
    try:
        client.get("/healthz")
        made = Node()
        assert not frozen(made)
        client.get("/healthz")
        assert frozen(made)
        client.get("/healthz")
        assert receiver.served == 2  # disconnected after its last freeze
    finally:
        request_finished.disconnect(receiver)
