"""Feeds: Atom and RSS for new issues, new decisions and each person; iCalendar of meetings.

Feeds carry published issues only, like every page. The iCalendar file is
written by hand (RFC 5545: CRLF line ends, lines folded at 75 octets,
TEXT values escaped); meetings are all-day events.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from people.selectors import visible_people
from records.models import AgendaItem, Gazette, Meeting, PersonnelDecision
from records.search import decision_title
from records.selectors import decision_url

FEED_ITEMS = 50


def _moment(value: dt.datetime | None, fallback: dt.date | None = None) -> dt.datetime | None:
    if value is not None:
        return value
    if fallback is not None:
        return dt.datetime.combine(fallback, dt.time(), tzinfo=timezone.get_default_timezone())
    return None


class GazetteFeed(Feed):
    title = "公报门户 · 最新公报"
    description = "新发布的人大常委会公报与政府公报。"

    def link(self):
        return reverse("records:gazette-list")

    def items(self):
        return (
            Gazette.objects.published()
            .for_list()
            .order_by(F("published_at").desc(nulls_last=True), "-year", "-issue", "-id")[:FEED_ITEMS]
        )

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
        return (
            PersonnelDecision.objects.published()
            .for_list()
            .defer("article__text")
            .order_by(
                F("gazette__published_at").desc(nulls_last=True),
                F("date").desc(nulls_last=True),
                "-id",
            )[:FEED_ITEMS]
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
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not parts else 74  # continuation lines start with a space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@require_GET
def meetings_ics(request):
    """Every published meeting with a date, as all-day events."""
    host = request.get_host().split(":")[0] or "gazette-portal"
    meetings = (
        Meeting.objects.published()
        .exclude(date=None)
        .select_related("gazette__publication")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.filter(gazette__status="published").order_by("number"),
            )
        )
        .order_by("date", "pk")
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//gazette-portal//meetings//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + ical_escape("公报门户 · 会议"),
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for meeting in meetings:
        url = request.build_absolute_uri(meeting.get_absolute_url())
        agenda = "\n".join(f"{item.number}. {item.text}" for item in meeting.agenda_items.all())
        description = f"{meeting.gazette}\n{agenda}".strip() if meeting.gazette else agenda
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{_utc(meeting.updated_at)}",
            f"DTSTART;VALUE=DATE:{meeting.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{meeting.date + dt.timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + ical_escape(str(meeting)),
            "LOCATION:" + ical_escape(meeting.region),
            "DESCRIPTION:" + ical_escape(description),
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    body = "".join(ical_fold(line) + "\r\n" for line in lines)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response
