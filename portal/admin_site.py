"""The admin site: with PORTAL_REQUIRE_OTP it also asks every clerk for a TOTP code."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminAuthenticationForm


class PortalAdminSite(AdminSite):
    site_header = "公报门户 · 管理"
    site_title = "公报门户管理"
    index_title = "公报管理"

    def has_permission(self, request):
        allowed = super().has_permission(request)
        if allowed and settings.PORTAL_REQUIRE_OTP:
            return request.user.is_verified()
        return allowed

    def login(self, request, extra_context=None):
        # The setting is fixed for a process; reading it here keeps tests able to flip it.
        if settings.PORTAL_REQUIRE_OTP:
            self.login_form = OTPAdminAuthenticationForm
            self.login_template = "otp/admin111/login.html"
        else:
            self.login_form = None
            self.login_template = None
        return super().login(request, extra_context)
