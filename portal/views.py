"""Site-wide views: the health check and the home page."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from records.selectors import home_page


@never_cache
def healthz(request):
    """Answer without touching the database: the speed reference of the site."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def home(request):
    """Latest issues, meetings and decisions, the search box, and what is loaded."""
    return render(request, "home.html", {"p": home_page()})
