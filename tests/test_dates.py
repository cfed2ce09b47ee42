"""|cn_date and |iso_date (portal.dates) in the public pages' engine write what Django's date filter writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template, engines
from hypothesis import given
from hypothesis import strategies as st


def render(source: str, value) -> str:
    """``source`` in the public pages' engine (Jinja2), or in Django's for its date filter."""
    if "|date:" in source:
        return Template(source).render(Context({"v": value}))
    return engines["jinja2"].from_string(source).render({"v": value})


@given(st.dates())
def test_dates_read_as_the_date_filter_writes_them(day):
    assert render("{{ v|cn_date }}", day) == render('{{ v|date:"Y年n月j日" }}', day)
    assert render("{{ v|iso_date }}", day) == render('{{ v|date:"Y-m-d" }}', day)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "not a date",
        dt.datetime(2021, 3, 31, 20, 30, tzinfo=dt.UTC),  # 1 April in Asia/Shanghai
    ],
)
def test_anything_else_goes_to_the_date_filter(value):
    assert render("{{ v|cn_date }}", value) == render('{{ v|date:"Y年n月j日" }}', value)
    assert render("{{ v|iso_date }}", value) == render('{{ v|date:"Y-m-d" }}', value)


def test_an_aware_datetime_is_read_in_the_portal_time_zone():
    moment = dt.datetime(2021, 3, 31, 20, 30, tzinfo=dt.UTC)
    assert render("{{ v|cn_date }}", moment) == "2021年4月1日"
    assert render("{{ v|iso_date }}", moment) == "2021-04-01"
