"""Read-only endpoints for publications, issues and the records read from them.

Every queryset starts from published issues (``records.api.visibility``):
anything of an unpublished issue is a 404, exactly as if it did not exist.
"""

from __future__ import annotations

import json

import django_filters
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from people.filters import IdFilter, SmallNumberFilter
from people.models import Post
from records.api import examples, visibility
from records.api.common import (
    ApiViewSet,
    NotModified,
    etag_for,
    etag_matches,
)
from records.api.serializers import (
    ArticleDetailSerializer,
    ArticleSerializer,
    AttendanceSerializer,
    GazetteDetailSerializer,
    GazetteSerializer,
    MeetingSerializer,
    PersonnelDecisionSerializer,
    PublicationSerializer,
    TombstoneSerializer,
    VoteSerializer,
)
from records.exporting import gazette_export
from records.filters import (
    ArticleFilter,
    AttendanceFilter,
    GazetteFilter,
    MeetingFilter,
    PersonnelDecisionFilter,
    PublicationFilter,
    TombstoneFilter,
    VoteFilter,
)
from records.models import (
    AgendaItem,
    Article,
    Citation,
    GazetteSource,
    Meeting,
    Provision,
    Tombstone,
)

PUBLISHED = visibility.PUBLISHED
ATTENDANCE_ORDERING = {"id": "pk", "name": "name", "updated_at": "updated_at"}


def documented(tag: str, noun: str, example: dict, *, detail_example: dict | None = None):
    """Summaries and examples for a resource's list and detail."""
    return extend_schema_view(
        list=extend_schema(
            tags=[tag],
            summary=f"{noun}列表",
            examples=[OpenApiExample(f"{noun}列表", value=example, response_only=True)],
        ),
        retrieve=extend_schema(
            tags=[tag],
            summary=f"一条{noun}",
            examples=[OpenApiExample(noun, value=detail_example or example, response_only=True)],
        ),
    )


def nested_list(tag: str, summary: str, serializer, filterset, ordering: dict, example: dict):
    """Schema of a paginated list under a detail route (e.g. /meetings/{id}/attendance/)."""
    parameters = [
        *filter_parameters(filterset),
        OpenApiParameter("cursor", str, description="分页游标：照抄 next / previous 链接中的值"),
        OpenApiParameter(
            "page_size",
            {"type": "integer", "minimum": 1},
            description="每页条数，默认 50，最多 200（CSV 最多 5000），更大的数按最多计",
        ),
        OpenApiParameter(
            "ordering",
            str,
            enum=[name for bare in sorted(ordering) for name in (bare, f"-{bare}")],
            description="排序字段，前加 - 为倒序",
        ),
    ]
    return extend_schema(
        tags=[tag],
        summary=summary,
        parameters=parameters,
        responses=serializer(many=True),
        examples=[OpenApiExample(summary, value=example, response_only=True)],
    )


def filter_parameters(filterset) -> list[OpenApiParameter]:
    result = []
    for name, field in filterset.base_filters.items():
        if isinstance(field, (IdFilter, SmallNumberFilter)):
            kind = {
                "type": "integer",
                "minimum": field.extra.get("min_value", 1),
                "maximum": field.extra.get("max_value"),
            }
        elif isinstance(field, django_filters.IsoDateTimeFilter):
            kind = OpenApiTypes.DATETIME
        elif isinstance(field, django_filters.DateFilter):
            kind = OpenApiTypes.DATE
        elif isinstance(field, django_filters.BooleanFilter):
            kind = bool
        else:
            kind = str
        enum = [value for value, _ in field.extra["choices"]] if "choices" in field.extra else None
        result.append(
            OpenApiParameter(
                name, kind, enum=enum, description=str(field.extra.get("help_text", ""))
            )
        )
    return result


@documented("publications", "公报刊物", examples.PUBLICATION)
class PublicationViewSet(ApiViewSet):
    """Gazette series (one per issuer) with at least one published issue."""

    serializer_class = PublicationSerializer
    filterset_class = PublicationFilter
    ordering_fields = {"id": "pk", "region": "region", "issuer": "issuer"}

    def get_queryset(self):
        return visibility.visible_publications()


@documented("gazettes", "公报", examples.GAZETTE, detail_example=examples.GAZETTE_DETAIL)
class GazetteViewSet(ApiViewSet):
    """Published issues."""

    filterset_class = GazetteFilter
    ordering_fields = {
        "id": "pk",
        "year": "year",
        "published_on": "published_on",
        "published_at": "published_at",
        "updated_at": "updated_at",
    }

    def get_serializer_class(self):
        return GazetteDetailSerializer if self.action == "retrieve" else GazetteSerializer

    def get_queryset(self):
        source = GazetteSource.objects.filter(gazette=OuterRef("pk"))
        return (
            visibility.published_gazettes()
            .select_related("publication")
            .annotate(
                source_filename=Subquery(source.values("filename")[:1]),
                source_sha256=Subquery(source.values("sha256")[:1]),
            )
        )

    @property
    def conditional(self):
        # The export answers with an ETag of its own content (see ``export``).
        return self.action != "export"

    @extend_schema(
        tags=["gazettes"],
        summary="一期公报的 gazette/1 JSON 导出",
        description=(
            "与解析器输出（parse_gazette 命令）同一形状的整期数据，来自数据库，"
            "含工作人员的校对：校对过的记录另带 corrected_fields。"
            "形状见 docs/gazette-json.md；ETag 由内容计算。"
        ),
        responses={
            200: OpenApiResponse(
                response={"type": "object", "additionalProperties": True},
                description="gazette/1 JSON",
                examples=[OpenApiExample("gazette/1", value=examples.EXPORT)],
            )
        },
    )
    def export(self, request, pk=None):
        gazette = self.get_object()
        data = gazette_export(gazette)
        body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
        etag = etag_for("export", body.decode("utf-8"))
        if etag_matches(request, etag):
            raise NotModified({"ETag": etag})
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["ETag"] = etag
        response["Cache-Control"] = "public, no-cache"
        name = f"gazette-{gazette.pk}-{gazette.year}-{gazette.issue}.json"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


@documented("articles", "文章", examples.ARTICLE, detail_example=examples.ARTICLE_DETAIL)
class ArticleViewSet(ApiViewSet):
    """Articles of published issues; the detail adds the text, provisions and citations."""

    filterset_class = ArticleFilter
    ordering_fields = {"id": "pk", "date": "date", "updated_at": "updated_at"}

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleSerializer

    def get_queryset(self):
        queryset = visibility.published_articles().select_related("gazette__publication", "meeting")
        if self.action == "retrieve":
            return queryset.prefetch_related(
                Prefetch(
                    "provisions",
                    queryset=Provision.objects.order_by("first_line", "kind", "number", "id"),
                ),
                Prefetch("citations", queryset=Citation.objects.order_by("first_line", "id")),
            )
        return queryset.defer("text")


# What a record's source names of its issue (SourceSerializer): the joined issue and
# publication are read for these columns only.
ISSUE_REFERENCE = (
    *("gazette__year", "gazette__issue"),
    *("gazette__publication__name", "gazette__publication__issuer"),
)


@documented("meetings", "会议", examples.MEETING)
class MeetingViewSet(ApiViewSet):
    """Meetings first reported by a published issue, with their published agenda."""

    ordering_fields = {"id": "pk", "date": "date", "updated_at": "updated_at"}

    def get_serializer_class(self):
        return AttendanceSerializer if self.action == "attendance" else MeetingSerializer

    def get_queryset(self):
        if self.action == "attendance":
            return (
                visibility.published_attendance()
                .select_related("gazette__publication", "person")
                .filter(meeting_id=self.kwargs.get("pk"))
            )
        agenda = (
            AgendaItem.objects.filter(visibility.in_published_issue())
            .only("id", "meeting_id", "text")
            .order_by("number", "id")
        )
        return (
            visibility.published_meetings()
            .select_related("gazette__publication")
            .only(*ISSUE_REFERENCE, *(f.name for f in Meeting._meta.concrete_fields))
            .prefetch_related(Prefetch("agenda_items", queryset=agenda, to_attr="public_agenda"))
        )

    @property
    def filterset_class(self):
        return AttendanceFilter if getattr(self, "action", None) == "attendance" else MeetingFilter

    @nested_list(
        "meetings",
        "一次会议的出列席名单",
        AttendanceSerializer,
        AttendanceFilter,
        ATTENDANCE_ORDERING,
        examples.ATTENDANCE,
    )
    @action(detail=True, ordering_fields=ATTENDANCE_ORDERING)
    def attendance(self, request, pk=None):
        if not visibility.published_meetings().filter(pk=pk).exists():
            raise NotFound("没有这次会议，或刊载它的公报尚未发布。")
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


DECISION_FIELDS = (
    *("id", "region", "person_name", "action", "positions", "date"),
    *("first_line", "last_line", "corrected_fields", "updated_at"),
)


@documented("personnel-decisions", "人事任免决定", examples.DECISION)
class PersonnelDecisionViewSet(ApiViewSet):
    """Personnel decisions printed in published issues."""

    serializer_class = PersonnelDecisionSerializer
    filterset_class = PersonnelDecisionFilter
    ordering_fields = {
        "id": "pk",
        "date": "date",
        "updated_at": "updated_at",
        "person_name": "person_name",
    }

    def get_queryset(self):
        return (
            visibility.published_decisions()
            .select_related("person", "meeting", "article", "gazette__publication")
            # The columns the serializer reads, of the decision and what it joins: no row
            # converts a joined record's JSON and timestamps that it does not show.
            .only(
                *DECISION_FIELDS,
                "person__name",
                *("meeting__region", "meeting__body", "meeting__term", "meeting__number"),
                *("article__number", "article__title", "article__page"),
                *ISSUE_REFERENCE,
            )
            # Plain lists (to_attr): a related manager and a queryset clone per row cost a
            # page of 50 decisions more than its two prefetch queries.
            .prefetch_related(
                Prefetch(
                    "posts",
                    queryset=Post.objects.only("id", "title").order_by("title", "id"),
                    to_attr="post_list",
                ),
                Prefetch(
                    "sources",
                    queryset=Article.objects.only("id", "number", "title", "page").order_by(
                        "number"
                    ),
                    to_attr="source_list",
                ),
            )
        )


@documented("votes", "满意度测评", examples.VOTE)
class VoteViewSet(ApiViewSet):
    """Evaluation votes (满意度测评) printed in published issues."""

    serializer_class = VoteSerializer
    filterset_class = VoteFilter
    ordering_fields = {"id": "pk", "updated_at": "updated_at", "satisfied_pct": "satisfied_pct"}

    def get_queryset(self):
        return (
            visibility.published_votes()
            .select_related("gazette__publication", "article", "meeting")
            .defer("article__text")  # the source needs the article's number, title and page
        )


@extend_schema_view(
    list=extend_schema(
        tags=["changes"],
        summary="变更：已删除或撤回的记录（墓碑）",
        description=(
            "镜像站用它删除不再公开的记录。同步顺序：先按 since=上次同步开始的时间 取本列表并删除，"
            "再用各列表的 updated_since 取新增和修改的记录（重新发布的公报会以此重新出现）。"
        ),
        examples=[OpenApiExample("变更", value=examples.TOMBSTONE, response_only=True)],
    ),
    retrieve=extend_schema(
        tags=["changes"],
        summary="一条变更",
        examples=[OpenApiExample("变更", value=examples.TOMBSTONE, response_only=True)],
    ),
)
class ChangeViewSet(ApiViewSet):
    """The tombstones: what mirrors must delete."""

    serializer_class = TombstoneSerializer
    filterset_class = TombstoneFilter
    ordering_fields = {"id": "pk", "at": "at"}
    default_ordering = "at"

    def get_queryset(self):
        return Tombstone.objects.all()
