"""Feeds: Atom and RSS for new issues, new decisions and each person; iCalendar of meetings.

Feeds carry published issues only, like every page, and a bounded number of
items read in a fixed number of queries: the FEED_ITEMS newest, the
CALENDAR_MEETINGS most recent meetings. The iCalendar file is written by hand
(RFC 5545: CRLF line ends, lines folded at 75 octets, TEXT values escaped);
meetings are all-day events.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from people.selectors import visible_people
from records.api.visibility import in_published_issue, visible_publications
from records.models import (
    AgendaItem,
    Gazette,
    Meeting,
    PersonnelDecision,
    Publication,
    issue_label,
    meeting_label,
    publication_label,
)
from records.search import decision_title
from records.selectors import decision_url
from records.sitemaps import pk_url

FEED_ITEMS = 50
# The calendar carries the most recent meetings, not every meeting ever (tens
# of megabytes nationally): a subscriber's calendar wants the latest ones, and
# ?publication= narrows it to one city's, whose 500 reach back for decades.
CALENDAR_MEETINGS = 500
# What an event shows, read as plain values: 500 meetings with their issues and
# publications as model instances cost three times the rest of the feed.
CALENDAR_FIELDS = (
    "pk", "region", "body", "term", "number", "date", "updated_at",
    "gazette__year", "gazette__issue", "gazette__publication__name", "gazette__publication__issuer",
)  # fmt: skip


def _moment(value: dt.datetime | None, fallback: dt.date | None = None) -> dt.datetime | None:
    if value is not None:
        return value
    if fallback is not None:
        return dt.datetime.combine(fallback, dt.time(), tzinfo=timezone.get_default_timezone())
    return None


def newest_issues() -> QuerySet[Gazette]:
    """Published issues, last published first: the order of the gazette_feed index (records/0007)."""
    return Gazette.objects.published().order_by(
        F("published_at").desc(nulls_last=True), "-year", "-issue", "-id"
    )


class GazetteFeed(Feed):
    title = "公报门户 · 最新公报"
    description = "新发布的人大常委会公报与政府公报。"

    def link(self):
        return reverse("records:gazette-list")

    def items(self):
        return newest_issues().for_list()[:FEED_ITEMS]

    def item_title(self, item: Gazette) -> str:
        return str(item)

    def item_description(self, item: Gazette) -> str:
        parts = [f"共{item.article_count}篇文章"]
        if item.published_on:
            parts.insert(0, f"出版日期 {item.published_on:%Y年%-m月%-d日}")
        return "；".join(parts) + "。"

    def item_pubdate(self, item: Gazette):
        return _moment(item.published_at, item.published_on)

    def item_updateddate(self, item: Gazette):
        return item.updated_at


class GazetteAtomFeed(GazetteFeed):
    feed_type = Atom1Feed
    subtitle = GazetteFeed.description


class DecisionFeed(Feed):
    title = "公报门户 · 人事任免"
    description = "已发布公报中的人事任免决定。"

    def link(self):
        return reverse("records:decision-list")

    def items(self):
        # The newest decisions are in the newest issues: the decisions of FEED_ITEMS
        # issues are sorted, not those of every issue. The newest FEED_ITEMS of them
        # are chosen in a subquery and only they are joined to their meetings, people
        # and articles (PostgreSQL joined every decision of those issues, hashing every
        # meeting there is, before it kept 50).
        issues = newest_issues().values("pk")[:FEED_ITEMS]
        order = (
            F("gazette__published_at").desc(nulls_last=True),
            F("date").desc(nulls_last=True),
            "-id",
        )
        newest = PersonnelDecision.objects.filter(gazette__in=issues).order_by(*order)
        return (
            PersonnelDecision.objects.filter(pk__in=newest.values("pk")[:FEED_ITEMS])
            .for_list()
            .defer("article__text")
            .order_by(*order)
        )

    def item_title(self, item: PersonnelDecision) -> str:
        return decision_title(item.action, item.person_name, item.positions)

    def item_description(self, item: PersonnelDecision) -> str:
        parts = [str(item.gazette)]
        if item.meeting_id:
            parts.insert(0, str(item.meeting))
        if item.date:
            parts.insert(0, f"{item.date:%Y年%-m月%-d日}")
        return "，".join(parts)

    def item_link(self, item: PersonnelDecision) -> str:
        return decision_url(item)

    def item_guid(self, item: PersonnelDecision) -> str:
        return f"decision-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: PersonnelDecision):
        return _moment(item.gazette.published_at, item.date)

    def item_updateddate(self, item: PersonnelDecision):
        return item.updated_at


class DecisionAtomFeed(DecisionFeed):
    feed_type = Atom1Feed
    subtitle = DecisionFeed.description


class PersonFeed(DecisionFeed):
    """The decisions about one person: appointments, removals, elections."""

    def get_object(self, request, pk: int):
        person = visible_people().filter(pk=pk).first()
        if person is None:
            raise Http404("没有这个人员。")
        return person

    def title(self, obj):
        return f"公报门户 · {obj.name}（{obj.region}）"

    def description(self, obj):
        return f"已发布公报中关于{obj.name}的人事任免。"

    def link(self, obj):
        return reverse("people:person-detail", args=[obj.pk])

    def items(self, obj):
        return (
            PersonnelDecision.objects.published()
            .for_list()
            .defer("article__text")
            .filter(person=obj)
            .order_by(F("date").desc(nulls_last=True), "-id")[:FEED_ITEMS]
        )


class PersonAtomFeed(PersonFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


# --- iCalendar -----------------------------------------------------------------


def ical_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def ical_fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1).

    Cuts the encoded line: a cut that falls inside a character moves back over
    its continuation bytes (10xxxxxx, at most three), so each byte is looked at
    about once, not encoded one character at a time.
    """
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start, width = 0, 75
    while len(data) - start > width:
        end = start + width
        while data[end] & 0xC0 == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, width = end, 74  # continuation lines start with a space
    parts.append(data[start:].decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _publication_or_404(value: str) -> Publication:
    # Not an id (or beyond any id: SQLite refuses integers past 64 bits) is a 404 too.
    if value.isascii() and value.isdigit() and len(value) < 19:
        publication = visible_publications().filter(pk=int(value)).first()
        if publication is not None:
            return publication
    raise Http404("没有这个公报。")


@require_GET
def meetings_ics(request: HttpRequest) -> HttpResponse:
    """The CALENDAR_MEETINGS most recent published meetings with a date, as all-day events.

    ``?publication=<id>`` keeps the meetings first reported in that
    publication's issues (one city's congress). Two queries, three with a
    publication, whatever the number of meetings.
    """
    host = request.get_host().split(":")[0] or "gazette-portal"
    name = "公报门户 · 会议"
    meetings = Meeting.objects.exclude(date=None)
    publication_id = request.GET.get("publication")
    if publication_id is None:
        # Walks the date index newest first and probes each meeting's issue.
        meetings = meetings.filter(in_published_issue())
    else:
        publication = _publication_or_404(publication_id)
        name += f" · {publication}"
        # From the publication's issues to their meetings: a small publication
        # does not walk every meeting of the country by date.
        issues = Gazette.objects.published().filter(publication=publication).values("pk")
        meetings = meetings.filter(gazette__in=issues)
    newest = list(
        meetings.order_by("-date", "-pk").values_list(*CALENDAR_FIELDS)[:CALENDAR_MEETINGS]
    )
    agendas: dict[int, list[str]] = defaultdict(list)
    for meeting_id, number, text in (
        AgendaItem.objects.filter(in_published_issue(), meeting__in=[m[0] for m in newest])
        .order_by("meeting_id", "number")
        .values_list("meeting_id", "number", "text")
    ):
        agendas[meeting_id].append(f"{number}. {text}")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//gazette-portal//meetings//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + ical_escape(name),
        "X-WR-CALDESC:"
        + ical_escape(f"已发布公报所载最近{CALENDAR_MEETINGS}次会议（按会议日期）。"),
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    origin = request.build_absolute_uri("/")[:-1]
    meeting_url = pk_url("records:meeting-detail")
    # Oldest first, as the calendar always listed them.
    for pk, region, body, term, number, date, updated_at, *issue in reversed(newest):
        year, issue_number, publication_name, issuer = issue
        agenda = "\n".join(agendas[pk])
        if year is None:  # the meeting's issue was deleted
            description = agenda
        else:
            cited = (
                f"{publication_label(publication_name, issuer)} {issue_label(year, issue_number)}"
            )
            description = f"{cited}\n{agenda}".strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{pk}@{host}",
            f"DTSTAMP:{_utc(updated_at)}",
            f"DTSTART;VALUE=DATE:{date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{date + dt.timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + ical_escape(meeting_label(region, body, term, number)),
            "LOCATION:" + ical_escape(region),
            "DESCRIPTION:" + ical_escape(description),
            f"URL:{origin}{meeting_url(pk)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    body = "".join(ical_fold(line) + "\r\n" for line in lines)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response
