"""The clerk's workflow around the load path: stage, preview, apply, resolve names.

An upload (or a re-parse of a stored issue) is first *staged* as a
``GazetteImport``: parsed, kept with its source, and shown to a clerk with
what loading it would change. Only ``apply_import`` writes records, through
``load_gazette``; publishing is a separate step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from people.models import Membership, Person, PersonAlias, Tenure
from records import search, tombstones
from records.loading import LoadReport, load_gazette, rebuild_tenures
from records.models import (
    Attendance,
    Gazette,
    GazetteImport,
    ImportStatus,
    NameListEntry,
    PersonnelDecision,
    Publication,
)
from records.parsing import (
    GazetteParseError,
    IssueMetadata,
    ParsedGazette,
    gazette_to_json,
    parse_gazette,
    read_source,
)


def _metadata_to_json(metadata: IssueMetadata | None) -> dict[str, Any]:
    if metadata is None:
        return {}
    values = dataclasses.asdict(metadata)
    return {
        key: (value.isoformat() if isinstance(value, dt.date) else value)
        for key, value in values.items()
        if value is not None
    }


def _metadata_from_json(values: dict[str, Any]) -> IssueMetadata | None:
    if not values:
        return None
    values = dict(values)
    if values.get("published_on"):
        values["published_on"] = dt.date.fromisoformat(values["published_on"])
    return IssueMetadata(**values)


def stage_upload(
    data: bytes, *, filename: str, metadata: IssueMetadata | None = None, user: Any = None
) -> GazetteImport:
    """Parse an uploaded file and keep it for review; write no records.

    Raise GazetteParseError (with the line where there is one) when the file
    is not a gazette; nothing is stored then.
    """
    text = read_source(data, filename)
    parsed = parse_gazette(text, metadata)
    info = parsed.gazette
    return GazetteImport.objects.create(
        filename=filename,
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        metadata=_metadata_to_json(metadata),
        text=text,
        parsed=gazette_to_json(parsed),
        issuer=info.issuer,
        year=info.year,
        issue=info.issue,
        gazette=existing_gazette(info.issuer, info.year, info.issue),
        created_by=user if getattr(user, "pk", None) else None,
    )


def stage_reparse(gazette: Gazette, *, user: Any = None) -> GazetteImport:
    """Run the current parser over a stored issue's original file, for review."""
    source = gazette.source
    imp = GazetteImport.objects.filter(gazette=gazette, sha256=source.sha256).first()
    metadata = _metadata_from_json(imp.metadata) if imp else None
    return stage_upload(bytes(source.content), filename=source.filename, metadata=metadata, user=user)


def existing_gazette(issuer: str, year: int, issue: int) -> Gazette | None:
    return Gazette.objects.filter(
        publication__issuer=issuer, year=year, issue=issue
    ).first()


def parse_import(imp: GazetteImport) -> ParsedGazette:
    """Parse the staged text again (the parser is deterministic) for loading."""
    return parse_gazette(imp.text, _metadata_from_json(imp.metadata))


def preview_import(imp: GazetteImport) -> LoadReport:
    """What applying the import would change, without writing anything."""
    return load_gazette(
        parse_import(imp),
        source_bytes=bytes(imp.content),
        source_text=imp.text,
        filename=imp.filename,
        parsed_json=imp.parsed,
        allow_shrinkage=True,
        dry_run=True,
    )


def apply_import(imp: GazetteImport, *, user: Any = None, allow_shrinkage: bool = False) -> LoadReport:
    """Load a staged import. A new issue stays a draft; a published one stays published."""
    if imp.status != ImportStatus.PENDING:
        raise ValueError("这份上传已经处理过了。")
    with transaction.atomic():
        report = load_gazette(
            parse_import(imp),
            source_bytes=bytes(imp.content),
            source_text=imp.text,
            filename=imp.filename,
            parsed_json=imp.parsed,
            allow_shrinkage=allow_shrinkage,
            user=user,
        )
        imp.status = ImportStatus.APPLIED
        imp.gazette = report.gazette
        imp.applied_at = timezone.now()
        imp.save(update_fields=["status", "gazette", "applied_at"])
    return report


def discard_import(imp: GazetteImport) -> None:
    imp.status = ImportStatus.DISCARDED
    imp.save(update_fields=["status"])


# --- names a clerk resolves ----------------------------------------------------

NAMED_MODELS: tuple[type[Model], ...] = (Attendance, NameListEntry, PersonnelDecision)


def unmatched_names(gazette: Gazette) -> list[dict[str, Any]]:
    """Names of this issue linked to nobody, with the candidates of that name."""
    region = gazette.publication.region
    names: dict[str, int] = {}
    for model in NAMED_MODELS:
        field = "person_name" if model is PersonnelDecision else "name"
        for name in model.objects.filter(gazette=gazette, person__isnull=True).values_list(field, flat=True):
            names[name] = names.get(name, 0) + 1
    candidates: dict[str, list[Person]] = {name: [] for name in names}
    for person in Person.objects.in_region(region).filter(name__in=names).order_by("pk"):
        candidates[person.name].append(person)
    return [
        {"name": name, "count": count, "candidates": candidates[name]}
        for name, count in sorted(names.items())
    ]


def resolve_name(gazette: Gazette, name: str, *, person: Person | None, user: Any = None) -> Person:
    """Link every unmatched mention of ``name`` in this issue to ``person``.

    ``person=None`` creates a new person of that name (the clerk says it is
    somebody not yet known). The links are marked as corrected, so a reload
    keeps them.
    """
    region = gazette.publication.region
    with transaction.atomic():
        if person is None:
            person = Person(region=region, name=name)
            person._history_user = user
            person.save()
        for model in NAMED_MODELS:
            field = "person_name" if model is PersonnelDecision else "name"
            for obj in model.objects.filter(gazette=gazette, person__isnull=True, **{field: name}):
                obj.person = person
                obj.corrected_fields = sorted({*obj.corrected_fields, "person_id"})
                obj._history_user = user
                obj.save(update_fields=["person", "corrected_fields", "updated_at"])
        rebuild_tenures([person.pk])
        search.reindex_people([person.pk])
    return person


# --- merging and splitting people ------------------------------------------------

PERSON_LINKS: tuple[tuple[type[Model], str], ...] = (
    (Attendance, "person"),
    (NameListEntry, "person"),
    (PersonnelDecision, "person"),
)


def merge_people(keep: Person, others: list[Person], *, user: Any = None) -> Person:
    """Fold ``others`` into ``keep``: every link moves, their names become aliases."""
    with transaction.atomic():
        ids = [p.pk for p in others if p.pk != keep.pk]
        for model, field in PERSON_LINKS:
            for obj in model.objects.filter(**{f"{field}_id__in": ids}):
                setattr(obj, field, keep)
                obj.corrected_fields = sorted({*obj.corrected_fields, f"{field}_id"})
                obj._history_user = user
                obj.save(update_fields=[field, "corrected_fields", "updated_at"])
        Tenure.objects.filter(person_id__in=ids, derived=False).update(person=keep)
        Tenure.objects.filter(person_id__in=ids, derived=True).delete()
        known_terms = set(keep.memberships.values_list("region", "body", "term"))
        for membership in Membership.objects.filter(person_id__in=ids):
            if (membership.region, membership.body, membership.term) in known_terms:
                membership.delete()
            else:
                known_terms.add((membership.region, membership.body, membership.term))
                membership.person = keep
                membership.save(update_fields=["person"])
        aliases = {keep.name, *keep.aliases.values_list("name", flat=True)}
        for other in Person.objects.filter(pk__in=ids):
            for name in (other.name, *other.aliases.values_list("name", flat=True)):
                if name not in aliases:
                    PersonAlias.objects.create(person=keep, name=name)
                    aliases.add(name)
            other._history_user = user
            other.delete()
        tombstones.record_deletions(Person, ids)  # mirrors of the API delete them too
        rebuild_tenures([keep.pk])
        search.reindex_people([keep.pk, *ids])
    return keep


def split_person(
    person: Person, *, name: str, attendance: list[int], decisions: list[int], entries: list[int], user: Any = None
) -> Person:
    """Move the chosen mentions of ``person`` to a new person; every link is kept."""
    with transaction.atomic():
        new = Person(region=person.region, name=name or person.name)
        new._history_user = user
        new.save()
        for model, ids in (
            (Attendance, attendance),
            (PersonnelDecision, decisions),
            (NameListEntry, entries),
        ):
            for obj in model.objects.filter(person=person, pk__in=ids):
                obj.person = new
                obj.corrected_fields = sorted({*obj.corrected_fields, "person_id"})
                obj._history_user = user
                obj.save(update_fields=["person", "corrected_fields", "updated_at"])
        rebuild_tenures([person.pk, new.pk])
        search.reindex_people([person.pk, new.pk])
    return new


def publication_choices() -> list[tuple[str, str]]:
    return [(p.issuer, str(p)) for p in Publication.objects.order_by("region", "kind")]


__all__ = [
    "GazetteParseError",
    "apply_import",
    "discard_import",
    "merge_people",
    "preview_import",
    "resolve_name",
    "split_person",
    "stage_reparse",
    "stage_upload",
    "unmatched_names",
]
