"""Security headers that Django's SecurityMiddleware does not set.

Django already sends HSTS (production), X-Content-Type-Options: nosniff,
Referrer-Policy and X-Frame-Options: DENY (settings SECURE_*, X_FRAME_OPTIONS).
This middleware adds, to every response that has not set its own:

* Content-Security-Policy: ``settings.PORTAL_CSP``; scripts and styles only from
  our own origin, no 'unsafe-inline', no 'unsafe-eval', no framing, no plugins.
  The portal's pages use no inline script; the admin's only inline <script>
  elements are ``type="application/json"`` data, which CSP does not block; the
  API docs (Swagger UI) load their script from a URL (portal/urls.py), and the
  fixed inline <style> of their template is allowed by its sha256 on the paths
  listed in ``settings.PORTAL_CSP_HASH_INLINE_STYLES`` only (never where stored
  text is shown).
* Permissions-Policy: ``settings.PORTAL_PERMISSIONS_POLICY`` (no camera,
  microphone, geolocation … for anyone).
* Cross-Origin-Opener-Policy: same-origin (Django's SECURE_CROSS_ORIGIN_OPENER_POLICY
  sets it on HTML pages; here it is on every response).

It sits outside the page cache (portal/cache.py, portal/settings.py), so a page
served from the cache gets these headers exactly as one just rendered.

See docs/reliability.md and tests/test_security.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_STYLE_RE = re.compile(rb"<style>(.*?)</style>", re.DOTALL)


def csp_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *values]) for name, values in policy.items())


def style_hashes(html: bytes) -> list[str]:
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(block).digest()).decode()}'"
        for block in _STYLE_RE.findall(html)
    ]


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PORTAL_CSP
        self.csp = csp_header(self.policy)
        self.hash_paths = tuple(getattr(settings, "PORTAL_CSP_HASH_INLINE_STYLES", ()))
        self.permissions = ", ".join(
            f"{feature}=()" for feature in settings.PORTAL_PERMISSIONS_POLICY
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self._csp_for(request, response))
        response.headers.setdefault("Permissions-Policy", self.permissions)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    def _csp_for(self, request: HttpRequest, response: HttpResponse) -> str:
        if not (
            self.hash_paths
            and request.path.startswith(self.hash_paths)
            and response.get("Content-Type", "").startswith("text/html")
            and not response.streaming
        ):
            return self.csp
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        hashes = style_hashes(response.content)
        if not hashes:
            return self.csp
        policy = {**self.policy, "style-src": [*self.policy.get("style-src", []), *hashes]}
        return csp_header(policy)
