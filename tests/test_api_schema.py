"""schemathesis against the live schema (/api/schema/), in-process through the WSGI app.

For every operation it generates requests from the schema (valid and, where
it can, invalid ones), sends them to the Django WSGI application (no network)
and checks that no answer is a server error and every answer matches the
schema: status codes, content types, headers and bodies. Path ids are drawn
mostly from the records really loaded, so the 200 answers are checked too.
Bounded to a few dozen examples per operation (about a minute in all).
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from people.models import Person, Post, Tenure
from records.loading import load_gazette, unpublish_gazette
from records.models import (
    Article,
    Gazette,
    Meeting,
    PersonnelDecision,
    Publication,
    Tombstone,
    Vote,
)
from tests.factories import make_parsed

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25
RESOURCES = {
    "publications": Publication,
    "gazettes": Gazette,
    "articles": Article,
    "meetings": Meeting,
    "people": Person,
    "posts": Post,
    "tenures": Tenure,
    "personnel-decisions": PersonnelDecision,
    "votes": Vote,
    "changes": Tombstone,
}
RESOURCE_RE = re.compile(r"^/api/v1/([a-z-]+)/")


@pytest.fixture
def api_schema(db, settings):
    settings.PORTAL_API_RATE = None
    cache.clear()
    for issue in (3, 4):
        load_gazette(make_parsed(issue=issue), source_bytes=b"%d" % issue, source_text="x", publish=True)
    hidden = load_gazette(make_parsed(issue=5), source_bytes=b"5", source_text="x", publish=True)
    unpublish_gazette(hidden.gazette)  # a draft, and tombstones in the changes feed
    # The WSGI handler would close the test's connection (and its transaction) after
    # every request; Django's own test client disconnects these the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
        ids = {name: sorted(model.objects.values_list("pk", flat=True)) for name, model in RESOURCES.items()}

        @api.hook
        def flatmap_path_parameters(context, path_parameters):
            """Mostly ids of loaded records, so that 200 answers are validated too."""
            value = (path_parameters or {}).get("id")
            match = RESOURCE_RE.match(context.operation.path)
            known = ids.get(match.group(1) if match else "", [])
            # A value the schema forbids (negative testing) is kept as generated.
            if not known or not isinstance(value, int) or isinstance(value, bool) or value < 1:
                return st.just(path_parameters)
            return st.one_of(
                st.sampled_from(known).map(lambda pk: {**path_parameters, "id": pk}),
                st.just(path_parameters),
            )

        yield api
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_match_the_schema_and_never_fail(case):
    case.call_and_validate()
