"""Dates in templates, as Django's ``date`` filter writes them, for plain dates only.

``{{ d.date|cn_date }}`` is Django's ``{{ d.date|date:"Y年n月j日" }}`` and ``|iso_date``
is ``|date:"Y-m-d"``. The ``date`` filter parses its format string on every call
(30–40 µs measured); a post's page writes two dates for each of its hundred holders.
Anything but a ``datetime.date`` goes to the ``date`` filter itself, an aware
datetime first moved to the portal's time zone as Django's engine does for that
filter. Filters of portal.templating.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils.timezone import template_localtime


def cn_date(value: Any) -> str:
    if type(value) is dt.date:
        return f"{value.year:04d}年{value.month}月{value.day}日"
    return date_filter(template_localtime(value), "Y年n月j日")


def iso_date(value: Any) -> str:
    if type(value) is dt.date:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return date_filter(template_localtime(value), "Y-m-d")
