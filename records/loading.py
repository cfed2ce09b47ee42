"""The one write path: a parsed gazette issue into the database.

``load_gazette`` writes one ``ParsedGazette`` in one transaction. Every
extracted record has a natural key within its issue (``key``); a reload of
the same source finds every key again and changes nothing. Fields a clerk
corrected (``corrected_fields``) are never overwritten, corrected records are
never deleted, and a parse that would delete records is refused unless the
caller allows it. People are matched by name within the region; a name that
matches two people is left unmatched and reported, never guessed.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from people.models import Body, Membership, Person, PersonAlias, Post, Tenure
from portal.cache import bump_data_version
from records import tombstones
from records.models import (
    ACTIONS_ENDING_TENURE,
    ACTIONS_STARTING_TENURE,
    AgendaItem,
    Article,
    Attendance,
    Citation,
    Election,
    Gazette,
    GazetteSource,
    GazetteStatus,
    Meeting,
    NameListEntry,
    PersonnelDecision,
    Provision,
    Publication,
    TocEntry,
    Vote,
)
from records.parsing import types as p
from records.parsing.text import fold_for_matching
from records.search import rebuild_search_index

PARSER_VERSION = "1"


class LoadError(Exception):
    """A parse that cannot be written; the database is left as it was."""


class ShrinkageError(LoadError):
    """The new parse would delete records; pass allow_shrinkage to accept that."""


# --- fault points (reliability tests, docs/reliability.md) ----------------------
# ``_fault_point(step)`` marks a step inside the one load transaction:
#   "gazette"   the issue row is written, nothing else yet
#   "articles"  the issue's articles are written, their parents not yet linked
#   "people"    printed names are matched and new people written
#   "publish"   the issue's status is flipped, its search rows not yet rebuilt
# It does nothing unless the environment variable PORTAL_FAULT_SLEEP names the
# step ("articles:30": print one line on stderr, then sleep 30 s there), so a
# test can SIGKILL a ``manage.py load_gazette`` mid-load; tests/test_faults.py
# also monkeypatches it to raise. Never set PORTAL_FAULT_SLEEP in production.
FAULT_SLEEP_ENV = "PORTAL_FAULT_SLEEP"


def _fault_point(step: str) -> None:
    spec = os.environ.get(FAULT_SLEEP_ENV)
    if not spec:
        return
    name, _, seconds = spec.partition(":")
    if name == step:
        sys.stderr.write(f"fault point {step}: sleeping {seconds or 60} s\n")
        sys.stderr.flush()
        time.sleep(float(seconds or 60))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept_corrected: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.kept_corrected += other.kept_corrected
        return self


@dataclass
class LoadReport:
    gazette: Gazette
    created_gazette: bool = False
    counts: dict[str, Counts] = field(default_factory=dict)
    warnings: tuple[p.ParseWarning, ...] = ()
    unmatched_names: list[str] = field(default_factory=list)
    published: bool = False
    # (record type, "added" | "changed" | "removed", natural key, changed fields)
    changes: list[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            total += counts
        return total

    def summary(self) -> str:
        t = self.total
        return (
            f"{self.gazette}: created {t.created}, updated {t.updated}, "
            f"unchanged {t.unchanged}, deleted {t.deleted}, kept corrected {t.kept_corrected}; "
            f"{len(self.warnings)} warnings, {len(self.unmatched_names)} unmatched names"
            + ("; published" if self.published else "")
        )


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_gazette(
    parsed: p.ParsedGazette,
    *,
    source_bytes: bytes,
    source_text: str,
    filename: str = "",
    parsed_json: Mapping[str, Any] | None = None,
    allow_shrinkage: bool = False,
    publish: bool = False,
    dry_run: bool = False,
    user: Any = None,
) -> LoadReport:
    """Create or update one gazette issue and every record read from it.

    Runs in one transaction: any error leaves the database as it was.
    Raise ShrinkageError when records would be deleted and allow_shrinkage
    is false. With dry_run the load is rolled back: the report tells what
    would change. ``user`` is recorded as the author of every change in the
    records' history.
    """
    with transaction.atomic():
        loader = _Loader(parsed, allow_shrinkage=allow_shrinkage, user=user)
        report = loader.run(
            source_bytes=source_bytes,
            source_text=source_text,
            filename=filename,
            parsed_json=parsed_json or {},
        )
        # Publishing rebuilds the issue's search index itself, so it goes first.
        published_now = publish and publish_gazette(report.gazette, user=user)
        if publish:
            report.published = True
        # Full-text search (records.search): the issue's index rows follow its records.
        total = report.total
        changed = total.created or total.updated or total.deleted
        if not dry_run and changed and not published_now:
            rebuild_search_index(report.gazette)
        if not dry_run:
            bump_data_version()  # page cache (portal/cache.py): cached pages are out of date
            transaction.on_commit(_refresh_sqlite_statistics)
        if dry_run:
            transaction.set_rollback(True)
        return report


def _refresh_sqlite_statistics() -> None:
    """Keep SQLite's planner statistics in step with the growing tables.

    SQLite has none until ANALYZE, and without them it plans some lists
    badly (taking ``status = 'published'`` for a selective filter, sorting a
    whole table for one page). ``PRAGMA optimize`` analyses the tables this
    connection's queries used whose statistics are missing or out of date,
    reading a bounded sample of each index (``analysis_limit``); when nothing
    is due it returns at once. PostgreSQL's autovacuum does this by itself.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("PRAGMA optimize")


def _locked_status_change(gazette: Gazette, status: str) -> Gazette | None:
    """The issue's row, locked and read again, when its status is not ``status`` yet.

    Two clerks publishing (or withdrawing) the same issue at once: the second
    waits for the first's row lock, then sees the new status and changes
    nothing (None). SQLite runs every transaction IMMEDIATE, which serialises
    them the same way. ``gazette`` is brought up to date either way.
    """
    current = Gazette.objects.select_for_update().get(pk=gazette.pk)
    if current.status == status:
        _copy_status(current, gazette)
        return None
    return current


def _copy_status(source: Gazette, target: Gazette) -> None:
    for name in ("status", "published_at", "updated_at"):
        setattr(target, name, getattr(source, name))


def publish_gazette(gazette: Gazette, *, user: Any = None) -> bool:
    """Make a draft issue public, all or nothing; False when it already was public."""
    with transaction.atomic():
        current = _locked_status_change(gazette, GazetteStatus.PUBLISHED)
        if current is None:
            return False
        current._history_user = user
        current.status = GazetteStatus.PUBLISHED
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at", "updated_at"])
        _fault_point("publish")
        rebuild_search_index(current)  # full-text search: now public
        bump_data_version()  # page cache (portal/cache.py)
        _copy_status(current, gazette)
    return True


def unpublish_gazette(gazette: Gazette, *, user: Any = None) -> bool:
    """Hide an issue from the public pages and the API again; False when it was hidden."""
    with transaction.atomic():
        current = _locked_status_change(gazette, GazetteStatus.DRAFT)
        if current is None:
            return False
        current._history_user = user
        current.status = GazetteStatus.DRAFT
        current.save(update_fields=["status", "updated_at"])
        # The API's changes feed: mirrors delete what the issue took with it.
        tombstones.record_unpublished(current)
        rebuild_search_index(current)  # full-text search: hidden again
        bump_data_version()  # page cache (portal/cache.py)
        _copy_status(current, gazette)
    return True


# --- keys --------------------------------------------------------------------


def meeting_key(region: str, ref: p.MeetingRef) -> tuple[str, str, int, int]:
    return (region, ref.body, ref.term, ref.number)


def _ref_key(ref: p.MeetingRef | None) -> str:
    return f"{ref.body}:{ref.term}:{ref.number}" if ref else "-"


def _span(span: p.Span | None) -> dict[str, int | None]:
    return {
        "first_line": span.first_line if span else None,
        "last_line": span.last_line if span else None,
    }


def _occurrence_keys(bases: Iterable[str]) -> list[str]:
    """Make keys unique by numbering repeats: 辞呈, 辞呈#2."""
    seen: Counter[str] = Counter()
    keys = []
    for base in bases:
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return keys


def _short(text: str, limit: int = 300) -> str:
    folded = fold_for_matching(text)
    if len(folded) <= limit:
        return folded
    return folded[: limit - 17] + "~" + hashlib.sha1(folded.encode()).hexdigest()[:16]


# --- the loader ----------------------------------------------------------------


class _Loader:
    def __init__(
        self, parsed: p.ParsedGazette, *, allow_shrinkage: bool, user: Any = None
    ) -> None:
        self.parsed = parsed
        self.allow_shrinkage = allow_shrinkage
        self.user = user
        self.pending_deletes: list[tuple[type[models.Model], list[int]]] = []
        self.report: LoadReport

    def run(
        self,
        *,
        source_bytes: bytes,
        source_text: str,
        filename: str,
        parsed_json: Mapping[str, Any],
    ) -> LoadReport:
        info = self.parsed.gazette
        publication, _ = Publication.objects.get_or_create(
            issuer=info.issuer,
            defaults={"region": info.region, "kind": info.kind, "name": info.name},
        )
        if info.name and not publication.name:
            publication.name = info.name
            publication.save(update_fields=["name"])
        self.region = publication.region
        gazette = (
            Gazette.objects.select_for_update()
            .filter(publication=publication, year=info.year, issue=info.issue)
            .first()
        )
        created = gazette is None
        values = {
            "cumulative_issue": info.cumulative_issue,
            "published_on": info.published_on,
            "warnings": [
                {"line": w.line, "code": w.code, "message": w.message}
                for w in self.parsed.warnings
            ],
            "truncated": self.parsed.truncated,
            "article_count": len(self.parsed.documents),
        }
        if gazette is None:
            gazette = Gazette(publication=publication, year=info.year, issue=info.issue, **values)
            gazette._history_user = self.user
            gazette.save()
        else:
            gazette._history_user = self.user
            _save_changes(gazette, values)
        self.gazette = gazette
        _fault_point("gazette")
        self.report = LoadReport(
            gazette=gazette, created_gazette=created, warnings=self.parsed.warnings
        )
        self._save_source(source_bytes, source_text, filename, parsed_json)

        meetings = self._sync_meetings()
        articles = self._sync_articles(meetings)
        self._sync_toc(articles)
        self._sync_provisions(articles)
        self._sync_citations(articles)
        people = self._match_people()
        self._sync_agenda(meetings)
        self._sync_attendance(meetings, people)
        self._sync_name_lists(meetings, people)
        decisions = self._sync_decisions(meetings, articles, people)
        self._sync_votes(meetings, articles)
        self._sync_elections(meetings, articles)
        self._apply_deletes()
        self._derive_tenures(decisions)
        self._derive_memberships()
        return self.report

    # -- generic sync --

    def _sync(
        self,
        label: str,
        model: type[models.Model],
        existing_qs: models.QuerySet,
        rows: Mapping[str, dict[str, Any]],
        defaults: Mapping[str, Any],
        rekey_on: str | None = None,
    ) -> dict[str, Any]:
        """Create, update or delete ``model`` rows of this issue so they match ``rows``.

        With ``rekey_on``, a stored row whose key vanished and a parsed row
        whose key is new are taken as the same record when they agree on that
        field (an article whose title the parser now reads differently keeps
        its id). Return every object by key after the sync. Deletions are only
        queued; they run after every model has been compared (_apply_deletes).
        """
        counts = self.report.counts.setdefault(label, Counts())
        existing = {obj.key: obj for obj in existing_qs}
        to_create, to_update, changed_fields = [], [], set()
        rekeyed: set[int] = set()
        if rekey_on:
            vanished_by_field = {
                getattr(obj, rekey_on): obj
                for key, obj in existing.items()
                if key not in rows and not obj.corrected_fields
            }
            for key, values in rows.items():
                obj = None if key in existing else vanished_by_field.pop(values[rekey_on], None)
                if obj is not None:
                    del existing[obj.key]
                    obj.key = key
                    existing[key] = obj
                    to_update.append(obj)
                    rekeyed.add(obj.pk)
                    changed_fields.add("key")
        for key, values in rows.items():
            obj = existing.get(key)
            if obj is None:
                to_create.append(model(key=key, **defaults, **values))
                self.report.changes.append((label, "added", key, ()))
                continue
            corrected = set(obj.corrected_fields or ())
            changed = [
                name
                for name, value in values.items()
                if name not in corrected and _value_of(obj, name) != value
            ]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                if obj.pk not in rekeyed:
                    to_update.append(obj)
                changed_fields.update(changed)
                counts.updated += 1
                self.report.changes.append((label, "changed", key, tuple(changed)))
            elif obj.pk in rekeyed:
                counts.updated += 1
                self.report.changes.append((label, "changed", key, ("key",)))
            else:
                counts.unchanged += 1
        if to_create:
            _bulk_create(model, to_create, user=self.user)
            counts.created += len(to_create)
        if to_update:
            _bulk_update(model, to_update, sorted(changed_fields), user=self.user)
        vanished = [obj for key, obj in existing.items() if key not in rows]
        kept = [obj for obj in vanished if obj.corrected_fields]
        counts.kept_corrected += len(kept)
        doomed = [obj.pk for obj in vanished if not obj.corrected_fields]
        self.report.changes.extend(
            (label, "removed", obj.key, ()) for obj in vanished if not obj.corrected_fields
        )
        if doomed:
            counts.deleted += len(doomed)
            self.pending_deletes.append((model, doomed))
        doomed_set = set(doomed)
        result = {obj.key: obj for obj in existing.values() if obj.pk not in doomed_set}
        result.update({obj.key: obj for obj in to_create})
        return result

    def _apply_deletes(self) -> None:
        if not self.pending_deletes:
            return
        if not self.allow_shrinkage:
            detail = ", ".join(
                f"{len(pks)} {model._meta.verbose_name}" for model, pks in self.pending_deletes
            )
            raise ShrinkageError(
                f"新的解析结果会删除已有记录（{detail}）；确认无误后请使用 allow_shrinkage / --allow-shrinkage。"
            )
        for model, pks in self.pending_deletes:
            model.objects.filter(pk__in=pks).delete()
            tombstones.record_deletions(model, pks)  # the API's changes feed

    # -- issue-level records --

    def _save_source(
        self, data: bytes, text: str, filename: str, parsed_json: Mapping[str, Any]
    ) -> None:
        values = {
            "filename": filename,
            "content": data,
            "sha256": sha256_of(data),
            "text": text,
            "parsed": dict(parsed_json),
            "parser_version": PARSER_VERSION,
        }
        # The stored file is read only when a different one replaces it (for the comparison).
        source = GazetteSource.objects.filter(gazette=self.gazette).defer("content").first()
        if source is None:
            GazetteSource.objects.create(gazette=self.gazette, **values)
            return
        if source.sha256 == values["sha256"]:
            del values["content"]  # same bytes: no need to compare or rewrite the blob
        _save_changes(source, values)

    def _sync_meetings(self) -> dict[p.MeetingRef, Meeting]:
        refs: dict[p.MeetingRef, p.Meeting | None] = {}
        for meeting in self.parsed.meetings:
            refs[meeting.ref] = meeting
        for ref in self._referenced_meetings():
            refs.setdefault(ref, None)
        counts = self.report.counts.setdefault("meetings", Counts())
        if not refs:
            return {}
        query = models.Q()
        for ref in refs:
            query |= models.Q(body=ref.body, term=ref.term, number=ref.number)
        existing = {
            (m.body, m.term, m.number): m
            for m in Meeting.objects.filter(query, region=self.region)
        }
        result: dict[p.MeetingRef, Meeting] = {}
        to_create = []
        for ref, parsed in refs.items():
            obj = existing.get((ref.body, ref.term, ref.number))
            values: dict[str, Any] = {}
            if parsed is not None:
                if parsed.date is not None:
                    values["date"] = parsed.date
                if parsed.declared_present is not None:
                    values["declared_present"] = parsed.declared_present
                values.update(_span(parsed.span))
            if obj is None:
                obj = Meeting(
                    region=self.region,
                    body=ref.body,
                    term=ref.term,
                    number=ref.number,
                    gazette=self.gazette,
                    **values,
                )
                to_create.append(obj)
            else:
                if obj.gazette_id != self.gazette.pk:
                    # Another issue reported it first: only fill what it lacks.
                    values = {k: v for k, v in values.items() if getattr(obj, k) is None}
                if _save_changes(obj, values):
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            result[ref] = obj
        if to_create:
            _bulk_create(Meeting, to_create, user=self.user)
            counts.created += len(to_create)
        return result

    def _referenced_meetings(self) -> set[p.MeetingRef]:
        refs = {d.meeting for d in self.parsed.documents if d.meeting}
        refs |= {d.meeting for d in self.parsed.personnel_decisions if d.meeting}
        refs |= {v.meeting for v in self.parsed.votes if v.meeting}
        refs |= {e.meeting for e in self.parsed.elections if e.meeting}
        return refs

    def _sync_articles(self, meetings: Mapping[p.MeetingRef, Meeting]) -> dict[int, Article]:
        docs = self.parsed.documents
        keys = _occurrence_keys(_short(d.toc_title or d.title, 200) for d in docs)
        rows = {}
        for key, doc in zip(keys, docs, strict=True):
            rows[key] = {
                "number": doc.index,
                "title": doc.title,
                "toc_title": doc.toc_title or "",
                "category": doc.category,
                "page": doc.page,
                "doc_number": doc.doc_number or "",
                "date": doc.date,
                "issuer": doc.issuer,
                "meeting_id": meetings[doc.meeting].pk if doc.meeting else None,
                "text": doc.text,
                **_span(doc.span),
            }
        by_key = self._sync(
            "articles",
            Article,
            Article.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
            rekey_on="number",
        )
        _fault_point("articles")
        by_index = {doc.index: by_key[key] for key, doc in zip(keys, docs, strict=True)}
        # Parents point at articles of this issue, known only now.
        changed = []
        for doc in docs:
            article = by_index[doc.index]
            parent_id = by_index[doc.parent].pk if doc.parent in by_index else None
            if "parent" not in article.corrected_fields and article.parent_id != parent_id:
                article.parent_id = parent_id
                changed.append(article)
        if changed:
            _bulk_update(Article, changed, ["parent"], user=self.user)
        return by_index

    def _sync_toc(self, articles: Mapping[int, Article]) -> None:
        rows = {}
        for entry in self.parsed.toc:
            article = articles.get(entry.document) if entry.document else None
            rows[str(entry.ordinal)] = {
                "ordinal": entry.ordinal,
                "title": entry.title,
                "page": entry.page,
                "section": entry.section,
                "article_id": article.pk if article else None,
                **_span(entry.span),
            }
        self._sync(
            "toc entries",
            TocEntry,
            TocEntry.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
        )

    def _sync_provisions(self, articles: Mapping[int, Article]) -> None:
        rows = {}
        for doc in self.parsed.documents:
            article = articles[doc.index]
            for prov in doc.provisions:
                key = f"{doc.index}:{prov.kind}:{prov.number}"
                if key in rows:
                    continue
                rows[key] = {
                    "article_id": article.pk,
                    "kind": prov.kind,
                    "number": prov.number,
                    "label": prov.label,
                    "heading": prov.heading,
                    "chapter": prov.chapter,
                    "text": prov.text,
                    **_span(prov.span),
                }
        self._sync(
            "provisions",
            Provision,
            Provision.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
        )

    def _sync_citations(self, articles: Mapping[int, Article]) -> None:
        rows = {}
        for doc in self.parsed.documents:
            article = articles[doc.index]
            bases = [f"{doc.index}:{c.kind}:{_short(c.text, 200)}" for c in doc.citations]
            for key, cite in zip(_occurrence_keys(bases), doc.citations, strict=True):
                rows[key] = {
                    "article_id": article.pk,
                    "kind": cite.kind,
                    "text": cite.text[:500],
                    "repeals": cite.repeals,
                    "first_line": cite.line,
                    "last_line": cite.line,
                }
        self._sync(
            "citations",
            Citation,
            Citation.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
        )

    # -- people --

    def _printed_people(self) -> dict[str, p.PersonName]:
        people: dict[str, p.PersonName] = {}
        for meeting in self.parsed.meetings:
            for person in (*meeting.present, *meeting.on_leave, *meeting.attending):
                people.setdefault(person.name, person)
            for name_list in meeting.name_lists:
                for person in name_list.members:
                    people.setdefault(person.name, person)
        for decision in self.parsed.personnel_decisions:
            people.setdefault(
                decision.person, p.PersonName(name=decision.person, gender=decision.gender)
            )
        return people

    def _match_people(self) -> dict[str, Person | None]:
        """Map each printed name to its one person in the region; None when ambiguous."""
        printed = self._printed_people()
        if not printed:
            return {}
        candidates: dict[str, set[int]] = defaultdict(set)
        people_by_pk: dict[int, Person] = {}
        for person in Person.objects.in_region(self.region).filter(name__in=list(printed)):
            candidates[person.name].add(person.pk)
            people_by_pk[person.pk] = person
        for alias in PersonAlias.objects.filter(
            person__region=self.region, name__in=list(printed)
        ).select_related("person"):
            candidates[alias.name].add(alias.person_id)
            people_by_pk[alias.person_id] = alias.person
        ambiguous = {name: pks for name, pks in candidates.items() if len(pks) > 1}
        if ambiguous:
            for name, pk in self._resolve_by_context(ambiguous).items():
                candidates[name] = {pk}
        result: dict[str, Person | None] = {}
        new_people = []
        for name, printed_person in printed.items():
            pks = candidates.get(name, set())
            if len(pks) == 1:
                result[name] = people_by_pk[next(iter(pks))]
            elif len(pks) > 1:
                result[name] = None
                self.report.unmatched_names.append(name)
            else:
                person = Person(
                    region=self.region,
                    name=name,
                    gender=printed_person.gender or "",
                    ethnicity=printed_person.ethnicity or "",
                )
                new_people.append(person)
                result[name] = person
        if new_people:
            _bulk_create(Person, new_people, user=self.user)
        _fault_point("people")
        counts = self.report.counts.setdefault("people", Counts())
        counts.created += len(new_people)
        counts.unchanged += len(printed) - len(new_people)
        return result

    def _resolve_by_context(self, ambiguous: Mapping[str, set[int]]) -> dict[str, int]:
        """Pick the one candidate that fits what the issue says about the name.

        A name present at a standing-committee meeting fits the committee's
        members of that term; a name in a personnel decision fits whoever
        held or was decided for one of the same posts. A name that fits
        none or several candidates stays unresolved.
        """
        terms: dict[str, set[int]] = defaultdict(set)
        for meeting in self.parsed.meetings:
            if meeting.ref.body == Body.STANDING_COMMITTEE:
                for person in meeting.present:
                    terms[person.name].add(meeting.ref.term)
        posts: dict[str, set[str]] = defaultdict(set)
        for decision in self.parsed.personnel_decisions:
            posts[decision.person].update(decision.positions)
        pks = {pk for group in ambiguous.values() for pk in group}
        memberships = set(
            Membership.objects.filter(
                person_id__in=pks, region=self.region, body=Body.STANDING_COMMITTEE
            ).values_list("person_id", "term")
        )
        held = set(Tenure.objects.filter(person_id__in=pks).values_list("person_id", "post__title"))
        resolved = {}
        for name, group in ambiguous.items():
            fitting = {
                pk
                for pk in group
                if any((pk, term) in memberships for term in terms[name])
                or any((pk, title) in held for title in posts[name])
            }
            if len(fitting) == 1:
                resolved[name] = fitting.pop()
        return resolved

    # -- meeting records --

    def _sync_agenda(self, meetings: Mapping[p.MeetingRef, Meeting]) -> None:
        rows = {}
        for meeting in self.parsed.meetings:
            for number, text in enumerate(meeting.agenda, start=1):
                rows[f"{_ref_key(meeting.ref)}:{number}"] = {
                    "meeting_id": meetings[meeting.ref].pk,
                    "number": number,
                    "text": text,
                }
        self._sync(
            "agenda items",
            AgendaItem,
            AgendaItem.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
        )

    def _sync_attendance(
        self, meetings: Mapping[p.MeetingRef, Meeting], people: Mapping[str, Person | None]
    ) -> None:
        rows = {}
        for meeting in self.parsed.meetings:
            for status, names in (
                ("present", meeting.present),
                ("on_leave", meeting.on_leave),
                ("attending", meeting.attending),
            ):
                for person in names:
                    key = f"{_ref_key(meeting.ref)}:{status}:{person.name}"
                    matched = people.get(person.name)
                    rows[key] = {
                        "meeting_id": meetings[meeting.ref].pk,
                        "name": person.name,
                        "status": status,
                        "title": person.title or "",
                        "person_id": matched.pk if matched else None,
                        "first_line": person.line,
                        "last_line": person.line,
                    }
        self._sync(
            "attendance",
            Attendance,
            Attendance.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
        )

    def _sync_name_lists(
        self, meetings: Mapping[p.MeetingRef, Meeting], people: Mapping[str, Person | None]
    ) -> None:
        rows = {}
        for meeting in self.parsed.meetings:
            for name_list in meeting.name_lists:
                for position, person in enumerate(name_list.members, start=1):
                    key = f"{_ref_key(meeting.ref)}:{name_list.kind}:{_short(name_list.label, 80)}:{position}"
                    matched = people.get(person.name)
                    rows[key] = {
                        "meeting_id": meetings[meeting.ref].pk,
                        "list_kind": name_list.kind,
                        "label": name_list.label[:200],
                        "position": position,
                        "name": person.name,
                        "note": person.note or "",
                        "person_id": matched.pk if matched else None,
                        "first_line": person.line,
                        "last_line": person.line,
                    }
        self._sync(
            "name list entries",
            NameListEntry,
            NameListEntry.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
        )

    def _sync_decisions(
        self,
        meetings: Mapping[p.MeetingRef, Meeting],
        articles: Mapping[int, Article],
        people: Mapping[str, Person | None],
    ) -> list[PersonnelDecision]:
        parsed = self.parsed.personnel_decisions
        self.people_before = set(
            PersonnelDecision.objects.filter(gazette=self.gazette, person__isnull=False)
            .values_list("person_id", flat=True)
        )
        bases = [f"{d.person}:{d.action}:{_ref_key(d.meeting)}" for d in parsed]
        keys = _occurrence_keys(bases)
        rows = {}
        for key, decision in zip(keys, parsed, strict=True):
            matched = people.get(decision.person)
            first_doc = articles.get(decision.documents[0]) if decision.documents else None
            rows[key] = {
                "region": self.region,
                "person_name": decision.person,
                "person_id": matched.pk if matched else None,
                "action": decision.action,
                "positions": list(decision.positions),
                "meeting_id": meetings[decision.meeting].pk if decision.meeting else None,
                "date": decision.date,
                "article_id": first_doc.pk if first_doc else None,
                **_span(decision.span),
            }
        by_key = self._sync(
            "personnel decisions",
            PersonnelDecision,
            PersonnelDecision.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
        )
        decisions = [by_key[key] for key in keys]
        self._sync_decision_links(decisions, parsed, articles)
        return decisions

    def _sync_decision_links(
        self,
        decisions: list[PersonnelDecision],
        parsed: Iterable[p.PersonnelDecision],
        articles: Mapping[int, Article],
    ) -> None:
        """Keep the posts and source articles of each decision in step with the parse."""
        titles = {title for obj in decisions for title in obj.positions}
        posts = {post.title: post for post in Post.objects.filter(region=self.region, title__in=titles)}
        missing = [Post(region=self.region, title=t) for t in sorted(titles) if t not in posts]
        if missing:
            _bulk_create(Post, missing, user=self.user)
            posts.update({post.title: post for post in missing})
        want_posts = {(obj.pk, posts[t].pk) for obj in decisions for t in obj.positions}
        want_sources = {
            (obj.pk, articles[i].pk)
            for obj, item in zip(decisions, parsed, strict=True)
            for i in item.documents
            if i in articles
        }
        ids = [obj.pk for obj in decisions]
        self._sync_m2m(PersonnelDecision.posts.through, "post_id", ids, want_posts)
        self._sync_m2m(PersonnelDecision.sources.through, "article_id", ids, want_sources)

    def _sync_m2m(
        self, through: type[models.Model], other: str, ids: list[int], wanted: set[tuple[int, int]]
    ) -> None:
        current_rows = through.objects.filter(
            personneldecision__gazette=self.gazette
        ).values_list("pk", "personneldecision_id", other)
        current = {(row[1], row[2]): row[0] for row in current_rows}
        stale = [pk for pair, pk in current.items() if pair not in wanted]
        if stale:
            through.objects.filter(pk__in=stale).delete()
        new = [
            through(**{"personneldecision_id": a, other: b})
            for a, b in sorted(wanted)
            if (a, b) not in current
        ]
        if new:
            through.objects.bulk_create(new)

    def _sync_votes(
        self, meetings: Mapping[p.MeetingRef, Meeting], articles: Mapping[int, Article]
    ) -> None:
        bases = [f"{v.subject_type}:{_ref_key(v.meeting)}:{_short(v.subject, 200)}" for v in self.parsed.votes]
        rows = {}
        for key, vote in zip(_occurrence_keys(bases), self.parsed.votes, strict=True):
            article = articles.get(vote.document) if vote.document else None
            rows[key] = {
                "article_id": article.pk if article else None,
                "meeting_id": meetings[vote.meeting].pk if vote.meeting else None,
                "subject": vote.subject[:300],
                "subject_type": vote.subject_type,
                "satisfied": vote.satisfied,
                "basically_satisfied": vote.basically_satisfied,
                "unsatisfied": vote.unsatisfied,
                "voting": vote.voting,
                "base": vote.base,
                "satisfied_pct": vote.satisfied_pct,
                **_span(vote.span),
            }
        self._sync(
            "votes", Vote, Vote.objects.filter(gazette=self.gazette), rows, {"gazette": self.gazette}
        )

    def _sync_elections(
        self, meetings: Mapping[p.MeetingRef, Meeting], articles: Mapping[int, Article]
    ) -> None:
        bases = [f"{_ref_key(e.meeting)}:{_short(e.subject, 200)}" for e in self.parsed.elections]
        rows = {}
        for key, election in zip(_occurrence_keys(bases), self.parsed.elections, strict=True):
            article = articles.get(election.document)
            rows[key] = {
                "article_id": article.pk if article else None,
                "meeting_id": meetings[election.meeting].pk if election.meeting in meetings else None,
                "subject": election.subject[:300],
                "candidate": election.candidate,
                "yes": election.yes,
                "no": election.no,
                "abstain": election.abstain,
                "voting": election.voting,
                **_span(election.span),
            }
        self._sync(
            "elections",
            Election,
            Election.objects.filter(gazette=self.gazette),
            rows,
            {"gazette": self.gazette},
        )

    # -- derived records --

    def _derive_tenures(self, decisions: list[PersonnelDecision]) -> None:
        # People whose decisions were deleted by this load need their tenures rebuilt too.
        person_ids = {d.person_id for d in decisions if d.person_id} | self.people_before
        rebuild_tenures(person_ids, counts=self.report.counts.setdefault("tenures", Counts()))

    def _derive_memberships(self) -> None:
        present = {
            (person.name, meeting.ref.term)
            for meeting in self.parsed.meetings
            if meeting.ref.body == Body.STANDING_COMMITTEE
            for person in meeting.present
        }
        if not present:
            return
        names = {name for name, _ in present}
        person_by_name: dict[str, list[int]] = defaultdict(list)
        for pk, name in Person.objects.in_region(self.region).filter(name__in=names).values_list(
            "pk", "name"
        ):
            person_by_name[name].append(pk)
        wanted = {
            (person_by_name[name][0], term)
            for name, term in present
            if len(person_by_name[name]) == 1
        }
        existing = set(
            Membership.objects.filter(
                region=self.region,
                body=Body.STANDING_COMMITTEE,
                person_id__in={pk for pk, _ in wanted},
            ).values_list("person_id", "term")
        )
        new = [
            Membership(person_id=pk, region=self.region, body=Body.STANDING_COMMITTEE, term=term)
            for pk, term in sorted(wanted - existing)
        ]
        if new:
            Membership.objects.bulk_create(new, ignore_conflicts=True)
        counts = self.report.counts.setdefault("memberships", Counts())
        counts.created += len(new)
        counts.unchanged += len(wanted & existing)


def rebuild_tenures(person_ids: Iterable[int], *, counts: Counts | None = None) -> None:
    """Derive the tenures of these people from all their personnel decisions.

    An appointment, approval or election opens a tenure of each post from its
    date; a removal or accepted resignation closes the open tenure of that
    post, or records a tenure known only by its end.
    """
    person_ids = sorted(set(person_ids))
    counts = counts if counts is not None else Counts()
    if not person_ids:
        return
    decisions = (
        PersonnelDecision.objects.filter(person_id__in=person_ids)
        .prefetch_related("posts")
        .order_by("date", "id")
    )
    wanted: list[tuple[int, int, Any, Any, int | None, int | None]] = []
    open_tenures: dict[tuple[int, int], int] = {}
    for decision in decisions:
        for post in decision.posts.all():
            slot = (decision.person_id, post.pk)
            if decision.action in ACTIONS_STARTING_TENURE:
                open_tenures[slot] = len(wanted)
                wanted.append((decision.person_id, post.pk, decision.date, None, decision.pk, None))
            elif decision.action in ACTIONS_ENDING_TENURE:
                index = open_tenures.pop(slot, None)
                if index is None:
                    wanted.append(
                        (decision.person_id, post.pk, None, decision.date, None, decision.pk)
                    )
                else:
                    person, post_id, start, _, start_pk, _ = wanted[index]
                    wanted[index] = (person, post_id, start, decision.date, start_pk, decision.pk)
    existing = {
        (t.person_id, t.post_id, t.started_on, t.ended_on, t.start_decision_id, t.end_decision_id): t.pk
        for t in Tenure.objects.filter(person_id__in=person_ids, derived=True)
    }
    stale = [pk for row, pk in existing.items() if row not in set(wanted)]
    new = [row for row in wanted if row not in existing]
    if stale:
        Tenure.objects.filter(pk__in=stale).delete()
        tombstones.record_deletions(Tenure, stale)  # the API's changes feed
    if new:
        Tenure.objects.bulk_create(
            Tenure(
                person_id=person,
                post_id=post,
                started_on=start,
                ended_on=end,
                start_decision_id=start_pk,
                end_decision_id=end_pk,
                derived=True,
            )
            for person, post, start, end, start_pk, end_pk in new
        )
    counts.created += len(new)
    counts.deleted += len(stale)
    counts.unchanged += len(wanted) - len(new)


def _has_history(model: type[models.Model]) -> bool:
    return hasattr(model, "history")


def _bulk_create(model: type[models.Model], objs: list[Any], *, user: Any) -> None:
    """bulk_create that also writes the records' history, so loads are audited too."""
    if _has_history(model):
        bulk_create_with_history(
            objs, model, batch_size=500, default_user=user, default_change_reason="load"
        )
    else:
        model.objects.bulk_create(objs, batch_size=500)


def _bulk_update(model: type[models.Model], objs: list[Any], fields: list[str], *, user: Any) -> None:
    # bulk_update skips auto_now: stamp updated_at here, so a reload's changes move
    # the records' version (the clerks' optimistic locking, the API's updated_since).
    if "updated_at" not in fields and any(f.name == "updated_at" for f in model._meta.concrete_fields):
        now = timezone.now()
        for obj in objs:
            obj.updated_at = now
        fields = [*fields, "updated_at"]
    if _has_history(model):
        bulk_update_with_history(
            objs, model, fields, batch_size=500, default_user=user, default_change_reason="load"
        )
    else:
        model.objects.bulk_update(objs, fields, batch_size=500)


def _value_of(obj: models.Model, name: str) -> Any:
    value = getattr(obj, name)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _save_changes(obj: models.Model, values: Mapping[str, Any]) -> list[str]:
    """Set the given fields, save only those that changed, return their names."""
    corrected = set(getattr(obj, "corrected_fields", None) or ())
    changed = [
        name
        for name, value in values.items()
        if name not in corrected and _value_of(obj, name) != value
    ]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        update = [*changed, "updated_at"] if hasattr(obj, "updated_at") else changed
        obj.save(update_fields=update)
    return changed


def load_gazette_file(
    data: bytes,
    *,
    filename: str = "",
    metadata: p.IssueMetadata | None = None,
    allow_shrinkage: bool = False,
    publish: bool = False,
    user: Any = None,
) -> LoadReport:
    """Read, parse and load one uploaded file: the path every entry point takes.

    Raise GazetteParseError when the file is not a gazette, LoadError when
    the parse cannot be written; the database is then unchanged.
    """
    from records.parsing import gazette_to_json, parse_gazette, read_source

    text = read_source(data, filename)
    parsed = parse_gazette(text, metadata)
    return load_gazette(
        parsed,
        source_bytes=data,
        source_text=text,
        filename=filename,
        parsed_json=gazette_to_json(parsed),
        allow_shrinkage=allow_shrinkage,
        publish=publish,
        user=user,
    )
