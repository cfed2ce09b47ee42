"""Store each person's place in pinyin and in surname-stroke order (people.sorting).

The keys of the people already stored are computed here, in batches of 2,000
by primary key. They are computed with the current people.sorting: should its
order ever change (or pypinyin read a name otherwise), a later migration
calls people.sorting.fill_sort_keys again.
"""

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from people.sorting import fill_sort_keys

    Person = apps.get_model("people", "Person")
    fill_sort_keys(Person.objects.using(schema_editor.connection.alias), batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_historicalperson_historicalpersonalias_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="sort_pinyin",
            field=models.CharField(default="", editable=False, max_length=2000, verbose_name="拼音排序键"),
        ),
        migrations.AddField(
            model_name="person",
            name="sort_stroke",
            field=models.CharField(default="", editable=False, max_length=720, verbose_name="笔画排序键"),
        ),
        # Filled before the indexes exist: one index build instead of an index update per row.
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["sort_pinyin", "id"], name="person_sort_pinyin"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["sort_stroke", "id"], name="person_sort_stroke"),
        ),
    ]
