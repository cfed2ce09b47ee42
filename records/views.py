"""Public pages of the portal: published issues only.

Function-based views; what a page shows comes from records.selectors, the
lists are narrowed by the same FilterSets as the API (records.filters) and
paged without counting or OFFSET (people.paging).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from people.models import Body, Organisation, Post
from people.paging import Order, SeekPage, keyset_page, page_number
from records import choices, selectors
from records import search as search_index
from records.filters import GazetteFilter, MeetingFilter, PersonnelDecisionFilter
from records.models import Action, Gazette, GazetteSource, Meeting, PersonnelDecision
from records.parsing.sources import sniff_kind


def _filtered(filterset):
    """The filtered rows, or none (and a 400) when a parameter is malformed."""
    if filterset.is_valid():
        return filterset.qs, 200
    return filterset.queryset.none(), 400


def _without(request, *names: str) -> str:
    """This page's query string without these parameters (and without the page's position)."""
    params = request.GET.copy()
    for name in (*names, "page", "cursor"):
        params.pop(name, None)
    return f"?{params.urlencode()}" if params else "?"


# The lists' orders; the indexes that serve them are in records/migrations/0007.
GAZETTE_ORDER = Order.of("-year", "-issue", "publication_id", "id")
MEETING_ORDER = Order.of("-date", "region", "-term", "-number", "id")
DECISION_ORDER = Order.of("-date", "-id")
# What a row of the decision list shows (the joined rows' other columns, JSON and
# timestamps among them, cost time to convert on every row and are not shown).
DECISION_ROW_FIELDS = (
    *("id", "date", "action", "person_id", "person_name", "positions"),
    *("meeting__region", "meeting__body", "meeting__term", "meeting__number"),
    "article__title",
    *(
        "gazette__year",
        "gazette__issue",
        "gazette__publication__name",
        "gazette__publication__issuer",
    ),
)


def _keyset(request, rows, order: Order, per_page: int) -> SeekPage:
    return keyset_page(
        rows, order, request.GET.get("cursor"), per_page, number=request.GET.get("page")
    )


def _choice(value: str | None, choices) -> str:
    return value if value in {str(c) for c in choices} else ""


# --- gazettes ------------------------------------------------------------------


@require_GET
def gazette_list(request):
    gazettes = Gazette.objects.published().for_list()
    filterset = GazetteFilter(request.GET, queryset=gazettes)
    rows, status = _filtered(filterset)
    page = _keyset(request, rows, GAZETTE_ORDER, 30)
    years = sorted(
        Gazette.objects.published().order_by().values_list("year", flat=True).distinct(),
        reverse=True,
    )
    context = {
        "page": page,
        "filterset": filterset,
        "years": years,
        "selected": {
            "publication": request.GET.get("publication", ""),
            "year": request.GET.get("year", ""),
        },
    }
    return render(request, "records/gazette_list.html", context, status=status)


@require_GET
def gazette_detail(request, pk: int):
    return render(
        request, "records/gazette_detail.html", {"p": selectors.gazette_page(gazette_id=pk)}
    )


@require_GET
def gazette_download(request, pk: int):
    """The original upload of a published issue, as it was uploaded."""
    gazette = selectors.published_gazette_or_404(pk)
    source = GazetteSource.objects.filter(gazette=gazette).only("filename", "content").first()
    if source is None:
        raise Http404("这一期没有保存原始文件。")
    filename = source.filename or f"gazette-{gazette.pk}.txt"
    data = bytes(source.content)
    # The type comes from the content, as at upload, never from the name a file was given.
    content_type = DOWNLOAD_TYPES.get(sniff_kind(data), "application/octet-stream")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text": "text/plain",  # the original bytes, in whatever encoding they came
}


@require_GET
def gazette_text(request, pk: int):
    """The text read from the upload, line by line: what every record's line numbers point at."""
    gazette = selectors.published_gazette_or_404(pk)
    text = GazetteSource.objects.filter(gazette=gazette).values_list("text", flat=True).first()
    if text is None:
        raise Http404("这一期没有保存原文。")
    return render(
        request,
        "records/gazette_text.html",
        {
            "gazette": gazette,
            "lines": _numbered_lines(text),
            "cite": selectors.RecordCitation(gazette=gazette),
        },
    )


def _numbered_lines(text: str) -> SafeString:
    """The text's lines as list items with anchors, escaped: built in one pass, since a
    template loop over an issue's thousands of lines costs most of the page's time.

    Each line carries only its anchor and number: the list's CSS lays out the number
    and the text (an anonymous grid item) and keeps the text's spaces. A gazette's
    lines are short, and per-line markup was as large as the text itself.
    """
    return mark_safe(  # every line is escaped here
        "".join(
            f'<li id="L{n}"><a href="#L{n}">{n}</a>{html.escape(line)}</li>\n'
            for n, line in enumerate(text.splitlines(), start=1)
        )
    )


@require_GET
def publication_detail(request, pk: int):
    """Coverage: which issues of one publication are present, which are missing."""
    return render(
        request, "records/publication_detail.html", {"c": selectors.coverage(publication_id=pk)}
    )


@require_GET
def publication_list(request):
    return render(
        request,
        "records/publication_list.html",
        # Called by the template only when its list is not kept for this data version.
        {"publications": selectors.publication_summaries},
    )


# --- articles ------------------------------------------------------------------


@require_GET
def article_detail(request, pk: int):
    try:
        page = selectors.article_page(article_id=pk)
    except Http404:
        target = selectors.redirect_target_for_article(pk)
        if target is None:
            raise
        return redirect(target.get_absolute_url(), permanent=True)
    return render(request, "records/article_detail.html", {"p": page})


# --- meetings ------------------------------------------------------------------


@require_GET
def meeting_list(request):
    meetings = Meeting.objects.published().select_related("gazette__publication")
    filterset = MeetingFilter(request.GET, queryset=meetings)
    rows, status = _filtered(filterset)
    page = _keyset(request, rows, MEETING_ORDER, 30)
    terms, years = choices.meeting_terms_and_years()
    context = {
        "page": page,
        "filterset": filterset,
        "bodies": Body.choices,
        "terms": terms,
        "years": years,
        "selected": {
            key: request.GET.get(key, "") for key in ("publication", "body", "term", "year")
        },
    }
    return render(request, "records/meeting_list.html", context, status=status)


@require_GET
def meeting_detail(request, pk: int):
    return render(
        request, "records/meeting_detail.html", {"p": selectors.meeting_page(meeting_id=pk)}
    )


# --- personnel decisions ---------------------------------------------------------


@require_GET
def decision_list(request):
    decisions = (
        PersonnelDecision.objects.published()
        .select_related("meeting", "article", "gazette__publication")
        .only(*DECISION_ROW_FIELDS)
        # A plain list per row (to_attr), not a related manager and a queryset clone.
        .prefetch_related(
            Prefetch("posts", queryset=Post.objects.only("id", "title"), to_attr="post_list")
        )
    )
    filterset = PersonnelDecisionFilter(request.GET, queryset=decisions)
    rows, status = _filtered(filterset)
    page = _keyset(request, rows, DECISION_ORDER, 50)
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    chips = []
    if data.get("post"):
        post = Post.objects.filter(pk=data["post"]).only("title").first()
        chips.append(("post", "职务", post.title if post else f"#{data['post']}"))
    if data.get("meeting"):
        meeting = Meeting.objects.published().filter(pk=data["meeting"]).first()
        chips.append(("meeting", "会议", str(meeting) if meeting else f"#{data['meeting']}"))
    if data.get("organisation"):
        organisation = Organisation.objects.filter(pk=data["organisation"]).first()
        chips.append(("organisation", "机构", str(organisation or f"#{data['organisation']}")))
    if data.get("person"):
        name = next((d.person_name for d in page if d.person_id == data["person"]), None)
        chips.append(("person", "人员", name or f"#{data['person']}"))
    chips = [
        {
            "name": name,
            "label": label,
            "value": value,
            "raw": data[name],
            "remove": _without(request, name),
        }
        for name, label, value in chips
    ]
    context = {
        "page": page,
        "filterset": filterset,
        "actions": Action.choices,
        "chips": chips,
        "selected": {
            key: request.GET.get(key, "")
            for key in ("action", "publication", "position", "q", "date_after", "date_before")
        },
    }
    return render(request, "records/decision_list.html", context, status=status)


# --- search --------------------------------------------------------------------


def _positive(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


@dataclass(frozen=True)
class Facet:
    """One facet's links: 全部 (the facet not chosen) and one per value, with counts."""

    everything: str  # the link without this facet
    values: list[tuple[Any, str, str, str]]  # (value, label, count, link)


def _facet(request, name: str, values: Iterable[tuple[Any, str, int]]) -> Facet:
    # The rest of the query string is encoded once, not once per value (a search
    # can show a hundred publications); choosing a facet goes back to page 1.
    # Counts are written as text here: the template would localize each number.
    everything = _without(request, name)
    prefix = f"{everything if everything == '?' else everything + '&'}{quote_plus(name)}="
    return Facet(
        everything=everything,
        values=[
            (value, label, str(count), prefix + quote_plus(str(value)))
            for value, label, count in values
        ],
    )


@require_GET
def search(request):
    q = request.GET.get("q", "").strip()
    kind = _choice(request.GET.get("type"), search_index.KIND_LABELS) or None
    publication = _positive(request.GET.get("publication"))
    year = _positive(request.GET.get("year"))
    context = {"q": q, "kind": kind or "", "publication": publication, "year": year}
    if q:
        number = page_number(request.GET.get("page"))
        found = selectors.search_page(
            q=q, kind=kind, publication=publication, year=year, page=number
        )
        context["p"] = found
        context["page"] = SeekPage(items=found.hits, number=number, has_next=found.has_next)
        years = ((y, f"{y}年", n) for y, n in found.years)
        context["facet_navs"] = [
            ("类型", kind or "", _facet(request, "type", found.kinds)),
            ("公报刊物", publication, _facet(request, "publication", found.publications)),
            ("年份", year, _facet(request, "year", years)),
        ]
    return render(request, "records/search.html", context)


# --- machine-readable ----------------------------------------------------------


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("records:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /report/",
        "Disallow: /search/",
        "Disallow: /api/",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


REPORTS_PER_HOUR = 5


def report_error(request):
    """A citizen points the clerks at a mistake: no account, rate limited per address."""
    from django.core.cache import cache

    from records.forms import ErrorReportForm

    initial = {
        "path": request.GET.get("path", "/"),
        "record_label": request.GET.get("label", "")[:300],
    }
    form = ErrorReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            return render(request, "records/report_thanks.html")  # a bot: say thanks, keep nothing
        address = request.META.get("REMOTE_ADDR", "")
        key = f"error-report:{address}"
        count = cache.get_or_set(key, 0, timeout=3600)
        if count >= REPORTS_PER_HOUR:
            response = render(request, "records/report_error.html", {"form": form, "limited": True})
            response.status_code = 429
            response["Retry-After"] = "3600"
            return response
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=3600)
        form.save()
        return render(request, "records/report_thanks.html")
    return render(request, "records/report_error.html", {"form": form})
