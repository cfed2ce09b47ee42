"""The newest-issue indexes start with the status (bench/RESULTS.md).

The home page's latest issues and the issue feeds read published issues
newest first. With the order's columns alone, the database took the status
index for ``status = 'published'`` and sorted every published issue; with
the status first, the equality and the order are one walk of one index and
the read stops after the rows it shows. Created as in records/0007: each
database's SQL, CONCURRENTLY on PostgreSQL, not part of the migration state.
"""

from django.db import migrations

from records.migrations import _sql_indexes

OLD = {
    "gazette_latest": (
        "records_gazette",
        ["published_on DESC NULLS LAST", "year DESC", "issue DESC"],
    ),
    "gazette_feed": (
        "records_gazette",
        ["published_at DESC NULLS LAST", "year DESC", "issue DESC", "id DESC"],
    ),
}
NEW = {
    "gazette_status_latest": (
        "records_gazette",
        ["status", "published_on DESC NULLS LAST", "year DESC", "issue DESC"],
    ),
    "gazette_status_feed": (
        "records_gazette",
        ["status", "published_at DESC NULLS LAST", "year DESC", "issue DESC", "id DESC"],
    ),
}


def forwards(apps, schema_editor):
    _sql_indexes.create(schema_editor, NEW)
    _sql_indexes.drop(schema_editor, OLD)


def backwards(apps, schema_editor):
    _sql_indexes.create(schema_editor, OLD)
    _sql_indexes.drop(schema_editor, NEW)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("records", "0007_performance_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
