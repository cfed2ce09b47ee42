"""The stored name-order keys: the same order as pinyin_key/stroke_key, kept by every write.

The people list is sorted and paged by the database on Person.sort_pinyin
and Person.sort_stroke; these tests hold the keys to the Python order (also
in the database's own collation: run them with DATABASE_URL for PostgreSQL),
check that each way a person is written sets them, and that the list's
query count does not grow with the number of people.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people import sorting
from people.models import Person
from people.sorting import (
    SURNAME_READINGS,
    initial_of,
    pinyin_initial,
    pinyin_key,
    pinyin_sort_key,
    sort_keys,
    stroke_key,
    stroke_sort_key,
)
from records import review
from records.loading import load_gazette
from records.models import Attendance, Gazette
from tests.factories import REGION, make_parsed

NAMES = [
    # Surnames read otherwise than their common reading, next to their neighbours.
    "曾明", "陈刚", "曾国藩", "单雄", "单田芳", "邓亮", "丹青", "解放", "谢芳", "解晓东", "姐姐",
    "朴槿惠", "区永", "欧阳修", "查良镛", "乐嘉",
    # The same syllable in every tone; the same reading in other characters.
    "马丽", "麻丽", "妈丽", "骂丽", "吗丽", "张三", "章三", "张叁", "彰三", "张", "张三丰",
    "刘洋", "留洋", "柳杨", "王五", "王", "王大鹏", "王朴", "丁琦", "一", "乙",
    # Names in other scripts, with separators, digits, rare characters.
    "John Smith", "john", "Zoe", "zhang", "Åsa", "Ivan Petrov", "Иван", "阿不都·热合曼",
    "买买提·艾力", "张3", "3号", "𠀀明", "〇一", "ıris", "ﬀ", "",
]  # fmt: skip

DIGITS = re.compile(r"[0-9]*")  # every collation orders digits alike


def test_polyphonic_surnames_are_covered():
    assert {"曾", "单", "解", "朴", "区", "查", "乐"} <= set(SURNAME_READINGS)


@pytest.mark.parametrize(
    ("tuple_key", "string_key"), [(pinyin_key, pinyin_sort_key), (stroke_key, stroke_sort_key)]
)
def test_stored_keys_order_names_like_the_tuple_keys(tuple_key, string_key):
    assert sorted(NAMES, key=string_key) == sorted(NAMES, key=tuple_key)
    for a, b in itertools.combinations(NAMES, 2):
        assert (tuple_key(a) < tuple_key(b)) == (string_key(a) < string_key(b)), (a, b)
        assert (tuple_key(a) == tuple_key(b)) == (string_key(a) == string_key(b)), (a, b)
    for name in NAMES:
        assert DIGITS.fullmatch(string_key(name)), name


def test_pinyin_order_reads_surnames_and_tones():
    ordered = sorted(["曾明", "陈刚", "单雄", "邓亮", "解放", "谢芳", "姐姐"], key=pinyin_sort_key)
    assert ordered == ["陈刚", "邓亮", "姐姐", "单雄", "谢芳", "解放", "曾明"]  # xiè: 谢 has fewer strokes
    assert sorted(["骂丽", "马丽", "麻丽", "妈丽"], key=pinyin_sort_key) == ["妈丽", "麻丽", "马丽", "骂丽"]
    # A Latin name is filed among the pinyin letter by letter: j before jiang, z before zhang.
    assert sorted(["张三", "江河", "Zoe", "John Smith"], key=pinyin_sort_key) == ["John Smith", "江河", "Zoe", "张三"]


def test_the_initial_letter_is_read_off_the_stored_key():
    for name in NAMES:
        assert initial_of(pinyin_sort_key(name)) == pinyin_initial(name), name
    assert [initial_of(pinyin_sort_key(n)) for n in ("曾明", "张三", "解放", "Åsa", "3号", "")] == [
        "Z", "Z", "X", "#", "#", "#",
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_database_orders_the_stored_keys_like_python():
    names = [name for name in NAMES if name]
    Person.objects.bulk_create(Person(region=REGION, name=name) for name in names)
    for field, key in (("sort_pinyin", pinyin_key), ("sort_stroke", stroke_key)):
        stored = list(Person.objects.order_by(field, "pk").values_list("name", flat=True))
        assert stored == sorted(names, key=key), field


# --- every write sets the keys ---------------------------------------------------------


def assert_keys_follow_the_name(person: Person) -> None:
    person.refresh_from_db()
    assert sort_keys(person.name) == {"sort_pinyin": person.sort_pinyin, "sort_stroke": person.sort_stroke}
    assert person.sort_pinyin and person.sort_stroke


@pytest.mark.django_db
def test_people_created_by_a_load_have_keys():
    load_gazette(make_parsed(present=("曾庆红", "单小明", "解振华")), source_bytes=b"s", source_text="s")
    people = Person.objects.filter(region=REGION)
    assert people.count() == 5  # with the one on leave and the appointee
    for person in people:
        assert_keys_follow_the_name(person)


@pytest.mark.django_db
def test_people_created_by_review_have_keys():
    gazette = load_gazette(make_parsed(), source_bytes=b"s", source_text="s").gazette
    resolved = review.resolve_name(gazette, "解晓东", person=None)
    assert_keys_follow_the_name(resolved)

    person = Person.objects.get(region=REGION, name="李强")
    moved = list(Attendance.objects.filter(person=person).values_list("pk", flat=True))
    split = review.split_person(person, name="曾李强", attendance=moved, decisions=[], entries=[])
    assert_keys_follow_the_name(split)
    assert initial_of(Person.objects.get(pk=resolved.pk).sort_pinyin) == "X"  # the surname 解 is xiè


def admin_form_data(client, url: str) -> dict:
    response = client.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return {k: ("" if v is None else v) for k, v in data.items()}


@pytest.mark.django_db
def test_people_added_and_renamed_in_the_admin_have_keys(admin_client):
    add = reverse("admin:people_person_add")
    data = {**admin_form_data(admin_client, add), "region": REGION, "name": "单田芳"}
    assert admin_client.post(add, data).status_code == 302
    person = Person.objects.get(name="单田芳")
    assert_keys_follow_the_name(person)

    change = reverse("admin:people_person_change", args=[person.pk])
    data = {**admin_form_data(admin_client, change), "name": "曾田芳"}
    assert "sort_pinyin" not in data  # derived, never edited
    assert admin_client.post(change, data).status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert person.name == "曾田芳"
    assert_keys_follow_the_name(person)


@pytest.mark.django_db
def test_bulk_writes_of_names_keep_the_keys():
    person = Person.objects.create(region=REGION, name="陈刚")
    Person.objects.filter(pk=person.pk).update(name="曾明")
    assert_keys_follow_the_name(person)
    person.name = "单雄"
    Person.objects.bulk_update([person], ["name"])
    assert_keys_follow_the_name(person)


@pytest.mark.django_db
def test_saving_a_person_without_renaming_computes_no_key(monkeypatch):
    Person.objects.create(region=REGION, name="陈刚")
    person = Person.objects.get()

    def refuse(name: str) -> dict[str, str]:
        raise AssertionError("the keys were computed again")

    monkeypatch.setattr(sorting, "sort_keys", refuse)
    person.note = "备注"
    person.save()
    person.save(update_fields=["note"])


# --- the list ----------------------------------------------------------------------------

SURNAMES = "王李张刘陈曾单解周吴"
GIVEN = "伟芳娜敏静丽"
LIST_NAME = re.compile(r'class="record-title" href="/people/\d+/">([^<]+)</a>')


def publish_people(count: int) -> list[str]:
    names = ["".join(pair) for pair in itertools.product(SURNAMES, GIVEN)][:count]
    load_gazette(make_parsed(present=tuple(names)), source_bytes=b"s", source_text="s", publish=True)
    return list(Person.objects.values_list("name", flat=True))  # with the appointee, the one on leave


def list_names(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return LIST_NAME.findall(response.content.decode())


def forbid_key_computation(monkeypatch) -> None:
    """From here on, computing a key fails: reading never loads pypinyin or the stroke table."""

    def refuse(*args, **kwargs):
        raise AssertionError("a key was computed while reading")

    for name in ("pinyin_key", "stroke_key", "sort_keys", "_stroke_ranks"):
        monkeypatch.setattr(sorting, name, refuse)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 60])
def test_the_list_takes_the_same_queries_however_many_people(client, count, monkeypatch):
    publish_people(count)
    forbid_key_computation(monkeypatch)
    cache.clear()  # the filter options kept by records.choices: the first visit computes them
    for url, expected in (("/people/", 6), ("/people/?order=stroke", 4)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        # The page and its people's current posts, the data version, and the terms and the
        # publications of the filter form; the second page finds those kept (records.choices).
        assert len(queries) == expected, (count, url, [q["sql"] for q in queries])


@pytest.mark.django_db
def test_the_second_page_continues_the_first(client):
    names = publish_people(60)
    assert len(names) == 62
    for order, key in (("pinyin", pinyin_key), ("stroke", stroke_key)):
        first = list_names(client, f"/people/?order={order}")
        second = list_names(client, f"/people/?order={order}&page=2")
        assert len(first) == 50 and len(second) == 12
        assert first + second == sorted(names, key=key), order
    assert client.get("/people/?page=3").status_code == 404


@pytest.mark.django_db
def test_the_list_is_grouped_by_initial_in_pinyin_order(client):
    publish_people(60)
    html = client.get("/people/").content.decode()
    initials = re.findall(r'<h2 class="initial" id="initial-([A-Z#])">', html)
    assert initials == sorted(set(initials)) and {"C", "L", "W", "X", "Z"} <= set(initials)
    # 单 is read shàn: filed under S, not D; 解 xiè under X, not J.
    assert "D" not in initials and "J" not in initials and "S" in initials
    assert Gazette.objects.get().status == "published"
