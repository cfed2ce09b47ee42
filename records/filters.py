"""FilterSets shared by the public pages and the API (/api/v1/).

Each FilterSet only narrows the queryset it is given: the caller decides what
is public (``records.api.visibility``). Parameters are validated: a malformed
value is a 400 with the reason, never a server error.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from people.filters import IdFilter, SmallNumberFilter, UpdatedSinceFilter, YearFilter, as_utc
from people.models import Body
from portal.filtering import FilterSet
from records.models import (
    Action,
    Article,
    Attendance,
    AttendanceStatus,
    Category,
    Gazette,
    GazetteKind,
    Meeting,
    PersonnelDecision,
    Publication,
    Tombstone,
    TombstoneReason,
    Vote,
)


class IssuePublicationFilter(IdFilter):
    """Records of one publication, as ``gazette_id IN (that publication's issues)``.

    A list of a few dozen issue ids, read once, rather than a join per row: a
    list walked in date order then tests each row against the list, and the
    database can also start from the issues' index when the publication is small.
    """

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(gazette_id__in=Gazette.objects.filter(publication_id=value).values("id"))

class PublicationUpdatedSinceFilter(UpdatedSinceFilter):
    """Series with an issue changed or (re)published at or after this instant."""

    def filter(self, qs: QuerySet, value):
        if value in (None, ""):
            return qs
        since = as_utc(value)
        changed = Gazette.objects.filter(publication=OuterRef("pk")).filter(
            Q(updated_at__gte=since) | Q(published_at__gte=since)
        )
        return qs.filter(Exists(changed))


def _contains(*fields: str):
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    return method


class PublicationFilter(FilterSet):
    """Gazette series: /api/v1/publications/."""

    region = django_filters.CharFilter(help_text="地区，如 营口市")
    kind = django_filters.ChoiceFilter(choices=GazetteKind.choices, help_text="类型")
    updated_since = PublicationUpdatedSinceFilter()

    class Meta:
        model = Publication
        fields = ["region", "kind"]


class GazetteFilter(FilterSet):
    """Issues: the issue list page and /api/v1/gazettes/."""

    publication = IdFilter(field_name="publication_id", help_text="公报刊物 id")
    region = django_filters.CharFilter(
        field_name="publication__region", help_text="地区，如 营口市"
    )
    kind = django_filters.ChoiceFilter(
        field_name="publication__kind", choices=GazetteKind.choices, help_text="类型"
    )
    year = YearFilter(help_text="年份")
    issue = SmallNumberFilter(help_text="期号")
    published_after = django_filters.DateFilter(
        field_name="published_on", lookup_expr="gte", help_text="出版日期不早于（YYYY-MM-DD）"
    )
    published_before = django_filters.DateFilter(
        field_name="published_on", lookup_expr="lte", help_text="出版日期不晚于（YYYY-MM-DD）"
    )
    updated_since = UpdatedSinceFilter(fields=("updated_at", "published_at"))

    class Meta:
        model = Gazette
        fields = ["publication", "region", "kind", "year", "issue"]


class ArticleFilter(FilterSet):
    """Articles of issues: the article list page and /api/v1/articles/."""

    gazette = IdFilter(field_name="gazette_id", help_text="所属公报 id")
    publication = IssuePublicationFilter(help_text="公报刊物 id")
    region = django_filters.CharFilter(field_name="gazette__publication__region", help_text="地区")
    year = YearFilter(field_name="gazette__year", help_text="公报年份")
    category = django_filters.ChoiceFilter(choices=Category.choices, help_text="类别")
    date_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="日期不早于"
    )
    date_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="日期不晚于"
    )
    doc_number = django_filters.CharFilter(help_text="文号（完全一致），如 葫政发〔2020〕6号")
    meeting = IdFilter(field_name="meeting_id", help_text="通过或提交的会议 id")
    q = django_filters.CharFilter(method=_contains("title", "toc_title"), help_text="标题包含")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Article
        fields = ["gazette", "publication", "region", "year", "category", "doc_number", "meeting"]


class MeetingFilter(FilterSet):
    """Meetings: /api/v1/meetings/."""

    publication = IssuePublicationFilter(help_text="首次刊载的公报刊物 id")
    region = django_filters.CharFilter(help_text="地区")
    body = django_filters.ChoiceFilter(choices=Body.choices, help_text="机构：常委会或人民代表大会")
    term = SmallNumberFilter(help_text="届")
    number = SmallNumberFilter(help_text="次")
    year = YearFilter(field_name="date__year", help_text="会议年份")
    date_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="日期不早于"
    )
    date_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="日期不晚于"
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Meeting
        fields = ["publication", "region", "body", "term", "number"]


class AttendanceFilter(FilterSet):
    """Who attended a meeting: /api/v1/meetings/<id>/attendance/."""

    status = django_filters.ChoiceFilter(
        choices=AttendanceStatus.choices, help_text="出席、请假或列席"
    )
    person = IdFilter(field_name="person_id", help_text="人员 id")
    q = django_filters.CharFilter(method=_contains("name"), help_text="姓名包含")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Attendance
        fields = ["status", "person"]


class PersonnelDecisionFilter(FilterSet):
    """Personnel decisions: /api/v1/personnel-decisions/."""

    publication = IssuePublicationFilter(help_text="公报刊物 id")
    gazette = IdFilter(field_name="gazette_id", help_text="所属公报 id")
    region = django_filters.CharFilter(help_text="地区")
    year = YearFilter(field_name="date__year", help_text="决定年份")
    action = django_filters.ChoiceFilter(choices=Action.choices, help_text="事项")
    person = IdFilter(field_name="person_id", help_text="人员 id")
    post = IdFilter(field_name="posts", help_text="职务 id", distinct=False)
    meeting = IdFilter(field_name="meeting_id", help_text="会议 id")
    body = django_filters.ChoiceFilter(
        field_name="meeting__body", choices=Body.choices, help_text="会议机构"
    )
    term = SmallNumberFilter(field_name="meeting__term", help_text="会议届次")
    number = SmallNumberFilter(field_name="meeting__number", help_text="会议次数")
    date_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="日期不早于"
    )
    date_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="日期不晚于"
    )
    q = django_filters.CharFilter(method=_contains("person_name"), help_text="姓名包含")
    organisation = IdFilter(method="filter_organisation", help_text="职务所属机构 id")
    position = django_filters.CharFilter(
        method="filter_position", help_text="职务名称包含，如 公安局、副市长"
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = PersonnelDecision
        fields = ["publication", "gazette", "region", "action", "person", "meeting"]

    def _with_post(self, queryset: QuerySet, **lookup) -> QuerySet:
        through = PersonnelDecision.posts.through.objects.filter(
            personneldecision=OuterRef("pk"), **lookup
        )
        return queryset.filter(Exists(through))

    def filter_organisation(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return self._with_post(queryset, post__organisation_id=value)

    def filter_position(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._with_post(queryset, post__title__icontains=value)


class VoteFilter(FilterSet):
    """Evaluation votes: /api/v1/votes/."""

    publication = IssuePublicationFilter(help_text="公报刊物 id")
    gazette = IdFilter(field_name="gazette_id", help_text="所属公报 id")
    region = django_filters.CharFilter(field_name="gazette__publication__region", help_text="地区")
    year = YearFilter(field_name="gazette__year", help_text="公报年份")
    meeting = IdFilter(field_name="meeting_id", help_text="会议 id")
    subject_type = django_filters.ChoiceFilter(
        choices=[("report", "报告"), ("department", "部门"), ("person", "个人")],
        help_text="测评对象类型",
    )
    q = django_filters.CharFilter(method=_contains("subject"), help_text="测评对象包含")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Vote
        fields = ["publication", "gazette", "region", "year", "meeting", "subject_type"]


class TombstoneFilter(FilterSet):
    """The changes feed: /api/v1/changes/."""

    since = django_filters.IsoDateTimeFilter(
        method="filter_since",
        help_text="只返回此时刻（ISO 8601）及之后的删除与撤回；用上次同步开始的时间。",
    )
    reason = django_filters.ChoiceFilter(choices=TombstoneReason.choices, help_text="删除或撤回")

    class Meta:
        model = Tombstone
        fields = ["reason"]

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=as_utc(value))
