"""The sitemap: every public page a search engine may index (published issues only).

Sized for a national corpus (millions of rows): nothing here counts rows or
reads a whole table. Each section is paged by primary-key ranges: page n
lists the public rows with ``(n - 1) * LIMIT < id <= n * LIMIT``. The index
needs one ``MAX(id)`` per table (an index lookup, drafts included, so the
page count is known without looking at the rows) and a page reads at most
LIMIT rows by a range scan of the primary key. Ids of deleted rows and of
rows in unpublished issues leave pages short, or without a public row: the
schema (sitemap.xsd) wants at least one ``<url>`` per file, so such a page
lists the home page. A page's URL stays the same as the table grows, so a
search engine only refetches the pages whose rows changed.

The index carries no ``<lastmod>``: the newest change of a section would be
a scan of its published rows, and one date for every page of a section would
send crawlers to all of them at each change. Each URL of a page carries its
row's ``updated_at`` instead.

The XML is written here rather than by Django's sitemap framework: its
paginator counts the rows, its index reads every row for the lastmod, and its
template costs about 100 µs per URL (half a second for a page of 5,000).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.contrib.sitemaps.views import x_robots_tag
from django.db.models import Max, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from people.models import Person, Post
from records.api.visibility import (
    published_articles,
    published_gazettes,
    published_meetings,
    visible_people,
    visible_posts,
    visible_publications,
)
from records.models import Article, Gazette, Meeting, Publication

# URLs per sitemap file. The protocol allows 50,000, but a page costs about
# 13 µs a URL to read and write (60-70 ms and 0.6 MB for 5,000 on SQLite; ten
# times that for 50,000): small pages keep a crawler from holding a worker.
LIMIT = 5000

XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

STATIC_PAGES = (
    "home",
    "records:gazette-list",
    "records:publication-list",
    "records:meeting-list",
    "records:decision-list",
    "people:person-list",
    "people:post-list",
)


@dataclass(frozen=True)
class Section:
    """One table's detail pages: which rows are public and how their URLs look."""

    model: type[Model]  # its MAX(id) sizes the section
    rows: Callable[[], QuerySet]  # the public rows of that table
    url_name: str  # the detail page, reversed with the row's pk
    changefreq: str
    priority: str = ""
    has_updated_at: bool = True

    def pages(self) -> int:
        """How many pages the index lists: one index lookup, whatever the table's size."""
        top = self.model.objects.aggregate(top=Max("pk"))["top"] or 0
        return max(1, -(-top // LIMIT))

    def page(self, number: int) -> list[tuple[int, dt.datetime | None]]:
        """(pk, updated_at or None) of the public rows of page ``number``, in pk order."""
        rows = self.rows().filter(pk__gt=(number - 1) * LIMIT, pk__lte=number * LIMIT).order_by("pk")
        if self.has_updated_at:
            return list(rows.values_list("pk", "updated_at"))
        return [(pk, None) for pk in rows.values_list("pk", flat=True)]


SECTIONS: dict[str, Section] = {
    "publications": Section(
        Publication, visible_publications, "records:publication-detail", "weekly", has_updated_at=False
    ),
    "gazettes": Section(Gazette, published_gazettes, "records:gazette-detail", "monthly", "0.7"),
    "articles": Section(Article, published_articles, "records:article-detail", "monthly", "0.6"),
    "meetings": Section(Meeting, published_meetings, "records:meeting-detail", "monthly"),
    "people": Section(Person, visible_people, "people:person-detail", "weekly"),
    "posts": Section(Post, visible_posts, "people:post-detail", "weekly", has_updated_at=False),
}


def _origin(request: HttpRequest) -> str:
    return escape(f"{request.scheme}://{request.get_host()}")


def pk_url(url_name: str) -> Callable[[int], str]:
    """The path of ``url_name`` for any pk, reversed once: reverse() costs ~70 µs, 5,000 times a page."""
    marker = "9876543210"
    before, _, after = reverse(url_name, args=[int(marker)]).partition(marker)
    return lambda pk: f"{before}{pk}{after}"


def _xml(root: str, entries: Iterable[str]) -> HttpResponse:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{XMLNS}">\n{"".join(entries)}</{root}>\n'
    return HttpResponse(body.encode("utf-8"), content_type="application/xml")


def _static_url(origin: str, url_name: str) -> str:
    return f"<url><loc>{origin}{reverse(url_name)}</loc><changefreq>daily</changefreq><priority>0.8</priority></url>\n"


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("p", "1")
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise Http404("没有这一页。")
    return int(value)


@x_robots_tag
@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """Every page of every section: one MAX(id) query per section."""
    origin = _origin(request)
    locations = [origin + reverse("records:sitemap-section", args=["pages"])]
    for name, section in SECTIONS.items():
        first = origin + reverse("records:sitemap-section", args=[name])
        locations.append(first)
        locations += [f"{first}?p={number}" for number in range(2, section.pages() + 1)]
    return _xml("sitemapindex", (f"<sitemap><loc>{loc}</loc></sitemap>\n" for loc in locations))


@x_robots_tag
@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page of one section: MAX(id) to refuse pages past the end, then its rows."""
    number = _page_number(request)
    origin = _origin(request)
    if section == "pages":
        if number != 1:
            raise Http404("没有这一页。")
        return _xml("urlset", [_static_url(origin, name) for name in STATIC_PAGES])
    config = SECTIONS.get(section)
    if config is None or number > config.pages():
        raise Http404("没有这一页。")
    url = pk_url(config.url_name)
    tail = f"<changefreq>{config.changefreq}</changefreq>"
    if config.priority:
        tail += f"<priority>{config.priority}</priority>"
    tail += "</url>\n"
    tz = timezone.get_current_timezone()  # once: timezone.localtime() looks it up at each call
    entries = []
    for pk, updated_at in config.page(number):
        lastmod = f"<lastmod>{updated_at.astimezone(tz):%Y-%m-%d}</lastmod>" if updated_at else ""
        entries.append(f"<url><loc>{origin}{url(pk)}</loc>{lastmod}{tail}")
    return _xml("urlset", entries or [_static_url(origin, "home")])
