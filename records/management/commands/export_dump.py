"""Write a full dump: one gazette/1 file per issue, people.json, the API's lists as CSV.

The dump is what ``import_dump`` needs to rebuild an empty database through
the one write path: each issue file is the issue's gazette/1 export (clerks'
corrections included) plus, under the extra key ``portal``, the original
source (base64), its file name, the parse's issue metadata, the status and
publication time, the corrections by natural key and which person each name
is linked to. Only published issues and what they lead to, unless
``--include-drafts`` (a private backup).

    DIR/manifest.json
    DIR/gazettes/<issuer>-<year>-<issue>.json
    DIR/people.json             people named by published records, with clerks' edits
    DIR/posts.json              posts a clerk put under an organisation
    DIR/csv/<list>.csv          publications, gazettes, articles, meetings, attendance,
                                people, posts, tenures, personnel-decisions, votes
"""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from people.api.views import PersonViewSet, PostViewSet, TenureViewSet
from people.models import Person, Post, Tenure
from records.api import visibility
from records.api.common import flatten, serializer_columns
from records.api.serializers import AttendanceSerializer
from records.api.views import (
    ArticleViewSet,
    GazetteViewSet,
    MeetingViewSet,
    PersonnelDecisionViewSet,
    PublicationViewSet,
    VoteViewSet,
)
from records.exporting import gazette_corrections, gazette_export
from records.models import Attendance, Gazette, GazetteSource, NameListEntry, PersonnelDecision

DUMP_FORMAT = "portal-dump/1"
LINKED = (Attendance, NameListEntry, PersonnelDecision)
LISTS = {
    "publications": PublicationViewSet,
    "gazettes": GazetteViewSet,
    "articles": ArticleViewSet,
    "meetings": MeetingViewSet,
    "people": PersonViewSet,
    "posts": PostViewSet,
    "tenures": TenureViewSet,
    "personnel-decisions": PersonnelDecisionViewSet,
    "votes": VoteViewSet,
}
CHUNK = 1000


def issue_filename(gazette: Gazette) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in gazette.publication.issuer)
    return f"{safe}-{gazette.year}-{gazette.issue:03d}.json"


class PersonRefs:
    """People by region, name and rank among the dumped people of that name."""

    def __init__(self, people: list[Person]) -> None:
        self.refs: dict[int, dict[str, Any]] = {}
        seen: dict[tuple[str, str], int] = {}
        for person in people:
            rank = seen.get((person.region, person.name), 0)
            seen[(person.region, person.name)] = rank + 1
            self.refs[person.pk] = {"region": person.region, "name": person.name, "rank": rank}

    def __call__(self, person: Person) -> dict[str, Any] | None:
        return self.refs.get(person.pk)

    def of_pk(self, pk: int | None) -> dict[str, Any] | None:
        return self.refs.get(pk) if pk else None


class Command(BaseCommand):
    help = "Dump every published issue (gazette/1 + source), people.json and the API lists as CSV."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--include-drafts",
            action="store_true",
            help="also dump unpublished issues and the people only they name (not for publication)",
        )

    def handle(self, *args, directory: Path, include_drafts: bool, **options):
        (directory / "gazettes").mkdir(parents=True, exist_ok=True)
        (directory / "csv").mkdir(parents=True, exist_ok=True)
        gazettes = Gazette.objects.select_related("publication").order_by("pk")
        people_qs = Person.objects.all() if include_drafts else visibility.visible_people()
        if not include_drafts:
            gazettes = gazettes.filter(status=visibility.PUBLISHED)
        people = list(people_qs.prefetch_related("aliases").order_by("pk"))
        refs = PersonRefs(people)

        names = []
        for gazette in gazettes:
            name = issue_filename(gazette)
            data = self.issue(gazette, refs)
            (directory / "gazettes" / name).write_text(
                json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            names.append(name)
        (directory / "people.json").write_text(
            json.dumps(self.people(people, refs), ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        posts = visibility.visible_posts() if not include_drafts else Post.objects.all()
        organised = [
            {"region": post.region, "title": post.title, "organisation": post.organisation.name}
            for post in posts.filter(organisation__isnull=False)
            .select_related("organisation")
            .order_by("pk")
        ]
        (directory / "posts.json").write_text(
            json.dumps(organised, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        counts = {
            list_name: self.write_csv(directory / "csv" / f"{list_name}.csv", view)
            for list_name, view in LISTS.items()
        }
        counts["attendance"] = self.write_attendance(directory / "csv" / "attendance.csv")
        manifest = {
            "format": DUMP_FORMAT,
            "generated_at": timezone.now().isoformat(),
            "include_drafts": include_drafts,
            "gazettes": names,
            "people": "people.json",
            "posts": "posts.json",
            "csv": {name: f"csv/{name}.csv" for name in counts},
            "rows": counts,
        }
        (directory / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        self.stdout.write(
            f"{len(names)} issues, {len(people)} people, CSV rows {counts} → {directory}"
        )

    def issue(self, gazette: Gazette, refs: PersonRefs) -> dict[str, Any]:
        source = GazetteSource.objects.get(gazette=gazette)
        parsed = source.parsed or {}
        data = gazette_export(gazette, parsed=parsed)
        links = {}
        for model in LINKED:
            rows = (
                model.objects.filter(gazette=gazette).values_list("key", "person_id").order_by("pk")
            )
            links[model._meta.label_lower] = {key: refs.of_pk(pk) for key, pk in rows}
        data["portal"] = {
            "dump": DUMP_FORMAT,
            "status": gazette.status,
            "published_at": gazette.published_at.isoformat() if gazette.published_at else None,
            "metadata": {
                k: v for k, v in parsed.get("gazette", {}).items() if k != "name" and v is not None
            },
            "source": {
                "filename": source.filename,
                "sha256": source.sha256,
                "parser_version": source.parser_version,
                "content_base64": base64.b64encode(bytes(source.content)).decode("ascii"),
            },
            "corrections": gazette_corrections(gazette, ref_of_person=refs),
            "person_links": links,
        }
        return data

    def people(self, people: list[Person], refs: PersonRefs) -> list[dict[str, Any]]:
        own: dict[int, list[Tenure]] = {}
        for tenure in Tenure.objects.filter(derived=False, person_id__in=refs.refs).select_related(
            "post", "post__organisation"
        ):
            own.setdefault(tenure.person_id, []).append(tenure)
        result = []
        for person in people:
            result.append(
                {
                    **refs(person),
                    "gender": person.gender,
                    "ethnicity": person.ethnicity,
                    "note": person.note,
                    "corrected_fields": list(person.corrected_fields or []),
                    "aliases": sorted(alias.name for alias in person.aliases.all()),
                    "tenures": [
                        {
                            "post": {"region": t.post.region, "title": t.post.title},
                            "started_on": t.started_on.isoformat() if t.started_on else None,
                            "ended_on": t.ended_on.isoformat() if t.ended_on else None,
                        }
                        for t in sorted(own.get(person.pk, []), key=lambda t: t.pk)
                    ],
                }
            )
        return result

    def write_csv(self, path: Path, viewset: Any) -> int:
        view = viewset(action="list", kwargs={}, format_kwarg=None, request=None)
        serializer_class = view.get_serializer_class()
        return self._write(path, view.get_queryset(), serializer_class)

    def write_attendance(self, path: Path) -> int:
        queryset = visibility.published_attendance().select_related(
            "gazette__publication", "person"
        )
        return self._write(path, queryset, AttendanceSerializer)

    def _write(self, path: Path, queryset: Any, serializer_class: Any) -> int:
        columns = serializer_columns(serializer_class())
        count = 0
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(columns)
            last = 0
            while True:
                chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK])
                if not chunk:
                    break
                for row in serializer_class(chunk, many=True, context={"request": None}).data:
                    flat = flatten(row)
                    writer.writerow([flat.get(column, "") for column in columns])
                count += len(chunk)
                last = chunk[-1].pk
        return count
