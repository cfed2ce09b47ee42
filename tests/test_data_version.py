"""The data version (records.api.common.data_version): the newest change recorded anywhere.

On PostgreSQL the statement is prepared once a session: planning it costs five
times its execution. Closing the connection here makes a new session, so these
tests keep no module-wide transaction open (tests.test_portal's ``samples``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from records.api import common
from records.models import Tombstone


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postgresql_plans_the_data_version_once_a_session_and_still_sees_every_change():
    connection.close()  # a new session
    tombstone(1)
    words, first = first_words(common.data_version)
    assert words == ["PREPARE"] and first[0].startswith("2030-01-01")
    assert first_words(common.data_version) == (["EXECUTE"], first)
    tombstone(2)
    assert first_words(common.data_version)[1][0].startswith("2030-01-02")

    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert first_words(common.data_version)[0] == ["PREPARE"]
        raise RuntimeError  # the statement outlives the transaction
    tombstone(3)
    words, (version, _stamp) = first_words(common.data_version)
    assert words == ["EXECUTE"] and version.startswith("2030-01-03")
