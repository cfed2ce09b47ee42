"""Public pages: published issues only."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from records.models import Article, Gazette, Meeting


def gazette_list(request):
    gazettes = Gazette.objects.published().for_list()
    page = Paginator(gazettes, 30).get_page(request.GET.get("page"))
    return render(request, "records/gazette_list.html", {"page": page})


def gazette_detail(request, pk: int):
    gazette = get_object_or_404(Gazette.objects.published().for_list(), pk=pk)
    toc = gazette.toc_entries.select_related("article").order_by("ordinal")
    articles = gazette.articles.defer("text").order_by("number")
    return render(
        request,
        "records/gazette_detail.html",
        {"gazette": gazette, "toc": toc, "articles": articles},
    )


def article_detail(request, pk: int):
    article = get_object_or_404(
        Article.objects.published().select_related("gazette__publication", "meeting"), pk=pk
    )
    provisions = article.provisions.order_by("first_line", "kind")
    return render(
        request, "records/article_detail.html", {"article": article, "provisions": provisions}
    )


def meeting_detail(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.published(), pk=pk)
    return render(
        request,
        "records/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda_items.order_by("number"),
            "attendance": meeting.attendance.order_by("status", "id"),
            "decisions": meeting.personnel_decisions.select_related("person"),
        },
    )


REPORTS_PER_HOUR = 5


def report_error(request):
    """A citizen points the clerks at a mistake: no account, rate limited per address."""
    from django.core.cache import cache

    from records.forms import ErrorReportForm

    initial = {"path": request.GET.get("path", "/"), "record_label": request.GET.get("label", "")[:300]}
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
