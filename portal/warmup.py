"""Keep the garbage collector off what a worker builds while it warms up.

``portal/wsgi.py`` freezes the objects made by loading Django and the portal,
but a worker goes on making long-lived objects while it serves its first
requests: compiled templates, URL patterns, model metadata, kept lists
(about 56,000 more after one request of every benchmark page). Every full
collection walked them again: 42–58 ms each, every fifty or so requests of a
list page, and those requests were among a worker's slowest. Frozen as well,
after a collection so that no garbage is kept, the full collections took
6–7 ms (bench/RESULTS.md).

The freeze is repeated at each count of requests in ``FREEZE_AFTER``, for what
later pages build; each costs one full collection, after a response is sent.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence
from typing import Any

from django.core.signals import request_finished

FREEZE_AFTER = (100, 1_000, 10_000)


class FreezeAfterRequests:
    """A ``request_finished`` receiver: collect, then freeze, after each count of requests."""

    def __init__(self, after: Sequence[int] = FREEZE_AFTER) -> None:
        self.pending = sorted(after)
        self.served = 0
        self._lock = threading.Lock()  # threaded servers (runserver, gthread) finish in parallel

    def __call__(self, **kwargs: Any) -> None:
        with self._lock:
            self.served += 1
            if not self.pending or self.served < self.pending[0]:
                return
            self.pending.pop(0)
            last = not self.pending
        gc.collect()  # garbage frozen would never be freed
        gc.freeze()
        if last:
            request_finished.disconnect(self)


def freeze_after_warm_up(after: Sequence[int] = FREEZE_AFTER) -> FreezeAfterRequests:
    receiver = FreezeAfterRequests(after)
    request_finished.connect(receiver, weak=False)
    return receiver
