"""The public API: /api/v1/ (the router), /api/schema/ (OpenAPI 3) and /api/docs/.

Mounted by portal/urls.py at api/ under the namespace ``api``. A v2 would get
a router of its own next to this one. The JSON error handlers for /api/ paths
live here too (portal/urls.py points handler404/handler500 at them).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import DefaultRouter

from people.api.views import PersonViewSet, PostViewSet, TenureViewSet
from records.api.common import error_body
from records.api.views import (
    ArticleViewSet,
    ChangeViewSet,
    GazetteViewSet,
    MeetingViewSet,
    PersonnelDecisionViewSet,
    PublicationViewSet,
    VoteViewSet,
)

app_name = "api"
JSON_PARAMS = {"ensure_ascii": False}

router = DefaultRouter()
router.include_root_view = False
router.register("publications", PublicationViewSet, basename="publication")
router.register("gazettes", GazetteViewSet, basename="gazette")
router.register("articles", ArticleViewSet, basename="article")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("people", PersonViewSet, basename="person")
router.register("posts", PostViewSet, basename="post")
router.register("tenures", TenureViewSet, basename="tenure")
router.register("personnel-decisions", PersonnelDecisionViewSet, basename="personneldecision")
router.register("votes", VoteViewSet, basename="vote")
router.register("changes", ChangeViewSet, basename="change")

urlpatterns = [
    path(
        "v1/gazettes/<int:pk>/export.json",
        GazetteViewSet.as_view({"get": "export"}, renderer_classes=[JSONRenderer]),
        name="gazette-export",
    ),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler400(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            error_body(400, "请求无效。", "bad_request"), status=400, json_dumps_params=JSON_PARAMS
        )
    return defaults.bad_request(request, exception)


def handler403(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            error_body(403, "没有权限。", "permission_denied"),
            status=403,
            json_dumps_params=JSON_PARAMS,
        )
    return defaults.permission_denied(request, exception)


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            error_body(404, "未找到。", "not_found"), status=404, json_dumps_params=JSON_PARAMS
        )
    return defaults.page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return JsonResponse(
            error_body(500, "服务器内部错误。", "server_error"),
            status=500,
            json_dumps_params=JSON_PARAMS,
        )
    return defaults.server_error(request)
