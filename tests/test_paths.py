"""path() and site_path (portal.paths) give what reverse gives, in templates too."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import clear_script_prefix, reverse, set_script_prefix

from portal.paths import path, site_path


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("records:gazette-list", ()),
        ("records:gazette-detail", (12,)),
        ("records:article-detail", (3,)),
        ("people:person-detail", (40_000,)),
        ("people:post-detail", ("7",)),
        ("records:publication-detail", (1,)),
    ],
)
def test_path_is_reverse(name, args):
    assert path(name, *args) == reverse(name, args=list(args))
    call = "{{ path(" + ", ".join(["name", *(f"a{i}" for i in range(len(args)))]) + ") }}"
    rendered = engines["jinja2"].from_string(call).render(
        {"name": name, **{f"a{i}": a for i, a in enumerate(args)}}
    )
    assert rendered == reverse(name, args=list(args))


def test_a_script_prefix_is_kept_apart():
    plain = path("records:gazette-detail", 5)
    try:
        set_script_prefix("/portal/")
        assert path("records:gazette-detail", 5) == "/portal" + plain == reverse("records:gazette-detail", args=[5])
        assert path("records:gazette-list") == reverse("records:gazette-list")
    finally:
        clear_script_prefix()
    assert path("records:gazette-detail", 5) == plain


def test_a_missing_id_has_no_page():
    assert site_path("records:gazette-detail", None) is None
