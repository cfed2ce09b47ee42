"""Rate limits of the public API (kept apart from the views: DRF imports it at start-up)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class ApiAnonRateThrottle(AnonRateThrottle):
    """Anonymous clients, by address; the rate is read from settings at every request."""

    scope = "anon"

    def get_rate(self) -> str | None:
        return getattr(settings, "PORTAL_API_RATE", None) or None
