"""Pages of the public lists without COUNT(*) and without OFFSET.

A list names the columns it is sorted on (``Key``), the last one unique.
Its first page is the first rows of that order; every other page is reached
by a cursor that holds the sort values of the row it starts after (or, going
back, before), so a page deep in a list of a million rows is one range read
on the order's index, as cheap as the first. A cursor also carries the page
number, only to show it.

Rows whose first sort column is NULL come last (newest first, undated at
the end). They are read separately: "date <= d" is a range on the index,
"date <= d OR date IS NULL" is not, so a page that crosses from dated to
undated rows costs one query more.

``?page=N`` (OFFSET) still answers for the first ``MAX_NUMBERED_PAGE``
pages, for links made before the lists had cursors.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import Http404

T = TypeVar("T")

MAX_NUMBERED_PAGE = 200
NO_PAGE = "没有这一页。"


@dataclass(frozen=True)
class SeekPage(Generic[T]):
    """One page of a list; whether another follows is known by fetching one row more."""

    items: list[T]
    number: int
    has_next: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(value: str | None, limit: int = MAX_NUMBERED_PAGE) -> int:
    """The page asked for by number; anything that is not a page number is a 404."""
    if value in (None, ""):
        return 1
    try:
        number = int(value)
    except ValueError:
        raise Http404(NO_PAGE) from None
    if not 1 <= number <= limit:
        raise Http404(NO_PAGE)
    return number


def seek_page(rows: QuerySet | Sequence[T], number: int, per_page: int) -> SeekPage[Any]:
    """A page by number (OFFSET): for short lists and the first pages of long ones."""
    start = (number - 1) * per_page
    items = list(rows[start : start + per_page + 1])
    if number > 1 and not items:
        raise Http404(NO_PAGE)
    return SeekPage(items=items[:per_page], number=number, has_next=len(items) > per_page)


# --- keyset ----------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One sort column: a field path, newest/largest first when descending."""

    path: str
    descending: bool = False


@dataclass(frozen=True)
class Order:
    """A list's sort order; the last key must be unique (the primary key)."""

    keys: tuple[Key, ...]
    name: str = field(default="")

    @classmethod
    def of(cls, *paths: str) -> Order:
        """``Order.of("-date", "-id")``, as ``order_by`` spells it."""
        keys = tuple(Key(p.removeprefix("-"), p.startswith("-")) for p in paths)
        return cls(keys=keys, name=",".join(paths))

    def order_by(self, model: type[Model], backwards: bool = False) -> list[OrderBy]:
        """The ORDER BY of this order (or of its reverse), NULLs last going forwards.

        Only a nullable column says where its NULLs go: "id DESC NULLS LAST" is not
        the order of an index on "id DESC" (PostgreSQL puts NULLs first there), nor
        is "x ASC NULLS LAST" on SQLite, and either would sort rows an index has in order.
        """
        terms = []
        for key in self.keys:
            descending = key.descending != backwards
            expression = F(key.path)
            if not _is_nullable(model, key.path):
                terms.append(expression.desc() if descending else expression.asc())
            elif backwards:
                terms.append(
                    expression.desc(nulls_first=True)
                    if descending
                    else expression.asc(nulls_first=True)
                )
            else:
                terms.append(
                    expression.desc(nulls_last=True)
                    if descending
                    else expression.asc(nulls_last=True)
                )
        return terms


def keyset_page(
    rows: QuerySet, order: Order, cursor: str | None, per_page: int, *, number: str | None = None
) -> SeekPage[Any]:
    """The page of ``rows`` in ``order`` that ``cursor`` names (the first page without one).

    ``number`` is the legacy ``?page=N``: honoured by OFFSET up to MAX_NUMBERED_PAGE
    when no cursor is given.
    """
    if not cursor:
        page = seek_page(rows.order_by(*order.order_by(rows.model)), page_number(number), per_page)
        return _with_cursors(page, order)
    position = _decode(cursor, order, rows.model)
    values, backwards, target = position["v"], position["r"], position["n"]
    ordered = order.order_by(rows.model, backwards)
    first, rest = order.keys[0], order.keys[1:]
    nullable = _is_nullable(rows.model, first.path)
    ahead = _ahead(rest, values[1:], backwards, rows.model) if rest else Q(pk__in=[])
    value = values[0]
    # Rows on the position's side of the NULL boundary first (a range on the index),
    # then, if the page is not full, the rows across it.
    if value is None:
        same = Q(**{f"{first.path}__isnull": True}) & ahead
        other = Q(**{f"{first.path}__isnull": False}) if backwards else None
    else:
        towards = first.descending != backwards  # walking towards smaller values
        bound = Q(**{f"{first.path}__lte" if towards else f"{first.path}__gte": value})
        beyond = Q(**{f"{first.path}__lt" if towards else f"{first.path}__gt": value})
        same = bound & (beyond | (Q(**{first.path: value}) & ahead))
        other = Q(**{f"{first.path}__isnull": True}) if nullable and not backwards else None
    items = list(rows.filter(same).order_by(*ordered)[: per_page + 1])
    if len(items) <= per_page and other is not None:
        items += list(rows.filter(other).order_by(*ordered)[: per_page + 1 - len(items)])
    more = len(items) > per_page
    items = items[:per_page]
    if not items:
        raise Http404(NO_PAGE)
    if backwards:
        items.reverse()
        target = max(target, 2) if more else 1  # the number is only shown; the rows decide
    page = SeekPage(items=items, number=target, has_next=more or backwards)
    return _with_cursors(page, order)


def _ahead(keys: tuple[Key, ...], values: list[Any], backwards: bool, model: type[Model]) -> Q:
    """Rows past the position on these keys, the keys before them being equal.

    NULLs sort last going forwards, so going backwards they come first.
    """
    key, value = keys[0], values[0]
    rest = _ahead(keys[1:], values[1:], backwards, model) if len(keys) > 1 else None
    if value is None:  # only a key before the last (unique, never NULL) can be NULL
        tie = Q(**{f"{key.path}__isnull": True}) & (rest if rest is not None else Q(pk__in=[]))
        return Q(**{f"{key.path}__isnull": False}) | tie if backwards else tie
    towards = key.descending != backwards  # walking towards smaller values
    beyond = Q(**{f"{key.path}__lt" if towards else f"{key.path}__gt": value})
    if not backwards and _is_nullable(model, key.path):
        beyond |= Q(**{f"{key.path}__isnull": True})
    if rest is None:
        return beyond
    return beyond | (Q(**{key.path: value}) & rest)


def _with_cursors(page: SeekPage[Any], order: Order) -> SeekPage[Any]:
    items = page.items
    if not items:
        return page
    return dataclasses.replace(
        page,
        next_cursor=encode_cursor(items[-1], order, page.number + 1) if page.has_next else None,
        previous_cursor=encode_cursor(items[0], order, page.number - 1, True) if page.number > 1 else None,
    )


# --- cursors -----------------------------------------------------------------------


def _value_of(row: Any, path: str) -> Any:
    value = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    if isinstance(value, Model):
        value = value.pk
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def encode_cursor(row: Any, order: Order, number: int, backwards: bool = False) -> str:
    """The cursor of page ``number``: the rows after ``row`` (or, backwards, before it)."""
    data: dict[str, Any] = {
        "o": order.name,
        "n": number,
        "v": [_value_of(row, k.path) for k in order.keys],
    }
    if backwards:
        data["r"] = 1
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(cursor: str, order: Order, model: type[Model]) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
        if not isinstance(data, dict) or data.get("o") != order.name:
            raise Http404(NO_PAGE)
        raw_values, number = data["v"], data["n"]
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number < 10**9:
            raise Http404(NO_PAGE)
        if not isinstance(raw_values, list) or len(raw_values) != len(order.keys):
            raise Http404(NO_PAGE)
        values: list[Any] = []
        for key, raw in zip(order.keys, raw_values, strict=True):
            if raw is None:
                values.append(None)
                continue
            if not isinstance(raw, str | int) or isinstance(raw, bool):
                raise Http404(NO_PAGE)
            value = _field_of(model, key.path).to_python(raw)
            if isinstance(value, int) and not -(2**63) <= value < 2**63:
                raise Http404(NO_PAGE)
            values.append(value)
        if values[-1] is None:  # the last key is unique and never NULL
            raise Http404(NO_PAGE)
        return {"v": values, "n": number, "r": bool(data.get("r"))}
    except (
        ValueError,
        KeyError,
        TypeError,
        UnicodeError,
        binascii.Error,
        ValidationError,
        OverflowError,
    ):
        raise Http404(NO_PAGE) from None


def _field_of(model: type[Model], path: str) -> Any:
    field_ = None
    current: Any = model
    for part in path.split("__"):
        field_ = current._meta.pk if part == "pk" else current._meta.get_field(part)
        current = field_.related_model
    if field_ is not None and field_.is_relation:
        return field_.target_field
    return field_


def _is_nullable(model: type[Model], path: str) -> bool:
    current: Any = model
    try:
        for part in path.split("__"):
            field_ = current._meta.pk if part == "pk" else current._meta.get_field(part)
            if field_.null:
                return True
            current = field_.related_model
    except FieldDoesNotExist:
        return True
    return False
