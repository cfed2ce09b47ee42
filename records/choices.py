"""The options of the public lists' filters (years, terms), kept until the data changes.

Each option list is a DISTINCT over a whole table (every meeting's year, every
membership's term): cheap with a few issues, a full scan with tens of thousands.
They change only when records do, so each list is kept in the default cache
under the data version of records.api.common (the newest change recorded
anywhere, one query over indexed columns): a load, a publish or a correction
makes a new key, and a stale list is never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

_SECONDS = 24 * 3600


def per_data_version(name: str, compute: Callable[[], T]) -> T:
    from records.api.common import data_version

    version, _stamp = data_version()
    key = f"choices:{name}:{version}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, _SECONDS)
    return value


def meeting_terms_and_years() -> tuple[list[int], list[int]]:
    from records.models import Meeting

    def compute() -> tuple[list[int], list[int]]:
        published = Meeting.objects.published()
        terms = sorted(published.order_by().values_list("term", flat=True).distinct(), reverse=True)
        years = [d.year for d in published.dates("date", "year", order="DESC")]
        return terms, years

    return per_data_version("meeting-terms-years", compute)


def membership_terms() -> list[int]:
    from people.models import Membership

    return per_data_version(
        "membership-terms",
        lambda: sorted(
            set(Membership.objects.order_by().values_list("term", flat=True).distinct())
        ),
    )


def post_regions() -> list[str]:
    """Regions of the posts a published decision names (the posts list's region filter)."""
    from people.selectors import visible_posts

    return per_data_version(
        "post-regions",
        lambda: sorted(visible_posts().order_by().values_list("region", flat=True).distinct()),
    )
