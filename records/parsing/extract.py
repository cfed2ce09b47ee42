"""Record extractors that run over segmented documents.

``extract_records`` is called by ``parse_gazette`` once the body has been cut
into documents. It reads meetings (agenda, attendance, name lists),
personnel decisions, evaluation votes, the provisions of normative texts and
the citations between documents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .lines import DocumentSource
from .types import (
    Citation,
    GazetteInfo,
    Meeting,
    MeetingRef,
    ParseWarning,
    PersonnelDecision,
    Provision,
    Vote,
)


@dataclass(frozen=True, slots=True)
class Extracted:
    """What the extractors found; keyed by document index where per document."""

    meetings: tuple[Meeting, ...] = ()
    personnel_decisions: tuple[PersonnelDecision, ...] = ()
    votes: tuple[Vote, ...] = ()
    provisions: dict[int, tuple[Provision, ...]] = field(default_factory=dict)
    citations: dict[int, tuple[Citation, ...]] = field(default_factory=dict)
    # The meeting each document belongs to, where the extractors could tell.
    document_meetings: dict[int, MeetingRef] = field(default_factory=dict)
    meeting_dates: dict[MeetingRef, dt.date] = field(default_factory=dict)
    warnings: tuple[ParseWarning, ...] = ()


def extract_records(sources: Sequence[DocumentSource], info: GazetteInfo) -> Extracted:
    """Run every extractor over the documents of one issue."""
    from .meetings import extract_meetings, view_document

    views = [view_document(s) for s in sources]
    m = extract_meetings(views, info)
    from .personnel import extract_personnel
    pd, pw = extract_personnel(views, info, m)
    from .votes import extract_votes
    vv, vw = extract_votes(views, info, m)
    from .provisions import extract_provisions
    from .citations import extract_citations
    prov = {}
    pw2 = ()
    for v in views:
        pp, ww = extract_provisions(v)
        if pp: prov[v.index] = pp
        pw2 += ww
    cit = {v.index: c for v in views if (c := extract_citations(v))}
    return Extracted(provisions=prov, citations=cit, meetings=m.meetings, personnel_decisions=pd, votes=vv, document_meetings=m.document_meetings, meeting_dates=m.meeting_dates, warnings=m.warnings + pw + vw + pw2)
