"""Two clerks at once: no lost update, and the second is told so.

* Corrections (CorrectionAdmin) carry the record's version (``updated_at``) in a hidden
  field; a save whose version is stale changes nothing and says
  “此记录已被其他人修改，请刷新后再改”. A reload that changed the record counts as a
  change too.
* Publishing and withdrawing lock the issue's row and read its status again: the
  second clerk's click changes nothing and says the other was first.
* On PostgreSQL the same is shown with two threads saving at the same moment (the row
  locks decide; without them both saves would go through).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.urls import reverse

from records import loading
from records.admin import CONFLICT_MESSAGE, CorrectionAdmin
from records.loading import load_gazette
from records.management.commands.ensure_clerk import ensure_clerk_group
from records.models import Article, Gazette, GazetteStatus
from tests.factories import make_parsed

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def make_clerk(name: str) -> Client:
    user = get_user_model().objects.create_user(name, password="a-long-clerk-password", is_staff=True)
    user.groups.add(ensure_clerk_group())
    client = Client()
    client.force_login(user)
    return client


def form_data(client: Client, url: str) -> dict:
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    return {k: ("" if v is None else v) for k, v in data.items()}


@pytest.fixture
def issue(db):
    return load_gazette(make_parsed(), source_bytes=b"s", source_text="s").gazette


@pytest.fixture
def article(issue):
    return Article.objects.get(gazette=issue, number=2)


@pytest.mark.django_db
def test_the_second_of_two_clerks_correcting_one_record_gets_a_conflict(article):
    anna, bo = make_clerk("anna"), make_clerk("bo")
    url = reverse("admin:records_article_change", args=[article.pk])
    first, second = form_data(anna, url), form_data(bo, url)
    assert first["record_version"] == article.updated_at.isoformat()

    first["title"] = "示例市促进民营经济发展条例（甲校对）"
    assert anna.post(url, first).status_code == 302
    second["doc_number"] = "示例〔2021〕1号"
    history = article.history.count()
    response = bo.post(url, second)
    assert response.status_code == 200
    assert CONFLICT_MESSAGE in response.content.decode()

    article.refresh_from_db()
    assert article.title == "示例市促进民营经济发展条例（甲校对）"  # the first correction stands
    assert article.doc_number == ""  # the stale one changed nothing
    assert article.corrected_fields == ["title"]
    assert article.history.count() == history

    # After a refresh the second clerk sees the first's work and can save.
    again = form_data(bo, url)
    again["doc_number"] = "示例〔2021〕1号"
    assert bo.post(url, again).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.doc_number) == ("示例市促进民营经济发展条例（甲校对）", "示例〔2021〕1号")
    assert article.corrected_fields == ["doc_number", "title"]


@pytest.mark.django_db
def test_a_form_without_its_version_is_refused(article):
    clerk = make_clerk("anna")
    url = reverse("admin:records_article_change", args=[article.pk])
    data = form_data(clerk, url)
    del data["record_version"]
    data["title"] = "无版本的修改"
    response = clerk.post(url, data)
    assert CONFLICT_MESSAGE in response.content.decode()
    article.refresh_from_db()
    assert article.title != "无版本的修改"


@pytest.mark.django_db
def test_a_reload_between_showing_and_saving_a_correction_is_a_conflict(issue, article):
    clerk = make_clerk("anna")
    url = reverse("admin:records_article_change", args=[article.pk])
    data = form_data(clerk, url)
    parsed = make_parsed()
    docs = list(parsed.documents)
    docs[1] = dataclasses.replace(docs[1], date=dt.date(2021, 6, 11))
    time.sleep(0.002)  # a later updated_at even on a coarse clock
    load_gazette(dataclasses.replace(parsed, documents=tuple(docs)), source_bytes=b"s", source_text="s")

    data["title"] = "校对后的标题"
    response = clerk.post(url, data)
    assert CONFLICT_MESSAGE in response.content.decode()
    article.refresh_from_db()
    assert article.date == dt.date(2021, 6, 11) and article.title != "校对后的标题"


@pytest.mark.django_db
def test_the_issue_itself_is_versioned_too(issue):
    anna, bo = make_clerk("anna"), make_clerk("bo")
    url = reverse("admin:records_gazette_change", args=[issue.pk])
    first, second = form_data(anna, url), form_data(bo, url)
    first["cumulative_issue"] = 32
    assert anna.post(url, first).status_code == 302
    second["cumulative_issue"] = 33
    assert CONFLICT_MESSAGE in bo.post(url, second).content.decode()
    issue.refresh_from_db()
    assert issue.cumulative_issue == 32


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_the_second_clerk_publishing_or_withdrawing_changes_nothing(issue, action):
    anna, bo = make_clerk("anna"), make_clerk("bo")
    if action == "unpublish":
        loading.publish_gazette(issue)
    url = reverse(f"admin:records_gazette_{action}", args=[issue.pk])
    history = issue.history.count()
    assert anna.post(url).status_code == 302
    response = bo.post(url, follow=True)
    page = response.content.decode()
    assert "已由其他人" in page and "本次未作改动" in page
    issue.refresh_from_db()
    expected = GazetteStatus.PUBLISHED if action == "publish" else GazetteStatus.DRAFT
    assert issue.status == expected
    assert issue.history.count() == history + 1  # one change, not two


@pytest.mark.django_db
def test_publish_and_unpublish_say_whether_they_changed_anything(issue):
    stale = Gazette.objects.get(pk=issue.pk)
    assert loading.publish_gazette(issue) is True
    assert loading.publish_gazette(stale) is False  # a stale copy that still says draft
    assert stale.status == GazetteStatus.PUBLISHED  # and it is brought up to date
    assert loading.unpublish_gazette(stale) is True
    assert loading.unpublish_gazette(issue) is False


# --- real concurrency on PostgreSQL ---------------------------------------------------------------


def run_together(*calls):
    """Run the calls in threads released at the same moment; return their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks between threads: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_threads_saving_one_record_at_once_save_once(monkeypatch):
    issue = load_gazette(make_parsed(), source_bytes=b"s", source_text="s").gazette
    article = Article.objects.get(gazette=issue, number=2)
    anna, bo = make_clerk("anna"), make_clerk("bo")
    url = reverse("admin:records_article_change", args=[article.pk])
    first, second = form_data(anna, url), form_data(bo, url)
    first["title"] = "甲的标题"
    second["title"] = "乙的标题"

    save_model = CorrectionAdmin.save_model

    def slow_save(self, request, obj, form, change):
        save_model(self, request, obj, form, change)
        time.sleep(0.5)  # hold the transaction (and its row locks) open for a moment

    monkeypatch.setattr(CorrectionAdmin, "save_model", slow_save)
    started = time.monotonic()
    responses = run_together(lambda: anna.post(url, first), lambda: bo.post(url, second))
    elapsed = time.monotonic() - started
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 302], responses
    loser = next(r for r in responses if r.status_code == 200)
    assert CONFLICT_MESSAGE in loser.content.decode()
    winner = "甲的标题" if responses[0].status_code == 302 else "乙的标题"
    article.refresh_from_db()
    assert article.title == winner
    assert elapsed >= 0.5, "the second save waited for the first's lock"


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks between threads: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_threads_publishing_at_once_publish_once(monkeypatch):
    issue = load_gazette(make_parsed(), source_bytes=b"s", source_text="s").gazette
    rebuild = loading.rebuild_search_index

    def slow_rebuild(gazette):
        rebuild(gazette)
        time.sleep(0.5)

    monkeypatch.setattr(loading, "rebuild_search_index", slow_rebuild)
    history = issue.history.count()
    results = run_together(
        lambda: loading.publish_gazette(Gazette.objects.get(pk=issue.pk)),
        lambda: loading.publish_gazette(Gazette.objects.get(pk=issue.pk)),
    )
    assert sorted(results) == [False, True], results
    issue.refresh_from_db()
    assert issue.status == GazetteStatus.PUBLISHED
    assert issue.history.count() == history + 1
