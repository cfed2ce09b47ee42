"""Values read once per request instead of at every use.

A page reads some values many times that cannot change while it is built: the
script prefix and URL configuration of every link, the data version of every
kept option list. ``remembered`` keeps each for the rest of the request; the
memo lives from ``request_started`` to ``request_finished``. Outside a request
(commands, a shell) there is no memo and every call reads again.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")

_READ_ONLY = "read-only request"
_memo: ContextVar[dict[str, Any] | None] = ContextVar("portal_request_memo", default=None)


def _request_began(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    method = (environ or {}).get("REQUEST_METHOD", "")
    _memo.set({_READ_ONLY: method in ("GET", "HEAD")})


def _request_ended(sender: Any, **kwargs: Any) -> None:
    _memo.set(None)


request_started.connect(_request_began, dispatch_uid="portal.request_memo.started")
request_finished.connect(_request_ended, dispatch_uid="portal.request_memo.finished")


def remembered(key: str, compute: Callable[[], T], *, read_only: bool = False) -> T:
    """``compute()``, once per request; ``read_only``: kept only in a GET or HEAD request,
    as a request that writes may change what was read."""
    memo = _memo.get()
    if memo is None or (read_only and not memo[_READ_ONLY]):
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
