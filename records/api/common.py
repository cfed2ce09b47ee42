"""What every endpoint of the public API shares.

- ``KeysetPagination`` (records.api.pagination): cursor pagination on
  (sort key, id), fast at any depth, NULLs last, bounded page sizes.
- ``CSVRenderer``: ``?format=csv`` on every list, UTF-8 with a BOM so that
  spreadsheet programs read Chinese correctly.
- ``api_exception_handler``: every error in one JSON shape,
  ``{"error": {"status": 404, "code": "not_found", "message": "…"}}``.
- ``ApiAnonRateThrottle`` (records.api.throttling): per-client limits for
  anonymous use, counted in the default cache (Redis when REDIS_URL is set).
- ``ConditionalMixin``: ETag / Last-Modified from one cheap aggregate query
  (the newest change recorded anywhere), answering 304 before any other work.
- ``ApiViewSet``: the read-only viewset every resource builds on.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
from typing import Any

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from portal.paths import site_path as site_path
from portal.replicas import read_connection
from records.api.pagination import KeysetPagination

# --- links to the site ---------------------------------------------------------


def absolute(request: Any, path: str | None) -> str | None:
    if path is None:
        return None
    if request is None:
        return path
    # scheme://host once per request, not once per link
    base = getattr(request, "_portal_absolute_base", None)
    if base is None:
        base = request.build_absolute_uri("/")[:-1]
        request._portal_absolute_base = base
    return base + path if path.startswith("/") else request.build_absolute_uri(path)


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
    from rest_framework.views import exception_handler as drf_exception_handler

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


# --- conditional requests ------------------------------------------------------------


@functools.cache
def _change_tables() -> tuple[tuple[str, str], ...]:
    """(table, column) pairs whose maximum moves whenever anything public changes."""
    from records.models import Gazette, Tombstone

    pairs = [(Gazette._meta.db_table, "updated_at"), (Tombstone._meta.db_table, "at")]
    for model in apps.get_models():
        if model._meta.app_label in ("records", "people") and model.__name__.startswith(
            "Historical"
        ):
            pairs.append((model._meta.db_table, "history_date"))
    return tuple(pairs)


_VERSION_SQL: dict[str, str] = {}


def _version_sql(connection: BaseDatabaseWrapper) -> str:
    """The statement of ``data_version``, built once per database vendor (table names only, no input)."""
    sql = _VERSION_SQL.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        parts = " UNION ALL ".join(
            f"SELECT MAX({quote(column)}) AS v FROM {quote(table)}"
            for table, column in _change_tables()
        )
        sql = _VERSION_SQL[connection.vendor] = f"SELECT MAX(v) FROM ({parts}) AS changes"
    return sql


def data_version() -> tuple[str, dt.datetime | None]:
    """The newest change anywhere: one query over indexed columns.

    Every public record is either audited (simple_history writes a row with
    an indexed ``history_date`` for each change, loads included) or derived
    from audited ones; publishing touches ``Gazette.updated_at``; deletions
    and unpublishing write tombstones.
    """
    connection = read_connection()
    sql = _version_sql(connection)
    with connection.cursor() as cursor:
        # On PostgreSQL, planning this union of fifteen maxima took 2.5 ms against 0.5 to
        # run it: a worker's connection prepares it (portal.settings, PORTAL_PG_PREPARE).
        cursor.execute(sql)
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


class ApiViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only, public, paginated by keyset, JSON or CSV, conditional."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = KeysetPagination
    lookup_value_regex = r"[0-9]+"
    ordering_fields: dict[str, str] = {"id": "pk"}
    default_ordering = "id"
