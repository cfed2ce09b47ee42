from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from portal import views

if settings.PORTAL_REQUIRE_OTP:
    # Every admin page then needs a verified TOTP device as well as the password.
    admin.site.__class__ = OTPAdminSite

admin.site.site_header = "公报门户 · 管理"
admin.site.site_title = "公报门户管理"
admin.site.index_title = "公报管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("records.urls")),
    path("admin/", admin.site.urls),
]
