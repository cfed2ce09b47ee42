"""The data version (records.api.common.data_version): the newest change recorded anywhere.

On PostgreSQL the statement is prepared once it has run a few times on a connection
(portal.settings, PORTAL_PG_PREPARE): planning it costs five times its execution.
Closing the connection here makes a new session, so these tests keep no module-wide
transaction open (tests.test_portal's ``samples``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from records.api import common
from records.models import Tombstone
from tests.conftest import prepared_statements


def first_words(call):
    """The first word of each query a call sends, and what it returned."""
    with CaptureQueriesContext(connection) as queries:
        value = call()
    return [q["sql"].split()[0] for q in queries], value


def tombstone(day: int) -> None:
    when = dt.datetime(2030, 1, day, tzinfo=dt.UTC)
    Tombstone.objects.create(model="records.article", object_id=day, reason="deleted", at=when)


@pytest.mark.django_db
def test_the_data_version_is_the_newest_change_in_one_query():
    tombstone(1)
    words, (version, stamp) = first_words(common.data_version)
    assert (
        len(words) == 1
        and version == stamp.isoformat()
        and stamp == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )
    tombstone(2)
    assert common.data_version()[1] == dt.datetime(2030, 1, 2, tzinfo=dt.UTC) != stamp


def prepared(prefix: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of the prepared statements that start so."""
    return list(prepared_statements(prefix + "%").values())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postgresql_stops_planning_the_data_version_and_still_sees_every_change():
    connection.close()  # a new session: no statement prepared yet
    tombstone(1)
    for _ in range(settings.PREPARE_AFTER):
        assert common.data_version()[0].startswith("2030-01-01")
    assert prepared("SELECT MAX(v) FROM") == []
    for _ in range(3):
        assert common.data_version()[0].startswith("2030-01-01")
    [(generic, custom)] = prepared("SELECT MAX(v) FROM")
    assert (generic, custom) == (3, 0)  # a statement without parameters: one plan, kept

    tombstone(2)  # a kept plan, not a kept answer
    assert common.data_version()[0].startswith("2030-01-02")
    assert prepared("SELECT MAX(v) FROM") == [(4, 0)]

    # psycopg deallocates its statements on a rollback; they are prepared again later.
    with pytest.raises(RuntimeError), transaction.atomic():
        assert common.data_version()[0].startswith("2030-01-02")
        raise RuntimeError
    tombstone(3)
    assert common.data_version()[0].startswith("2030-01-03")
