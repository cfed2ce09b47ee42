"""The synthetic corpus (records/corpus.py, manage.py generate_corpus) behind bench/run.py.

No timings here: bench/run.py measures speed. These tests pin what makes the
corpus usable for benchmarks: the same seed gives the same corpus, it goes
through the real load path, and the issues are published and distinct.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from people.models import Person, Post, Tenure
from records import corpus
from records import loading as loading_module
from records.models import (
    Article,
    Gazette,
    GazetteSource,
    GazetteStatus,
    Meeting,
    PersonnelDecision,
    Publication,
)
from records.search import parse_query, search

N = 5


def fingerprint(issue: corpus.SyntheticIssue) -> tuple:
    parsed = issue.parsed
    return (
        issue.plan.filename,
        issue.text,
        parsed.gazette,
        tuple((d.title, d.date, d.meeting) for d in parsed.documents),
        tuple((d.person, d.positions) for d in parsed.personnel_decisions),
        tuple((m.ref, tuple(x.name for x in m.present)) for m in parsed.meetings),
    )


def test_the_same_seed_gives_the_same_issues_and_another_seed_others():
    first = [fingerprint(issue) for issue in corpus.iter_issues(7, N)]
    again = [fingerprint(issue) for issue in corpus.iter_issues(7, N)]
    other = [fingerprint(issue) for issue in corpus.iter_issues(8, N)]
    assert first == again
    assert first != other
    # Issue i does not depend on the issues before it: a run can be resumed or split.
    assert fingerprint(next(corpus.iter_issues(7, N, start=3))) == first[3]


def test_synthetic_issues_vary_city_year_people_and_meetings_line_for_line():
    issues = [corpus.make_issue(corpus.issue_plan(1, i, 400)) for i in range(0, 400, 37)]
    assert len(
        {(i.parsed.gazette.issuer, i.parsed.gazette.year, i.parsed.gazette.issue) for i in issues}
    ) == len(issues)
    assert len({i.parsed.gazette.region for i in issues}) > 5
    for issue in issues:
        template = next(t for t in corpus.templates() if t.name == issue.plan.template)
        info = issue.parsed.gazette
        assert info.region == issue.plan.publication.region
        assert info.kind == template.kind
        # Substitutions never add or remove a line: every span still points at its line.
        assert issue.text.count("\n") == template.text.count("\n")
        if template.city != issue.plan.city:
            assert template.city not in issue.text
        printed = {d.person for d in issue.parsed.personnel_decisions}
        assert not printed & set(template.names) - set(corpus.cast(1, issue.plan.city))
        assert printed <= set(corpus.cast(1, issue.plan.city))
        for meeting in issue.parsed.meetings:
            assert meeting.ref.term == issue.plan.term
        for document in issue.parsed.documents:
            if document.date is not None:
                assert abs(document.date.year - info.year) <= 2


@pytest.mark.django_db
def test_generate_corpus_loads_through_the_real_path_and_publishes_distinct_issues(monkeypatch):
    calls = []
    real_load = loading_module.load_gazette

    def spy(parsed, **kwargs):
        calls.append(parsed.gazette)
        return real_load(parsed, **kwargs)

    monkeypatch.setattr(loading_module, "load_gazette", spy)
    out = io.StringIO()
    call_command("generate_corpus", issues=N, seed=3, stdout=out)
    assert "done: 5 issues" in out.getvalue()
    assert len(calls) == N

    gazettes = list(Gazette.objects.select_related("publication").order_by("pk"))
    assert len(gazettes) == N
    assert all(g.status == GazetteStatus.PUBLISHED and g.published_at for g in gazettes)
    assert len({(g.publication_id, g.year, g.issue) for g in gazettes}) == N
    expected = [issue.parsed.gazette for issue in corpus.iter_issues(3, N)]
    assert [(g.publication.issuer, g.year, g.issue) for g in gazettes] == [
        (info.issuer, info.year, info.issue) for info in expected
    ]
    assert [g.article_count for g in gazettes] == [
        len(issue.parsed.documents) for issue in corpus.iter_issues(3, N)
    ]
    assert Article.objects.count() == sum(g.article_count for g in gazettes)
    sources = GazetteSource.objects.order_by("gazette_id")
    assert len({s.sha256 for s in sources}) == N
    assert Meeting.objects.exists() and Person.objects.exists()

    # Searchable like any published issue: a person of the corpus and a city.
    person = Person.objects.order_by("pk").first()
    assert search(parse_query(person.name), facets=False).hits
    assert search(parse_query(gazettes[0].publication.region), facets=False).hits

    # --resume loads nothing twice.
    out = io.StringIO()
    call_command("generate_corpus", issues=N, seed=3, resume=True, stdout=out)
    assert "0 issues (0 articles) loaded" in out.getvalue()
    assert Gazette.objects.count() == N


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM is PostgreSQL's")
def test_the_statistics_refresh_vacuums_postgresql_when_no_transaction_is_open():
    from records.management.commands.generate_corpus import analyze

    analyze()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
            "FROM pg_stat_user_tables WHERE relname = 'records_gazette'"
        )
        assert cursor.fetchone() == (True, True)


class RolledBack(Exception):
    pass


def corpus_rows() -> dict[str, set]:
    """What a load made of the issues, without ids (parts load in another order)."""
    return {
        "issues": set(Gazette.objects.values_list("publication__issuer", "year", "issue")),
        "people": set(Person.objects.values_list("region", "name")),
        "posts": set(Post.objects.values_list("region", "title")),
        "tenures": set(
            Tenure.objects.values_list("person__name", "post__title", "started_on", "ended_on")
        ),
        "meetings": set(Meeting.objects.values_list("region", "body", "term", "number", "date")),
        "decisions": set(
            PersonnelDecision.objects.values_list(
                "gazette__publication__issuer", "gazette__issue", "key", "person__name", "action"
            )
        ),
    }


@pytest.mark.django_db
def test_parts_by_city_load_the_same_corpus_as_one_process():
    options = {"issues": 9, "seed": 2, "publications": 3, "no_analyze": True}
    out = io.StringIO()
    try:
        with transaction.atomic():
            # The second part first: a part's rows must not depend on the other's.
            call_command("generate_corpus", part=(2, 2), stdout=out, **options)
            assert "done: 3 issues" in out.getvalue()
            second = set(Publication.objects.values_list("region", flat=True))
            call_command("generate_corpus", part=(1, 2), stdout=out, **options)
            first = set(Publication.objects.values_list("region", flat=True)) - second
            in_parts = corpus_rows()
            raise RolledBack
    except RolledBack:
        pass
    assert not Gazette.objects.exists()
    call_command("generate_corpus", stdout=out, **options)
    whole = corpus_rows()
    assert len(whole["issues"]) == 9 and whole["people"] and whole["tenures"]
    assert in_parts == whole
    # No city in two parts: parts running at once never create the same person or post.
    assert len(first) == 2 and len(second) == 1


@pytest.mark.parametrize("value", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_a_part_outside_k_of_n_is_refused(value):
    with pytest.raises(CommandError):
        call_command("generate_corpus", "--issues", "2", "--part", value)


@pytest.mark.django_db
def test_statistics_are_refreshed_each_time_the_loaded_issues_double(monkeypatch):
    from records.management.commands import generate_corpus

    monkeypatch.setattr(generate_corpus, "FIRST_ANALYSIS", 2)
    loaded_at = []
    monkeypatch.setattr(
        generate_corpus, "refresh_statistics", lambda: loaded_at.append(Gazette.objects.count())
    )
    call_command("generate_corpus", issues=9, seed=4, no_analyze=False, stdout=io.StringIO())
    assert loaded_at == [2, 4, 8]
    call_command("generate_corpus", issues=12, seed=5, no_analyze=True, stdout=io.StringIO())
    assert loaded_at == [2, 4, 8]


def test_the_in_process_comparison_takes_the_least_of_each_setting_s_runs(tmp_path):
    from bench.inprocess import table

    runs = [
        {"home": [10.0, 8.0], "post": [30.0, 20.0]},  # A
        {"home": [7.0, 6.0], "post": [25.0, 19.0]},  # B
        {"home": [9.0, 8.5], "post": [31.0, 18.0]},  # A
        {"home": [7.5, 5.0], "post": [24.0, 21.0]},  # B
    ]
    paths = []
    for number, run in enumerate(runs):
        path = tmp_path / f"{number}.json"
        path.write_text(json.dumps(run), encoding="utf-8")
        paths.append(str(path))
    lines = table(paths).splitlines()
    assert lines[2] == "| home | 9.0 | 7.0 | 8.0 | 5.0 |"
    assert lines[3] == "| post | 30.0 | 24.0 | 18.0 | 19.0 |"
    assert lines[4] == "| **all 2 URLs** | 39 | 31 | 26 | 24 |"
