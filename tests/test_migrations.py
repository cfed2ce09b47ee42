"""Migrations that move data: run forwards and backwards on a database holding rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("records", "0010_gazette_status_id")]
AFTER = [("records", "0011_bulky_columns_last")]
FILE = b"%PDF" + bytes(range(256)) * 800
TABLES = ("records_gazettesource", "records_gazetteimport")


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def file_first(table: str) -> bool:
    names = columns(table)
    return names.index("content") < names.index("sha256")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's row layout")
@pytest.mark.django_db(transaction=True)
def test_the_file_tables_are_rebuilt_with_their_bulky_columns_last():
    """SQLite reads a column that follows a whole file by walking the file's overflow
    pages: after records/0011 an issue's source and an upload keep their small columns
    before the file, and the rows are kept, both ways."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate(BEFORE)
        assert all(file_first(table) for table in TABLES)
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
            gazette = cursor.lastrowid
            cursor.execute(
                "INSERT INTO records_gazettesource (gazette_id, filename, content, sha256, text,"
                " parsed, parser_version) VALUES (%s, 'a.pdf', %s, 'ab12', '正文', '{}', '7')",
                [gazette, FILE],
            )
            cursor.execute(
                "INSERT INTO records_gazetteimport (filename, content, sha256, metadata, text,"
                " parsed, issuer, year, issue, status, created_at, gazette_id) VALUES"
                " ('a.pdf', %s, 'ab12', '{}', '正文', '{}', '某市人大常委会', 2021, 3,"
                " 'applied', '2021-06-01 00:00', %s)",
                [FILE, gazette],
            )
        migrate(AFTER)
        for table in TABLES:
            assert columns(table)[-3:] == ["text", "content", "parsed"], columns(table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT filename, sha256, text, content, parsed FROM records_gazettesource"
            )
            assert cursor.fetchall() == [("a.pdf", "ab12", "正文", FILE, "{}")]
            cursor.execute(
                "SELECT filename, sha256, issuer, status, gazette_id, text, content, parsed"
                " FROM records_gazetteimport"
            )
            assert cursor.fetchall() == [
                ("a.pdf", "ab12", "某市人大常委会", "applied", gazette, "正文", FILE, "{}")
            ]
        migrate(BEFORE)
        assert all(file_first(table) for table in TABLES)
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"SELECT filename, sha256, content FROM {table}")
                assert cursor.fetchall() == [("a.pdf", "ab12", FILE)], table
    finally:
        migrate(latest)
