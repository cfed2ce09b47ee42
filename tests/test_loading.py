"""The load path: idempotent, atomic, guarded against shrinkage, respectful of corrections."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Membership, Person, Post, Tenure
from records import loading
from records.loading import ShrinkageError, load_gazette
from records.models import (
    AgendaItem,
    Article,
    Attendance,
    Citation,
    Gazette,
    GazetteStatus,
    Meeting,
    PersonnelDecision,
    Provision,
    TocEntry,
    Vote,
)
from records.parsing import types as p
from tests.factories import MEETING, REGION, make_parsed

pytestmark = pytest.mark.django_db

MODELS = (
    Gazette, Article, TocEntry, Provision, Citation, Meeting, AgendaItem, Attendance,
    PersonnelDecision, Vote, Person, Post, Tenure, Membership,
)  # fmt: skip


def load(parsed: p.ParsedGazette, **kwargs) -> loading.LoadReport:
    return load_gazette(parsed, source_bytes=b"source", source_text="source", **kwargs)


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_first_load_creates_every_record():
    report = load(make_parsed())
    assert report.created_gazette
    gazette = Gazette.objects.get()
    assert (gazette.year, gazette.issue, gazette.status) == (2021, 3, GazetteStatus.DRAFT)
    assert gazette.articles.count() == 3
    assert Provision.objects.filter(article__number=2).count() == 2
    assert Citation.objects.get().repeals is True
    meeting = Meeting.objects.get()
    assert (meeting.region, meeting.body, meeting.term, meeting.number) == (REGION, "standing_committee", 16, 34)
    assert list(meeting.agenda_items.values_list("text", flat=True))[1] == "人事任免事项"
    assert set(Attendance.objects.filter(status="present").values_list("name", flat=True)) == {"李强", "徐启", "张渤"}
    decision = PersonnelDecision.objects.get()
    assert decision.person.name == "郑孝刚"
    assert [post.title for post in decision.posts.all()] == ["示例市人民政府副市长"]
    assert decision.sources.get().number == 3
    assert Vote.objects.get().satisfied == 30
    assert gazette.warnings == [{"line": 12, "code": "percentage_mismatch", "message": "百分比与票数不符"}]
    assert report.total.created > 0 and report.total.updated == 0


def test_second_load_of_same_parse_changes_nothing():
    parsed = make_parsed()
    load(parsed)
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        report = load(parsed)
    assert snapshot() == before
    total = report.total
    assert (total.created, total.updated, total.deleted) == (0, 0, 0)
    assert total.unchanged > 0
    # Only reads and the gazette row lock: the count does not grow with the records.
    assert len(queries) == 27, [q["sql"][:80] for q in queries.captured_queries]
    # The stored file is the same (same SHA-256): it is not read back.
    sources = [q["sql"] for q in queries.captured_queries if '"records_gazettesource"' in q["sql"]]
    assert sources and not any('"records_gazettesource"."content"' in sql for sql in sources)


def test_second_load_query_count_does_not_grow_with_articles():
    small = make_parsed()
    docs = tuple(
        p.Document(index=i, title=f"关于第{i}项工作的报告", category="report", page=i) for i in range(1, 41)
    )
    large = make_parsed(issue=4, documents=docs)
    for parsed in (small, large):
        load(parsed)
    counts = []
    for parsed in (small, large):
        with CaptureQueriesContext(connection) as queries:
            load(parsed)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_reload_updates_changed_fields_only():
    parsed = make_parsed()
    load(parsed)
    docs = list(parsed.documents)
    docs[1] = dataclasses.replace(docs[1], date=dt.date(2021, 6, 11))
    report = load(dataclasses.replace(parsed, documents=tuple(docs)))
    assert report.counts["articles"].updated == 1
    assert report.counts["articles"].unchanged == 2
    assert Article.objects.get(number=2).date == dt.date(2021, 6, 11)


def test_corrected_field_survives_reload():
    parsed = make_parsed()
    load(parsed)
    article = Article.objects.get(number=2)
    article.title = "示例市促进民营经济发展条例（校对）"
    article.corrected_fields = ["title"]
    article.save()
    docs = list(parsed.documents)
    docs[1] = dataclasses.replace(docs[1], page=7)
    load(dataclasses.replace(parsed, documents=tuple(docs)))
    article.refresh_from_db()
    assert article.title == "示例市促进民营经济发展条例（校对）"
    assert article.page == 7  # an uncorrected field still follows the parse


def test_corrected_decision_survives_reload():
    load(make_parsed())
    decision = PersonnelDecision.objects.get()
    decision.action = "remove"
    decision.corrected_fields = ["action"]
    decision.save()
    load(make_parsed())
    decision.refresh_from_db()
    assert decision.action == "remove"


def test_failing_load_leaves_database_unchanged(monkeypatch):
    load(make_parsed())
    before = snapshot()
    titles = list(Article.objects.values_list("title", flat=True))

    def explode(*args, **kwargs):
        raise RuntimeError("injected failure")

    changed = make_parsed(present=("李强", "新委员"))
    docs = list(changed.documents)
    docs[0] = dataclasses.replace(docs[0], title="改动后的标题")
    monkeypatch.setattr(loading._Loader, "_sync_votes", explode)
    with pytest.raises(RuntimeError):
        load(dataclasses.replace(changed, documents=tuple(docs)))
    assert snapshot() == before
    assert list(Article.objects.values_list("title", flat=True)) == titles
    assert not Person.objects.filter(name="新委员").exists()


def test_parse_that_deletes_records_needs_permission():
    parsed = make_parsed()
    load(parsed)
    before = snapshot()
    shrunk = dataclasses.replace(parsed, documents=parsed.documents[:2], toc=parsed.toc[:2])
    with pytest.raises(ShrinkageError):
        load(shrunk)
    assert snapshot() == before
    report = load(shrunk, allow_shrinkage=True)
    assert report.counts["articles"].deleted == 1
    assert Article.objects.count() == 2


def test_corrected_record_is_never_deleted():
    parsed = make_parsed()
    load(parsed)
    Article.objects.filter(number=3).update(corrected_fields=["category"])
    shrunk = dataclasses.replace(parsed, documents=parsed.documents[:2], toc=parsed.toc[:2])
    report = load(shrunk, allow_shrinkage=True)
    assert report.counts["articles"].kept_corrected == 1
    assert Article.objects.filter(number=3).exists()


def test_tenure_runs_from_appointment_to_removal_across_issues():
    load(make_parsed())
    removal = p.PersonnelDecision(
        person="郑孝刚",
        action="remove",
        positions=("示例市人民政府副市长",),
        meeting=p.MeetingRef("standing_committee", 17, 20),
        date=dt.date(2024, 1, 29),
        documents=(1,),
    )
    load(make_parsed(year=2024, issue=1, decisions=(removal,)))
    tenure = Tenure.objects.get()
    assert tenure.person.name == "郑孝刚"
    assert tenure.post.title == "示例市人民政府副市长"
    assert (tenure.started_on, tenure.ended_on) == (dt.date(2021, 6, 10), dt.date(2024, 1, 29))
    assert tenure.start_decision.action == "appoint"
    assert tenure.end_decision.action == "remove"


def test_removal_without_known_appointment_records_an_ended_tenure():
    removal = p.PersonnelDecision(
        person="田海涛", action="remove", positions=("示例市人民政府副市长",), date=dt.date(2021, 9, 22)
    )
    load(make_parsed(decisions=(removal,)))
    tenure = Tenure.objects.get()
    assert (tenure.started_on, tenure.ended_on) == (None, dt.date(2021, 9, 22))


def test_ambiguous_name_is_left_unmatched_and_reported():
    Person.objects.create(region=REGION, name="李强")
    Person.objects.create(region=REGION, name="李强")
    report = load(make_parsed())
    assert "李强" in report.unmatched_names
    assert Attendance.objects.get(name="李强").person is None
    assert Attendance.objects.get(name="徐启").person is not None


def test_same_name_in_another_region_is_another_person():
    Person.objects.create(region="别的市", name="李强")
    load(make_parsed())
    assert Person.objects.filter(name="李强").count() == 2
    assert Attendance.objects.get(name="李强").person.region == REGION


def test_present_members_become_standing_committee_members():
    load(make_parsed())
    members = Membership.objects.filter(region=REGION, body="standing_committee", term=MEETING.term)
    assert set(members.values_list("person__name", flat=True)) == {"李强", "徐启", "张渤"}


def test_publish_flag_publishes_in_the_same_load():
    report = load(make_parsed(), publish=True)
    assert report.published
    assert Gazette.objects.get().status == GazetteStatus.PUBLISHED


def test_ambiguous_name_is_resolved_by_membership_of_the_same_term():
    member = Person.objects.create(region=REGION, name="李强")
    Person.objects.create(region=REGION, name="李强")
    Membership.objects.create(person=member, region=REGION, body="standing_committee", term=MEETING.term)
    report = load(make_parsed())
    assert "李强" not in report.unmatched_names
    assert Attendance.objects.get(name="李强").person == member


def test_ambiguous_name_is_resolved_by_a_post_held():
    Person.objects.create(region=REGION, name="郑孝刚")
    holder = Person.objects.create(region=REGION, name="郑孝刚")
    post = Post.objects.create(region=REGION, title="示例市人民政府副市长")
    Tenure.objects.create(person=holder, post=post, started_on=dt.date(2020, 1, 1))
    load(make_parsed())
    assert PersonnelDecision.objects.get().person == holder
    # The clerk's own tenure is kept beside the one derived from the decision.
    assert set(Tenure.objects.values_list("derived", flat=True)) == {False, True}


def test_dry_run_reports_the_changes_and_writes_nothing():
    parsed = make_parsed()
    load(parsed)
    before = snapshot()
    docs = list(parsed.documents)
    docs[0] = dataclasses.replace(docs[0], title="改动后的纪要标题")
    report = load(dataclasses.replace(parsed, documents=tuple(docs)), dry_run=True, allow_shrinkage=True)
    assert report.counts["articles"].updated == 1
    assert snapshot() == before
    assert not Article.objects.filter(title="改动后的纪要标题").exists()


def test_article_read_with_another_title_keeps_its_id():
    parsed = make_parsed()
    load(parsed)
    first = Article.objects.get(number=1)
    docs = list(parsed.documents)
    docs[0] = dataclasses.replace(docs[0], title="示例市人大常委会会议纪要")
    report = load(dataclasses.replace(parsed, documents=tuple(docs)))
    assert report.counts["articles"].deleted == 0
    assert Article.objects.get(number=1).pk == first.pk
    assert Article.objects.get(number=1).title == "示例市人大常委会会议纪要"



@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps no statistics by itself")
@pytest.mark.django_db(transaction=True)
def test_sqlite_refreshes_its_planner_statistics_after_a_load_commits():
    def last_queries(**kwargs) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            load(make_parsed(), **kwargs)
        return [q["sql"] for q in queries][-2:]

    # After every load that is kept; not after one rolled back.
    assert last_queries(publish=True) == ["PRAGMA analysis_limit=1000", "PRAGMA optimize"]
    assert "PRAGMA optimize" not in last_queries(dry_run=True, allow_shrinkage=True)
