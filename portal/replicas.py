"""Public pages and the API read from PostgreSQL read replicas (DATABASE_REPLICA_URL).

What reads a replica: a GET or HEAD of an anonymous reader (no session or
messages cookie, no Authorization header) outside /admin/, and only when the
replica has replayed the primary's write-ahead log as far as the primary had
written it after the last change of a public record. Everything else reads and
writes the primary (``default``): clerks signed in, the admin, every POST, the
loader and every ``manage.py`` command.

Why the position check. Publishing commits on the primary and bumps the data
version (portal.cache) when it has committed; a replica a moment behind would
render the issue as it was and the page would be kept under the new version
until the next change. So each process reads the primary's position once per
data version (and again after ``POSITION_SECONDS``), reading the version first:
a change committed before the version was read is before that position. A
replica that has replayed past it shows every change the version stands for,
as the page cache does. A replica that is behind, or does not answer, is passed
over and the request reads the primary; one that does not answer is left alone
for ``RETRY_SECONDS`` in this process. When the primary does not answer, readers
still get pages: a replica is read as it is, and the response says ``no-store``
so that no cache keeps it under a version it may not show. A server that is not
in recovery (a logical replica, or the primary itself under test) cannot tell
its position this way and is read as it is.

It costs a request that reads a replica one short statement on the replica, and
one on the primary when the version has moved; a page the cache answers reads no
database at all (PageCacheMiddleware sits outside this one). The version is the
page cache's (Redis with several servers, as README says): were it not shared,
``POSITION_SECONDS`` bounds how far behind a page can be.

The routing is a router and a context variable rather than django-multidb-router:
that router reads every replica by default, commands and the loader included
(the loader reads before it writes), and knows nothing of the replica's position.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from portal import cache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30.0
POSITION_SECONDS = 1.0
# Where a signed-in clerk works: always the primary, whatever cookies the request has.
PRIMARY_PATHS = ("/admin/",)

_reading: ContextVar[str | None] = ContextVar("portal_reading_alias", default=None)
_unreachable_until: dict[str, float] = {}
# (data version, when read, the primary's position then): this process's last reading.
_position: tuple[str, float, str | None] | None = None


def reading_alias() -> str:
    """The database the current request reads: a replica's alias, or ``default``."""
    return _reading.get() or DEFAULT_DB_ALIAS


def read_connection() -> BaseDatabaseWrapper:
    """The connection for a read-only statement written by hand (the ORM's go by the router)."""
    return connections[reading_alias()]


class ReplicaRouter:
    """Reads go where ReplicaMiddleware pointed the request; writes and migrations to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _reading.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every alias holds the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def anonymous_read(request: HttpRequest) -> bool:
    return cache.anonymous_read(request, outside=PRIMARY_PATHS)


def _primary_position() -> str | None:
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor != "postgresql":
        return None
    with primary.cursor() as cursor:
        # The insert position, not the write position: it covers a commit made with
        # synchronous_commit off, which returns before its record is written.
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        (position,) = cursor.fetchone()
    return position


def required_position() -> str | None:
    """The primary's position as of the current data version (None: not PostgreSQL)."""
    global _position
    version = cache.data_version()  # before the position: see the module's docstring
    now = time.monotonic()
    if _position is not None:
        known_version, read_at, position = _position
        if known_version == version and now - read_at < POSITION_SECONDS:
            return position
    position = _primary_position()
    _position = (version, now, position)
    return position


def _has_replayed(alias: str, position: str | None) -> bool:
    replica = connections[alias]
    if position is None or replica.vendor != "postgresql":
        return True
    with replica.cursor() as cursor:
        # NULL from a server that is not replaying a primary's log: read it as it is.
        cursor.execute(
            "SELECT pg_last_wal_replay_lsn() IS NULL OR pg_last_wal_replay_lsn() >= %s::pg_lsn",
            [position],
        )
        (replayed,) = cursor.fetchone()
    return bool(replayed)


def _pass_over(alias: str, now: float, error: DatabaseError) -> None:
    _unreachable_until[alias] = now + RETRY_SECONDS
    connections[alias].close()
    logger.warning("database %s passed over for %.0f s: %s", alias, RETRY_SECONDS, error)


def choose_replica(aliases: Iterable[str]) -> tuple[str, bool] | None:
    """A replica to read, and whether it is known to be up to date; None for the primary.

    A replica is up to date when it has replayed the primary's position as of the
    current data version. When the primary does not answer, its position is not
    known: a replica is read as it is, so that readers still get pages.
    """
    now = time.monotonic()
    candidates = [alias for alias in aliases if _unreachable_until.get(alias, 0.0) <= now]
    if not candidates:
        return None
    random.shuffle(candidates)
    position: str | None = None
    known = _unreachable_until.get(DEFAULT_DB_ALIAS, 0.0) <= now
    if known:
        try:
            position = required_position()
        except DatabaseError as error:
            _pass_over(DEFAULT_DB_ALIAS, now, error)
            known = False
    for alias in candidates:
        try:
            if not known or _has_replayed(alias, position):
                return alias, known
        except DatabaseError as error:
            _pass_over(alias, now, error)
    return None


class ReplicaMiddleware:
    """Point an anonymous reader's request at a replica that is up to date (see module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        replicas = getattr(settings, "PORTAL_READ_REPLICAS", ())
        if not replicas or not anonymous_read(request):
            return self.get_response(request)
        chosen = choose_replica(replicas)
        if chosen is None:
            return self.get_response(request)
        alias, up_to_date = chosen
        _reading.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _reading.set(None)
        if not up_to_date:
            # Perhaps older than the data version says: not for the page cache, nor
            # for any other cache on the way.
            patch_cache_control(response, no_store=True)
        return response
