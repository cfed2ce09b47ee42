"""Filter options rendered once per data version (records.choices), not once per request."""

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
