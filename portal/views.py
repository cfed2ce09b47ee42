"""Site-wide views: the health check and the home page."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from records.models import Gazette, PersonnelDecision


@never_cache
def healthz(request):
    """Answer without touching the database: the speed reference of the site."""
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    gazettes = Gazette.objects.published().for_list()[:10]
    decisions = PersonnelDecision.objects.published().for_list()[:10]
    return render(request, "home.html", {"gazettes": gazettes, "decisions": decisions})
