"""One issue as gazette/1 JSON, built from the database, clerks' corrections included.

``gazette_export`` rebuilds the parser's output (``records.parsing.gazette_to_json``)
from the stored records, so that for an issue nobody corrected it equals the
stored parse (``GazetteSource.parsed``), and after a correction it shows the
corrected values; a corrected record also carries ``corrected_fields``.

The records are ordered as the parse printed them (their natural keys, rebuilt
from the stored parse as the loader builds them). The few values the tables
do not keep — a name list's declared count, the documents of a meeting, a
decision's printed gender, a TOC line's glued 文号 — are read from the stored
parse by the same keys; clerks never correct them.

``gazette_corrections`` and ``apply_corrections`` carry corrections through a
dump (``manage.py export_dump`` / ``import_dump``): values by natural key,
foreign keys by the natural key of their target.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from people.models import Person
from records.loading import _occurrence_keys, _short
from records.models import (
    AgendaItem,
    Article,
    Attendance,
    Citation,
    Election,
    Gazette,
    GazetteSource,
    Meeting,
    NameListEntry,
    PersonnelDecision,
    Provision,
    TocEntry,
    Vote,
)

SCHEMA = "gazette/1"
JSON = dict[str, Any]
# Keys of a meeting that a name list must not overwrite (as records.parsing.export).
_MEETING_KEYS = frozenset(
    {"body", "term", "number", "date", "agenda", "present", "on_leave", "attending"}
)
LAST = float("inf")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _lines(obj: Any) -> list[int] | None:
    if obj.first_line is None:
        return None
    return [obj.first_line, obj.last_line if obj.last_line is not None else obj.first_line]


def _ref(meeting: Meeting | None) -> JSON | None:
    if meeting is None:
        return None
    return {"body": meeting.body, "term": meeting.term, "number": meeting.number}


def _ref_key(ref: Mapping[str, Any] | None) -> str:
    return f"{ref['body']}:{ref['term']}:{ref['number']}" if ref else "-"


def _ref_tuple(ref: Mapping[str, Any] | None) -> tuple[str, int, int] | None:
    return (ref["body"], ref["term"], ref["number"]) if ref else None


def _positions(keys: Iterable[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, key in enumerate(keys):
        positions.setdefault(key, index)
    return positions


def _by_parse_order(records: Iterable[Any], positions: Mapping[str, int]) -> list[Any]:
    """The parse's order; records it does not have (kept corrections) after, by line."""
    return sorted(
        records,
        key=lambda r: (
            positions.get(r.key, LAST),
            r.first_line if r.first_line is not None else 0,
            r.pk,
        ),
    )


def _mark(data: JSON, obj: Any) -> JSON:
    if getattr(obj, "corrected_fields", None):
        data["corrected_fields"] = sorted(obj.corrected_fields)
    return data


def _same_set_in_order(values: list[int], printed: list[int] | None) -> list[int]:
    """Keep the printed order when it names the same items; else ascending."""
    if printed is not None and sorted(printed) == sorted(values):
        return list(printed)
    return sorted(values)


def gazette_export(gazette: Gazette, *, parsed: Mapping[str, Any] | None = None) -> JSON:
    """The gazette/1 dict of one stored issue, as the parser printed it plus corrections."""
    if parsed is None:
        parsed = (
            GazetteSource.objects.filter(gazette=gazette).values_list("parsed", flat=True).first()
            or {}
        )
    publication = gazette.publication
    p_docs = {d.get("index"): d for d in parsed.get("documents", [])}

    articles = list(
        Article.objects.filter(gazette=gazette).select_related("meeting").order_by("number", "id")
    )
    number_of = {a.pk: a.number for a in articles}
    provisions: dict[int, list[Provision]] = defaultdict(list)
    for prov in Provision.objects.filter(gazette=gazette):
        provisions[prov.article_id].append(prov)
    citations: dict[int, list[Citation]] = defaultdict(list)
    for cite in Citation.objects.filter(gazette=gazette):
        citations[cite.article_id].append(cite)

    documents = []
    for article in articles:
        printed = p_docs.get(article.number, {})
        data: JSON = {
            "title": article.title,
            "page": article.page,
            "category": article.category,
            "doc_number": article.doc_number or None,
            "date": _iso(article.date),
        }
        if article.toc_title or "toc_title" in printed:
            data["toc_title"] = article.toc_title
        data["index"] = article.number
        data["issuer"] = article.issuer or None
        data["meeting"] = _ref(article.meeting)
        data["parent"] = number_of.get(article.parent_id)
        data["lines"] = _lines(article)
        prov_order = _positions(
            f"{article.number}:{p['kind']}:{p['number']}" for p in printed.get("provisions", [])
        )
        provs = _by_parse_order(provisions.get(article.pk, []), prov_order)
        if provs:
            data["provisions"] = [
                _mark(
                    {
                        "kind": p.kind,
                        "number": p.number,
                        "label": p.label,
                        "heading": p.heading,
                        "text": p.text,
                        "chapter": p.chapter,
                        "lines": _lines(p),
                    },
                    p,
                )
                for p in provs
            ]
        cite_order = _positions(
            _occurrence_keys(
                f"{article.number}:{c['kind']}:{_short(c['text'], 200)}"
                for c in printed.get("citations", [])
            )
        )
        cites = _by_parse_order(citations.get(article.pk, []), cite_order)
        if cites:
            data["citations"] = [
                _mark(
                    {"kind": c.kind, "text": c.text, "repeals": c.repeals, "line": c.first_line}, c
                )
                for c in cites
            ]
        documents.append(_mark(data, article))

    return {
        "schema": SCHEMA,
        "gazette": _mark(
            {
                "issuer": publication.issuer,
                "region": publication.region,
                "kind": publication.kind,
                "year": gazette.year,
                "issue": gazette.issue,
                "cumulative_issue": gazette.cumulative_issue,
                "published_on": _iso(gazette.published_on),
                "name": publication.name or None,
            },
            gazette,
        ),
        "documents": documents,
        "meetings": _meetings(gazette, parsed),
        "personnel_decisions": _decisions(gazette, parsed, number_of),
        "votes": _votes(gazette, parsed, number_of) + _elections(gazette, parsed, number_of),
        "toc": _toc(gazette, parsed, number_of),
        "warnings": list(gazette.warnings or []),
        "truncated": gazette.truncated,
    }


def _meetings(gazette: Gazette, parsed: Mapping[str, Any]) -> list[JSON]:
    printed = {_ref_tuple(m): m for m in parsed.get("meetings", [])}
    agenda: dict[int, list[AgendaItem]] = defaultdict(list)
    for item in AgendaItem.objects.filter(gazette=gazette).order_by("number", "id"):
        agenda[item.meeting_id].append(item)
    attendance: dict[int, list[Attendance]] = defaultdict(list)
    for row in Attendance.objects.filter(gazette=gazette):
        attendance[row.meeting_id].append(row)
    entries: dict[int, list[NameListEntry]] = defaultdict(list)
    for entry in NameListEntry.objects.filter(gazette=gazette).order_by("position", "id"):
        entries[entry.meeting_id].append(entry)
    with_records = set(agenda) | set(attendance) | set(entries)
    query = models.Q(pk__in=with_records)
    for ref in printed:
        if ref is not None:
            query |= models.Q(
                region=gazette.publication.region, body=ref[0], term=ref[1], number=ref[2]
            )
    meetings = list(Meeting.objects.filter(query)) if printed or with_records else []
    order = {ref: index for index, ref in enumerate(printed)}
    meetings.sort(key=lambda m: (order.get((m.body, m.term, m.number), LAST), m.pk))

    result = []
    for meeting in meetings:
        ref = (meeting.body, meeting.term, meeting.number)
        p_meeting = printed.get(ref, {})
        key = _ref_key(_ref(meeting))
        data: JSON = {
            "body": meeting.body,
            "term": meeting.term,
            "number": meeting.number,
            "date": _iso(meeting.date),
            "agenda": [item.text for item in agenda.get(meeting.pk, [])],
        }
        rows = attendance.get(meeting.pk, [])
        for status in ("present", "on_leave", "attending"):
            positions = _positions(f"{key}:{status}:{name}" for name in p_meeting.get(status, []))
            data[status] = [
                r.name for r in _by_parse_order((r for r in rows if r.status == status), positions)
            ]
        lists: dict[tuple[str, str], list[NameListEntry]] = {}
        for entry in entries.get(meeting.pk, []):
            lists.setdefault((entry.list_kind, entry.label), []).append(entry)
        p_lists = p_meeting.get("name_lists", [])
        list_order = {
            (n["kind"], n["label"][:200]): i for i, n in reversed(list(enumerate(p_lists)))
        }
        declared = {(n["kind"], n["label"][:200]): n.get("declared_count") for n in p_lists}
        sittings = _sittings(p_meeting)
        ordered = sorted(lists.items(), key=lambda kv: (list_order.get(kv[0], LAST), kv[1][0].pk))
        for (kind, label), members in ordered:
            names = [m.name for m in members]
            sitting = sittings.get((kind, label))
            if sitting is not None:
                # Lists per plenary sitting (执行主席): one entry per sitting.
                per_sitting = data.setdefault(kind, [])
                if isinstance(per_sitting, list):
                    per_sitting.append({"sitting": sitting, "names": names})
                continue
            if kind in _MEETING_KEYS or kind in data:
                continue
            data[kind] = names[0] if kind == "secretary_general" and len(names) == 1 else names
        if ordered:
            data["name_lists"] = [
                {
                    "kind": kind,
                    "label": label,
                    "declared_count": declared.get((kind, label)),
                    "members": [m.name for m in members],
                }
                for (kind, label), members in ordered
            ]
        if meeting.declared_present is not None:
            data["declared_present"] = meeting.declared_present
        data["documents"] = list(p_meeting.get("documents", []))
        result.append(_mark(data, meeting))
    return result


def _sittings(p_meeting: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    """The plenary sitting of each per-sitting list, as the parse printed it (not stored)."""
    per_sitting = {
        kind: value
        for kind, value in p_meeting.items()
        if isinstance(value, list)
        and value
        and all(isinstance(v, dict) and "sitting" in v for v in value)
    }
    result: dict[tuple[str, str], int] = {}
    for name_list in p_meeting.get("name_lists", []):
        kind = name_list["kind"]
        for entry in per_sitting.get(kind, []):
            if entry["names"] == name_list["members"]:
                result.setdefault((kind, name_list["label"][:200]), entry["sitting"])
                break
    return result


def _decision_keys(decisions: Iterable[Mapping[str, Any]]) -> list[str]:
    return _occurrence_keys(
        f"{d['person']}:{d['action']}:{_ref_key(d.get('meeting'))}" for d in decisions
    )


def _decisions(
    gazette: Gazette, parsed: Mapping[str, Any], number_of: Mapping[int, int]
) -> list[JSON]:
    p_decisions = parsed.get("personnel_decisions", [])
    keys = _decision_keys(p_decisions)
    printed = dict(zip(keys, p_decisions, strict=True))
    sources: dict[int, list[int]] = defaultdict(list)
    through = PersonnelDecision.sources.through
    for decision_id, article_id in through.objects.filter(
        personneldecision__gazette=gazette
    ).values_list("personneldecision_id", "article_id"):
        if article_id in number_of:
            sources[decision_id].append(number_of[article_id])
    decisions = PersonnelDecision.objects.filter(gazette=gazette).select_related("meeting")
    result = []
    for decision in _by_parse_order(decisions, _positions(keys)):
        p_decision = printed.get(decision.key, {})
        data = {
            "person": decision.person_name,
            "action": decision.action,
            "positions": list(decision.positions),
            "meeting": _ref(decision.meeting),
            "date": _iso(decision.date),
            "gender": p_decision.get("gender"),
            "documents": _same_set_in_order(
                sources.get(decision.pk, []), p_decision.get("documents")
            ),
        }
        result.append(_mark(data, decision))
    return result


def _votes(gazette: Gazette, parsed: Mapping[str, Any], number_of: Mapping[int, int]) -> list[JSON]:
    printed = [v for v in parsed.get("votes", []) if v.get("kind") != "election"]
    keys = _occurrence_keys(
        f"{v['subject_type']}:{_ref_key(v.get('meeting'))}:{_short(v['subject'], 200)}"
        for v in printed
    )
    votes = Vote.objects.filter(gazette=gazette).select_related("meeting")
    return [
        _mark(
            {
                "subject": vote.subject,
                "subject_type": vote.subject_type,
                "satisfied": vote.satisfied,
                "basically_satisfied": vote.basically_satisfied,
                "unsatisfied": vote.unsatisfied,
                "voting": vote.voting,
                "base": vote.base,
                "satisfied_pct": vote.satisfied_pct,
                "meeting": _ref(vote.meeting),
                "document": number_of.get(vote.article_id),
            },
            vote,
        )
        for vote in _by_parse_order(votes, _positions(keys))
    ]


def _elections(
    gazette: Gazette, parsed: Mapping[str, Any], number_of: Mapping[int, int]
) -> list[JSON]:
    """Ballot counts of elections: in gazette/1 they follow the evaluation votes in "votes"."""
    printed = [v for v in parsed.get("votes", []) if v.get("kind") == "election"]
    keys = _occurrence_keys(
        f"{_ref_key(v.get('meeting'))}:{_short(v['subject'], 200)}" for v in printed
    )
    elections = Election.objects.filter(gazette=gazette).select_related("meeting")
    return [
        _mark(
            {
                "subject": election.subject,
                "kind": "election",
                "candidate": election.candidate,
                "yes": election.yes,
                "no": election.no,
                "abstain": election.abstain,
                "voting": election.voting,
                "meeting": _ref(election.meeting),
                "document": number_of.get(election.article_id),
            },
            election,
        )
        for election in _by_parse_order(elections, _positions(keys))
    ]


def _toc(gazette: Gazette, parsed: Mapping[str, Any], number_of: Mapping[int, int]) -> list[JSON]:
    printed = {e.get("ordinal"): e for e in parsed.get("toc", [])}
    return [
        _mark(
            {
                "ordinal": entry.ordinal,
                "title": entry.title,
                "page": entry.page,
                "section": entry.section or None,
                "doc_number": printed.get(entry.ordinal, {}).get("doc_number"),
                "document": number_of.get(entry.article_id),
                "lines": _lines(entry),
            },
            entry,
        )
        for entry in TocEntry.objects.filter(gazette=gazette).order_by("ordinal", "id")
    ]


# --- corrections through a dump -------------------------------------------------------

CORRECTABLE: tuple[type[models.Model], ...] = (
    Article,
    TocEntry,
    Provision,
    Citation,
    AgendaItem,
    Attendance,
    NameListEntry,
    PersonnelDecision,
    Vote,
    Election,
)


def person_ref(person: Person) -> JSON:
    """A person by region, name and rank among the people of that name (by id)."""
    rank = Person.objects.filter(region=person.region, name=person.name, pk__lt=person.pk).count()
    return {"region": person.region, "name": person.name, "rank": rank}


def find_person(ref: Mapping[str, Any]) -> Person | None:
    people = Person.objects.filter(region=ref["region"], name=ref["name"]).order_by("pk")
    return people[ref.get("rank", 0) : ref.get("rank", 0) + 1].first()


def _dump_value(obj: models.Model, name: str, ref_of_person: Any = person_ref) -> Any:
    field = obj._meta.get_field(name)
    if field.is_relation:
        target = getattr(obj, field.name)
        if target is None:
            return None
        if isinstance(target, Person):
            return {"person": ref_of_person(target)}
        if isinstance(target, Meeting):
            return {"meeting": [target.region, target.body, target.term, target.number]}
        if hasattr(target, "key") and getattr(target, "gazette_id", None) == getattr(
            obj, "gazette_id", None
        ):
            return {"record": target.key}
        return {"pk": target.pk}
    value = getattr(obj, field.attname)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _load_value(obj: models.Model, name: str, value: Any) -> None:
    field = obj._meta.get_field(name)
    if field.is_relation:
        target = None
        if isinstance(value, dict):
            model = field.related_model
            if "person" in value:
                target = find_person(value["person"])
            elif "meeting" in value:
                region, body, term, number = value["meeting"]
                target = Meeting.objects.filter(
                    region=region, body=body, term=term, number=number
                ).first()
            elif "record" in value:
                target = model.objects.filter(
                    gazette_id=obj.gazette_id, key=value["record"]
                ).first()
            elif "pk" in value:
                target = model.objects.filter(pk=value["pk"]).first()
        setattr(obj, field.name, target)
        return
    setattr(obj, field.attname, field.to_python(value))


def gazette_corrections(gazette: Gazette, *, ref_of_person: Any = person_ref) -> JSON:
    """Every correction of this issue: {"gazette": {...}, "meetings": [...], "records": {label: {key: {...}}}}.

    ``ref_of_person`` names a linked person (default: region, name and rank
    among all people of that name).
    """

    def _corrected(obj: models.Model) -> JSON:
        return {name: _dump_value(obj, name, ref_of_person) for name in obj.corrected_fields}

    records: JSON = {}
    for model in CORRECTABLE:
        rows = {
            obj.key: _corrected(obj)
            for obj in model.objects.filter(gazette=gazette)
            .exclude(corrected_fields=[])
            .order_by("pk")
            if obj.corrected_fields
        }
        if rows:
            records[model._meta.label_lower] = rows
    meetings = [
        {"meeting": [m.region, m.body, m.term, m.number], "values": _corrected(m)}
        for m in Meeting.objects.filter(gazette=gazette).exclude(corrected_fields=[]).order_by("pk")
        if m.corrected_fields
    ]
    return {
        "gazette": _corrected(gazette) if gazette.corrected_fields else {},
        "meetings": meetings,
        "records": records,
    }


def apply_corrections(
    gazette: Gazette, corrections: Mapping[str, Any], *, user: Any = None
) -> list[int]:
    """Set corrected values again after a load, marking them corrected; return people touched."""
    people: set[int] = set()

    def save(obj: models.Model, values: Mapping[str, Any]) -> None:
        before = getattr(obj, "person_id", None)
        for name, value in values.items():
            _load_value(obj, name, value)
        obj.corrected_fields = sorted({*(obj.corrected_fields or []), *values})
        obj._history_user = user
        obj.save()
        for pk in (before, getattr(obj, "person_id", None)):
            if pk:
                people.add(pk)

    if corrections.get("gazette"):
        save(gazette, corrections["gazette"])
    for item in corrections.get("meetings", []):
        region, body, term, number = item["meeting"]
        meeting = Meeting.objects.filter(region=region, body=body, term=term, number=number).first()
        if meeting is not None:
            save(meeting, item["values"])
    models_by_label = {model._meta.label_lower: model for model in CORRECTABLE}
    for label, rows in corrections.get("records", {}).items():
        model = models_by_label.get(label)
        if model is None:
            continue
        objects = {
            obj.key: obj for obj in model.objects.filter(gazette=gazette, key__in=list(rows))
        }
        for key, values in rows.items():
            if key in objects:
                save(objects[key], values)
    return sorted(people)
