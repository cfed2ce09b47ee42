"""Who is public: people named by a published decision, attendance record or name list."""

from __future__ import annotations

import datetime as dt

import pytest

from people.models import Person, Tenure
from records.api.visibility import Status, visible_people, visible_tenures
from records.loading import load_gazette, publish_gazette
from records.models import (
    AgendaItem,
    Article,
    Attendance,
    Gazette,
    Meeting,
    NameListEntry,
    PersonnelDecision,
    in_published_issue,
)
from tests.factories import make_parsed

pytestmark = pytest.mark.django_db


def load_draft() -> Gazette:
    return load_gazette(
        make_parsed(), source_bytes=b"draft", source_text="draft", publish=False
    ).gazette


def named_in_published_records() -> set[int]:
    """The rule, read row by row in Python."""
    published = set(Gazette.objects.filter(status="published").values_list("pk", flat=True))
    named: set[int] = set()
    for model in (PersonnelDecision, Attendance, NameListEntry):
        for person_id, gazette_id in model.objects.values_list("person_id", "gazette_id"):
            if person_id is not None and gazette_id in published:
                named.add(person_id)
    return named


def public_ids() -> set[int]:
    return set(visible_people().values_list("pk", flat=True))


def test_each_kind_of_record_makes_its_person_public_once_its_issue_is_published():
    draft = load_draft()
    decided = PersonnelDecision.objects.get().person
    present = Attendance.objects.filter(status="present").first().person
    assert decided and present
    listed = Person.objects.create(region=decided.region, name="名单人")
    meeting = Attendance.objects.first().meeting
    NameListEntry.objects.create(
        gazette=draft,
        meeting=meeting,
        person=listed,
        key="list-1",
        list_kind="主席团",
        position=1,
        name=listed.name,
    )
    nobody = Person.objects.create(region=decided.region, name="无记录")

    assert public_ids() == set() == named_in_published_records()

    publish_gazette(draft)
    assert {decided.pk, present.pk, listed.pk} <= public_ids()
    assert nobody.pk not in public_ids()
    assert public_ids() == named_in_published_records()

    # Named only by records of a draft issue again: hidden again.
    Gazette.objects.filter(pk=draft.pk).update(status="draft")
    assert public_ids() == set()


def test_a_clerks_own_tenure_is_public_with_its_person_only():
    draft = load_draft()
    person = PersonnelDecision.objects.get().person
    post = PersonnelDecision.objects.get().posts.get()
    own = Tenure.objects.create(person=person, post=post, derived=False)
    assert own.pk not in set(visible_tenures().values_list("pk", flat=True))
    publish_gazette(draft)
    assert own.pk in set(visible_tenures().values_list("pk", flat=True))
    # Used from a subquery (another alias for the person's column) it gives the same rows.
    via_subquery = set(
        Person.objects.filter(pk__in=visible_people().values("pk")).values_list("pk", flat=True)
    )
    assert via_subquery == public_ids()


def test_a_derived_tenure_is_public_once_every_decision_of_it_is():
    from records.parsing import types as p

    appointed = load_gazette(
        make_parsed(), source_bytes=b"2021", source_text="2021", publish=False
    ).gazette
    removal = p.PersonnelDecision(
        person="郑孝刚",
        action="remove",
        positions=("示例市人民政府副市长",),
        date=dt.date(2024, 1, 29),
        documents=(1,),
    )
    removed = load_gazette(
        make_parsed(year=2024, issue=1, decisions=(removal,)),
        source_bytes=b"2024",
        source_text="2024",
        publish=False,
    ).gazette
    tenure = Tenure.objects.get(derived=True)
    assert tenure.start_decision.gazette == appointed and tenure.end_decision.gazette == removed

    def public() -> bool:
        return visible_tenures().filter(pk=tenure.pk).exists()

    assert not public()  # neither issue published
    publish_gazette(removed)
    assert not public()  # the appointment is still in review
    publish_gazette(appointed)
    assert public()
    Gazette.objects.filter(pk=removed.pk).update(status="draft")
    assert not public()  # its end is in review again: no unpublished date shows
    Tenure.objects.filter(pk=tenure.pk).update(end_decision=None, ended_on=None)
    assert public()  # no end decision at all


def test_a_status_is_written_into_the_sql_and_only_a_status_is():
    sql, params = (
        Gazette.objects.filter(status=Status("draft")).values("pk").query.sql_with_params()
    )
    assert "'draft'" in sql and params == ()
    assert list(Gazette.objects.filter(status=Status("published"))) == []
    with pytest.raises(ValueError):
        Status("draft' OR '1'='1")


def test_records_of_published_issues_are_those_whose_issue_is_published():
    published = load_gazette(make_parsed(issue=1), source_bytes=b"1", source_text="1", publish=True)
    draft = load_gazette(make_parsed(issue=2), source_bytes=b"2", source_text="2", publish=False)
    assert published.gazette.status == "published" and draft.gazette.status != "published"
    for model in (Article, Meeting, Attendance, PersonnelDecision, AgendaItem):
        expected = set(
            model.objects.filter(gazette__status="published").values_list("pk", flat=True)
        )
        assert (
            expected
            and set(model.objects.filter(in_published_issue()).values_list("pk", flat=True))
            == expected
        ), model.__name__
    # Through a relation: decisions whose meeting was first reported in a published issue.
    through_meeting = PersonnelDecision.objects.filter(in_published_issue("meeting__gazette_id"))
    assert through_meeting.exists()
    assert set(through_meeting.values_list("pk", flat=True)) == set(
        PersonnelDecision.objects.filter(meeting__gazette__status="published").values_list(
            "pk", flat=True
        )
    )
