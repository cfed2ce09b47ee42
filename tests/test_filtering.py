"""portal.filtering.FilterSet: the form of the filters a request names gives what
django-filter's full form gives (validity, errors, cleaned values, SQL)."""

from __future__ import annotations

import itertools

import django_filters
import pytest
from django import forms
from django.http import QueryDict

from people import filters as people_filters
from people.models import Person
from portal.filtering import FilterSet
from records import filters as records_filters

FILTERSETS = sorted(
    {
        value
        for module in (records_filters, people_filters)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, FilterSet) and value is not FilterSet
    },
    key=lambda cls: cls.__name__,
)


def _values(field: forms.Field) -> tuple[str, str]:
    """A valid and an invalid parameter value for a filter's form field."""
    if isinstance(field, forms.NullBooleanField):
        return "true", "maybe"
    if isinstance(field, forms.ChoiceField):
        return str(next(value for value, _label in field.choices if value)), "no-such-choice"
    if isinstance(field, forms.IntegerField):
        return "3", "x3"
    if isinstance(field, forms.DateTimeField):
        return "2021-03-01T08:00:00+08:00", "2021-02-30T00:00"
    if isinstance(field, forms.DateField):
        return "2021-03-01", "2021-13-45"
    return "营口", "营口"


def _queries(filterset: type[FilterSet]) -> list[str]:
    fields = {name: f.field for name, f in filterset.base_filters.items()}
    queries = ["", "cursor=abc", "format=json&page_size=3"]
    for name, field in fields.items():
        good, bad = _values(field)
        queries += [f"{name}={good}", f"{name}={bad}", f"{name}=", f"{name}={good}&cursor=x"]
    for (a, fa), (b, fb) in itertools.islice(itertools.combinations(fields.items(), 2), 40):
        queries.append(f"{a}={_values(fa)[0]}&{b}={_values(fb)[0]}")
        queries.append(f"{a}={_values(fa)[1]}&{b}={_values(fb)[0]}")
    return queries


def _stock(filterset: FilterSet, data: QueryDict):
    """django-filter's own answer: every filter copied, one form with all of them."""
    form = django_filters.FilterSet.get_form_class(filterset)(data)
    valid = form.is_valid()
    queryset = filterset.queryset.all()
    if valid:
        for name, value in form.cleaned_data.items():
            queryset = filterset.filters[name].filter(queryset, value)
    return valid, form.errors, form.cleaned_data if valid else None, queryset


@pytest.mark.django_db
@pytest.mark.parametrize("filterset_class", FILTERSETS, ids=lambda cls: cls.__name__)
def test_answers_as_the_full_form(filterset_class):
    for query in _queries(filterset_class):
        data = QueryDict(query)
        ours = filterset_class(data, queryset=filterset_class._meta.model.objects.all())
        valid, errors, cleaned, queryset = _stock(
            filterset_class(data, queryset=filterset_class._meta.model.objects.all()), data
        )
        assert ours.is_valid() == valid, query
        assert ours.errors == errors, query
        if valid:
            present = {name: value for name, value in cleaned.items() if name in ours.form.fields}
            assert ours.form.cleaned_data == present, query
            # The names left out clean to nothing: no filter would have narrowed by them.
            left_out = {name: value for name, value in cleaned.items() if name not in present}
            assert all(value in (None, "", [], ()) for value in left_out.values()), query
            assert str(ours.qs.query) == str(queryset.query), query


def test_filters_are_copied_only_when_used():
    data = QueryDict("region=营口&cursor=x")
    filterset = records_filters.PersonnelDecisionFilter(data)
    filterset.qs  # noqa: B018
    assert list(filterset.form.fields) == ["region"]
    assert list(filterset._copies) == ["region"]
    assert list(filterset.filters) == list(records_filters.PersonnelDecisionFilter.base_filters)


def test_form_class_is_made_once_per_set_of_names():
    one = records_filters.PersonnelDecisionFilter(QueryDict("action=appoint&q=张")).get_form_class()
    two = records_filters.PersonnelDecisionFilter(QueryDict("q=李&action=remove")).get_form_class()
    other = records_filters.PersonnelDecisionFilter(QueryDict("action=appoint")).get_form_class()
    assert one is two
    assert other is not one
    assert list(one.base_fields) == ["action", "q"]  # the FilterSet's order, not the query's


@pytest.mark.django_db
def test_a_method_named_by_string_runs_on_its_own_filterset():
    data = QueryDict("organisation=7")
    filterset = records_filters.PersonnelDecisionFilter(data)
    assert filterset._filter("organisation").parent is filterset
    assert "organisation_id" in str(filterset.qs.query)


class RequiredRegion(FilterSet):
    region = django_filters.CharFilter(required=True)
    name = django_filters.CharFilter()
    updated = django_filters.DateFromToRangeFilter(field_name="updated_at")  # updated_after …

    class Meta:
        model = Person
        fields = ["region", "name"]


def test_a_required_filter_is_checked_when_absent():
    filterset = RequiredRegion(QueryDict("name=张"))
    assert not filterset.is_valid()
    assert list(filterset.errors) == ["region"]


def test_a_filter_read_from_suffixed_parameters_is_used():
    filterset = RequiredRegion(QueryDict("region=营口&updated_after=2021-01-01"))
    assert filterset.is_valid()
    assert list(filterset.form.fields) == ["region", "updated"]
    assert "updated_at" in str(filterset.qs.query)


def test_unbound_and_prefixed_filtersets_have_every_field():
    every = ["region", "name", "updated"]
    assert list(RequiredRegion().form.fields) == every
    assert list(RequiredRegion(QueryDict(""), prefix="p").form.fields) == every
