"""Whole-response cache for anonymous readers, keyed on a data version that publishing bumps.

``PageCacheMiddleware`` keeps the GET and HEAD responses of the public pages and
of /api/ and answers the same request again from the cache, without touching
the database. The key is (data version, method, absolute URL with its query
string, Accept header): the URL carries the host, the filters, the page, the
cursor and ``?format=``; Accept is DRF's other way of asking for a format.

The data version is one key in a cache every process shares (Redis with
REDIS_URL, else a file-based cache under var/: the web workers and the
``manage.py`` commands of one machine). ``bump_data_version()`` replaces it
with a new random token, so every page cached before is out of date at once;
it is called by the write path (records.loading: load_gazette,
publish_gazette, unpublish_gazette) and, through ``post_save`` /
``post_delete`` / ``m2m_changed``, by every other change of a public record
(the admin's corrections, merging and splitting people). It bumps at once
and again when the transaction commits: a page rendered from the old rows
while the transaction was open is cached under a version nobody asks for any
more.

Where it sits (the end of portal/settings.py). A hit skips every middleware
inside the cache, so only what must see every request and every response is
outside it, and runs on hits too:

* SecurityMiddleware: the HTTPS redirect; HSTS (on HTTPS requests only, so it
  depends on the request), nosniff, Referrer-Policy, Cross-Origin-Opener-Policy;
* SecurityHeadersMiddleware (portal/middleware.py): Content-Security-Policy,
  Permissions-Policy;
* WhiteNoise: static files are answered before the cache is asked;
* CorsMiddleware: Access-Control-Allow-Origin only when the request has an
  Origin header. Being outside, its headers never enter an entry: a reader
  with an Origin gets them on a hit stored for one without, and the reverse
  leaks nothing.

Inside, skipped by a hit; the headers they set are stored with the entry and
replayed, which is right because none depends on the (anonymous) request:

* sessions, auth, django-otp, messages: a request with a session or messages
  cookie or an Authorization header never hits, so a hit is always for an
  anonymous reader; a response that sets a cookie is not stored;
* locale: the site has one language, so Content-Language and Vary:
  Accept-Language are the same for every reader (were there several, the key
  would take Accept-Language and the language cookie);
* CommonMiddleware: Content-Length. The Host header is still checked on a hit
  (the key is built with ``request.get_host()``: a host outside ALLOWED_HOSTS
  gets 400);
* CSRF: a GET needs no check, and a page holding a token is never stored;
* simple-history (who made a change: nothing on a GET), X-Frame-Options (the
  same for every request, or the view's own choice), django-axes (sign-in is
  under /admin/, never cached).

What is never cached or served from the cache:

* anything but GET and HEAD; /admin/ and /report/ (``PORTAL_PAGE_CACHE_EXCLUDE``);
* a request with an Authorization header, a session cookie or a messages
  cookie: a signed-in clerk always gets a fresh page;
* a response that is not a 200, is streamed, sets a cookie, says
  ``private`` or ``no-store`` (/healthz), or asked for a CSRF token (a page
  with a POST form: the token belongs to one reader), or is larger than
  ``PORTAL_PAGE_CACHE_MAX_ENTRY`` bytes.

HEAD has entries of its own, made from the view's own answer to HEAD and kept
without the body (Content-Length stays that of the GET): a view that allows
only GET answers 405 to HEAD whether the GET is cached or not.

An entry holds what a hit needs, ready: status, header list (with
``X-Page-Cache: hit``), body, ETag and Last-Modified as a timestamp. A hit is
one lookup of the data version, one cache get and a response built from the
entry (without Redis, the entry is not even unpickled: ``BoundedLocMemCache``).
A hit under /api/ still counts against the client's rate limit
(records.api.throttling; nothing to count when PORTAL_API_RATE is empty), and
answers 304 when the client's ETag or Last-Modified is current, as the API
itself does. Responses carry ``X-Page-Cache: hit`` or ``miss``.

Settings: ``PORTAL_PAGE_CACHE`` (on unless the environment variable
PORTAL_PAGE_CACHE=0; off under the test settings), the cache aliases
``pages`` and ``data_version`` (portal/settings.py), ``PORTAL_PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
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
# Part of every key: entries of another layout (a shared Redis across a deploy) are never read.
_KEY_PREFIX = "page2"
_CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_PAGE_CACHE", False))


def versioned() -> bool:
    """Whether changes bump the data version: for the page cache, and for the read
    replicas, which ask the primary where it is again when the version moves."""
    return enabled() or bool(getattr(settings, "PORTAL_READ_REPLICAS", ()))


# --- the data version -------------------------------------------------------------------


_file_memo: dict[str, Any] = {"stamp": None, "value": None, "dir": None, "path": None}


def _version_file(store: FileBasedCache) -> str:
    """The file holding the version; computed once per cache directory (it hashes the key)."""
    if _file_memo["dir"] != store._dir:
        _file_memo.update(dir=store._dir, path=store._key_to_file(VERSION_KEY))
    return _file_memo["path"]


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
            info = os.stat(_version_file(store))
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
    if not versioned():
        return
    _new_version()
    transaction.on_commit(_new_version)


def _is_public_model(sender: Any) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in _WATCHED_APPS:
        return False
    return not (meta.label_lower in _PRIVATE_MODELS or meta.object_name.startswith("Historical"))


def _on_change(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or not versioned() or not _is_public_model(sender):
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: bump after the change, not before
    bump_data_version()


post_save.connect(_on_change, dispatch_uid="portal.cache.post_save")
post_delete.connect(_on_change, dispatch_uid="portal.cache.post_delete")
m2m_changed.connect(_on_change, dispatch_uid="portal.cache.m2m_changed")


# --- the process-local store (when there is no Redis) ---------------------------------------


class Entry(NamedTuple):
    """One cached response, with everything a hit needs already worked out."""

    status: int
    headers: tuple[tuple[str, str], ...]  # as sent, X-Page-Cache: hit included
    content: bytes  # empty for HEAD
    etag: str | None
    last_modified: int | None  # the Last-Modified header as a timestamp

    @property
    def nbytes(self) -> int:
        return len(self.content) + sum(len(name) + len(value) for name, value in self.headers)


def _size_of(value: Any) -> int:
    """About how many bytes a value kept in the store holds (what MAX_BYTES bounds)."""
    if isinstance(value, Entry):
        return value.nbytes
    if isinstance(value, bytes | str):
        return len(value)
    return len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


class _SizedStore(OrderedDict[str, Any]):
    """LocMemCache's store, keeping the total size of its values as they come and go.

    Every way LocMemCache changes its store goes through these four methods
    (``popitem`` and ``clear`` do not call ``__delitem__``), so the total is
    right without summing every entry on each set.
    """

    def __init__(self) -> None:
        super().__init__()
        self.nbytes = 0

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self:
            self.nbytes -= _size_of(self[key])
        super().__setitem__(key, value)
        self.nbytes += _size_of(value)

    def __delitem__(self, key: str) -> None:
        self.nbytes -= _size_of(self[key])
        super().__delitem__(key)

    def popitem(self, last: bool = True) -> tuple[str, Any]:
        key, value = super().popitem(last)
        self.nbytes -= _size_of(value)
        return key, value

    def clear(self) -> None:
        super().clear()
        self.nbytes = 0


class BoundedLocMemCache(LocMemCache):
    """Django's local-memory cache, bounded in bytes as well as entries (OPTIONS MAX_BYTES).

    The least recently used pages go first, so that a worker's memory stays
    bounded whatever readers ask for.

    Values are kept as they are given, not pickled as LocMemCache does: a hit
    hands back the stored page without unpickling (copying) it, which is most
    of the cost of replaying a large page. So only immutable values belong
    here; the page cache keeps ``Entry`` tuples of str, bytes and ints.
    """

    _cache: _SizedStore

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        # LocMemCache shares one store per LOCATION between its instances (one per
        # thread): put ours there before it creates a plain one.
        store = locmem._caches.setdefault(name, _SizedStore())
        if not isinstance(store, _SizedStore):
            raise ImproperlyConfigured(f"Cache location {name!r} is used by another LocMemCache.")
        super().__init__(name, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            self._cache.move_to_end(key, last=False)
            return self._cache[key]

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key: str, delta: int = 1, version: Any = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                raise ValueError(f"Key {key!r} not found")
            value = self._cache[key] + delta
            self._cache[key] = value
            self._cache.move_to_end(key, last=False)
        return value

    def _set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> None:  # under the lock
        super()._set(key, value, timeout)
        while self._cache.nbytes > self._max_bytes and len(self._cache) > 1:
            old, _ = self._cache.popitem()  # the least recently used
            self._expire_info.pop(old, None)


# --- the middleware ---------------------------------------------------------------------------


def _cacheable_request(request: HttpRequest) -> bool:
    excluded = tuple(getattr(settings, "PORTAL_PAGE_CACHE_EXCLUDE", ()))
    return anonymous_read(request, outside=excluded)


def anonymous_read(request: HttpRequest, *, outside: tuple[str, ...]) -> bool:
    """A GET or HEAD outside those paths with nothing that says who is asking."""
    if request.method not in ("GET", "HEAD") or request.path.startswith(outside):
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
    # build_absolute_uri() checks the host against ALLOWED_HOSTS, which CommonMiddleware
    # would do had the request got that far.
    parts = [
        request.method or "",
        request.build_absolute_uri(),
        request.META.get("HTTP_ACCEPT", ""),
    ]
    if len(settings.LANGUAGES) > 1:  # LocaleMiddleware picks the language from these
        parts += [
            request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
        ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{_KEY_PREFIX}:{version}:{digest}"


def _make_entry(request: HttpRequest, response: HttpResponse) -> Entry:
    headers = (*((k, v) for k, v in response.items() if k != HEADER), (HEADER, "hit"))
    modified = response.get("Last-Modified")
    return Entry(
        status=response.status_code,
        headers=headers,
        content=b"" if request.method == "HEAD" else response.content,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(modified) if modified else None,
    )


def _api_throttled(request: HttpRequest) -> bool:
    """Whether a hit under /api/ is over the client's rate limit (counting it if not)."""
    if not request.path.startswith("/api/") or not getattr(settings, "PORTAL_API_RATE", None):
        return False  # no limit (ApiAnonRateThrottle.get_rate): nothing to count
    from rest_framework.request import Request

    from records.api.throttling import ApiAnonRateThrottle

    return not ApiAnonRateThrottle().allow_request(Request(request), None)


def _replay(request: HttpRequest, entry: Entry) -> HttpResponse:
    response = HttpResponse(entry.content, status=entry.status, headers=entry.headers)
    if (entry.etag or entry.last_modified) and any(
        name in request.META for name in _CONDITIONAL_HEADERS
    ):
        return get_conditional_response(
            request, etag=entry.etag, last_modified=entry.last_modified, response=response
        )
    return response


class PageCacheMiddleware:
    """Serve anonymous GETs and HEADs of public pages and the API from the cache (see module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or not _cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request, data_version())
        pages = caches[PAGES_ALIAS]
        entry = pages.get(key)
        if entry is not None:
            if _api_throttled(request):
                return self.get_response(request)  # the API answers 429 in its own shape
            return _replay(request, entry)
        response = self.get_response(request)
        if _cacheable_response(request, response):
            timeout = getattr(settings, "PORTAL_PAGE_CACHE_SECONDS", 3600)
            pages.set(key, _make_entry(request, response), timeout)
            response[HEADER] = "miss"
        return response
