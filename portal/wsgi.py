"""WSGI entry point: ``gunicorn portal.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# The objects made by loading Django and the portal live as long as the process.
# Frozen, the collector stops walking them (about 117,000) on every full collection
# it runs while serving: 2.6 → 0.7 ms of collection per request, measured over the
# decision, people, search and API pages.
gc.freeze()
# A page makes tens of thousands of objects that live until it is sent. At the
# default thresholds (700, 10, 10) the collector looks at them some 130 times per
# 100 requests, and what it finds alive moves to older generations, whose
# collections take 1–8 ms each, in the middle of some request. Collecting the
# youngest after 7,000 allocations instead of 700 (every benchmark URL 8 times,
# PostgreSQL at 10,000 issues, five alternating runs): 4.3–5.1 → 2.6–3.4 % of the
# CPU spent collecting, full collections 4 → 0 per 488 requests; the CPU of the
# whole run moved less than between runs (python -m bench.collector, bench/RESULTS.md).
gc.set_threshold(7000, 20, 20)
