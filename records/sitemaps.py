"""The sitemap: every public page a search engine may index (published issues only)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from people.selectors import visible_people, visible_posts
from records.api.visibility import visible_publications
from records.models import Article, Gazette, Meeting

LIMIT = 5000


class StaticSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return [
            "home",
            "records:gazette-list",
            "records:publication-list",
            "records:meeting-list",
            "records:decision-list",
            "people:person-list",
            "people:post-list",
        ]

    def location(self, item):
        return reverse(item)


class PublicationSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return visible_publications().order_by("pk")

    def location(self, item):
        return reverse("records:publication-detail", args=[item.pk])


class GazetteSitemap(Sitemap):
    limit = LIMIT
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Gazette.objects.published().order_by("pk").only("id", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class ArticleSitemap(Sitemap):
    limit = LIMIT
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Article.objects.published().order_by("pk").only("id", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class MeetingSitemap(Sitemap):
    limit = LIMIT
    changefreq = "monthly"

    def items(self):
        return Meeting.objects.published().order_by("pk").only("id", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PersonSitemap(Sitemap):
    limit = LIMIT
    changefreq = "weekly"

    def items(self):
        return visible_people().order_by("pk").only("id", "updated_at")

    def location(self, item):
        return reverse("people:person-detail", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


class PostSitemap(Sitemap):
    limit = LIMIT
    changefreq = "weekly"

    def items(self):
        return visible_posts().order_by("pk").only("id")

    def location(self, item):
        return reverse("people:post-detail", args=[item.pk])


SITEMAPS = {
    "pages": StaticSitemap,
    "publications": PublicationSitemap,
    "gazettes": GazetteSitemap,
    "articles": ArticleSitemap,
    "meetings": MeetingSitemap,
    "people": PersonSitemap,
    "posts": PostSitemap,
}
