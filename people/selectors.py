"""Reads of the public people pages: lists in name order, a person's and a post's page.

People pages show what the published gazettes say about a person, so they
read records' models. Those are looked up at run time (``apps.get_model``,
``records.api.visibility`` through ``import_module``): importing ``people``
never imports ``records`` (STYLE §3.1, records → people only), and what is
public is decided in one place, records.api.visibility.

Name order (pinyin, surname strokes) is defined in people.sorting; every
person stores its keys, so lists are sorted and paged by the database and
reading a page never loads pypinyin or the stroke table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from people import sorting
from people.models import Body, Membership, Person, Post, Tenure

# Importable from here as before; paging itself lives in people.paging.
from people.paging import Order, keyset_page
from people.paging import SeekPage as SeekPage
from people.paging import page_number as page_number
from people.paging import seek_page as seek_page

# Importable from here as before; the order itself lives in people.sorting.
from people.sorting import pinyin_initial as pinyin_initial
from people.sorting import pinyin_key as pinyin_key
from people.sorting import stroke_key as stroke_key
from people.sorting import stroke_order_available as stroke_order_available

# --- name order ----------------------------------------------------------------

ORDERS = {"pinyin": "拼音", "stroke": "姓氏笔画"}
ORDER_FIELDS = {"pinyin": sorting.PINYIN_FIELD, "stroke": sorting.STROKE_FIELD}


# --- what is public ------------------------------------------------------------


def _visibility():
    return import_module("records.api.visibility")


def _records_model(name: str):
    return apps.get_model("records", name)


def visible_people() -> QuerySet:
    return _visibility().visible_people()


def visible_posts() -> QuerySet:
    return _visibility().visible_posts()


def visible_publications() -> QuerySet:
    return _visibility().visible_publications()


def visible_tenures() -> QuerySet:
    return _visibility().visible_tenures()


# --- the people list -------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    person: Person
    initial: str
    current_posts: list[Post]
    terms: list[Membership]


def person_list_page(
    *,
    people: QuerySet,
    order: str,
    cursor: str | None = None,
    number: str | None = None,
    per_page: int = 50,
) -> SeekPage:
    """One page of people in pinyin or stroke order: three queries, however many people.

    The database sorts on the stored keys (people.sorting) and the pk, and
    returns only the page (a range on the keys' index, people.paging); the
    page's current posts and terms come in one query each.
    """
    current = (
        visible_tenures()
        .current()
        .select_related("post")
        .order_by(F("started_on").asc(nulls_last=True), "id")
    )
    rows = people.prefetch_related(
        Prefetch("tenures", queryset=current, to_attr="current_tenures"),
        # Plain lists (to_attr): a related manager and a queryset clone per row cost more.
        Prefetch("memberships", queryset=Membership.objects.order_by("term"), to_attr="terms"),
    )
    key = Order.of(ORDER_FIELDS.get(order, sorting.PINYIN_FIELD), "id")
    page = keyset_page(rows, key, cursor, per_page, number=number)
    items = [
        PersonRow(
            person=person,
            initial=sorting.initial_of(person.sort_pinyin) if order == "pinyin" else "",
            current_posts=[t.post for t in person.current_tenures],
            terms=person.terms,
        )
        for person in page.items
    ]
    return dataclasses.replace(page, items=items)


def membership_terms() -> list[int]:
    # DISTINCT in the database: the model's ordering would join and sort every person.
    return list(Membership.objects.order_by("term").values_list("term", flat=True).distinct())


# --- a person's page ---------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRecord:
    meeting: Any
    status: str  # present | on_leave | attending | absent
    label: str


@dataclass(frozen=True)
class TermAttendance:
    """Meetings of one body and term held while the person was a member of it."""

    membership: Membership
    meetings: list[MeetingRecord]
    present: int
    on_leave: int
    absent: int

    @property
    def held(self) -> int:
        return len(self.meetings)

    @property
    def rate(self) -> float | None:
        return self.present / self.held if self.held else None


@dataclass(frozen=True)
class PersonProfile:
    person: Person
    aliases: list[str]
    tenures: list[Tenure]
    terms: list[TermAttendance]
    other_meetings: list[MeetingRecord]  # attended without being a member (列席 …)
    decisions: list[Any]
    name_lists: list[Any]
    articles: list[Any]
    more_articles: bool
    cite: Any = None  # records.selectors.RecordCitation of the first published mention

    @property
    def label(self) -> str:
        return f"{self.person.name}（{self.person.region}）"


STATUS_LABELS = {
    "present": "出席",
    "on_leave": "请假",
    "attending": "列席",
    "absent": "缺席",
}  # absent: not on the printed lists


# The columns the person and post pages show. Reading only these skips converting
# what no row shows (each record's corrected fields as JSON, its timestamps): a
# post's page reads some 400 records, a busy person's more.
_MEETING_LABEL = ("region", "body", "term", "number")  # str(meeting) and its link
_ISSUE_LABEL = (
    *("gazette__year", "gazette__issue", "gazette__cumulative_issue"),
    *("gazette__publication__name", "gazette__publication__issuer"),
)
_CITED_ISSUE = ("first_line", "last_line", *_ISSUE_LABEL)


def _of(relation: str, names: Sequence[str]) -> list[str]:
    return [f"{relation}__{name}" for name in names]


_TENURE_FIELDS = (
    *("id", "person_id", "post_id", "started_on", "ended_on", "derived"),
    *("start_decision__action", "end_decision__action"),
    *_of("start_decision__meeting", _MEETING_LABEL),
    *_of("end_decision__meeting", _MEETING_LABEL),
)


def _tenure_queryset() -> QuerySet:
    # Sorted by the caller; the model's ordering would join the person for nothing.
    return (
        visible_tenures()
        .select_related(
            "post",
            "start_decision__meeting",
            "start_decision__article",
            "end_decision__meeting",
            "end_decision__article",
        )
        .only(
            *_TENURE_FIELDS,
            "post__title",
            *_of("start_decision__article", ("title",)),
            *_of("end_decision__article", ("title",)),
        )
        .order_by()
    )


def person_profile(*, person_id: int, article_limit: int = 30) -> PersonProfile:
    """Everything a person's page shows: about eleven queries, whatever the person."""
    person = visible_people().with_alias_names().filter(pk=person_id).first()
    if person is None:
        raise Http404("没有这个人员，或其记录尚未发布。")
    Decision = _records_model("PersonnelDecision")
    Attendance = _records_model("Attendance")
    NameListEntry = _records_model("NameListEntry")
    Meeting = _records_model("Meeting")

    aliases: list[str] = person.alias_names
    tenures = sorted(
        _tenure_queryset().filter(person=person),
        key=lambda t: (t.started_on or t.ended_on or dt.date.min, t.pk),
    )
    decisions = list(
        Decision.objects.published()
        .filter(person=person)
        .select_related("meeting", "article", "gazette__publication")
        .only(
            *("id", "date", "action", "positions"),
            *_of("meeting", _MEETING_LABEL),
            *_of("article", ("title", "page")),
            *_CITED_ISSUE,
        )
        .prefetch_related(Prefetch("posts", queryset=Post.objects.only("id", "title")))
        .order_by(F("date").asc(nulls_last=True), "id")
    )
    attendance = list(
        Attendance.objects.filter(person=person, gazette__status="published")
        .select_related("meeting", "gazette__publication")
        .only("id", "status", *_of("meeting", (*_MEETING_LABEL, "date")), *_CITED_ISSUE)
    )
    name_lists = list(
        NameListEntry.objects.filter(person=person, gazette__status="published")
        .select_related("meeting")
        .order_by(F("meeting__date").asc(nulls_last=True), "meeting_id", "position")
    )
    memberships = list(person.memberships.order_by("region", "body", "term"))
    status_by_meeting = {a.meeting_id: a.status for a in attendance}

    terms: list[TermAttendance] = []
    member_meetings: set[int] = set()
    if memberships:
        held = Q()
        for m in memberships:
            held |= Q(region=m.region, body=m.body, term=m.term)
        # Meetings whose attendance was printed: a correlated EXISTS per meeting of the
        # person's terms, not a list of every attendance row there is.
        recorded = Exists(Attendance.objects.filter(meeting=OuterRef("pk")))
        meetings = list(
            Meeting.objects.published()
            .filter(held, recorded)
            .order_by(F("date").asc(nulls_last=True), "number")
        )
        window = _committee_window(tenures)
        for m in memberships:
            rows = []
            for meeting in meetings:
                if (meeting.region, meeting.body, meeting.term) != (m.region, m.body, m.term):
                    continue
                if m.body == Body.STANDING_COMMITTEE and not _within(meeting.date, window):
                    continue  # held before the person joined or after they left
                status = status_by_meeting.get(meeting.pk, "absent")
                rows.append(MeetingRecord(meeting, status, STATUS_LABELS[status]))
                member_meetings.add(meeting.pk)
            terms.append(
                TermAttendance(
                    membership=m,
                    meetings=rows,
                    present=sum(r.status in ("present", "attending") for r in rows),
                    on_leave=sum(r.status == "on_leave" for r in rows),
                    absent=sum(r.status == "absent" for r in rows),
                )
            )
    other_meetings = sorted(
        (
            MeetingRecord(a.meeting, a.status, STATUS_LABELS[a.status])
            for a in attendance
            if a.meeting_id not in member_meetings
        ),
        key=lambda r: (r.meeting.date or dt.date.min, r.meeting.pk),
    )

    articles, more = _articles_naming(person, decisions, limit=article_limit)
    first = decisions[0] if decisions else (attendance[0] if attendance else None)
    cite = import_module("records.selectors").cite_record(first) if first is not None else None
    return PersonProfile(
        person=person,
        aliases=aliases,
        tenures=tenures,
        terms=terms,
        other_meetings=other_meetings,
        decisions=decisions,
        name_lists=name_lists,
        articles=articles,
        more_articles=more,
        cite=cite,
    )


_COMMITTEE_SEAT_RE = re.compile(r"(人民代表大会常务委员会|人大常委会)(副?主任|委员|秘书长)$")


def _committee_window(tenures: Sequence[Tenure]) -> tuple[dt.date | None, dt.date | None]:
    """When the person sat on the standing committee, as far as decisions say.

    Membership is known per term (届) from attendance; an election to, or a
    resignation from, a seat (委员, 副主任 …) narrows it within the term.
    """
    seats = [t for t in tenures if _COMMITTEE_SEAT_RE.search(t.post.title)]
    if not seats:
        return None, None
    starts = [t.started_on for t in seats]
    ends = [t.ended_on for t in seats]
    start = min(starts) if all(starts) else None
    end = max(ends) if all(ends) else None
    return start, end


def _within(day: dt.date | None, window: tuple[dt.date | None, dt.date | None]) -> bool:
    start, end = window
    if day is None:
        return True
    return (start is None or day >= start) and (end is None or day <= end)


def _articles_naming(person: Person, decisions: list[Any], *, limit: int) -> tuple[list, bool]:
    """Articles of the decisions about the person, then articles whose text has the name.

    The text search is limited to the publications of the person's region, so
    a namesake in another city is not counted; within the region a namesake
    can still show up, which the page says.
    """
    Article = _records_model("Article")
    Publication = _records_model("Publication")
    search = import_module("records.search")
    linked = [d.article_id for d in decisions if d.article_id]
    publications = Publication.objects.filter(region=person.region).order_by().values("pk")
    found = search.search(
        search.parse_query(person.name),
        kind=search.ARTICLE,
        publications=publications,
        per_page=limit,
        facets=False,
    )
    ids = list(dict.fromkeys([*linked, *(hit.object_id for hit in found.hits)]))[:limit]
    by_id = (
        Article.objects.published()
        .select_related("gazette__publication")
        .only("title", "page", *_ISSUE_LABEL)  # what the page shows of each
        .in_bulk(ids)
    )
    return [by_id[pk] for pk in ids if pk in by_id], found.has_next


# --- a post's page -------------------------------------------------------------------


@dataclass(frozen=True)
class PostProfile:
    post: Post
    tenures: list[Tenure]
    decisions: list[Any]
    cite: Any = None
    more_decisions: bool = False  # older ones are in the decision list, filtered by the post
    more_tenures: bool = False  # older holders are in the API (/api/v1/tenures/?post=)


# A post's page lists its newest decisions; the decision list (?post=) pages through all.
POST_DECISIONS = 50
POST_TENURES = 100


def post_profile(*, post_id: int) -> PostProfile:
    """Who held a post, and its newest published decisions: three queries."""
    post = visible_posts().select_related("organisation").filter(pk=post_id).first()
    if post is None:
        raise Http404("没有这个职务，或其记录尚未发布。")
    # The newest POST_TENURES holders (a post held for decades by a new person every
    # few years has dozens); the page shows each one's deciding meetings only.
    newest = list(
        visible_tenures()
        .filter(post=post)
        .select_related("person", "start_decision__meeting", "end_decision__meeting")
        .only(*_TENURE_FIELDS, "person__name")
        .order_by(F("started_on").desc(nulls_last=True), "-id")[: POST_TENURES + 1]
    )
    more_tenures = len(newest) > POST_TENURES
    tenures = sorted(
        newest[:POST_TENURES], key=lambda t: (t.started_on or t.ended_on or dt.date.min, t.pk)
    )
    decisions = list(
        _records_model("PersonnelDecision")
        .objects.published()
        .filter(posts=post)
        .select_related("meeting", "article", "gazette__publication")
        .only(
            *("id", "date", "action", "person_id", "person_name"),
            *_of("meeting", _MEETING_LABEL),
            *_of("article", ("title", "page")),
            *_CITED_ISSUE,
        )
        .order_by(F("date").desc(nulls_last=True), "-id")[: POST_DECISIONS + 1]
    )
    more = len(decisions) > POST_DECISIONS
    decisions = decisions[:POST_DECISIONS]
    cite = import_module("records.selectors").cite_record(decisions[0]) if decisions else None
    return PostProfile(
        post=post,
        tenures=tenures,
        decisions=decisions,
        cite=cite,
        more_decisions=more,
        more_tenures=more_tenures,
    )


def redirect_target_for_person(person_id: int) -> int | None:
    """The person a missing id was merged into, found through the records' history.

    A merge moves every attendance, decision and name-list entry to the kept
    person and deletes the other; the history of those records remembers
    the old id, so old links can be sent on (301) instead of dying.
    """
    for name in ("PersonnelDecision", "Attendance", "NameListEntry"):
        model = _records_model(name)
        history = model.history.model
        object_ids = (
            history.objects.filter(person_id=person_id)
            .order_by("-history_date")
            .values_list("id", flat=True)[:20]
        )
        current = (
            model.objects.filter(pk__in=list(object_ids))
            .exclude(person_id=person_id)
            .exclude(person=None)
            .values_list("person_id", flat=True)
            .first()
        )
        if current is not None and visible_people().filter(pk=current).exists():
            return current
    return None


def group_by_initial(rows: Sequence[PersonRow]) -> list[tuple[str, list[PersonRow]]]:
    groups: dict[str, list[PersonRow]] = defaultdict(list)
    order: list[str] = []
    for row in rows:
        if row.initial not in groups:
            order.append(row.initial)
        groups[row.initial].append(row)
    return [(initial, groups[initial]) for initial in order]


BODY_LABELS = dict(Body.choices)
