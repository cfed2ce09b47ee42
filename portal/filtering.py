"""django-filter's FilterSet, doing for each request only the work of the filters it uses.

For every request, django-filter deep-copies every filter of the FilterSet,
makes a form class with a field for each (their labels looked up in the
model's meta), copies those fields again into the form, and cleans every one
of them, used or not: 1.2 ms for the 18 filters of the decisions with no
parameter, 1.4 ms with two (timeit, records.filters.PersonnelDecisionFilter;
29 and 299 µs here), more than a page's SQL. A list is mostly asked for with no filter or one or two.

Here a request's form holds the filters its parameters name (and any
required one); its class is made once per FilterSet and set of names, and
only those filters are copied. Filters whose parameters are absent clean to
an empty value and leave the queryset as it is, so the rows, the errors and
``form.cleaned_data`` of the names present are those of the full form. The
full set of copied filters is still there as ``filters`` for whatever lists
them (the API schema).

A FilterSet built on this one must not make a filter's form field from the
request (as django-filter's ``ModelChoiceFilter`` with a callable queryset
does): the fields are made once and shared by every request.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import django_filters
from django import forms
from django.http import QueryDict


class FilterSet(django_filters.FilterSet):
    def __init__(
        self,
        data: Any = None,
        queryset: Any = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        # django-filter's own set-up, but for the copies of the filters (see _filter).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self._copies: dict[str, django_filters.Filter] = {}

    def _filter(self, name: str) -> django_filters.Filter:
        """This FilterSet's own copy of one filter, made the first time it is needed."""
        copied = self._copies.get(name)
        if copied is None:
            # deepcopy, as django-filter: a filter with a method names itself in it.
            copied = copy.deepcopy(self.base_filters[name])
            copied.model = self.queryset.model
            copied.parent = self
            self._copies[name] = copied
        return copied

    @property
    def filters(self) -> dict[str, django_filters.Filter]:  # type: ignore[override]
        return {name: self._filter(name) for name in self.base_filters}

    def _used(self) -> tuple[str, ...]:
        """The filters the data names (a parameter of a filter's name, or of its name
        and a suffix, as range widgets read), and the required ones, in their order."""
        if self.form_prefix or not self.is_bound:
            return tuple(self.base_filters)
        keys = list(self.data.keys())
        return tuple(
            name
            for name, required in _requirements(type(self))
            if required or any(key == name or key.startswith(f"{name}_") for key in keys)
        )

    def get_form_class(self) -> type[forms.Form]:
        return _form_class(type(self), self._used())

    def filter_queryset(self, queryset: Any) -> Any:
        for name, value in self.form.cleaned_data.items():
            queryset = self._filter(name).filter(queryset, value)
        return queryset


@functools.cache
def _fields(filterset: type[FilterSet]) -> dict[str, forms.Field]:
    """Each filter's form field, as django-filter makes it on a copy of the filter."""
    fields = {}
    for name, base in filterset.base_filters.items():
        made = copy.deepcopy(base)
        made.model = filterset._meta.model
        fields[name] = made.field
    return fields


@functools.cache
def _requirements(filterset: type[FilterSet]) -> tuple[tuple[str, bool], ...]:
    return tuple((name, field.required) for name, field in _fields(filterset).items())


@functools.lru_cache(maxsize=1024)
def _form_class(filterset: type[FilterSet], names: tuple[str, ...]) -> type[forms.Form]:
    fields = _fields(filterset)
    attrs = {name: fields[name] for name in names}
    return type(f"{filterset.__name__}Form", (filterset._meta.form,), attrs)
