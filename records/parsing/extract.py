"""Record extractors that run over segmented documents.

``extract_records`` is called by ``parse_gazette`` once the body has been cut
into documents. It reads meetings (agenda, attendance, name lists),
personnel decisions, evaluation votes, the provisions of normative texts and
the citations between documents. Each kind of record has its own module;
this one only runs them in order (meetings first: the others need to know
which meeting a document belongs to and when it sat).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .citations import extract_citations
from .lines import DocumentSource
from .meetings import extract_meetings, view_document
from .personnel import extract_personnel
from .provisions import extract_provisions
from .types import (
    Citation,
    ElectionVote,
    GazetteInfo,
    Meeting,
    MeetingRef,
    ParseWarning,
    PersonnelDecision,
    Provision,
    Vote,
)
from .votes import extract_elections, extract_votes


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
    # Candidates' ballot counts (赞成/反对/弃权), which ``Vote`` cannot hold.
    elections: tuple[ElectionVote, ...] = ()


def extract_records(sources: Sequence[DocumentSource], info: GazetteInfo) -> Extracted:
    """Run every extractor over the documents of one issue."""
    views = [view_document(source) for source in sources]
    meetings = extract_meetings(views, info)
    decisions, personnel_warnings = extract_personnel(views, info, meetings)
    votes, vote_warnings = extract_votes(views, info, meetings)
    elections = extract_elections(views, meetings)

    provisions: dict[int, tuple[Provision, ...]] = {}
    citations: dict[int, tuple[Citation, ...]] = {}
    provision_warnings: list[ParseWarning] = []
    for view in views:
        found, warnings = extract_provisions(view)
        if found:
            provisions[view.index] = found
        provision_warnings.extend(warnings)
        cited = extract_citations(view)
        if cited:
            citations[view.index] = cited

    return Extracted(
        meetings=meetings.meetings,
        personnel_decisions=decisions,
        votes=votes,
        provisions=provisions,
        citations=citations,
        document_meetings=dict(meetings.document_meetings),
        meeting_dates=dict(meetings.meeting_dates),
        warnings=(*meetings.warnings, *personnel_warnings, *vote_warnings, *provision_warnings),
        elections=elections,
    )
