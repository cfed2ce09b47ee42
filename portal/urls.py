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
    path("admin/", admin.site.urls),
]
