"""Indexes written in each database's SQL, for orders Django's Meta.indexes cannot say.

``DESC NULLS LAST`` is PostgreSQL's; SQLite's ``DESC`` already sorts NULLs
last and has no NULLS clause. On PostgreSQL the indexes are built
CONCURRENTLY, so a running site keeps loading while they are built (the
migration that calls these is not atomic). The migration loader skips this
module (its name starts with an underscore).
"""

from __future__ import annotations

Indexes = dict[str, tuple[str, list[str]]]


def _columns(columns: list[str], vendor: str) -> str:
    if vendor != "postgresql":
        columns = [c.replace(" NULLS LAST", "") for c in columns]
    return ", ".join(columns)


def create(schema_editor, indexes: Indexes) -> None:
    vendor = schema_editor.connection.vendor
    concurrently = "CONCURRENTLY " if vendor == "postgresql" else ""
    for name, (table, columns) in indexes.items():
        schema_editor.execute(
            f"CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {table} ({_columns(columns, vendor)})"
        )


def drop(schema_editor, indexes: Indexes) -> None:
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for name in indexes:
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")
