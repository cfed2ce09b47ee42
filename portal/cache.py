"""Whole-response cache for anonymous readers, keyed on a data version that publishing bumps.

``PageCacheMiddleware`` keeps the GET responses of the public pages and of
/api/ and answers the same request again from the cache, without touching the
database. The key is (data version, absolute URL with its query string, Accept
header): the URL carries the filters, the page, the cursor and ``?format=``;
Accept is DRF's other way of asking for a format.

The data version is one key in a cache every process shares (Redis with
REDIS_URL, else a file-based cache under var/: the web workers and the
``manage.py`` commands of one machine). ``bump_data_version()`` replaces it with
a new random token, so every page cached before is out of date at once; it is
called by the write path (records.loading: load_gazette, publish_gazette,
unpublish_gazette) and, through ``post_save`` / ``post_delete`` /
``m2m_changed``, by every other change of a public record (the admin's
corrections, merging and splitting people). It bumps at once and again when
the transaction commits: a page rendered from the old rows while the
transaction was open is cached under a version nobody asks for any more.

What is never cached or served from the cache:

* anything but GET; /admin/ and /report/ (``PORTAL_PAGE_CACHE_EXCLUDE``);
* a request with an Authorization header, a session cookie or a messages
  cookie: a signed-in clerk always gets a fresh page;
* a response that is not a 200, is streamed, sets a cookie, says
  ``private`` or ``no-store`` (/healthz), or asked for a CSRF token (a page
  with a POST form: the token belongs to one reader), or is larger than
  ``PORTAL_PAGE_CACHE_MAX_ENTRY`` bytes.

A hit under /api/ still counts against the client's rate limit
(records.api.throttling), and answers 304 when the client's ETag or
Last-Modified is current, as the API itself does. Responses carry
``X-Page-Cache: hit`` or ``miss``.

Settings: ``PORTAL_PAGE_CACHE`` (on unless the environment variable
PORTAL_PAGE_CACHE=0; off under the test settings), the cache aliases
``pages`` and ``data_version`` (portal/settings.py), ``PORTAL_PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

VERSION_KEY = "portal:data-version"
PAGES_ALIAS = "pages"
VERSION_ALIAS = "data_version"
HEADER = "X-Page-Cache"

# Models whose changes are not public: staged uploads, citizens' reports, audit rows.
_PRIVATE_MODELS = {"records.gazetteimport", "records.errorreport"}
_WATCHED_APPS = {"records", "people"}
_CSRF_FIELD = b"csrfmiddlewaretoken"


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_PAGE_CACHE", False))


# --- the data version -------------------------------------------------------------------


_file_memo: dict[str, Any] = {"stamp": None, "value": None}


def data_version() -> str:
    """The current data version: a random token, the same in every process.

    With the file-based store, the token is read again only when its file
    changed (a bump writes a new file and renames it over the old one): one
    ``stat`` per request instead of opening and unpickling the file.
    """
    store = caches[VERSION_ALIAS]
    stamp = None
    if isinstance(store, FileBasedCache):
        try:
            info = os.stat(store._key_to_file(VERSION_KEY))
            stamp = (store._dir, info.st_ino, info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        if stamp is not None and stamp == _file_memo["stamp"]:
            return _file_memo["value"]
    value = store.get(VERSION_KEY)
    if value is None:
        store.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        value = store.get(VERSION_KEY) or "unset"
    if stamp is not None:
        _file_memo.update(stamp=stamp, value=value)
    return value


def _new_version() -> None:
    caches[VERSION_ALIAS].set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def bump_data_version() -> None:
    """What the public sees has changed: every cached page is out of date from now on.

    Bumps at once, and again when the current transaction commits (at once
    when there is none), so that nothing rendered from the rows as they were
    before the commit stays in use.
    """
    if not enabled():
        return
    _new_version()
    transaction.on_commit(_new_version)


def _is_public_model(sender: Any) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in _WATCHED_APPS:
        return False
    return not (meta.label_lower in _PRIVATE_MODELS or meta.object_name.startswith("Historical"))


def _on_change(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or not enabled() or not _is_public_model(sender):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: bump after the change, not before
    bump_data_version()


post_save.connect(_on_change, dispatch_uid="portal.cache.post_save")
post_delete.connect(_on_change, dispatch_uid="portal.cache.post_delete")
m2m_changed.connect(_on_change, dispatch_uid="portal.cache.m2m_changed")


# --- the process-local store (when there is no Redis) ---------------------------------------


class BoundedLocMemCache(LocMemCache):
    """Django's local-memory cache, bounded in bytes as well as entries (OPTIONS MAX_BYTES).

    The least recently used pages go first, so that a worker's memory stays
    bounded whatever readers ask for.
    """

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(name, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))

    def _set(self, key: str, value: Any, timeout: Any = None) -> None:  # called under the lock
        super()._set(key, value, timeout)
        total = sum(len(v) for v in self._cache.values())
        while total > self._max_bytes and len(self._cache) > 1:
            old, pickled = self._cache.popitem()  # the least recently used
            self._expire_info.pop(old, None)
            total -= len(pickled)


# --- the middleware ---------------------------------------------------------------------------


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    path = request.path
    if path.startswith(tuple(getattr(settings, "PORTAL_PAGE_CACHE_EXCLUDE", ()))):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if "HTTP_COOKIE" not in request.META:
        return True
    cookies = request.COOKIES
    return not (settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies)


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "").lower()
    if "private" in control or "no-store" in control:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # the page holds a CSRF token: it belongs to one reader
    content = response.content
    limit = getattr(settings, "PORTAL_PAGE_CACHE_MAX_ENTRY", 1024 * 1024)
    return len(content) <= limit and _CSRF_FIELD not in content


def cache_key(request: HttpRequest, version: str) -> str:
    raw = "\x1f".join([request.build_absolute_uri(), request.META.get("HTTP_ACCEPT", "")])
    return f"page:{version}:{hashlib.sha256(raw.encode('utf-8')).hexdigest()}"


def _api_throttled(request: HttpRequest) -> bool:
    """Whether a hit under /api/ is over the client's rate limit (counting it if not)."""
    from rest_framework.request import Request

    from records.api.throttling import ApiAnonRateThrottle

    return not ApiAnonRateThrottle().allow_request(Request(request), None)


class PageCacheMiddleware:
    """Serve anonymous GETs of public pages and the API from the cache (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or not _cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request, data_version())
        pages = caches[PAGES_ALIAS]
        entry = pages.get(key)
        if entry is not None:
            if request.path.startswith("/api/") and _api_throttled(request):
                return self.get_response(request)  # the API answers 429 in its own shape
            return self._replay(request, entry)
        response = self.get_response(request)
        if _cacheable_response(request, response):
            headers = [(k, v) for k, v in response.items() if k != HEADER]
            timeout = getattr(settings, "PORTAL_PAGE_CACHE_SECONDS", 3600)
            pages.set(key, (response.status_code, headers, response.content), timeout)
            response[HEADER] = "miss"
        return response

    def _replay(self, request: HttpRequest, entry: tuple[int, list, bytes]) -> HttpResponse:
        status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "hit"
        etag = response.get("ETag")
        modified = response.get("Last-Modified")
        if etag or modified:
            last_modified = parse_http_date_safe(modified) if modified else None
            return get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        return response
