"""Migrations that move data: run forwards and backwards on a database holding rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("records", "0010_gazette_status_id")]
AFTER = [("records", "0011_gazette_source_bulky_columns_last")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's row layout")
@pytest.mark.django_db(transaction=True)
def test_the_source_table_is_rebuilt_with_its_bulky_columns_last():
    """SQLite reads a column that follows a whole file by walking the file's overflow
    pages: after records/0011 the file name and SHA-256 come before the file, and the
    rows are kept, both ways."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate(BEFORE)
        assert columns("records_gazettesource").index("content") < columns(
            "records_gazettesource"
        ).index("sha256")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO records_publication (issuer, region, kind, name)"
                " VALUES ('某市人大常委会', '某市', 'congress', '某市人大常委会公报')"
            )
            cursor.execute(
                "INSERT INTO records_gazette (publication_id, year, issue, status, warnings,"
                " truncated, article_count, corrected_fields, loaded_at, updated_at)"
                " VALUES (%s, 2021, 3, 'published', '[]', 0, 0, '[]', '2021-06-01 00:00',"
                " '2021-06-01 00:00')",
                [cursor.lastrowid],
            )
            cursor.execute(
                "INSERT INTO records_gazettesource (gazette_id, filename, content, sha256, text,"
                " parsed, parser_version) VALUES (%s, 'a.pdf', %s, 'ab12', '正文', '{}', '7')",
                [cursor.lastrowid, b"%PDF" + bytes(range(256)) * 800],
            )
        migrate(AFTER)
        after = columns("records_gazettesource")
        assert after[-3:] == ["text", "content", "parsed"], after
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT filename, sha256, text, content, parsed FROM records_gazettesource"
            )
            assert cursor.fetchall() == [
                ("a.pdf", "ab12", "正文", b"%PDF" + bytes(range(256)) * 800, "{}")
            ]
        migrate(BEFORE)
        assert columns("records_gazettesource").index("content") < columns(
            "records_gazettesource"
        ).index("sha256")
        with connection.cursor() as cursor:
            cursor.execute("SELECT filename, sha256, length(content) FROM records_gazettesource")
            assert cursor.fetchall() == [("a.pdf", "ab12", 4 + 256 * 800)]
    finally:
        migrate(latest)
