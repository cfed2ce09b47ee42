from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from portal import views
from portal.admin_site import PortalAdminSite

# One admin site whose sign-in can require a TOTP code (PORTAL_REQUIRE_OTP).
admin.site.__class__ = PortalAdminSite

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("records.urls")),
    path("", include("people.urls")),
    path("admin/", admin.site.urls),
    # Security headers: the API docs with their start-up script as a file, not inline,
    # so the Content-Security-Policy needs no 'unsafe-inline' (portal/middleware.py).
    # Comes before portal.api's own docs/ route, which it replaces.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="api-docs"),
    path("api/", include("portal.api", namespace="api")),
]

# JSON errors under /api/, the usual pages elsewhere.
handler400 = "portal.api.handler400"
handler403 = "portal.api.handler403"
handler404 = "portal.api.handler404"
handler500 = "portal.api.handler500"
