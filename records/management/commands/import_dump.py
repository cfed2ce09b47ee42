"""Rebuild an empty database from a dump written by ``export_dump``.

Everything goes through the one write path: each issue's original source is
loaded again with ``load_gazette_file`` (same file, same issue metadata, so
the same parse), then the clerks' corrections are applied again by natural
key, each person link is set as it was, and the issue is published when it
was. People, their aliases, their own tenures come from people.json first,
so the loader finds them by name as it did the first time.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from people.models import Organisation, Person, PersonAlias, Post, Tenure
from records.exporting import apply_corrections, find_person
from records.loading import PARSER_VERSION, load_gazette_file, publish_gazette, rebuild_tenures
from records.management.commands.export_dump import DUMP_FORMAT, LINKED
from records.models import Gazette, GazetteStatus
from records.parsing import IssueMetadata


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = "Rebuild an empty database from a directory written by export_dump."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        manifest_path = directory / "manifest.json"
        if not manifest_path.exists():
            raise CommandError(f"{directory} 不是转储目录（没有 manifest.json）。")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != DUMP_FORMAT:
            raise CommandError(f"不认识的转储格式：{manifest.get('format')!r}")
        if Gazette.objects.exists() or Person.objects.exists():
            raise CommandError("数据库不是空的：import_dump 只用于重建一个空数据库。")
        people = json.loads((directory / manifest["people"]).read_text(encoding="utf-8"))
        with transaction.atomic():
            self.create_people(people)
            for name in manifest["gazettes"]:
                data = json.loads((directory / "gazettes" / name).read_text(encoding="utf-8"))
                self.load_issue(name, data)
            self.create_own_tenures(people)
            if manifest.get("posts"):
                self.organise_posts(
                    json.loads((directory / manifest["posts"]).read_text(encoding="utf-8"))
                )
            # Corrections and links changed who decided what: derive every tenure again.
            rebuild_tenures(set(Person.objects.values_list("pk", flat=True)))
        self.stdout.write(f"{len(manifest['gazettes'])} issues and {len(people)} people imported.")

    def create_people(self, people: list[dict[str, Any]]) -> None:
        for item in people:
            person = Person(
                region=item["region"],
                name=item["name"],
                gender=item.get("gender", ""),
                ethnicity=item.get("ethnicity", ""),
                note=item.get("note", ""),
                corrected_fields=item.get("corrected_fields", []),
            )
            person._change_reason = "import_dump"
            person.save()
            for alias in item.get("aliases", []):
                PersonAlias.objects.create(person=person, name=alias)

    def create_own_tenures(self, people: list[dict[str, Any]]) -> None:
        for item in people:
            if not item.get("tenures"):
                continue
            person = find_person(item)
            for tenure in item["tenures"]:
                post, _ = Post.objects.get_or_create(
                    region=tenure["post"]["region"], title=tenure["post"]["title"]
                )
                Tenure.objects.create(
                    person=person,
                    post=post,
                    started_on=_date(tenure["started_on"]),
                    ended_on=_date(tenure["ended_on"]),
                    derived=False,
                )

    def organise_posts(self, posts: list[dict[str, Any]]) -> None:
        for item in posts:
            organisation, _ = Organisation.objects.get_or_create(
                region=item["region"], name=item["organisation"]
            )
            post, _ = Post.objects.get_or_create(region=item["region"], title=item["title"])
            post.organisation = organisation
            post.save(update_fields=["organisation"])

    def load_issue(self, name: str, data: dict[str, Any]) -> None:
        portal = data["portal"]
        source = portal["source"]
        if source.get("parser_version") and source["parser_version"] != PARSER_VERSION:
            self.stderr.write(
                f"{name}: dumped with parser {source['parser_version']}, loading with {PARSER_VERSION}"
            )
        meta = dict(portal.get("metadata") or {})
        if meta.get("published_on"):
            meta["published_on"] = _date(meta["published_on"])
        report = load_gazette_file(
            base64.b64decode(source["content_base64"]),
            filename=source.get("filename", ""),
            metadata=IssueMetadata(**meta) if meta else None,
            allow_shrinkage=True,
        )
        gazette = report.gazette
        apply_corrections(gazette, portal.get("corrections", {}))
        self.restore_links(gazette, portal.get("person_links", {}))
        if portal.get("status") == GazetteStatus.PUBLISHED:
            publish_gazette(gazette)
            if portal.get("published_at"):
                Gazette.objects.filter(pk=gazette.pk).update(
                    published_at=dt.datetime.fromisoformat(portal["published_at"])
                )
        self.stdout.write(f"{name}: {report.summary()}")

    def restore_links(self, gazette: Gazette, links: dict[str, dict[str, Any]]) -> None:
        """Link each name to the person it was linked to (the loader may not know a later merge)."""
        for model in LINKED:
            wanted = links.get(model._meta.label_lower, {})
            for obj in model.objects.filter(gazette=gazette, key__in=list(wanted)):
                ref = wanted[obj.key]
                person = find_person(ref) if ref else None
                person_id = person.pk if person else None
                if obj.person_id != person_id:
                    obj.person_id = person_id
                    obj._change_reason = "import_dump"
                    obj.save(update_fields=["person", "updated_at"])
