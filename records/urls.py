from django.urls import path

from records import feeds, sitemaps, views

app_name = "records"

urlpatterns = [
    path("gazettes/", views.gazette_list, name="gazette-list"),
    path("gazettes/<int:pk>/", views.gazette_detail, name="gazette-detail"),
    path("gazettes/<int:pk>/text/", views.gazette_text, name="gazette-text"),
    path("gazettes/<int:pk>/download/", views.gazette_download, name="gazette-download"),
    path("publications/", views.publication_list, name="publication-list"),
    path("publications/<int:pk>/", views.publication_detail, name="publication-detail"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings.ics", feeds.meetings_ics, name="meetings-ics"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("search/", views.search, name="search"),
    path("feeds/gazettes.atom", feeds.GazetteAtomFeed(), name="feed-gazettes-atom"),
    path("feeds/gazettes.rss", feeds.GazetteFeed(), name="feed-gazettes-rss"),
    path("feeds/decisions.atom", feeds.DecisionAtomFeed(), name="feed-decisions-atom"),
    path("feeds/decisions.rss", feeds.DecisionFeed(), name="feed-decisions-rss"),
    path("people/<int:pk>/feed.atom", feeds.PersonAtomFeed(), name="feed-person-atom"),
    path("people/<int:pk>/feed.rss", feeds.PersonFeed(), name="feed-person-rss"),
    path("report/", views.report_error, name="report-error"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
]
