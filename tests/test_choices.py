"""Filter options kept per data version (records.choices): kept while nothing changes, never stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import choices
from records.loading import unpublish_gazette
from records.models import Gazette, Meeting
from tests.test_portal import samples  # noqa: F401  (the module-scoped sample issues)

pytestmark = pytest.mark.django_db


def test_meeting_options_are_kept_until_a_record_changes(samples):  # noqa: F811
    terms, years = choices.meeting_terms_and_years()
    assert years and 1999 not in years
    with CaptureQueriesContext(connection) as kept:
        assert choices.meeting_terms_and_years() == (terms, years)
    assert len(kept) == 1  # the data version only

    meeting = Meeting.objects.published().exclude(date=None).order_by("pk").first()
    meeting.date = dt.date(1999, 5, 1)
    meeting.save()  # a clerk's correction: audited, so the data version moves
    assert 1999 in choices.meeting_terms_and_years()[1]


def test_unpublishing_an_issue_takes_its_options_away(samples):  # noqa: F811
    before = choices.meeting_terms_and_years()
    gazette = Gazette.objects.get(
        publication__issuer="营口市人民代表大会常务委员会", year=2024, issue=1
    )

    def years_of(meetings) -> set[int]:
        return {d.year for d in meetings.exclude(date=None).values_list("date", flat=True)}

    only_there = years_of(Meeting.objects.filter(gazette=gazette)) - years_of(
        Meeting.objects.exclude(gazette=gazette)
    )
    assert only_there and only_there <= set(before[1])
    unpublish_gazette(gazette)
    _terms, years = choices.meeting_terms_and_years()
    assert not only_there & set(years)


def test_publication_options_and_coverage_mark_the_chosen_one_and_follow_publishing(client, samples):  # noqa: F811
    from records.models import Publication

    huludao = Publication.objects.get(issuer__startswith="葫芦岛")
    anyang = Publication.objects.get(issuer="安阳市人民代表大会常务委员会")
    for url in ("/gazettes/", "/meetings/", "/decisions/", "/people/"):
        page = client.get(f"{url}?publication={anyang.pk}").content.decode()
        html = page.split('id="f-publication"')[1].split("</select>")[0]
        assert html.count(" selected>") == 1, url
        assert f'<option value="{anyang.pk}" selected>{anyang}</option>' in html, url
        assert f'<option value="{huludao.pk}">{huludao}</option>' in html, url
    assert str(huludao) in client.get("/publications/").content.decode()
    assert str(huludao) in client.get("/").content.decode()
    html = client.get("/decisions/?publication=x1").content.decode()
    assert " selected>" not in html.split('id="f-publication"')[1].split("</select>")[0]

    for gazette in Gazette.objects.filter(publication=huludao):
        unpublish_gazette(gazette)
    html = client.get("/decisions/").content.decode()
    assert f'<option value="{huludao.pk}">' not in html
    assert str(huludao) not in client.get("/publications/").content.decode()
    assert str(huludao) not in client.get("/").content.decode()
    assert f'<option value="{anyang.pk}">' in html


def test_renaming_a_publication_changes_every_label_kept_per_data_version(client, samples):  # noqa: F811
    from records.models import Publication

    anyang = Publication.objects.get(issuer="安阳市人民代表大会常务委员会")
    before = choices.data_version()
    assert choices.publication_labels()[anyang.pk] == str(anyang)
    page = client.get("/search/", {"q": "市长"}).content.decode()
    assert f"{anyang}（" in page and "安阳人大公报（" not in page

    anyang.name = "安阳人大公报"
    anyang.save()  # the admin's save: its issues show the new name too
    assert choices.data_version() != before
    assert choices.publication_labels()[anyang.pk] == "安阳人大公报"
    page = client.get("/search/", {"q": "市长"}).content.decode()
    assert "安阳人大公报（" in page
    options = client.get("/gazettes/").content.decode().split('id="f-publication"')[1]
    assert f'<option value="{anyang.pk}">安阳人大公报</option>' in options
