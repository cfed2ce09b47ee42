"""FilterSets for people, posts and tenures, shared by the public pages and the API.

People have no issue of their own: "changed since" also counts the records
that name them (reached through the reverse relations, so this app still
imports nothing from ``records``).
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from people.models import Gender, Person, Post, Tenure
from portal.filtering import FilterSet

MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A record id: a positive integer."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 32767})
class SmallNumberFilter(django_filters.NumberFilter):
    """A year, a term (届) or a meeting's number (次)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 32767)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(SmallNumberFilter):
    """A year (1–9999: a date's year beyond that is no date)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """true/false (also 1/0, yes/no); anything else is an error, not "no filter"."""

    widget = forms.TextInput  # the raw value, so that a wrong one is reported
    TRUE = frozenset({"true", "1", "yes", "on", "True"})
    FALSE = frozenset({"false", "0", "no", "off", "False"})

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        if str(value) in self.TRUE:
            return True
        if str(value) in self.FALSE:
            return False
        raise forms.ValidationError("须为 true 或 false。", code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def as_utc(value: dt.datetime) -> dt.datetime:
    """The instant in UTC; instants beyond the calendar are clamped, not errors."""
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        if value.year < 2:
            return dt.datetime.min.replace(tzinfo=dt.UTC)
        return dt.datetime.max.replace(tzinfo=dt.UTC)


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    """Records changed, or made public, at or after this instant (ISO 8601).

    ``fields`` are the timestamps that count: a record's own ``updated_at``
    and the time its issue was (re)published.
    """

    def __init__(self, *args, fields=("updated_at", "gazette__published_at"), **kwargs):
        kwargs.setdefault(
            "help_text",
            "只返回此时刻（ISO 8601，如 2024-01-31T08:00:00+08:00）之后更新或发布的记录，供增量同步。",
        )
        super().__init__(*args, **kwargs)
        self.timestamp_fields = fields

    def filter(self, qs: QuerySet, value):
        if value in (None, ""):
            return qs
        since = as_utc(value)
        query = Q()
        for name in self.timestamp_fields:
            query |= Q(**{f"{name}__gte": since})
        return qs.filter(query)


def _related(model, name: str):
    return model._meta.get_field(name).related_model


def _changed_links(model, names: tuple[str, ...], since, ref: str = "pk") -> Q:
    """Some record reached through ``names`` changed, or its issue was published, since then."""
    query = Q()
    for name in names:
        field = model._meta.get_field(name)
        linked = field.related_model.objects.filter(**{field.field.name: OuterRef(ref)}).filter(
            Q(updated_at__gte=since) | Q(gazette__published_at__gte=since)
        )
        query |= Exists(linked)
    return query


class PersonUpdatedSinceFilter(UpdatedSinceFilter):
    def filter(self, qs: QuerySet, value):
        if value in (None, ""):
            return qs
        since = as_utc(value)
        links = _changed_links(Person, ("decisions", "attendance", "name_list_entries"), since)
        return qs.filter(Q(updated_at__gte=since) | links)


class PostUpdatedSinceFilter(UpdatedSinceFilter):
    def filter(self, qs: QuerySet, value):
        if value in (None, ""):
            return qs
        since = as_utc(value)
        return qs.filter(_changed_links(Post, ("decisions",), since))


class TenureUpdatedSinceFilter(UpdatedSinceFilter):
    """Tenures are rebuilt from decisions: they change when a decision or the person does."""

    def filter(self, qs: QuerySet, value):
        if value in (None, ""):
            return qs
        since = as_utc(value)
        query = Q(person__updated_at__gte=since)
        for side in ("start_decision", "end_decision"):
            query |= Q(**{f"{side}__updated_at__gte": since})
            query |= Q(**{f"{side}__gazette__published_at__gte": since})
        return qs.filter(query)


def _name_contains(queryset: QuerySet, name: str, value: str) -> QuerySet:
    alias = _related(Person, "aliases").objects.filter(person=OuterRef("pk"), name__icontains=value)
    return queryset.filter(Q(name__icontains=value) | Exists(alias))


def _holds_post(queryset: QuerySet, name: str, value: int) -> QuerySet:
    tenures = Tenure.objects.filter(person=OuterRef("pk"), post_id=value)
    decisions = _related(Person, "decisions").objects.filter(person=OuterRef("pk"), posts=value)
    return queryset.filter(Exists(tenures) | Exists(decisions))


# --- the public people list (/people/): publication, term and role ---------------

PERSON_ROLES = [
    ("member", "常委会组成人员"),
    ("appointee", "任免对象"),
    ("attending", "列席人员"),
    ("listed", "会议名单成员"),
]


def _named_in_publication(queryset: QuerySet, name: str, value: int) -> QuerySet:
    # Lists of ids read once from the publication's issues (indexed), not an EXISTS per
    # person: the list is walked in name order, and most people of the country are
    # named in other publications.
    query = Q()
    for link in ("decisions", "attendance", "name_list_entries"):
        records = _related(Person, link).objects.filter(gazette__publication_id=value)
        query |= Q(pk__in=records.values("person_id"))
    return queryset.filter(query)


def _member_in_term(queryset: QuerySet, name: str, value: int) -> QuerySet:
    members = _related(Person, "memberships").objects.filter(person=OuterRef("pk"), term=value)
    return queryset.filter(Exists(members))


def _has_role(queryset: QuerySet, name: str, value: str) -> QuerySet:
    if value == "member":
        records = _related(Person, "memberships").objects.all()
    elif value == "appointee":
        records = _related(Person, "decisions").objects.all()
    elif value == "attending":
        records = _related(Person, "attendance").objects.filter(status="attending")
    else:
        records = _related(Person, "name_list_entries").objects.all()
    return queryset.filter(Exists(records.filter(person=OuterRef("pk"))))


class PersonFilter(FilterSet):
    """People: /people/ and /api/v1/people/."""

    region = django_filters.CharFilter(help_text="地区，如 营口市")
    gender = django_filters.ChoiceFilter(choices=Gender.choices, help_text="性别")
    post = IdFilter(method=_holds_post, help_text="担任过或被决定任免过此职务（职务 id）")
    q = django_filters.CharFilter(method=_name_contains, help_text="姓名（或其他写法）包含")
    publication = IdFilter(
        method=_named_in_publication, help_text="此公报刊物（id）的记录提到的人员"
    )
    term = SmallNumberFilter(method=_member_in_term, help_text="第几届组成人员（届）")
    role = django_filters.ChoiceFilter(
        choices=PERSON_ROLES, method=_has_role, help_text="身份：组成人员、任免对象、列席人员或名单成员"
    )
    updated_since = PersonUpdatedSinceFilter()

    class Meta:
        model = Person
        fields = ["region", "gender"]


class PostFilter(FilterSet):
    """Posts named in personnel decisions: /api/v1/posts/."""

    region = django_filters.CharFilter(help_text="地区")
    organisation = IdFilter(field_name="organisation_id", help_text="机构 id")
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", help_text="职务名称包含"
    )
    updated_since = PostUpdatedSinceFilter()

    class Meta:
        model = Post
        fields = ["region", "organisation"]


class TenureFilter(FilterSet):
    """Tenures: /api/v1/tenures/ and /api/v1/people/<id>/tenures/."""

    person = IdFilter(field_name="person_id", help_text="人员 id")
    post = IdFilter(field_name="post_id", help_text="职务 id")
    region = django_filters.CharFilter(field_name="post__region", help_text="地区")
    current = StrictBooleanFilter(method="filter_current", help_text="true：尚未卸任")
    started_after = django_filters.DateFilter(
        field_name="started_on", lookup_expr="gte", help_text="任职起始不早于"
    )
    started_before = django_filters.DateFilter(
        field_name="started_on", lookup_expr="lte", help_text="任职起始不晚于"
    )
    updated_since = TenureUpdatedSinceFilter()

    class Meta:
        model = Tenure
        fields = ["person", "post", "region"]

    def filter_current(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        current = Q(ended_on__isnull=True, end_decision__isnull=True)
        return queryset.filter(current if value else ~current)
