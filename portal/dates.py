"""Dates in templates, as Django's ``date`` filter writes them, for plain dates only.

``{{ d.date|cn_date }}`` is ``{{ d.date|date:"Y年n月j日" }}`` and ``|iso_date`` is
``|date:"Y-m-d"``. The ``date`` filter parses its format string on every call
(30–40 µs measured); a post's page writes two dates for each of its hundred holders.
Anything but a ``datetime.date`` (a datetime, which the ``date`` filter moves
to the local time zone first) goes to the ``date`` filter itself. Builtins
(portal.settings TEMPLATES), like ``{% path %}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter

register = template.Library()


@register.filter(expects_localtime=True)
def cn_date(value: Any) -> str:
    if type(value) is dt.date:
        return f"{value.year:04d}年{value.month}月{value.day}日"
    return date_filter(value, "Y年n月j日")


@register.filter(expects_localtime=True)
def iso_date(value: Any) -> str:
    if type(value) is dt.date:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return date_filter(value, "Y-m-d")
