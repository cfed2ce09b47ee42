"""Tombstones: the records that left the public API, for mirrors to delete too.

The load path calls ``record_deletions`` for the rows it deletes and
``record_unpublished`` when an issue is withdrawn; /api/v1/changes/ lists
them. A tombstone is only a hint: deleting something a mirror never had is
harmless, and a record published again comes back through ``updated_since``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from records.models import Tombstone, TombstoneReason


def label_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def record_deletions(
    model: type[models.Model], pks: Iterable[int], *, reason: str = TombstoneReason.DELETED
) -> None:
    """Remember that these rows of ``model`` are gone (one INSERT)."""
    now = timezone.now()
    Tombstone.objects.bulk_create(
        [Tombstone(model=label_of(model), object_id=pk, reason=reason, at=now) for pk in pks],
        batch_size=500,
    )


def record_unpublished(gazette: Any) -> None:
    """Remember everything an unpublished issue took out of the public API.

    Call after the status change: people, posts and tenures are counted as
    gone only when no other published issue still shows them.
    """
    from people.models import Person, Post, Tenure
    from records.api import visibility
    from records.models import (
        Article,
        Attendance,
        Meeting,
        NameListEntry,
        PersonnelDecision,
        Publication,
        Vote,
    )

    gone: list[tuple[type[models.Model], list[int]]] = [(type(gazette), [gazette.pk])]
    for model in (Article, Attendance, PersonnelDecision, Vote, Meeting):
        gone.append(
            (model, list(model.objects.filter(gazette=gazette).values_list("pk", flat=True)))
        )
    if not visibility.visible_publications().filter(pk=gazette.publication_id).exists():
        gone.append((Publication, [gazette.publication_id]))

    people = set()
    for model in (PersonnelDecision, Attendance, NameListEntry):
        people.update(
            model.objects.filter(gazette=gazette, person__isnull=False).values_list(
                "person_id", flat=True
            )
        )
    still = set(visibility.visible_people().filter(pk__in=people).values_list("pk", flat=True))
    gone.append((Person, sorted(people - still)))

    posts = set(
        PersonnelDecision.posts.through.objects.filter(
            personneldecision__gazette=gazette
        ).values_list("post_id", flat=True)
    )
    still = set(visibility.visible_posts().filter(pk__in=posts).values_list("pk", flat=True))
    gone.append((Post, sorted(posts - still)))

    tenures = set(Tenure.objects.filter(person_id__in=people).values_list("pk", flat=True))
    still = set(visibility.visible_tenures().filter(pk__in=tenures).values_list("pk", flat=True))
    gone.append((Tenure, sorted(tenures - still)))

    now = timezone.now()
    Tombstone.objects.bulk_create(
        [
            Tombstone(
                model=label_of(model), object_id=pk, reason=TombstoneReason.UNPUBLISHED, at=now
            )
            for model, pks in gone
            for pk in pks
        ],
        batch_size=500,
    )
