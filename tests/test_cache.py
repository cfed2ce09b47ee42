"""The page cache (portal/cache.py): anonymous GETs from the cache, nothing stale, nothing private.

A hit skips every middleware inside the cache (sessions, auth, CSRF …) but still gets
what sits outside it (HTTPS redirect, HSTS, CSP, CORS): the tests below check both.

The cache is off under the test settings; every test here turns it on, with
process-local caches of its own (the file-based data version of a real
deployment is shared with other processes on the machine).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client

from portal.cache import (
    HEADER,
    BoundedLocMemCache,
    Entry,
    PageCacheMiddleware,
    _size_of,
    cache_key,
    data_version,
)
from records.loading import load_gazette_file, publish_gazette, unpublish_gazette
from records.models import Article, Gazette
from records.parsing import IssueMetadata
from tests.conftest import SAMPLES

pytestmark = pytest.mark.django_db

YINGKOU = "yingkou-congress-2021-03.txt"
HULUDAO = "huludao-government-2020-02.txt"
HULUDAO_META = IssueMetadata(issuer="葫芦岛市人民政府", region="葫芦岛市", kind="government")


@pytest.fixture
def page_cache(settings):
    settings.PORTAL_PAGE_CACHE = True
    settings.PORTAL_API_RATE = None
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-cache-default",
        },
        "pages": {
            "BACKEND": "portal.cache.BoundedLocMemCache",
            "LOCATION": "test-cache-pages",
            "OPTIONS": {"MAX_BYTES": 8 * 1024 * 1024},
        },
        "data_version": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-cache-version",
        },
    }
    for alias in ("default", "pages", "data_version"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages", "data_version"):
        caches[alias].clear()


def load(name: str, metadata: IssueMetadata | None = None, *, publish: bool = True) -> Gazette:
    report = load_gazette_file(
        (SAMPLES / name).read_bytes(), filename=name, metadata=metadata, publish=publish
    )
    return report.gazette


@pytest.fixture
def yingkou(page_cache) -> Gazette:
    return load(YINGKOU)


def text(response) -> str:
    return response.content.decode()


def test_an_anonymous_page_comes_from_the_cache_without_a_query(
    client, yingkou, django_assert_num_queries
):
    first = client.get("/gazettes/")
    assert first.status_code == 200 and first[HEADER] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/gazettes/")
    assert second[HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The middleware outside the cache still runs: security headers on every hit.
    assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "DENY"
    # Another query string is another page.
    assert client.get("/gazettes/?year=2021")[HEADER] == "miss"


def test_publishing_withdrawing_and_loading_invalidate_at_once(client, yingkou):
    title = str(yingkou)
    for url in ("/gazettes/", "/", f"/api/v1/gazettes/{yingkou.pk}/"):
        client.get(url)
        assert client.get(url)[HEADER] == "hit"

    unpublish_gazette(yingkou)
    listing = client.get("/gazettes/")
    assert listing[HEADER] == "miss" and title not in text(listing)
    assert client.get(f"/api/v1/gazettes/{yingkou.pk}/").status_code == 404

    publish_gazette(yingkou)
    listing = client.get("/gazettes/")
    assert listing[HEADER] == "miss" and title in text(listing)
    assert client.get(f"/api/v1/gazettes/{yingkou.pk}/").status_code == 200

    assert client.get("/gazettes/")[HEADER] == "hit"
    huludao = load(HULUDAO, HULUDAO_META)
    listing = client.get("/gazettes/")
    assert listing[HEADER] == "miss" and str(huludao) in text(listing)


def test_a_draft_load_changes_nothing_public_but_still_moves_the_version(client, yingkou):
    before = data_version()
    load(HULUDAO, HULUDAO_META, publish=False)
    assert data_version() != before
    assert "葫芦岛" not in text(client.get("/gazettes/"))


def test_a_correction_saved_by_a_clerk_invalidates_the_page(client, yingkou):
    article = Article.objects.filter(gazette=yingkou).order_by("number").first()
    url = f"/articles/{article.pk}/"
    client.get(url)
    assert client.get(url)[HEADER] == "hit"
    article.title = "校对后的标题"
    article.corrected_fields = ["title"]
    article.save()  # what CorrectionAdmin.save_model does: post_save bumps the version
    page = client.get(url)
    assert page[HEADER] == "miss" and "校对后的标题" in text(page)


def test_a_signed_in_clerk_never_gets_or_leaves_a_cached_page(client, yingkou):
    client.get("/gazettes/")
    assert client.get("/gazettes/")[HEADER] == "hit"
    clerk = get_user_model().objects.create_user(
        "clerk", password="a-long-clerk-password", is_staff=True
    )
    client.force_login(clerk)
    for url in ("/gazettes/", "/people/", "/api/v1/gazettes/"):
        response = client.get(url)
        assert response.status_code == 200 and HEADER not in response
    client.logout()
    client.cookies.clear()
    assert client.get("/people/")[HEADER] == "miss"  # nothing the clerk saw was stored


def test_authorization_header_and_messages_cookie_bypass_the_cache(client, yingkou):
    client.get("/gazettes/")
    assert HEADER not in client.get("/gazettes/", HTTP_AUTHORIZATION="Token abc")
    client.cookies["messages"] = "x"
    assert HEADER not in client.get("/gazettes/")


def test_post_is_never_cached_and_the_error_report_form_is_never_stored(client, yingkou):
    form = client.get("/report/?path=/gazettes/")
    assert form.status_code == 200 and HEADER not in form
    assert "csrfmiddlewaretoken" in text(form)
    again = client.get("/report/?path=/gazettes/")
    assert HEADER not in again
    posted = client.post("/report/", {"path": "/gazettes/", "message": "这一期的页码有误。"})
    assert HEADER not in posted
    assert HEADER not in client.post("/gazettes/")  # 405, and not stored either
    assert client.get("/gazettes/")[HEADER] == "miss"


def test_a_page_that_asked_for_a_csrf_token_is_never_stored(rf, page_cache):
    def view(request):
        token = get_token(request)
        return HttpResponse(
            f'<form method="post"><input name="csrfmiddlewaretoken" value="{token}"></form>'
        )

    middleware = PageCacheMiddleware(view)
    first = middleware(rf.get("/some/page/"))
    second = middleware(rf.get("/some/page/"))
    assert HEADER not in first and HEADER not in second
    assert first.content != second.content  # each reader has a token of their own

    # The token's field in a page is enough, whoever rendered it.
    middleware = PageCacheMiddleware(
        lambda request: HttpResponse('<input name="csrfmiddlewaretoken">')
    )
    assert HEADER not in middleware(rf.get("/other/"))
    assert HEADER not in middleware(rf.get("/other/"))


def test_no_store_responses_and_errors_are_not_cached(client, yingkou):
    assert HEADER not in client.get("/healthz")  # never_cache: private, no-store
    assert client.get("/gazettes/999999/").status_code == 404
    assert HEADER not in client.get("/gazettes/999999/")


def test_api_hits_keep_etags_answer_304_and_vary_on_accept(client, yingkou):
    url = "/api/v1/gazettes/"
    first = client.get(url)
    hit = client.get(url)
    assert hit[HEADER] == "hit" and hit["ETag"] == first["ETag"]
    assert hit["Content-Type"].startswith("application/json")
    assert hit.json() == first.json()
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"])
    assert not_modified.status_code == 304
    csv = client.get(url, HTTP_ACCEPT="text/csv")
    assert csv[HEADER] == "miss" and csv["Content-Type"].startswith("text/csv")
    assert client.get(url, HTTP_ACCEPT="text/csv")[HEADER] == "hit"
    assert client.get(url + "?format=csv")[HEADER] == "miss"


def test_api_hits_still_count_against_the_rate_limit(client, yingkou, settings):
    settings.PORTAL_API_RATE = "3/min"
    url = "/api/v1/publications/"
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(url).json()["error"]["code"] == "throttled"


def test_the_cache_can_be_turned_off(client, yingkou, settings):
    settings.PORTAL_PAGE_CACHE = False
    client.get("/gazettes/")
    assert HEADER not in client.get("/gazettes/")


def test_the_local_store_is_bounded_in_bytes():
    store = BoundedLocMemCache(
        "test-bounded", {"OPTIONS": {"MAX_ENTRIES": 1000, "MAX_BYTES": 10_000}}
    )
    store.clear()
    for number in range(10):
        store.set(f"page-{number}", b"x" * 3000)
    kept = [number for number in range(10) if store.get(f"page-{number}") is not None]
    assert kept == [7, 8, 9]  # the least recently used went first
    store.clear()


def test_the_file_based_data_version_is_shared_by_every_process(page_cache, settings, tmp_path):
    from django.core.cache.backends.filebased import FileBasedCache

    from portal.cache import VERSION_KEY, bump_data_version

    settings.CACHES = {
        **settings.CACHES,
        "data_version": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        },
    }
    first = data_version()
    assert data_version() == first
    # Another process (a manage.py load, another worker) bumps the same file.
    FileBasedCache(str(tmp_path), {}).set(VERSION_KEY, "from-another-process", timeout=None)
    assert data_version() == "from-another-process"
    bump_data_version()
    assert data_version() not in (first, "from-another-process")


# --- where the cache sits, and what a hit skips ----------------------------------------------


def test_the_cache_sits_inside_what_every_response_needs_and_outside_the_rest(settings):
    order = settings.MIDDLEWARE
    cache = order.index("portal.cache.PageCacheMiddleware")
    outside = {
        "django.middleware.security.SecurityMiddleware",
        "portal.middleware.SecurityHeadersMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "corsheaders.middleware.CorsMiddleware",
    }
    assert set(order[:cache]) == outside
    assert "django.contrib.sessions.middleware.SessionMiddleware" in order[cache:]
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" in order[cache:]


def test_a_hit_runs_no_query_and_never_loads_the_session_or_the_user(
    client, yingkou, django_assert_num_queries
):
    client.cookies["csrftoken"] = "a" * 32  # a cookie that is neither a session nor messages
    miss = client.get("/people/")
    assert miss[HEADER] == "miss"
    for url in ("/people/", "/people/"):
        with django_assert_num_queries(0):
            hit = client.get(url)
        assert hit[HEADER] == "hit" and hit.content == miss.content
        # The middleware inside the cache never ran: no session, no user on the request.
        assert not hasattr(hit.wsgi_request, "session")
        assert not hasattr(hit.wsgi_request, "user")


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


@pytest.mark.parametrize("url", ["/", "/gazettes/", "/people/", "/api/v1/gazettes/"])
def test_a_hit_carries_exactly_the_headers_of_the_miss(client, yingkou, url):
    miss = client.get(url)
    hit = client.get(url)
    assert (miss[HEADER], hit[HEADER]) == ("miss", "hit")
    assert dict(hit.items()) == {**dict(miss.items()), HEADER: "hit"}
    for name in SECURITY_HEADERS:
        assert hit[name], name


def test_hsts_and_the_https_redirect_apply_to_hits(page_cache, yingkou, settings):
    # SecurityMiddleware reads these when the middleware is loaded: before the first request.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    miss = client.get("/gazettes/", secure=True)
    hit = client.get("/gazettes/", secure=True)
    assert (miss[HEADER], hit[HEADER]) == ("miss", "hit")
    assert hit["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert dict(hit.items()) == {**dict(miss.items()), HEADER: "hit"}
    plain = client.get("/gazettes/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/gazettes/"


def test_a_host_outside_allowed_hosts_is_refused_even_when_the_page_is_cached(client, yingkou):
    client.get("/gazettes/")
    assert client.get("/gazettes/")[HEADER] == "hit"
    assert client.get("/gazettes/", HTTP_HOST="evil.example").status_code == 400


def test_cors_headers_follow_the_request_not_the_stored_entry(client, yingkou):
    origin = {"HTTP_ORIGIN": "https://reader.example"}
    plain = client.get("/api/v1/gazettes/")
    assert plain[HEADER] == "miss" and "Access-Control-Allow-Origin" not in plain
    cross = client.get("/api/v1/gazettes/", **origin)
    assert cross[HEADER] == "hit"
    assert cross["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in cross["Access-Control-Expose-Headers"]
    # The reverse: stored for a cross-origin reader, replayed to one without an Origin.
    first = client.get("/api/v1/publications/", **origin)
    assert first[HEADER] == "miss" and first["Access-Control-Allow-Origin"] == "*"
    again = client.get("/api/v1/publications/")
    assert again[HEADER] == "hit" and "Access-Control-Allow-Origin" not in again
    assert "Access-Control-Expose-Headers" not in again
    for response in (plain, cross, first, again):
        assert "Origin" in response["Vary"]


def test_a_clerk_with_a_session_never_gets_the_anonymous_entry(client, yingkou):
    for url in ("/", "/gazettes/", "/api/v1/gazettes/"):
        client.get(url)
        assert client.get(url)[HEADER] == "hit"
    clerk = get_user_model().objects.create_user(
        "clerk", password="a-long-clerk-password", is_staff=True
    )
    client.force_login(clerk)
    for url in ("/", "/gazettes/", "/api/v1/gazettes/"):
        response = client.get(url)
        assert HEADER not in response
        assert response.wsgi_request.session["_auth_user_id"] == str(clerk.pk)  # the stack ran
        assert HEADER not in client.head(url)


def test_a_hit_answers_304_to_a_current_etag_or_date_without_a_query(
    client, yingkou, django_assert_num_queries
):
    url = "/api/v1/gazettes/"
    first = client.get(url)
    assert first[HEADER] == "miss" and first["ETag"] and first["Last-Modified"]
    with django_assert_num_queries(0):
        by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        stale = client.get(url, HTTP_IF_NONE_MATCH='W/"something-else"')
    for response in (by_etag, by_date):
        assert response.status_code == 304 and response.content == b""
        assert response["ETag"] == first["ETag"]
    assert stale.status_code == 200 and stale[HEADER] == "hit"


def test_head_has_entries_of_its_own_without_a_body(client, yingkou, django_assert_num_queries):
    url = "/api/v1/gazettes/"
    get = client.get(url)
    head = client.head(url)  # a GET entry does not answer HEAD
    assert head.status_code == 200 and head[HEADER] == "miss" and head.content == b""
    with django_assert_num_queries(0):
        again = client.head(url)
    assert again[HEADER] == "hit" and again.content == b""
    assert again["Content-Length"] == get["Content-Length"] == str(len(get.content))
    assert again["ETag"] == get["ETag"]
    stored = [value for value in caches["pages"]._cache.values() if value.content == b""]
    assert len(stored) == 1  # the HEAD entry keeps no body
    # A view that allows only GET answers 405 to HEAD, whether its GET is cached or not.
    client.get("/gazettes/")
    assert client.get("/gazettes/")[HEADER] == "hit"
    for _ in range(2):
        response = client.head("/gazettes/")
        assert response.status_code == 405 and HEADER not in response


def test_a_hit_builds_no_throttle_when_the_api_limit_is_off(client, yingkou, settings, monkeypatch):
    from records.api.throttling import ApiAnonRateThrottle

    settings.PORTAL_API_RATE = ""
    client.get("/api/v1/publications/")

    def no_throttle(*args, **kwargs):
        raise AssertionError("a hit built a throttle although the limit is off")

    monkeypatch.setattr(ApiAnonRateThrottle, "__init__", no_throttle)
    assert [client.get("/api/v1/publications/")[HEADER] for _ in range(3)] == ["hit"] * 3


def test_a_publish_invalidates_hits_of_every_kind_at_once(client, yingkou):
    url = "/api/v1/gazettes/"
    etag = client.get(url)["ETag"]
    client.head(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    huludao = load(HULUDAO, HULUDAO_META)
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh[HEADER] == "miss" and fresh["ETag"] != etag
    assert str(huludao.pk) in text(fresh)
    assert client.head(url)[HEADER] == "miss"


def test_large_pages_up_to_the_limit_are_kept_and_replayed(rf, page_cache, settings):
    limit = settings.PORTAL_PAGE_CACHE_MAX_ENTRY
    bodies = {"/big/": b"\xe5\x85\xac" * (limit // 3), "/too-big/": b"x" * (limit + 1)}
    middleware = PageCacheMiddleware(
        lambda request: HttpResponse(bodies[request.path], content_type="text/plain")
    )
    first = middleware(rf.get("/big/"))
    second = middleware(rf.get("/big/"))
    assert (first[HEADER], second[HEADER]) == ("miss", "hit")
    assert second.content == bodies["/big/"] and second["Content-Type"] == "text/plain"
    assert caches["pages"]._cache.nbytes >= len(bodies["/big/"])
    assert HEADER not in middleware(rf.get("/too-big/"))
    assert HEADER not in middleware(rf.get("/too-big/"))


def test_the_key_takes_the_language_only_when_there_are_several(rf, settings):
    english, chinese = (rf.get("/", HTTP_ACCEPT_LANGUAGE=lang) for lang in ("en", "zh-hans"))
    assert cache_key(english, "v") == cache_key(chinese, "v")  # one language: one page
    settings.LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
    assert cache_key(english, "v") != cache_key(chinese, "v")
    assert cache_key(rf.head("/"), "v") != cache_key(rf.get("/"), "v")


def test_the_local_store_keeps_a_running_total_of_its_size():
    store = BoundedLocMemCache(
        "test-running-total", {"OPTIONS": {"MAX_ENTRIES": 5, "MAX_BYTES": 10_000}}
    )
    store.clear()

    def total() -> int:
        assert store._cache.nbytes == sum(_size_of(value) for value in store._cache.values())
        return store._cache.nbytes

    entry = Entry(200, (("Content-Type", "text/html"),), b"y" * 1000, None, None)
    store.set("entry", entry)
    bigger = entry._replace(content=b"z" * 2000)
    store.set("entry", bigger)  # replaced: the old size goes
    assert total() == bigger.nbytes and store.get("entry") is bigger  # kept as is, no copy
    store.set("counter", 1)
    assert store.incr("counter", 5) == 6 and total() == bigger.nbytes + _size_of(6)
    store.set("gone", b"x" * 100, timeout=-1)  # already expired: dropped when asked for
    assert store.get("gone") is None and total() == bigger.nbytes + _size_of(6)
    for number in range(6):  # more entries than MAX_ENTRIES: Django's cull drops some
        store.set(f"page-{number}", b"x" * 1000)
        assert len(store._cache) <= 5 and total() <= 10_000
    store.delete("page-5")
    total()
    store.set("big", b"x" * 9000)  # over MAX_BYTES: the least recently used go
    assert store.get("big") is not None and total() <= 10_000
    store.clear()
    assert total() == 0
