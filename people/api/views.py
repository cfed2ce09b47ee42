"""Read-only endpoints for people, posts and tenures.

Only what a published record leads to is public: a person named by a
published decision, attendance record or name list; a post of a published
decision; a tenure whose decisions are published (``records.api.visibility``).
The API layer sits above both apps, so it may import from ``records``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from people.api.serializers import PersonSerializer, PostSerializer, TenureSerializer
from people.filters import PersonFilter, PostFilter, TenureFilter
from people.models import Person, Post
from records.api import examples, visibility
from records.api.common import ApiViewSet
from records.api.views import documented, nested_list

TENURE_ORDERING = {"id": "pk", "started_on": "started_on", "ended_on": "ended_on"}


@documented("people", "人员", examples.PERSON)
class PersonViewSet(ApiViewSet):
    """People named in published issues."""

    ordering_fields = {"id": "pk", "name": "name", "updated_at": "updated_at"}

    def get_serializer_class(self):
        return TenureSerializer if self.action == "tenures" else PersonSerializer

    @property
    def filterset_class(self):
        return TenureFilter if getattr(self, "action", None) == "tenures" else PersonFilter

    def get_queryset(self):
        if self.action == "tenures":
            return (
                visibility.visible_tenures()
                .select_related("person", "post")
                .filter(person_id=self.kwargs.get("pk"))
            )
        return visibility.visible_people().with_alias_names()

    @nested_list(
        "people",
        "一个人的任职记录",
        TenureSerializer,
        TenureFilter,
        TENURE_ORDERING,
        examples.TENURE,
    )
    @action(detail=True, ordering_fields=TENURE_ORDERING)
    def tenures(self, request, pk=None):
        if not visibility.visible_people().filter(pk=pk).exists():
            raise NotFound("没有这个人，或提到此人的公报尚未发布。")
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@documented("posts", "职务", examples.POST)
class PostViewSet(ApiViewSet):
    """Posts named in published personnel decisions."""

    serializer_class = PostSerializer
    filterset_class = PostFilter
    ordering_fields = {"id": "pk", "title": "title"}

    def get_queryset(self):
        return visibility.visible_posts().select_related("organisation")


@documented("tenures", "任职", examples.TENURE)
class TenureViewSet(ApiViewSet):
    """Who held which post when, derived from published decisions (and clerks' own records)."""

    serializer_class = TenureSerializer
    filterset_class = TenureFilter
    ordering_fields = TENURE_ORDERING

    def get_queryset(self):
        tenures = visibility.visible_tenures()
        if self.action != "list":
            return tenures.select_related("person", "post")
        # A page's people and posts by id lists, not joined: with the joins SQLite's
        # planner may start from the few posts and sort every tenure by id for one page.
        return tenures.prefetch_related(
            Prefetch("person", queryset=Person.objects.only("id", "name")),
            Prefetch("post", queryset=Post.objects.only("id", "title")),
        )
