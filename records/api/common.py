"""What every endpoint of the public API shares.

- ``KeysetPagination``: cursor pagination on (sort key, id), fast at any depth,
  with NULLs always last, bounded page sizes and an ``ordering`` parameter.
- ``CSVRenderer``: ``?format=csv`` on every list, UTF-8 with a BOM so that
  spreadsheet programs read Chinese correctly.
- ``api_exception_handler``: every error in one JSON shape,
  ``{"error": {"status": 404, "code": "not_found", "message": "…"}}``.
- ``ApiAnonRateThrottle``: per-client limits for anonymous use, counted in the
  default cache (Redis when REDIS_URL is set, so shared by every worker).
- ``ConditionalMixin``: ETag / Last-Modified from one cheap aggregate query
  (the newest change recorded anywhere), answering 304 before any other work.
- ``ApiViewSet``: the read-only viewset every resource builds on.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import hashlib
import io
import json
from collections import OrderedDict
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.pagination import BasePagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

# --- links to the site ---------------------------------------------------------


def site_path(viewname: str, pk: Any) -> str | None:
    """The path of a record's page on the site, or None while there is no such page."""
    if pk is None:
        return None
    try:
        return reverse(viewname, args=[pk])
    except NoReverseMatch:
        return None


def absolute(request: Any, path: str | None) -> str | None:
    if path is None:
        return None
    return request.build_absolute_uri(path) if request is not None else path


# --- pagination ------------------------------------------------------------------


class InvalidCursor(exceptions.ParseError):
    default_detail = "无效的分页游标（cursor）。请使用上一页返回的 next / previous 链接。"
    default_code = "invalid_cursor"


class InvalidOrdering(exceptions.ParseError):
    default_code = "invalid_ordering"


class KeysetPagination(BasePagination):
    """Cursor pagination on the chosen sort key plus the id, NULLs always last.

    The view names what may be sorted on in ``ordering_fields`` (public name →
    field path) and the default in ``default_ordering``. A page is one indexed
    range query whatever its depth: no COUNT, no OFFSET.
    """

    page_size = 50
    max_page_size = 200
    csv_page_size = 1000
    csv_max_page_size = 5000
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"

    def paginate_queryset(self, queryset: QuerySet, request: Any, view: Any = None) -> list[Any]:
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.limit = self.get_page_size(request)
        self.ordering_name, path, self.descending = self.get_ordering(request, view)
        model = queryset.model
        self.key = "pk" if path in ("pk", "id") else "_keyset"
        if self.key != "pk":
            queryset = queryset.annotate(_keyset=F(path))
        self.nullable = self.key != "pk" and _is_nullable(model, path)
        self.output_field = None if self.key == "pk" else _field_of(model, path)
        cursor = self.decode_cursor(request)
        backwards = bool(cursor and cursor["r"])
        if cursor:
            queryset = queryset.filter(self._seek(cursor["v"], cursor["id"], backwards))
        queryset = queryset.order_by(*self._order(backwards))
        rows = list(queryset[: self.limit + 1])
        more = len(rows) > self.limit
        rows = rows[: self.limit]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, cursor is not None
        self.rows = rows
        return rows

    # -- parameters --

    def get_page_size(self, request: Any) -> int:
        is_csv = request.query_params.get("format") == "csv" or (
            getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format == "csv"
        )
        default, ceiling = (
            (self.csv_page_size, self.csv_max_page_size)
            if is_csv
            else (self.page_size, self.max_page_size)
        )
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return default
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ParseError(
                f"page_size 须为 1 到 {ceiling} 之间的整数。", code="invalid_page_size"
            )
        return min(size, ceiling)

    def get_ordering(self, request: Any, view: Any) -> tuple[str, str, bool]:
        fields = dict(getattr(view, "ordering_fields", None) or {"id": "pk"})
        fields.setdefault("id", "pk")
        name = request.query_params.get(self.ordering_query_param) or getattr(
            view, "default_ordering", "id"
        )
        descending = name.startswith("-")
        bare = name.removeprefix("-")
        if bare not in fields:
            allowed = ", ".join(sorted(fields))
            raise InvalidOrdering(f"无法按“{name}”排序；可用：{allowed}（前加 - 表示倒序）。")
        return name, fields[bare], descending

    # -- cursors --

    def decode_cursor(self, request: Any) -> dict[str, Any] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
            if not isinstance(data, dict) or data.get("o") != self.ordering_name:
                raise InvalidCursor()
            pk = data["id"]
            if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**63:
                raise InvalidCursor()
            value = data.get("v")
            if self.key == "pk":
                value = None
            elif value is not None:
                if not isinstance(value, str | int):
                    raise InvalidCursor()
                value = self.output_field.to_python(value)
                if value is None:
                    raise InvalidCursor()
            return {"v": value, "id": pk, "r": bool(data.get("r"))}
        except (
            ValueError,
            KeyError,
            TypeError,
            UnicodeError,
            binascii.Error,
            ValidationError,
            OverflowError,
        ) as exc:
            raise InvalidCursor() from exc

    def encode_cursor(self, row: Any, backwards: bool) -> str:
        value = None if self.key == "pk" else getattr(row, self.key)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        data = {"o": self.ordering_name, "v": value, "id": row.pk}
        if backwards:
            data["r"] = 1
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def _seek(self, value: Any, pk: int, backwards: bool) -> Q:
        """Rows after (or, backwards, before) the position (value, pk) in this order."""
        desc = self.descending
        if self.key == "pk":
            after = desc == backwards
            return Q(pk__gt=pk) if after else Q(pk__lt=pk)
        k = self.key
        pk_after = Q(pk__lt=pk) if desc else Q(pk__gt=pk)
        pk_before = Q(pk__gt=pk) if desc else Q(pk__lt=pk)
        if not backwards:
            if value is None:
                return Q(**{f"{k}__isnull": True}) & pk_after
            beyond = Q(**{f"{k}__lt" if desc else f"{k}__gt": value})
            if self.nullable:
                beyond |= Q(**{f"{k}__isnull": True})
            return beyond | (Q(**{k: value}) & pk_after)
        if value is None:
            return Q(**{f"{k}__isnull": False}) | (Q(**{f"{k}__isnull": True}) & pk_before)
        return Q(**{f"{k}__gt" if desc else f"{k}__lt": value}) | (Q(**{k: value}) & pk_before)

    def _order(self, backwards: bool) -> list[Any]:
        desc = self.descending != backwards
        pk = F("pk").desc() if desc else F("pk").asc()
        if self.key == "pk":
            return [pk]
        key = F(self.key)
        if backwards:
            primary = key.desc(nulls_first=True) if desc else key.asc(nulls_first=True)
        else:
            primary = key.desc(nulls_last=True) if desc else key.asc(nulls_last=True)
        return [primary, pk]

    # -- links --

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.rows:
            return None
        return replace_query_param(
            self.base_url, self.cursor_query_param, self.encode_cursor(self.rows[-1], False)
        )

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.rows:
            return remove_query_param(self.base_url, self.cursor_query_param)
        return replace_query_param(
            self.base_url, self.cursor_query_param, self.encode_cursor(self.rows[0], True)
        )

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            OrderedDict(
                [
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "下一页的完整地址；没有下一页时为 null。"},
                "previous": {**link, "description": "上一页的完整地址；第一页为 null。"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = dict(getattr(view, "ordering_fields", None) or {"id": "pk"})
        fields.setdefault("id", "pk")
        names = sorted(fields)
        choices = [name for bare in names for name in (bare, f"-{bare}")]
        default = getattr(view, "default_ordering", "id")
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "分页游标：照抄上一次回答里 next / previous 链接中的值，不要自己构造。",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"每页条数，默认 {self.page_size}，最多 {self.max_page_size}"
                    f"（format=csv 时默认 {self.csv_page_size}，最多 {self.csv_max_page_size}）。"
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.csv_max_page_size},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"排序字段，前加 - 为倒序；相同值按 id 排序，空值总排在最后。默认 {default}。"
                ),
                "schema": {"type": "string", "enum": choices, "default": default},
            },
        ]


def _field_of(model: Any, path: str) -> Any:
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model
    return field


def _is_nullable(model: Any, path: str) -> bool:
    try:
        for part in path.split("__"):
            field = model._meta.get_field(part)
            if field.null:
                return True
            model = field.related_model
    except FieldDoesNotExist:
        return True
    return False


# --- CSV -----------------------------------------------------------------------------


class CSVRenderer(BaseRenderer):
    """A list as CSV: UTF-8 with BOM, one row per record, nested fields as dotted columns."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        rows = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(rows, dict):
            rows = [rows]
        columns = self._columns(renderer_context, rows)
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            flat = flatten(row)
            writer.writerow([flat.get(column, "") for column in columns])
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 200:
            view = (renderer_context or {}).get("view")
            name = getattr(view, "basename", None) or "export"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return out.getvalue().encode("utf-8")

    def _columns(self, context: Any, rows: list[Any]) -> list[str]:
        view = (context or {}).get("view")
        if view is not None and hasattr(view, "get_serializer_class"):
            try:
                return serializer_columns(view.get_serializer_class()())
            except Exception:  # a serializer that needs context: use the data's keys
                pass
        columns: list[str] = []
        for row in rows:
            for key in flatten(row):
                if key not in columns:
                    columns.append(key)
        return columns


def serializer_columns(serializer: serializers.BaseSerializer, prefix: str = "") -> list[str]:
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns.extend(serializer_columns(field, f"{prefix}{name}."))
        else:
            columns.append(f"{prefix}{name}")
    return columns


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts become dotted columns; lists of plain values are joined with "; "."""
    flat: dict[str, Any] = {}
    if not isinstance(value, dict):
        return {prefix.rstrip("."): _cell(value)} if prefix else {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            flat.update(flatten(item, f"{name}."))
        else:
            flat[name] = _cell(item)
    return flat


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        if all(not isinstance(v, dict | list) for v in value):
            return "; ".join("" if v is None else str(v) for v in value)
        return json.dumps(value, ensure_ascii=False)
    return value


# --- errors ------------------------------------------------------------------------


class NotModified(exceptions.APIException):
    status_code = status.HTTP_304_NOT_MODIFIED
    default_detail = ""
    default_code = "not_modified"

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__()
        self.headers = headers


def error_body(status_code: int, message: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"status": status_code, "code": code, "message": message, **extra}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, reshaped: {"error": {"status", "code", "message", ["fields"], ["retry_after"]}}."""
    if isinstance(exc, NotModified):
        return Response(status=304, headers=exc.headers)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: handler500 answers JSON for /api/
    data = response.data
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError) or not (
        isinstance(data, dict) and "detail" in data
    ):
        message = "请求参数无效。"
        code = "invalid"
        extra["fields"] = data if isinstance(data, dict) else {"non_field_errors": data}
    else:
        message = force_str(data["detail"])
        code = getattr(data["detail"], "code", None) or getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after"] = int(exc.wait + 0.999)
        response["Retry-After"] = str(extra["retry_after"])
    response.data = error_body(response.status_code, message, str(code), **extra)
    return response


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer", "description": "HTTP 状态码", "example": 404},
                "code": {
                    "type": "string",
                    "description": "机器可读的错误类别",
                    "example": "not_found",
                },
                "message": {"type": "string", "description": "给人看的说明", "example": "未找到。"},
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "参数错误时：每个参数的错误说明",
                },
                "retry_after": {
                    "type": "integer",
                    "description": "请求过于频繁时（429）：多少秒后可以再试",
                },
            },
        }
    },
}


# --- throttling ----------------------------------------------------------------


class ApiAnonRateThrottle(AnonRateThrottle):
    """Anonymous clients, by address; the rate is read from settings at every request."""

    scope = "anon"

    def get_rate(self) -> str | None:
        return getattr(settings, "PORTAL_API_RATE", None) or None


# --- conditional requests ------------------------------------------------------------


def _change_tables() -> list[tuple[str, str]]:
    """(table, column) pairs whose maximum moves whenever anything public changes."""
    from records.models import Gazette, Tombstone

    pairs = [(Gazette._meta.db_table, "updated_at"), (Tombstone._meta.db_table, "at")]
    for model in apps.get_models():
        if model._meta.app_label in ("records", "people") and model.__name__.startswith(
            "Historical"
        ):
            pairs.append((model._meta.db_table, "history_date"))
    return pairs


def data_version() -> tuple[str, dt.datetime | None]:
    """The newest change anywhere: one query over indexed columns.

    Every public record is either audited (simple_history writes a row with
    an indexed ``history_date`` for each change, loads included) or derived
    from audited ones; publishing touches ``Gazette.updated_at``; deletions
    and unpublishing write tombstones.
    """
    quote = connection.ops.quote_name
    parts = " UNION ALL ".join(
        f"SELECT MAX({quote(column)}) AS v FROM {quote(table)}"
        for table, column in _change_tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(v) FROM ({parts}) AS changes")  # table names only, no input
        (value,) = cursor.fetchone()
    if value is None:
        return "empty", None
    if isinstance(value, str):
        stamp = dt.datetime.fromisoformat(value)
        if timezone.is_naive(stamp):
            stamp = stamp.replace(tzinfo=dt.UTC)
    else:
        stamp = value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)
    return stamp.isoformat(), stamp


def etag_for(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f'W/"{digest}"'


def etag_matches(request: Any, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    wanted = parse_etags(header)
    bare = etag.removeprefix("W/")
    return "*" in wanted or any(tag.removeprefix("W/") == bare for tag in wanted)


def not_modified_since(request: Any, last_modified: dt.datetime | None) -> bool:
    if last_modified is None or request.META.get("HTTP_IF_NONE_MATCH"):
        return False
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and int(last_modified.timestamp()) <= since


class ConditionalMixin:
    """ETag and Last-Modified on every successful GET; 304 when the client's copy is current.

    The ETag is the data version plus the request's URL and format, so a
    matching request costs one query and sends no body.
    """

    conditional = True

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self._validators: dict[str, str] = {}
        if not self.conditional or request.method not in ("GET", "HEAD"):
            return
        version, stamp = data_version()
        renderer = getattr(request, "accepted_renderer", None)
        etag = etag_for(version, request.get_full_path(), getattr(renderer, "format", ""))
        self._validators = {"ETag": etag}
        if stamp is not None:
            self._validators["Last-Modified"] = http_date(stamp.timestamp())
        if etag_matches(request, etag) or not_modified_since(request, stamp):
            raise NotModified(self._validators)

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 300 and renderer is not None and renderer.format != "json":
            # Errors are always JSON, whatever format the list was asked in.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 200:
            for header, value in getattr(self, "_validators", {}).items():
                response[header] = value
            response["Cache-Control"] = "public, no-cache"
        response["Vary"] = "Accept, Origin"
        return response


# --- the base viewset ---------------------------------------------------------------


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    enum=["json", "csv"],
    description="回答格式：json（默认）或 csv（UTF-8 带 BOM，可直接用表格软件打开）。",
)


class ApiViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only, public, paginated by keyset, JSON or CSV, conditional."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = KeysetPagination
    lookup_value_regex = r"[0-9]+"
    ordering_fields: dict[str, str] = {"id": "pk"}
    default_ordering = "id"
