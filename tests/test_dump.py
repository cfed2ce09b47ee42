"""export_dump then import_dump into an empty database gives the same API output."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from people.models import Membership, Organisation, Person, PersonAlias, Post, Tenure
from records.api.visibility import visible_people
from records.loading import load_gazette_file, rebuild_tenures
from records.models import (
    Article,
    Attendance,
    Gazette,
    Meeting,
    PersonnelDecision,
    Publication,
    Tombstone,
)
from records.parsing import IssueMetadata
from records.review import resolve_name
from tests.conftest import SAMPLES
from tests.test_api import LISTS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
# Keys that name rows by database id or time of writing: they differ in a rebuilt database.
VOLATILE = {"id", "updated_at", "meeting", "parent", "start_decision", "end_decision", "object_id"}


def normalise(value):
    """The API output without ids, links and write times, lists in a canonical order."""
    if isinstance(value, dict):
        return {
            key: normalise(item)
            for key, item in value.items()
            if key not in VOLATILE and not key.endswith("url")
        } | ({"meeting": normalise(value["meeting"])} if isinstance(value.get("meeting"), dict) else {})
    if isinstance(value, list):
        items = [normalise(item) for item in value]
        if all(isinstance(item, dict) for item in items):
            return sorted(items, key=lambda item: json.dumps(item, ensure_ascii=False, sort_keys=True))
        return items
    return value


def api_snapshot(client) -> dict:
    cache.clear()
    snapshot = {}
    for name in LISTS:
        if name == "changes":
            continue
        rows, url = [], f"/api/v1/{name}/?page_size=200"
        while url:
            body = client.get(url).json()
            rows.extend(body["results"])
            url = body["next"]
        snapshot[name] = normalise(rows)
    snapshot["attendance"] = normalise(
        [row for meeting in Meeting.objects.all() for row in client.get(
            f"/api/v1/meetings/{meeting.pk}/attendance/?page_size=200"
        ).json().get("results", [])]
    )
    snapshot["exports"] = sorted(
        (client.get(f"/api/v1/gazettes/{g.pk}/export.json").json() for g in Gazette.objects.published()),
        key=lambda data: (data["gazette"]["issuer"], data["gazette"]["year"], data["gazette"]["issue"]),
    )
    return snapshot


def empty_the_database() -> None:
    Gazette.objects.all().delete()
    Meeting.objects.all().delete()
    Publication.objects.all().delete()
    Tenure.objects.all().delete()
    Membership.objects.all().delete()
    Person.objects.all().delete()
    Post.objects.all().delete()
    Organisation.objects.all().delete()
    Tombstone.objects.all().delete()


def load_samples(*, publish_all: bool = True) -> None:
    for index, (name, meta) in enumerate(MANIFEST.items()):
        load_gazette_file(
            (SAMPLES / name).read_bytes(),
            filename=name,
            metadata=IssueMetadata(**meta) if meta else None,
            publish=publish_all or index > 0,
            allow_shrinkage=True,
        )


def correct_some_records() -> None:
    gazette = Gazette.objects.published().order_by("pk").first()
    article = Article.objects.filter(gazette=gazette).order_by("number").first()
    article.title = f"{article.title}（校对）"
    article.corrected_fields = ["title"]
    article.save()
    decision = PersonnelDecision.objects.filter(gazette__status="published").order_by("pk").first()
    decision.date = dt.date(2020, 2, 2)
    decision.positions = [*decision.positions, "校对补充的职务"]
    decision.corrected_fields = ["date", "positions"]
    decision.save()
    rebuild_tenures([decision.person_id])  # as the clerk's edit does
    person = decision.person
    person.gender = "女"
    person.corrected_fields = ["gender"]
    person.save()
    PersonAlias.objects.create(person=person, name=f"{person.name}（异写）")
    post = decision.posts.first()
    post.organisation = Organisation.objects.create(region=post.region, name="示例机构")
    post.save()
    gazette.cumulative_issue = 999
    gazette.corrected_fields = ["cumulative_issue"]
    gazette.save()
    # A clerk says a name is somebody new, with the same name as a known person.
    other = Gazette.objects.published().order_by("pk")[1]
    named = PersonnelDecision.objects.filter(gazette=other, person__isnull=False).first()
    PersonnelDecision.objects.filter(pk=named.pk).update(person=None)
    rebuild_tenures([named.person_id])
    resolve_name(other, named.person_name, person=None)


def dump_and_rebuild(client, tmp_path: Path, *options: str) -> tuple[dict, dict, dict]:
    before = api_snapshot(client)
    call_command("export_dump", str(tmp_path), *options, stdout=StringIO())
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    empty_the_database()
    call_command("import_dump", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    return before, api_snapshot(client), manifest


def test_export_dump_then_import_dump_gives_identical_api_output(client, tmp_path: Path):
    load_samples()
    correct_some_records()
    before, after, manifest = dump_and_rebuild(client, tmp_path)
    assert before["articles"] and before["people"] and before["tenures"] and before["exports"]
    assert any("（校对）" in a["title"] for a in before["articles"])
    for name in before:
        assert after[name] == before[name], name
    assert len(manifest["gazettes"]) == len(MANIFEST)
    for name in manifest["gazettes"]:
        data = json.loads((tmp_path / "gazettes" / name).read_text(encoding="utf-8"))
        assert data["schema"] == "gazette/1"
        assert data["portal"]["source"]["content_base64"]
    assert (tmp_path / "csv" / "people.csv").read_bytes().startswith("\ufeff".encode())
    assert manifest["rows"]["people"] == len(before["people"])
    assert Gazette.objects.filter(corrected_fields=["cumulative_issue"], cumulative_issue=999).exists()
    assert any(p["organisation"] == "示例机构" for p in after["posts"])


def test_a_public_dump_leaves_drafts_out_and_a_full_one_keeps_them(client, tmp_path: Path):
    load_samples(publish_all=False)  # the first sample stays a draft
    draft = Gazette.objects.exclude(status="published").get()
    named = set(Attendance.objects.filter(gazette=draft).values_list("person_id", flat=True))
    named |= set(PersonnelDecision.objects.filter(gazette=draft).values_list("person_id", flat=True))
    public = set(visible_people().values_list("pk", flat=True))
    draft_only = set(Person.objects.filter(pk__in=named - public).values_list("name", flat=True))
    call_command("export_dump", str(tmp_path / "public"), stdout=StringIO())
    manifest = json.loads((tmp_path / "public" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["gazettes"]) == len(MANIFEST) - 1
    people = {p["name"] for p in json.loads((tmp_path / "public" / "people.json").read_text(encoding="utf-8"))}
    assert draft_only and not draft_only & people

    before, after, _ = dump_and_rebuild(client, tmp_path / "full", "--include-drafts")
    for name in before:
        assert after[name] == before[name], name
    assert Gazette.objects.exclude(status="published").count() == 1


def test_import_dump_only_rebuilds_an_empty_database(tmp_path: Path):
    load_samples()
    call_command("export_dump", str(tmp_path), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("import_dump", str(tmp_path), stdout=StringIO())


def test_import_dump_refuses_a_directory_that_is_not_a_dump(tmp_path: Path):
    with pytest.raises(CommandError):
        call_command("import_dump", str(tmp_path))
