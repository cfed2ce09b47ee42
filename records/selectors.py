"""Page bundles of the public portal: what one page shows, in a fixed number of queries.

Every bundle starts from published issues (records.api.visibility decides
what is public): a record of an issue still in review is a 404, and nothing
of it leaks through another page. Each function's docstring says how many
queries it makes; tests/test_portal.py pins them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Min, Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from people.models import Person, Post
from people.selectors import visible_people, visible_posts
from records import choices
from records import search as search_index
from records.api.visibility import visible_publications
from records.models import (
    AgendaItem,
    Article,
    Attendance,
    Citation,
    Gazette,
    GazetteSource,
    Meeting,
    NameListEntry,
    PersonnelDecision,
    Provision,
    Publication,
    TocEntry,
    Vote,
)

# --- the citation line of every record page --------------------------------------


@dataclass(frozen=True)
class RecordCitation:
    """Where a record was printed: issue, page, article, and the lines of the source text."""

    gazette: Gazette
    page: int | None = None
    article: Article | None = None
    first_line: int | None = None
    last_line: int | None = None

    @property
    def text(self) -> str:
        parts = [str(self.gazette)]
        if self.gazette.cumulative_issue:
            parts[0] += f"（总第{self.gazette.cumulative_issue}期）"
        if self.page:
            parts.append(f"第{self.page}页")
        if self.article is not None:
            parts.append(f"《{self.article.title}》")
        return "，".join(parts)

    @property
    def source_url(self) -> str:
        url = reverse("records:gazette-text", args=[self.gazette.pk])
        return f"{url}#L{self.first_line}" if self.first_line else url

    @property
    def lines(self) -> str:
        if not self.first_line:
            return ""
        if self.last_line and self.last_line != self.first_line:
            return f"原文第{self.first_line}–{self.last_line}行"
        return f"原文第{self.first_line}行"


def cite_article(article: Article) -> RecordCitation:
    return RecordCitation(
        gazette=article.gazette,
        page=article.page,
        article=article,
        first_line=article.first_line,
        last_line=article.last_line,
    )


def cite_record(record: Any) -> RecordCitation:
    """A decision, vote or attendance record: its issue, its article's page, its lines."""
    article = getattr(record, "article", None)
    return RecordCitation(
        gazette=record.gazette,
        page=article.page if article is not None else None,
        article=article,
        first_line=record.first_line,
        last_line=record.last_line,
    )


# --- text: paragraphs, cited documents linked -----------------------------------

_PARAGRAPH_END = "。！？：；”」』）)…"
_STARTS_BLOCK_RE = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+[章节条款]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|附件)"
)


def paragraphs(text: str) -> list[str]:
    """Lines joined back into paragraphs where the source wrapped them mid-sentence."""
    result: list[str] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if (
            result
            and len(result[-1]) >= 30
            and result[-1][-1] not in _PARAGRAPH_END
            and not _STARTS_BLOCK_RE.match(line)
        ):
            result[-1] += line
        else:
            result.append(line)
    return result


class Linker:
    """Turns escaped text into HTML with the cited documents that are in the portal linked."""

    def __init__(self, targets: dict[str, str]) -> None:
        # targets: the cited text (a title or a 文号) → the URL of the article in the portal
        self.targets = {escape(text): url for text, url in targets.items() if text}
        names = sorted(self.targets, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None

    def __call__(self, text: str) -> SafeString:
        escaped = str(escape(text))
        if self.pattern is None:
            return mark_safe(escaped)  # escaped above
        return mark_safe(
            self.pattern.sub(
                lambda m: f'<a href="{self.targets[m.group(0)]}">{m.group(0)}</a>', escaped
            )
        )


def _title_variants(title: str) -> set[str]:
    half = title.replace("（", "(").replace("）", ")")
    full = title.replace("(", "（").replace(")", "）")
    return {title, half, full}


# --- gazettes --------------------------------------------------------------------


@dataclass(frozen=True)
class TocLine:
    """A table-of-contents line made from an article, for issues printed without one."""

    title: str
    page: int | None
    article_id: int
    article: Article
    section: str = ""


@dataclass(frozen=True)
class TocSection:
    heading: str
    entries: list[TocEntry | TocLine]


@dataclass(frozen=True)
class GazettePage:
    gazette: Gazette
    sections: list[TocSection]
    meetings: list[Meeting]
    source: dict[str, Any] | None
    cite: RecordCitation


def gazette_page(*, gazette_id: int) -> GazettePage:
    """An issue and its table of contents: four queries (five without a printed one)."""
    gazette = Gazette.objects.published().for_list().filter(pk=gazette_id).first()
    if gazette is None:
        raise Http404("没有这一期公报，或尚未发布。")
    entries = list(
        TocEntry.objects.filter(gazette=gazette)
        .select_related("article")
        .defer("article__text")
        .order_by("ordinal")
    )
    if not entries:  # no printed table of contents: the articles in their order
        entries = [
            TocLine(title=a.title, page=a.page, article_id=a.pk, article=a)
            for a in Article.objects.filter(gazette=gazette).defer("text").order_by("number")
        ]
    sections: list[TocSection] = []
    for entry in entries:
        if not sections or sections[-1].heading != entry.section:
            sections.append(TocSection(entry.section, []))
        sections[-1].entries.append(entry)
    # The issue's own meetings and those its articles name, as one id list (both by
    # index): "gazette = x OR id IN (…)" is a walk of every meeting on PostgreSQL.
    meeting_ids = (
        Meeting.objects.filter(gazette=gazette)
        .order_by()
        .values("id")
        .union(
            Article.objects.filter(gazette=gazette, meeting__isnull=False)
            .order_by()
            .values("meeting_id"),
            all=True,
        )
    )
    meetings = list(
        Meeting.objects.filter(pk__in=meeting_ids).order_by(
            F("date").asc(nulls_last=True), "number"
        )
    )
    source = GazetteSource.objects.filter(gazette=gazette).values("filename", "sha256").first()
    return GazettePage(
        gazette=gazette,
        sections=sections,
        meetings=meetings,
        source=source,
        cite=RecordCitation(gazette=gazette),
    )


def published_gazette_or_404(gazette_id: int) -> Gazette:
    gazette = Gazette.objects.published().for_list().filter(pk=gazette_id).first()
    if gazette is None:
        raise Http404("没有这一期公报，或尚未发布。")
    return gazette


@dataclass(frozen=True)
class YearCoverage:
    year: int
    issues: list[dict[str, Any]]  # id, issue, cumulative_issue, published_on
    missing: list[int]

    @property
    def present(self) -> int:
        return len(self.issues)


@dataclass(frozen=True)
class Coverage:
    publication: Publication
    years: list[YearCoverage]
    issues: int
    missing: int


def coverage(*, publication_id: int) -> Coverage:
    """Which issues of a publication are in the portal and which are missing: two queries.

    The portal cannot know how many issues a year had: an issue is missing
    when a later issue of the same year is present, and a year is missing
    when it lies between two years that are present.
    """
    publication = visible_publications().filter(pk=publication_id).first()
    if publication is None:
        raise Http404("没有这一公报刊物。")
    rows = list(
        Gazette.objects.published()
        .filter(publication=publication)
        .order_by("-year", "issue")
        .values("id", "year", "issue", "cumulative_issue", "published_on")
    )
    by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_year[row["year"]].append(row)
    years = []
    if by_year:
        for year in range(max(by_year), min(by_year) - 1, -1):
            issues = by_year.get(year, [])
            numbers = {row["issue"] for row in issues}
            missing = [n for n in range(1, max(numbers, default=0)) if n not in numbers]
            years.append(YearCoverage(year=year, issues=issues, missing=missing))
    return Coverage(
        publication=publication,
        years=years,
        issues=len(rows),
        missing=sum(len(y.missing) for y in years),
    )


@dataclass(frozen=True)
class PublicationSummary:
    publication: Publication
    issues: int
    first_year: int
    last_year: int


def publication_summaries() -> list[PublicationSummary]:
    """What is loaded, per publication: kept until the data changes (records.choices)."""
    return choices.per_data_version("publication-summaries", _publication_summaries)


def _publication_summaries() -> list[PublicationSummary]:
    rows = (
        Gazette.objects.published()
        .values("publication")
        .annotate(issues=Count("id"), first=Min("year"), last=Max("year"))
        .order_by()
    )
    counts = {row["publication"]: row for row in rows}
    publications = Publication.objects.filter(pk__in=list(counts)).order_by("region", "kind")
    return [
        PublicationSummary(
            publication=p,
            issues=counts[p.pk]["issues"],
            first_year=counts[p.pk]["first"],
            last_year=counts[p.pk]["last"],
        )
        for p in publications
    ]


# --- the home page -----------------------------------------------------------------


@dataclass(frozen=True)
class HomePage:
    gazettes: list[Gazette]
    meetings: list[Meeting]
    decisions: list[PersonnelDecision]

    @property
    def publications(self) -> list[PublicationSummary]:
        # Read only when the page's coverage table is rendered, not when it is kept.
        return publication_summaries()


def home_page() -> HomePage:
    """Latest issues, meetings and decisions, and what is loaded: five queries."""
    return HomePage(
        gazettes=list(
            Gazette.objects.published()
            .for_list()
            .order_by(F("published_on").desc(nulls_last=True), "-year", "-issue")[:8]
        ),
        meetings=list(
            Meeting.objects.published()
            .exclude(date=None)
            .select_related("gazette__publication")
            .order_by("-date", "-pk")[:6]
        ),
        decisions=list(
            PersonnelDecision.objects.published()
            .for_list()
            .defer("article__text")
            .order_by(F("date").desc(nulls_last=True), "-id")[:8]
        ),
    )


# --- articles --------------------------------------------------------------------


@dataclass
class ProvisionBlock:
    provision: Provision
    anchor: str
    paragraphs: list[SafeString] = field(default_factory=list)
    children: list[ProvisionBlock] = field(default_factory=list)


@dataclass(frozen=True)
class CitedDocument:
    citation: Citation
    target: Article | None


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    preamble: list[SafeString]
    blocks: list[ProvisionBlock]  # chapters (with their articles) or articles
    body: list[SafeString]  # the text when there are no provisions
    cited: list[CitedDocument]
    people: list[Person]
    meetings: list[Meeting]
    decisions: list[PersonnelDecision]
    attachments: list[Article]
    cite: RecordCitation

    @property
    def has_chapters(self) -> bool:
        return any(block.provision.kind == "chapter" for block in self.blocks)


_TOC_LINE_RE = re.compile(r"^(目\s*录|第[一二三四五六七八九十百零〇\d]+章.*)$")


def article_page(*, article_id: int) -> ArticlePage:
    """A clean reading page: eight queries at most, whatever the article's length."""
    article = (
        Article.objects.published()
        .select_related("gazette__publication", "meeting", "parent")
        .defer("parent__text")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise Http404("没有这篇文章，或其所在公报尚未发布。")
    provisions = list(article.provisions.order_by("first_line", "kind", "number"))
    citations = list(article.citations.order_by("first_line", "id"))

    # Cited documents that are in the portal: by title (《…》) or by 文号.
    titles = {v for c in citations if c.kind == "title" for v in _title_variants(c.text)}
    numbers = {c.text for c in citations if c.kind == "doc_number"}
    targets: dict[str, Article] = {}
    if titles or numbers:
        for target in (
            Article.objects.published()
            .filter(Q(title__in=titles) | Q(doc_number__in=numbers))
            .exclude(pk=article.pk)
            .select_related("gazette")
            .defer("text")
            .order_by("-gazette__year", "-gazette__issue", "number")
        ):
            for key in (*_title_variants(target.title), target.doc_number):
                targets.setdefault(key, target)
    cited = [CitedDocument(c, targets.get(c.text)) for c in citations]
    link_targets = {
        (f"《{c.text}》" if c.kind == "title" else c.text): targets[c.text].get_absolute_url()
        for c in citations
        if c.text in targets
    }
    linker = Linker(link_targets)

    preamble, blocks, body = _layout(article.text, provisions, linker)

    # The decisions printed in this article, by its own key or by the sources table, as
    # one id list (both by index): "article = x OR id IN (…)" is a walk of every
    # decision on PostgreSQL (a hashed subplan tested on each row).
    printed_here = (
        PersonnelDecision.objects.filter(article=article)
        .order_by()
        .values("id")
        .union(
            PersonnelDecision.sources.through.objects.filter(article_id=article.pk)
            .order_by()
            .values("personneldecision_id"),
            all=True,
        )
    )
    decisions = list(
        PersonnelDecision.objects.published()
        .filter(pk__in=printed_here)
        .select_related("person", "meeting")
        .order_by("id")
    )
    people = _people_named(article, decisions)
    meetings = {m.pk: m for m in [article.meeting, *(d.meeting for d in decisions)] if m}
    attachments = list(article.attachments.defer("text").order_by("number"))
    return ArticlePage(
        article=article,
        preamble=preamble,
        blocks=blocks,
        body=body,
        cited=cited,
        people=people,
        meetings=sorted(meetings.values(), key=lambda m: (m.date or dt.date.min, m.pk)),
        decisions=decisions,
        attachments=attachments,
        cite=cite_article(article),
    )


def _layout(
    text: str, provisions: list[Provision], linker: Linker
) -> tuple[list[SafeString], list[ProvisionBlock], list[SafeString]]:
    if not provisions:
        return [], [], [linker(p) for p in paragraphs(text)]
    first_label = next((p.label for p in provisions if p.kind == "article"), provisions[0].label)
    lines = text.splitlines()
    head = []
    for line in lines:
        if line.strip().startswith(first_label):
            break
        head.append(line)
    else:
        head = []
    preamble = [linker(p) for p in paragraphs("\n".join(head)) if not _TOC_LINE_RE.match(p)]
    blocks: list[ProvisionBlock] = []
    used: set[str] = set()
    chapter: ProvisionBlock | None = None
    for provision in provisions:
        anchor = provision.label
        while anchor in used:
            anchor += "-2"
        used.add(anchor)
        block = ProvisionBlock(
            provision=provision,
            anchor=anchor,
            paragraphs=[linker(p) for p in paragraphs(provision.text)],
        )
        if provision.kind == "chapter":
            chapter = block
            blocks.append(block)
        elif chapter is not None:
            chapter.children.append(block)
        else:
            blocks.append(block)
    return preamble, blocks, []


def _people_named(article: Article, decisions: list[PersonnelDecision]) -> list[Person]:
    """People the article names: those its decisions are about, and the people of the
    same issue (attendance, name lists, decisions) whose name is in its text. One query."""
    gazette = article.gazette_id
    # From the issue's rows to the people (indexed by issue), never the other way round:
    # the article's issue is published, so everyone it names is public.
    # One id list (UNION ALL), not three ORed ones: PostgreSQL reads "id IN (a) OR id IN
    # (b) OR id IN (c)" as a scan of every person tested against three hashed lists.
    named = (
        PersonnelDecision.objects.filter(gazette=gazette)
        .order_by()
        .values("person_id")
        .union(
            Attendance.objects.filter(gazette=gazette).order_by().values("person_id"),
            NameListEntry.objects.filter(gazette=gazette).order_by().values("person_id"),
            all=True,
        )
    )
    candidates = Person.objects.filter(pk__in=named).order_by()
    by_decision = {d.person_id for d in decisions if d.person_id}
    text = article.title + "\n" + article.text
    people = [p for p in candidates.only("id", "name") if p.pk in by_decision or p.name in text]
    return sorted(people, key=lambda p: (text.find(p.name) % (len(text) + 1), p.pk))


def redirect_target_for_article(article_id: int) -> Article | None:
    """The article that took the place of a deleted one (same issue, same position)."""
    old = (
        Article.history.filter(id=article_id)
        .order_by("-history_date")
        .values("gazette_id", "number")
        .first()
    )
    if old is None:
        return None
    return (
        Article.objects.published()
        .filter(gazette_id=old["gazette_id"], number=old["number"])
        .only("id")
        .first()
    )


# --- meetings --------------------------------------------------------------------


@dataclass(frozen=True)
class VoteBar:
    vote: Vote
    y: int
    total: int
    segments: list[dict[str, Any]]  # css class, x, width, count, label
    satisfied_share: float | None


@dataclass(frozen=True)
class AttendanceSummary:
    present: list[Attendance]
    on_leave: list[Attendance]
    attending: list[Attendance]

    @property
    def members(self) -> int:
        return len(self.present) + len(self.on_leave)

    @property
    def rate(self) -> float | None:
        return len(self.present) / self.members if self.members else None


@dataclass(frozen=True)
class MeetingPage:
    meeting: Meeting
    agenda: list[AgendaItem]
    attendance: AttendanceSummary
    documents: list[Article]
    decisions: list[PersonnelDecision]
    name_lists: list[tuple[str, list[NameListEntry]]]
    votes: list[VoteBar]
    chart_height: int
    cite: RecordCitation | None


VOTE_PARTS = (
    ("satisfied", "满意", "bar-yes"),
    ("basically_satisfied", "基本满意", "bar-mid"),
    ("unsatisfied", "不满意", "bar-no"),
)
CHART_BAR_X, CHART_BAR_WIDTH, CHART_ROW = 240, 300, 28


def _vote_bars(votes: list[Vote]) -> list[VoteBar]:
    bars = []
    for index, vote in enumerate(votes):
        counts = [(getattr(vote, name) or 0, label, css) for name, label, css in VOTE_PARTS]
        total = vote.voting or sum(c for c, _, _ in counts)
        x = float(CHART_BAR_X)
        segments = []
        for count, label, css in counts:
            width = CHART_BAR_WIDTH * count / total if total else 0
            segments.append(
                {
                    "css": css,
                    "x": round(x, 1),
                    "width": round(width, 1),
                    "count": count,
                    "label": label,
                }
            )
            x += width
        share = (vote.satisfied or 0) / total if total else None
        bars.append(
            VoteBar(
                vote=vote,
                y=index * CHART_ROW,
                total=total,
                segments=segments,
                satisfied_share=share,
            )
        )
    return bars


def meeting_page(*, meeting_id: int) -> MeetingPage:
    """Agenda, attendance, documents, decisions, name lists and votes: nine queries."""
    meeting = (
        Meeting.objects.published()
        .select_related("gazette__publication")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("没有这次会议，或其所在公报尚未发布。")
    published = Q(gazette__status="published")
    agenda = list(AgendaItem.objects.filter(published, meeting=meeting).order_by("number", "id"))
    rows = list(Attendance.objects.filter(published, meeting=meeting).order_by("id"))
    attendance = AttendanceSummary(
        present=[a for a in rows if a.status == "present"],
        on_leave=[a for a in rows if a.status == "on_leave"],
        attending=[a for a in rows if a.status == "attending"],
    )
    documents = list(
        Article.objects.published()
        .filter(meeting=meeting)
        .for_list()
        .order_by("gazette__year", "gazette__issue", "number")
    )
    decisions = list(
        PersonnelDecision.objects.published()
        .filter(meeting=meeting)
        .select_related("person", "article")
        .defer("article__text")
        .prefetch_related(Prefetch("posts", queryset=Post.objects.order_by("id")))
        .order_by("id")
    )
    entries = list(
        NameListEntry.objects.filter(published, meeting=meeting).order_by(
            "list_kind", "label", "position"
        )
    )
    lists: dict[str, list[NameListEntry]] = {}
    for entry in entries:
        lists.setdefault(entry.label or entry.list_kind, []).append(entry)
    votes = list(
        Vote.objects.filter(published, meeting=meeting)
        .select_related("article")
        .defer("article__text")
        .order_by("id")
    )
    first_document = next((d for d in documents if d.category == "minutes"), None) or (
        documents[0] if documents else None
    )
    cite = None
    if meeting.gazette is not None:
        cite = RecordCitation(
            gazette=meeting.gazette,
            page=first_document.page if first_document else None,
            article=first_document,
            first_line=meeting.first_line,
            last_line=meeting.last_line,
        )
    return MeetingPage(
        meeting=meeting,
        agenda=agenda,
        attendance=attendance,
        documents=documents,
        decisions=decisions,
        name_lists=list(lists.items()),
        votes=_vote_bars(votes),
        chart_height=max(1, len(votes)) * CHART_ROW + 24,
        cite=cite,
    )


# --- search --------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    kind: str
    kind_label: str
    url: str
    title: SafeString
    snippet: SafeString
    context: str  # the issue, region or date shown under the title


@dataclass(frozen=True)
class SearchPage:
    query: search_index.Query
    hits: list[SearchHit]
    has_next: bool
    total: int
    kinds: list[tuple[str, str, int]]
    publications: list[tuple[int, str, int]]
    years: list[tuple[int, int]]
    capped: bool = False  # the most recent matches only (records.search.MATCH_CAP)


def search_page(
    *,
    q: str,
    kind: str | None,
    publication: int | None,
    year: int | None,
    page: int,
    per_page: int = 20,
) -> SearchPage:
    """Hits with their records, facets with labels: at most twelve queries."""
    query = search_index.parse_query(q)
    raw = search_index.search(
        query, kind=kind, publication=publication, year=year, page=page, per_page=per_page
    )
    ids: dict[str, list[int]] = defaultdict(list)
    for hit in raw.hits:
        ids[hit.kind].append(hit.object_id)
    objects: dict[tuple[str, int], Any] = {}
    if ids.get(search_index.ARTICLE):
        for a in Article.objects.published().for_list().filter(pk__in=ids[search_index.ARTICLE]):
            objects[("article", a.pk)] = a
    if ids.get(search_index.DECISION):
        for d in (
            PersonnelDecision.objects.published()
            .select_related("gazette__publication")
            .filter(pk__in=ids[search_index.DECISION])
        ):
            objects[("decision", d.pk)] = d
    if ids.get(search_index.PERSON):
        for p in visible_people().filter(pk__in=ids[search_index.PERSON]):
            objects[("person", p.pk)] = p
    if ids.get(search_index.POST):
        for p in visible_posts().filter(pk__in=ids[search_index.POST]):
            objects[("post", p.pk)] = p
    needles = query.needles
    hits = []
    for hit in raw.hits:
        obj = objects.get((hit.kind, hit.object_id))
        if obj is None:  # gone since it was indexed: never show it
            continue
        hits.append(
            SearchHit(
                kind=hit.kind,
                kind_label=search_index.KIND_LABELS[hit.kind],
                url=_url_of(hit.kind, obj),
                title=search_index.highlight(hit.title, needles),
                snippet=search_index.highlight(hit.body, needles, width=120),
                context=_context_of(hit.kind, obj),
            )
        )
    labels = choices.publication_labels() if raw.facets.publications else {}
    return SearchPage(
        query=query,
        hits=hits,
        has_next=raw.has_next,
        total=raw.total,
        kinds=[
            (k, search_index.KIND_LABELS[k], raw.facets.kinds[k])
            for k in search_index.KIND_ORDER
            if raw.facets.kinds.get(k)
        ],
        publications=sorted(
            ((pk, labels.get(pk, str(pk)), n) for pk, n in raw.facets.publications.items()),
            key=lambda item: (-item[2], item[1]),
        ),
        years=sorted(raw.facets.years.items(), reverse=True),
        capped=raw.capped,
    )


def _url_of(kind: str, obj: Any) -> str:
    if kind == "person":
        return reverse("people:person-detail", args=[obj.pk])
    if kind == "post":
        return reverse("people:post-detail", args=[obj.pk])
    if kind == "decision":
        return decision_url(obj)
    return obj.get_absolute_url()


def decision_url(decision: PersonnelDecision) -> str:
    """Decisions have no page of their own: the list of the person's decisions, at its row."""
    base = reverse("records:decision-list")
    if decision.person_id:
        return f"{base}?person={decision.person_id}#decision-{decision.pk}"
    return f"{base}?{urlencode({'q': decision.person_name})}#decision-{decision.pk}"


def _context_of(kind: str, obj: Any) -> str:
    if kind == "article":
        return f"{obj.gazette} · {obj.get_category_display()}" + (
            f" · 第{obj.page}页" if obj.page else ""
        )
    if kind == "decision":
        return f"{obj.gazette}" + (f" · {obj.date:%Y年%-m月%-d日}" if obj.date else "")
    if kind in ("person", "post"):
        return obj.region
    return ""
