"""Filter options and site-wide fragments rendered once per data version (records.choices).

``{% data_version as version %}`` gives the key for Django's ``{% cache %}`` tag: a
fragment every visitor sees alike (the coverage table of the home page, the list of
publications) is rendered once per data version; a load, a publish or a correction
makes a new version, so a stale fragment is never shown.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from records import choices

register = template.Library()


@register.simple_tag
def publication_options(selected: object = "") -> SafeString:
    """The publication <option>s, the one whose id is ``selected`` marked selected."""
    html = choices.publication_options()
    chosen = str(selected or "")
    if chosen.isdigit():
        marker = f'<option value="{int(chosen)}">'
        html = mark_safe(
            html.replace(marker, marker[:-1] + " selected>", 1)
        )  # ids in options escaped once
    return html


@register.simple_tag
def data_version() -> str:
    """The data version of this request (read once per GET request, records.choices)."""
    return choices.data_version()
