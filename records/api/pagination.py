"""Keyset (cursor) pagination for the public API: fast at any depth, bounded page sizes."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections import OrderedDict
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# --- pagination ------------------------------------------------------------------


class InvalidCursor(exceptions.NotFound):
    """A cursor that names no page (404, as DRF's own cursor pagination answers)."""

    default_detail = "没有这一页：分页游标（cursor）无效。请使用上一页返回的 next / previous 链接。"
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
                "next": {
                    **link,
                    "description": "下一页的完整地址；没有下一页时为 null。",
                    "example": "https://gazette.example.org/api/v1/articles/?cursor=eyJvIjoiaWQiLCJ2IjpudWxsLCJpZCI6NTB9",
                },
                "previous": {
                    **link,
                    "description": "上一页的完整地址；第一页为 null。",
                    "example": None,
                },
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
                "description": "分页游标：照抄上一次回答里 next / previous 链接中的值，不要自己构造；无效的游标回答 404。",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"每页条数，默认 {self.page_size}，最多 {self.max_page_size}"
                    f"（format=csv 时默认 {self.csv_page_size}，最多 {self.csv_max_page_size}）；"
                    "更大的数按最多计。"
                ),
                "schema": {"type": "integer", "minimum": 1},
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
