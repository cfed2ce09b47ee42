"""The page cache (portal/cache.py): anonymous GETs from the cache, nothing stale, nothing private.

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

from portal.cache import HEADER, BoundedLocMemCache, PageCacheMiddleware, data_version
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
