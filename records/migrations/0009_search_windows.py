"""Search index windows on PostgreSQL: the newest matching rows without reading them all.

A search ranks the newest MATCH_CAP rows that match (records.search). A GIN
index returns its matches in no useful order, so for a common word such as
预算 PostgreSQL read every matching row (tens of thousands on a large
corpus) to keep the newest 2,000; or, worse, walked the rows newest first
and decompressed each row's tsvector to test it.

Each row's tsvector now also holds three *window* lexemes made from its id
(``records_search_windows(id)``): the id's block of 8,192, of 65,536 and of
524,288 rows. A search first asks for its words AND the two newest blocks
of a size, all inside the GIN index, so only the rows in those blocks that
match are read; it widens the window only when that finds too few.

The tsvector is a generated column, so adding the lexemes rewrites the
table once and rebuilds its GIN index. SQLite is unchanged: FTS5 hands out
its matches newest first.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION records_search_windows(bigint) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
    SELECT 'qqw13x' || ($1 >> 13) || ' qqw16x' || ($1 >> 16) || ' qqw19x' || ($1 >> 19)
$$
"""

FORWARDS = [
    FUNCTION,
    "DROP INDEX IF EXISTS records_search_entry_tsv",
    "ALTER TABLE records_search_entry DROP COLUMN tsv",
    "ALTER TABLE records_search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, tokens || ' ' || records_search_windows(id))) STORED",
    "CREATE INDEX records_search_entry_tsv ON records_search_entry USING gin (tsv)",
]

BACKWARDS = [
    "DROP INDEX IF EXISTS records_search_entry_tsv",
    "ALTER TABLE records_search_entry DROP COLUMN tsv",
    "ALTER TABLE records_search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, tokens)) STORED",
    "CREATE INDEX records_search_entry_tsv ON records_search_entry USING gin (tsv)",
    "DROP FUNCTION IF EXISTS records_search_windows(bigint)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0008_published_issue_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
