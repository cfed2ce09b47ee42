"""The gazette/1 JSON shape (docs/gazette-json.md).

``gazette_to_json`` turns a ParsedGazette into plain dicts, lists, strings,
numbers, booleans and None, ready for ``json.dumps(..., ensure_ascii=False)``.
Dates are ISO ``YYYY-MM-DD``; names are strings without layout spaces.
The keys of gazette/1 keep their meaning; extra keys are added alongside.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .types import (
    Citation,
    Document,
    ElectionVote,
    Meeting,
    MeetingRef,
    NameList,
    ParsedGazette,
    ParseWarning,
    PersonName,
    PersonnelDecision,
    Provision,
    Span,
    TocEntry,
    Vote,
)

SCHEMA = "gazette/1"
JSON = dict[str, Any]
# Keys of a meeting that a name list must not overwrite.
_MEETING_KEYS = frozenset({"body", "term", "number", "date", "agenda", "present", "on_leave", "attending"})


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date is not None else None


def _span(span: Span | None) -> list[int] | None:
    return [span.first_line, span.last_line] if span is not None else None


def _meeting_ref(ref: MeetingRef | None) -> JSON | None:
    return {"body": ref.body, "term": ref.term, "number": ref.number} if ref is not None else None


def _names(people: tuple[PersonName, ...]) -> list[str]:
    return [person.name for person in people]


def _provision(provision: Provision) -> JSON:
    return {
        "kind": provision.kind,
        "number": provision.number,
        "label": provision.label,
        "heading": provision.heading,
        "text": provision.text,
        "chapter": provision.chapter,
        "lines": _span(provision.span),
    }


def _citation(citation: Citation) -> JSON:
    return {"kind": citation.kind, "text": citation.text, "repeals": citation.repeals, "line": citation.line}


def _document(document: Document) -> JSON:
    data: JSON = {
        "title": document.title,
        "page": document.page,
        "category": document.category,
        "doc_number": document.doc_number,
        "date": _iso(document.date),
    }
    if document.toc_title is not None:
        data["toc_title"] = document.toc_title
    data["index"] = document.index
    data["issuer"] = document.issuer or None
    data["meeting"] = _meeting_ref(document.meeting)
    data["parent"] = document.parent
    data["lines"] = _span(document.span)
    if document.provisions:
        data["provisions"] = [_provision(p) for p in document.provisions]
    if document.citations:
        data["citations"] = [_citation(c) for c in document.citations]
    return data


def _name_list(name_list: NameList) -> JSON:
    return {
        "kind": name_list.kind,
        "label": name_list.label,
        "declared_count": name_list.declared_count,
        "members": _names(name_list.members),
    }


def _meeting(meeting: Meeting) -> JSON:
    data: JSON = {
        "body": meeting.ref.body,
        "term": meeting.ref.term,
        "number": meeting.ref.number,
        "date": _iso(meeting.date),
        "agenda": list(meeting.agenda),
        "present": _names(meeting.present),
        "on_leave": _names(meeting.on_leave),
        "attending": _names(meeting.attending),
    }
    for name_list in meeting.name_lists:
        names = _names(name_list.members)
        if name_list.sitting is not None:
            # Lists per plenary sitting (执行主席): one entry per sitting.
            sittings = data.setdefault(name_list.kind, [])
            if isinstance(sittings, list):
                sittings.append({"sitting": name_list.sitting, "names": names})
            continue
        if name_list.kind in _MEETING_KEYS or name_list.kind in data:
            continue
        # 秘书长 is one person; every other list is a list of names.
        data[name_list.kind] = names[0] if name_list.kind == "secretary_general" and len(names) == 1 else names
    if meeting.name_lists:
        data["name_lists"] = [_name_list(n) for n in meeting.name_lists]
    if meeting.declared_present is not None:
        data["declared_present"] = meeting.declared_present
    data["documents"] = list(meeting.documents)
    return data


def _decision(decision: PersonnelDecision) -> JSON:
    return {
        "person": decision.person,
        "action": decision.action,
        "positions": list(decision.positions),
        "meeting": _meeting_ref(decision.meeting),
        "date": _iso(decision.date),
        "gender": decision.gender,
        "documents": list(decision.documents),
    }


def _vote(vote: Vote) -> JSON:
    return {
        "subject": vote.subject,
        "subject_type": vote.subject_type,
        "satisfied": vote.satisfied,
        "basically_satisfied": vote.basically_satisfied,
        "unsatisfied": vote.unsatisfied,
        "voting": vote.voting,
        "base": vote.base,
        "satisfied_pct": vote.satisfied_pct,
        "meeting": _meeting_ref(vote.meeting),
        "document": vote.document,
    }


def _election(vote: ElectionVote) -> JSON:
    return {
        "subject": vote.subject,
        "kind": "election",
        "candidate": vote.candidate,
        "yes": vote.yes,
        "no": vote.no,
        "abstain": vote.abstain,
        "voting": vote.voting,
        "meeting": _meeting_ref(vote.meeting),
        "document": vote.document,
    }


def _toc_entry(entry: TocEntry) -> JSON:
    return {
        "ordinal": entry.ordinal,
        "title": entry.title,
        "page": entry.page,
        "section": entry.section or None,
        "doc_number": entry.doc_number,
        "document": entry.document,
        "lines": _span(entry.span),
    }


def _warning(warning: ParseWarning) -> JSON:
    return {"line": warning.line, "code": warning.code, "message": warning.message}


def gazette_to_json(parsed: ParsedGazette) -> JSON:
    """The gazette/1 dict of one parsed issue."""
    info = parsed.gazette
    return {
        "schema": SCHEMA,
        "gazette": {
            "issuer": info.issuer,
            "region": info.region,
            "kind": info.kind,
            "year": info.year,
            "issue": info.issue,
            "cumulative_issue": info.cumulative_issue,
            "published_on": _iso(info.published_on),
            "name": info.name or None,
        },
        "documents": [_document(d) for d in parsed.documents],
        "meetings": [_meeting(m) for m in parsed.meetings],
        "personnel_decisions": [_decision(d) for d in parsed.personnel_decisions],
        "votes": [_vote(v) for v in parsed.votes] + [_election(e) for e in parsed.elections],
        "toc": [_toc_entry(e) for e in parsed.toc],
        "warnings": [_warning(w) for w in parsed.warnings],
        "truncated": parsed.truncated,
    }
