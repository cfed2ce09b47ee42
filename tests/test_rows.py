"""portal.rows: instances read from the database, and their labels, as Django makes them."""

from __future__ import annotations

from unittest import mock

import pytest
from django.apps import apps
from django.db import models
from django.db.models import signals

from people.models import Person
from portal.rows import QuickModel
from records.loading import load_gazette_file
from records.models import Article, Meeting, PersonnelDecision

SAMPLE = "anyang-congress-2021-03.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(samples_dir):
    return load_gazette_file((samples_dir / SAMPLE).read_bytes(), filename=SAMPLE, publish=True)


def read_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in ("records", "people") and issubclass(model, QuickModel)
    ]


def through_init(model: type[models.Model], queryset) -> list[models.Model]:
    """The same rows as Django itself makes them."""
    with mock.patch.object(QuickModel, "from_db", classmethod(models.Model.from_db.__func__)):
        return list(queryset)


def contents(instance: models.Model) -> tuple:
    values = {k: v for k, v in instance.__dict__.items() if k != "_state"}
    return values, instance._state.adding, instance._state.db, instance.get_deferred_fields()


def test_every_model_of_the_records_and_people_loads_directly():
    names = {model.__name__ for model in read_models()}
    assert {"Gazette", "Article", "Meeting", "Attendance", "PersonnelDecision"} <= names
    assert {"Person", "Post", "Tenure", "Membership"} <= names


def test_each_model_reads_the_same_instances_as_through_init(sample):
    compared = 0
    for model in read_models():
        rows = model._default_manager.order_by("pk")[:20]
        direct, django = list(rows), through_init(model, rows)
        assert [contents(i) for i in direct] == [contents(i) for i in django], model.__name__
        compared += len(direct)
    assert compared > 100


def test_deferred_fields_and_related_rows_match_too(sample):
    rows = (
        PersonnelDecision.objects.select_related("meeting", "article", "gazette__publication")
        .only("id", "action", "meeting__number", "article__title", "gazette__publication__name")
        .order_by("pk")
    )
    direct, django = list(rows), through_init(PersonnelDecision, rows)
    assert direct and [contents(d) for d in direct] == [contents(d) for d in django]
    first = direct[0]
    assert "positions" in first.get_deferred_fields()

    def joined(decisions):
        return [
            contents(row)
            for d in decisions
            for row in (d.meeting, d.article, d.gazette, d.gazette.publication)
            if row is not None
        ]

    assert joined(direct) and joined(direct) == joined(django)
    assert first.positions == PersonnelDecision.objects.get(pk=first.pk).positions  # read on use


def test_no_instance_of_a_page_goes_through_init(sample):
    with mock.patch.object(models.Model, "__init__", side_effect=AssertionError("__init__")):
        decisions = list(
            PersonnelDecision.objects.select_related("meeting", "article", "gazette__publication")
        )
        articles = list(Article.objects.prefetch_related("meeting"))
    assert decisions and articles


def test_an_instance_read_directly_saves_as_an_update(sample):
    meeting = Meeting.objects.order_by("pk").first()
    count = Meeting.objects.count()
    meeting.declared_present = 41
    meeting.save()
    assert Meeting.objects.count() == count
    assert Meeting.objects.get(pk=meeting.pk).declared_present == 41


def test_a_model_with_an_init_receiver_loads_through_django(sample):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Person)
    try:
        people = list(Person.objects.order_by("pk")[:5])
    finally:
        signals.post_init.disconnect(receiver, sender=Person)
    assert seen == [person.pk for person in people] and len(seen) == 5


def choice_fields():
    return [
        (model, field)
        for model in read_models()
        for field in model._meta.concrete_fields
        if field.choices
    ]


def test_each_choice_label_is_djangos():
    assert len(choice_fields()) >= 6
    for model, field in choice_fields():
        for value in [*(choice for choice, _label in field.flatchoices), "not-a-choice", None]:
            instance = model(**{field.attname: value})
            shown = getattr(instance, f"get_{field.name}_display")()
            assert shown == models.Model._get_FIELD_display(instance, field), (field, value)


def test_a_label_is_read_from_the_kept_choices():
    decision = PersonnelDecision(action="appoint")
    expected = decision.get_action_display()
    with mock.patch.object(
        models.Field, "flatchoices", new_callable=mock.PropertyMock, side_effect=AssertionError
    ):
        assert decision.get_action_display() == expected == "任命"
