"""Paths of the portal's pages, each URL pattern reversed once.

A list page links every row two or three times; Django's ``reverse`` matches
the pattern's converters on each call. Here a pattern with one id is reversed
once (per URL configuration and script prefix) into the text around the id,
and a pattern without arguments into its path; every later link is a string
format. Anything else falls back to ``reverse``.

Templates use it as ``{{ path('people:person-detail', d.person_id) }}`` (a
global of portal.templating), the models' ``get_absolute_url`` and the API's
links (records.api.common) as ``site_path``.
"""

from __future__ import annotations

import functools
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from portal.request_memo import remembered

_PK_MARK = 987654321  # stands for the id while a URL pattern is reversed once


@functools.lru_cache(maxsize=512)
def _path_template(viewname: str, urlconf: str | None, prefix: str) -> tuple[str, str] | None:
    """A view's path around its one id argument, reversed once per URL configuration."""
    try:
        path = reverse(viewname, args=[_PK_MARK], urlconf=urlconf)
    except NoReverseMatch:
        return None
    head, mark, tail = path.partition(str(_PK_MARK))
    return (head, tail) if mark else None


@functools.lru_cache(maxsize=512)
def _bare_path(viewname: str, urlconf: str | None, prefix: str) -> str:
    return reverse(viewname, urlconf=urlconf)


def _urlconf_and_prefix() -> tuple[str | None, str]:
    # Both are request-local (asgiref) reads that cost more than the rest of a link.
    return remembered("urlconf and script prefix", lambda: (get_urlconf(), get_script_prefix()))


def site_path(viewname: str, pk: Any) -> str | None:
    """The path of a record's page, or None while there is no such page."""
    if pk is None:
        return None
    template_ = _path_template(viewname, *_urlconf_and_prefix())
    if template_ is None or not str(pk).isdigit():
        try:
            return reverse(viewname, args=[pk])
        except NoReverseMatch:
            return None
    return f"{template_[0]}{pk}{template_[1]}"


def path(viewname: str, *args: Any) -> str:
    """``reverse`` for the portal's own pages, without matching the pattern each time."""
    if not args:
        return _bare_path(viewname, *_urlconf_and_prefix())
    if len(args) == 1 and str(args[0]).isdigit():
        found = site_path(viewname, args[0])
        if found is not None:
            return found
    return reverse(viewname, args=list(args))
