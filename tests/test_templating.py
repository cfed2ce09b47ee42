"""The public pages' Jinja2 environment (portal.templating) writes what Django's engine wrote."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.conf import settings
from django.http import QueryDict
from django.template import Context, RequestContext, Template, engines
from django.test import RequestFactory
from django.utils import translation
from django.utils.text import Truncator
from hypothesis import given
from hypothesis import strategies as st

from portal.templating import cached_fragment, truncatechars

jinja = engines["jinja2"]


def django_render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def jinja_render(source: str, **context) -> str:
    return jinja.from_string(source).render(context)


def same_text(jinja_html: str, django_html: str) -> bool:
    """Equal once character references are read (Jinja2 writes " as &#34;, Django as &quot;)."""
    return html.unescape(jinja_html) == html.unescape(django_html)


def test_every_public_template_compiles():
    root = Path(settings.BASE_DIR) / "templates" / "jinja2"
    names = [str(p.relative_to(root)) for p in root.rglob("*.html")]
    assert len(names) >= 20
    for name in names:
        jinja.get_template(name)


def test_a_method_printed_instead_of_called_is_an_error():
    class Row:
        def get_action_display(self) -> str:
            return "任命"

    assert jinja_render("{{ d.get_action_display() }}", d=Row()) == "任命"
    with pytest.raises(TypeError, match="instead of calling it"):
        jinja_render("{{ d.get_action_display }}", d=Row())


def test_a_missing_name_and_its_attributes_are_empty():
    assert (
        jinja_render("[{{ nothing }}|{{ nothing.at.all }}|{{ request.resolver_match.view_name }}]")
        == "[||]"
    )


@pytest.mark.parametrize(
    ("query", "changes"),
    [
        ("", {"page": 2}),
        ("", {"page": None}),
        ("page=3", {"page": None}),
        ("q=%E5%BC%A0&page=3", {"page": 2}),
        ("q=a&cursor=xyz&page=4", {"cursor": "abc", "page": None}),
        ("q=a&cursor=xyz", {"cursor": None, "page": None}),
        ("type=article&type=person", {"page": 2}),
        ("a=1&b=%26", {"b": "x y"}),
    ],
)
def test_querystring_is_djangos(query, changes):
    request = RequestFactory().get("/decisions/?" + query)
    arguments = " ".join(f"{k}={'None' if v is None else repr(v)}" for k, v in changes.items())
    expected = Template("{% querystring " + arguments + " %}").render(RequestContext(request))
    call = ", ".join(f"{k}={'none' if v is None else repr(v)}" for k, v in changes.items())
    assert jinja_render("{{ querystring(request, " + call + ") }}", request=request) == expected
    assert QueryDict(query) == request.GET  # the request's own query is left as it was


@given(
    st.one_of(st.none(), st.integers(-1000, 1000), st.floats(allow_nan=True), st.text(max_size=3)),
    st.one_of(st.none(), st.integers(-1000, 1000), st.floats(allow_nan=True)),
)
def test_widthratio_is_djangos(value, maximum):
    expected = django_render("{% widthratio v m 100 %}", v=value, m=maximum)
    assert jinja_render("{{ widthratio(v, m, 100) }}", v=value, m=maximum) == expected


@given(st.text(max_size=40), st.integers(1, 30))
def test_truncatechars_is_djangos(text, length):
    expected = django_render("{{ t|truncatechars:n }}", t=text, n=length)
    assert same_text(jinja_render("{{ t|truncatechars(n) }}", t=text, n=length), expected)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@given(
    text=st.text(alphabet="人大常委会关于任命的决定ae\u0301\u0308\u0300 ", max_size=40),
    length=st.integers(-2, 30),
)
def test_truncatechars_cuts_titles_as_django_does(language, text, length):
    # Chinese titles, combining marks among them; Chinese ellipsis (...) and English (…).
    with translation.override(language):
        expected = Truncator(text).chars(length)
        assert truncatechars(text, length) == expected


@given(st.one_of(st.none(), st.integers(), st.text(max_size=5)))
def test_default_if_none_and_urlencode_are_djangos(value):
    assert same_text(
        jinja_render('{{ v|default_if_none("—") }}', v=value),
        django_render('{{ v|default_if_none:"—" }}', v=value),
    )
    assert jinja_render("{{ v|urlencode }}", v=value) == django_render("{{ v|urlencode }}", v=value)


def test_a_fragment_is_rendered_once_per_data_version(monkeypatch):
    from django.core.cache import cache

    cache.clear()
    version = ["1"]
    monkeypatch.setattr("records.choices.data_version", lambda: version[0])
    calls = []

    def render(text: str):
        def caller() -> str:
            calls.append(text)
            return f"<p>{text}</p>"

        return caller

    assert cached_fragment("t", caller=render("a")) == "<p>a</p>"
    assert cached_fragment("t", caller=render("b")) == "<p>a</p>"  # kept
    version[0] = "2"  # a load, a publish or a correction
    assert cached_fragment("t", caller=render("c")) == "<p>c</p>"
    assert calls == ["a", "c"]
    page = jinja_render('{% call cached_fragment("u") %}<b>{{ x }}</b>{% endcall %}', x="<i>")
    assert page == "<b>&lt;i&gt;</b>"  # escaped once, kept as HTML
