"""The bulky columns of an issue's source and of an upload move after their small ones.

SQLite stores a row's columns in the table's order and spills a long row onto a
chain of overflow pages; reading a column that follows the original file means
walking that chain. The API's issue list reads each issue's file name and
SHA-256, which followed ``content``: 4.9 ms for 50 issues of about 210 KB
against 0.09 ms for the file name before it, and more with larger files. The
clerks' list of uploads reads each upload's issuer, issue, status and time,
which followed the file too.

The state moves ``text``, ``content`` and ``parsed`` to the end of each model's
fields, so any later rebuild of the tables keeps that order; on SQLite the tables
are then rebuilt in it (Django's own table rebuild, as its schema changes do: a
copy of every row, so the disk needs room for a second copy of both tables; 6 min
23 s for 10,000 issues of the benchmark corpus, bench/RESULTS.md). PostgreSQL keeps
long values out of line already: nothing to do there.
"""

from django.db import migrations, models

MODELS = ("GazetteSource", "GazetteImport")


def rebuild_on_sqlite(apps, schema_editor):
    """Rebuild the tables in the order of the fields in ``apps`` (the migration state)."""
    if schema_editor.connection.vendor == "sqlite":
        for name in MODELS:
            schema_editor._remake_table(apps.get_model("records", name))


def to_the_end(model_name: str) -> list[migrations.operations.base.Operation]:
    return [
        *(
            migrations.RemoveField(model_name=model_name, name=name)
            for name in ("text", "content", "parsed")
        ),
        migrations.AddField(
            model_name=model_name,
            name="text",
            field=models.TextField(verbose_name="提取文本"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="content",
            field=models.BinaryField(verbose_name="原始文件"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="parsed",
            field=models.JSONField(default=dict, verbose_name="解析结果"),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0010_gazette_status_id"),
    ]

    operations = [
        # Back to 0010, the tables are rebuilt in 0010's order (the first operation's reverse).
        migrations.RunPython(migrations.RunPython.noop, rebuild_on_sqlite, elidable=False),
        migrations.SeparateDatabaseAndState(
            state_operations=[*to_the_end("gazettesource"), *to_the_end("gazetteimport")],
        ),
        migrations.RunPython(rebuild_on_sqlite, migrations.RunPython.noop, elidable=False),
    ]
