"""people.api.serializers.ModelSerializer: fields made once per class give what DRF makes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from people.api import serializers as people_serializers
from people.api.serializers import DateTimeField, ModelSerializer
from portal import request_memo
from records.api import serializers as records_serializers

SERIALIZERS = sorted(
    {
        value
        for module in (people_serializers, records_serializers)
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ModelSerializer)
        and value not in (ModelSerializer, people_serializers.DescribedModelSerializer)
    },
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=lambda cls: cls.__name__)
def test_kept_fields_are_those_drf_makes(serializer_class):
    for _ in range(2):  # the first use makes and keeps them, the second copies
        kept = serializer_class().get_fields()
        made = serializers.ModelSerializer.get_fields(serializer_class())
        assert list(kept) == list(made)
        for name in made:
            assert type(kept[name]) is type(made[name]), name
            assert repr(kept[name]) == repr(made[name]), name


def test_each_serializer_has_fields_of_its_own():
    one = records_serializers.PersonnelDecisionSerializer()
    two = records_serializers.PersonnelDecisionSerializer()
    for name, field in one.fields.items():
        assert field is not two.fields[name], name
        assert field.parent is one and two.fields[name].parent is two


def test_model_timestamps_are_written_by_the_portal_field():
    assert isinstance(
        records_serializers.PersonnelDecisionSerializer().fields["updated_at"], DateTimeField
    )


VALUES = [
    dt.datetime(2021, 3, 1, 8, 30, tzinfo=dt.UTC),
    dt.datetime(2021, 12, 31, 23, 59, 59, 123456, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
    dt.datetime(2020, 6, 1, 0, 0),  # noqa: DTZ001 (naive: made aware in the current zone, as DRF does)
    None,
]


@pytest.mark.parametrize("zone", [None, "UTC", "America/New_York"])
def test_timestamps_as_drf_writes_them(zone):
    ours, drf = DateTimeField(), serializers.DateTimeField()
    with timezone.override(zone) if zone else timezone.override(timezone.get_default_timezone()):
        outside = [ours.to_representation(v) for v in VALUES]
        token = request_memo._memo.set({request_memo._READ_ONLY: True})
        try:
            inside = [ours.to_representation(v) for v in VALUES]
        finally:
            request_memo._memo.reset(token)
        expected = [drf.to_representation(v) for v in VALUES]
    assert outside == expected
    assert inside == expected


def test_the_time_zone_is_read_once_per_request(monkeypatch):
    calls = []
    real = timezone.get_current_timezone

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(timezone, "get_current_timezone", counted)
    field = DateTimeField()
    token = request_memo._memo.set({request_memo._READ_ONLY: True})
    try:
        for value in VALUES[:3] * 5:
            field.to_representation(value)
    finally:
        request_memo._memo.reset(token)
    assert len(calls) == 1
