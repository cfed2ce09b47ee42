"""The Jinja2 environment of the public pages (templates/jinja2/; portal.settings TEMPLATES).

The public pages are rendered by Jinja2, which compiles a template to Python code:
a 50-row list renders in about 40 % of the time Django's engine takes. The admin
keeps Django's engine and its templates (templates/admin/).

Two differences from Django's engine matter when writing a template here:
- methods are called explicitly: ``{{ d.get_action_display() }}``. Printing a method
  instead of its result raises (``_refuse_callables``) rather than showing
  "<bound method …>"; a method used as a condition is always true, so conditions
  test values, never methods.
- a name that is not in the context is empty, and so is any attribute of it
  (``ChainableUndefined``), as in Django's engine.
Jinja2 escapes quotes as ``&#34;`` and ``&#39;`` where Django writes ``&quot;`` and
``&#x27;``: the same text once read.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.template.defaultfilters import urlencode
from django.templatetags.static import static
from django.utils import translation
from django.utils.text import Truncator, add_truncation_text, calculate_truncate_chars_length
from jinja2 import ChainableUndefined, Environment, Undefined
from markupsafe import Markup

from portal.dates import cn_date, iso_date
from portal.paths import path
from records import choices

FRAGMENT_SECONDS = 24 * 3600


def _refuse_callables(value: Any) -> Any:
    if callable(value) and not isinstance(value, Undefined):  # Undefined is callable
        raise TypeError(f"a template printed {value!r} instead of calling it")
    return value


def querystring(request: HttpRequest, **changes: Any) -> str:
    """Django's ``{% querystring %}``: the request's query with ``changes`` (None removes)."""
    original = request.GET
    params = original.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        elif isinstance(value, Iterable) and not isinstance(value, str):
            params.setlist(key, list(value))
        else:
            params[key] = value
    if not params and not original:
        return ""
    return f"?{params.urlencode()}"


def widthratio(value: Any, max_value: Any, max_width: int) -> str:
    """Django's ``{% widthratio %}``: ``value / max_value * max_width``, rounded."""
    try:
        return str(round(float(value) / float(max_value) * max_width))
    except ZeroDivisionError:
        return "0"
    except (ValueError, TypeError, OverflowError):
        return ""


def truncatechars(value: Any, length: int) -> str:
    """Django's ``truncatechars`` filter (an ellipsis within ``length``).

    Django's ``Truncator`` counts the characters one by one in Python, to skip
    combining marks (20 µs a title); a text without any is cut by slicing (6 µs).
    """
    length = int(length)
    if length <= 0:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if len(text) <= length:
        return text
    if any(map(unicodedata.combining, text)):
        return Truncator(text).chars(length)
    ellipsis = _ellipsis(translation.get_language())
    return add_truncation_text(text[: calculate_truncate_chars_length(length, ellipsis)], ellipsis)


@functools.cache
def _ellipsis(language: str | None) -> str:
    # Django's own text, translated (…, or ... in Chinese), looked up once a language.
    with translation.override(language):
        return translation.pgettext("String to return when truncating text", "%(truncated_text)s…")


def publication_options(selected: object = "") -> Markup:
    """The publication <option>s of a filter form, the chosen one selected."""
    html = choices.publication_options()
    chosen = str(selected or "")
    if chosen.isdigit():
        marker = f'<option value="{int(chosen)}">'
        html = html.replace(marker, marker[:-1] + " selected>", 1)
    return Markup(html)  # built with format_html (records.choices)


def cached_fragment(name: str, caller: Callable[[], str]) -> Markup:
    """``{% call cached_fragment("name") %}…{% endcall %}``: rendered once per data version.

    A fragment every visitor sees alike (the coverage table of the home page) is
    kept under the data version (records.choices): a load, a publish or a
    correction makes a new key, so a stale fragment is never shown.
    """
    key = f"fragment:{name}:{choices.data_version()}"
    html = cache.get(key)
    if html is None:
        html = str(caller())
        cache.set(key, html, FRAGMENT_SECONDS)
    return Markup(html)


def _none_as(value: Any, text: str) -> Any:
    """Django's ``default_if_none``."""
    return text if value is None else value


def environment(**options: Any) -> Environment:
    options["undefined"] = ChainableUndefined  # not DebugUndefined under DJANGO_DEBUG
    env = Environment(
        **options,
        finalize=_refuse_callables,
        keep_trailing_newline=True,
    )
    env.globals.update(
        path=path,
        static=static,
        querystring=querystring,
        widthratio=widthratio,
        publication_options=publication_options,
        cached_fragment=cached_fragment,
    )
    env.filters.update(
        cn_date=cn_date,
        iso_date=iso_date,
        truncatechars=truncatechars,
        default_if_none=_none_as,
        urlencode=urlencode,
    )
    return env
