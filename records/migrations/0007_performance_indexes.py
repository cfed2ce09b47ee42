"""Indexes for the orderings the public pages and feeds sort on (bench/RESULTS.md).

The lists sort newest first with undated rows last (``F(...).desc(nulls_last=True)``).
PostgreSQL can only walk an index in that order when the index says
``DESC NULLS LAST``; SQLite's ``DESC`` already puts NULLs last. Django's
``Meta.indexes`` cannot say ``NULLS LAST`` portably, so the indexes are
created here in each database's SQL and are not part of the migration state
(like records/0005_search_index): ``makemigrations`` sees no change.

On PostgreSQL the indexes are built CONCURRENTLY (the migration is not atomic),
so a running site keeps loading while they are built.

* article_title: the article page links the documents it cites by title
  (``title IN (…)``); without it, every such page read the whole article table.
* decision_newest: the decision list, the home page and the decision feeds
  (date DESC NULLS LAST, id DESC): the first page is the first rows of the index.
* meeting_newest: the meeting list (date DESC NULLS LAST, region, term DESC, number DESC).
* gazette_latest: the home page's latest issues (published_on DESC NULLS LAST, year, issue).
* gazette_feed: the issue feeds (published_at DESC NULLS LAST, year, issue, id).
"""

from django.db import migrations

from records.migrations import _sql_indexes

INDEXES = {
    "article_title": ("records_article", ["title"]),
    "decision_newest": ("records_personneldecision", ["date DESC NULLS LAST", "id DESC"]),
    "meeting_newest": (
        "records_meeting",
        ["date DESC NULLS LAST", "region", "term DESC", "number DESC"],
    ),
    "gazette_latest": (
        "records_gazette",
        ["published_on DESC NULLS LAST", "year DESC", "issue DESC"],
    ),
    "gazette_feed": (
        "records_gazette",
        ["published_at DESC NULLS LAST", "year DESC", "issue DESC", "id DESC"],
    ),
}


def create(apps, schema_editor):
    _sql_indexes.create(schema_editor, INDEXES)


def drop(apps, schema_editor):
    _sql_indexes.drop(schema_editor, INDEXES)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("records", "0006_election"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
