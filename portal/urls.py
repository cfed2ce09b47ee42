from django.contrib import admin
from django.urls import include, path

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
    path("api/", include("portal.api", namespace="api")),
]

# JSON errors under /api/, the usual pages elsewhere.
handler400 = "portal.api.handler400"
handler403 = "portal.api.handler403"
handler404 = "portal.api.handler404"
handler500 = "portal.api.handler500"
