"""The clerk's workflow through the admin, driven with Django's test client."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Person
from records.management.commands.ensure_clerk import ensure_clerk_group
from records.models import (
    Article,
    Attendance,
    ErrorReport,
    Gazette,
    GazetteImport,
    GazetteStatus,
    ImportStatus,
    PersonnelDecision,
)
from tests.conftest import SAMPLES

pytestmark = pytest.mark.django_db

YINGKOU = "yingkou-congress-2021-03.txt"
ANYANG = "anyang-congress-2021-03.txt"


@pytest.fixture
def clerk(client):
    user = get_user_model().objects.create_user("clerk", password="a-long-clerk-password", is_staff=True)
    user.groups.add(ensure_clerk_group())
    client.force_login(user)
    return user


def upload(client, name: str, data: bytes | None = None, **metadata):
    data = (SAMPLES / name).read_bytes() if data is None else data
    return client.post(
        reverse("admin:records_gazette_upload"),
        {"file": SimpleUploadedFile(name, data), **metadata},
    )


def stage_and_apply(client, name: str) -> Gazette:
    response = upload(client, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    imp = GazetteImport.objects.latest("pk")
    response = client.post(reverse("admin:records_gazetteimport_apply", args=[imp.pk]))
    assert response.status_code == 302
    return Gazette.objects.get(pk=GazetteImport.objects.get(pk=imp.pk).gazette_id)


def test_upload_is_staged_for_review_and_writes_no_records(client, clerk):
    response = upload(client, YINGKOU)
    imp = GazetteImport.objects.get()
    assert response["Location"] == reverse("admin:records_gazetteimport_review", args=[imp.pk])
    assert imp.status == ImportStatus.PENDING
    assert (imp.issuer, imp.year, imp.issue) == ("营口市人民代表大会常务委员会", 2021, 3)
    assert not Gazette.objects.exists() and not Article.objects.exists()

    page = client.get(response["Location"]).content.decode()
    # The source with line anchors, the parse, every warning linked to its line.
    assert 'id="L1"' in page
    assert "营口市第十六届人民代表大会常务委员会第三十四次会议纪要" in page
    assert imp.parsed["warnings"], "the sample has warnings to show"
    for warning in imp.parsed["warnings"]:
        assert warning["message"] in page
        if warning["line"]:
            assert f'href="#L{warning["line"]}"' in page
    assert 'id="change-counts"' in page


def test_the_list_of_uploads_reads_no_file(client, clerk):
    """Each upload's row holds its whole file, text and parse: the list shows none of them."""
    upload(client, YINGKOU)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("admin:records_gazetteimport_changelist"))
    assert page.status_code == 200 and YINGKOU in page.content.decode()
    reads = [q["sql"] for q in captured if 'FROM "records_gazetteimport"' in q["sql"]]
    assert reads
    for column in ("content", "text", "parsed"):
        assert not any(f'"records_gazetteimport"."{column}"' in sql for sql in reads), column


def test_the_review_reads_the_text_of_the_source_not_its_file(client, clerk):
    gazette = stage_and_apply(client, YINGKOU)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("admin:records_gazette_review", args=[gazette.pk]))
    assert page.status_code == 200 and 'id="L1"' in page.content.decode()
    reads = " ".join(q["sql"] for q in captured if '"records_gazettesource"' in q["sql"])
    assert '"records_gazettesource"."text"' in reads
    assert '"records_gazettesource"."content"' not in reads
    assert '"records_gazettesource"."parsed"' not in reads


def test_whole_flow_upload_review_resolve_publish(client, clerk):
    # Two people already share a name printed in the issue: the loader must not guess.
    Person.objects.create(region="营口市", name="李强", note="市委书记")
    Person.objects.create(region="营口市", name="李强", note="同名的另一人")
    gazette = stage_and_apply(client, YINGKOU)
    assert gazette.status == GazetteStatus.DRAFT
    assert client.get(reverse("records:gazette-detail", args=[gazette.pk])).status_code == 404

    review_url = reverse("admin:records_gazette_review", args=[gazette.pk])
    page = client.get(review_url).content.decode()
    assert 'id="unmatched"' in page and "李强" in page
    chosen = Person.objects.filter(name="李强").order_by("pk").first()
    client.post(
        reverse("admin:records_gazette_resolve", args=[gazette.pk]), {"name": "李强", "person": chosen.pk}
    )
    assert Attendance.objects.get(gazette=gazette, name="李强").person == chosen
    assert 'id="unmatched"' not in client.get(review_url).content.decode()

    client.post(reverse("admin:records_gazette_publish", args=[gazette.pk]))
    gazette.refresh_from_db()
    assert gazette.status == GazetteStatus.PUBLISHED
    public = client.get(reverse("records:gazette-detail", args=[gazette.pk]))
    assert public.status_code == 200
    assert "关于我市义务教育工作情况的报告" in public.content.decode()

    client.post(reverse("admin:records_gazette_unpublish", args=[gazette.pk]))
    assert client.get(reverse("records:gazette-detail", args=[gazette.pk])).status_code == 404


def test_correction_survives_reload_and_shows_in_history(client, clerk):
    gazette = stage_and_apply(client, ANYANG)
    decision = PersonnelDecision.objects.get(gazette=gazette, person_name="桑建业")
    url = reverse("admin:records_personneldecision_change", args=[decision.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["positions"] = '["安阳市监察委员会副主任（校对）"]'
    data["sources"] = [str(pk) for pk in decision.sources.values_list("pk", flat=True)]
    data["posts"] = [str(pk) for pk in decision.posts.values_list("pk", flat=True)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    decision.refresh_from_db()
    assert decision.positions == ["安阳市监察委员会副主任（校对）"]
    assert "positions" in decision.corrected_fields

    # The same file again: staged, previewed, applied; the correction stands.
    stage_and_apply(client, ANYANG)
    decision.refresh_from_db()
    assert decision.positions == ["安阳市监察委员会副主任（校对）"]

    history = client.get(reverse("admin:records_personneldecision_history", args=[decision.pk]))
    assert history.status_code == 200
    record = decision.history.filter(history_user=clerk).latest("history_date")
    delta = record.diff_against(record.prev_record)
    changes = {change.field: change for change in delta.changes}
    assert set(changes) == {"positions", "corrected_fields"}
    assert changes["positions"].old == ["安阳市监察委员会副主任"]
    assert changes["positions"].new == ["安阳市监察委员会副主任（校对）"]


def test_reload_preview_lists_what_would_change(client, clerk):
    gazette = stage_and_apply(client, ANYANG)
    Article.objects.filter(gazette=gazette, number=2).update(title="被改动的标题")
    client.post(reverse("admin:records_gazette_reparse", args=[gazette.pk]))
    imp = GazetteImport.objects.latest("pk")
    assert imp.gazette == gazette
    page = client.get(reverse("admin:records_gazetteimport_review", args=[imp.pk])).content.decode()
    assert "将修改 1 条" in page
    assert "title" in page


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("junk.txt", bytes(range(256)) * 64),
        ("page.pdf", b"<!doctype html><html><body><script>alert(1)</script></body></html>"),
        ("empty.docx", zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b""})),
        ("empty.txt", b""),
        ("letter.txt", "各位好，这是一封普通的信，不是公报。".encode()),
    ],
)
def test_broken_upload_gets_a_clear_message_and_leaves_no_draft(client, clerk, name, data):
    response = upload(client, name, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "errornote" in page
    assert "Traceback" not in page
    assert not GazetteImport.objects.exists()
    assert not Gazette.objects.exists()


@override_settings(PORTAL_UPLOAD_MAX_BYTES=1024 * 1024)
def test_oversized_upload_is_refused_with_its_size(client, clerk):
    response = upload(client, "big.txt", b"a" * (1024 * 1024 + 1))
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert not GazetteImport.objects.exists()


def test_merge_and_split_people_keep_every_link(client, clerk):
    from records import review

    stage_and_apply(client, ANYANG)
    person = Person.objects.get(region="安阳市", name="徐家平")
    links = Attendance.objects.filter(person=person).count()
    assert links >= 4
    duplicate = Person.objects.create(region="安阳市", name="徐佳平")
    moved = list(Attendance.objects.filter(person=person).values_list("pk", flat=True)[:2])
    Attendance.objects.filter(pk__in=moved).update(person=duplicate)

    review.merge_people(person, [duplicate], user=clerk)
    assert Attendance.objects.filter(person=person).count() == links
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert person.aliases.filter(name="徐佳平").exists()

    new = review.split_person(person, name="徐家平", attendance=moved, decisions=[], entries=[], user=clerk)
    assert Attendance.objects.filter(person=new).count() == 2
    assert Attendance.objects.filter(person=person).count() == links - 2


def test_clerk_cannot_manage_users(client, clerk):
    assert client.get("/admin/auth/user/").status_code == 403


def test_citizen_error_report_reaches_the_clerks_queue_and_is_rate_limited(client):
    url = reverse("records:report-error")
    for _ in range(5):
        response = client.post(url, {"message": "姓名写错了", "path": "/people/1/", "record_label": "张玲"})
        assert response.status_code == 200
    assert ErrorReport.objects.count() == 5
    response = client.post(url, {"message": "再报一次", "path": "/people/1/"})
    assert response.status_code == 429
    assert ErrorReport.objects.count() == 5


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_logins_lock_the_account_with_a_clear_page(client):
    get_user_model().objects.create_user("clerk2", password="right-password-123", is_staff=True)
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": "clerk2", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(url, {"username": "clerk2", "password": "right-password-123"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()


def test_merge_action_and_split_page_in_the_admin(client, clerk):
    stage_and_apply(client, ANYANG)
    person = Person.objects.get(region="安阳市", name="张保香")
    variant = Person.objects.create(region="安阳市", name="张宝香")
    first = Attendance.objects.filter(person=person).order_by("pk").first()
    Attendance.objects.filter(pk=first.pk).update(person=variant)
    changelist = reverse("admin:people_person_changelist")
    selected = {"action": "merge_selected", "_selected_action": [person.pk, variant.pk]}
    page = client.post(changelist, selected)
    assert "确认合并" in page.content.decode()
    client.post(changelist, {**selected, "keep": person.pk})
    assert not Person.objects.filter(pk=variant.pk).exists()
    assert Attendance.objects.get(pk=first.pk).person == person

    split_url = reverse("admin:people_person_split", args=[person.pk])
    assert client.get(reverse("admin:people_person_change", args=[person.pk])).content.decode().count(split_url) == 1
    response = client.post(split_url, {"name": "张保香", "attendance": [first.pk]})
    assert response.status_code == 302
    assert Attendance.objects.get(pk=first.pk).person != person


def test_required_second_factor_keeps_out_a_clerk_without_a_verified_device(client, clerk, settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.PORTAL_REQUIRE_OTP = True
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert "otp_token" in client.get("/admin/login/").content.decode()

    device = TOTPDevice.objects.create(user=clerk, name="手机", confirmed=True)
    client.logout()
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    response = client.post(
        "/admin/login/",
        {"username": "clerk", "password": "a-long-clerk-password", "otp_device": device.persistent_id, "otp_token": f"{token:06d}"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

    settings.PORTAL_REQUIRE_OTP = False


ADMIN_LISTS = [
    "admin:records_gazette_changelist",
    "admin:records_article_changelist",
    "admin:records_personneldecision_changelist",
    "admin:records_attendance_changelist",
    "admin:records_meeting_changelist",
    "admin:records_vote_changelist",
    "admin:people_person_changelist",
    "admin:people_tenure_changelist",
]


def test_admin_lists_make_no_query_per_row(client, clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        result = {}
        for name in ADMIN_LISTS:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            result[name] = len(queries)
        return result

    stage_and_apply(client, ANYANG)
    few = counts()
    stage_and_apply(client, YINGKOU)
    assert counts() == few


def test_admin_search_finds_titles_names_and_doc_numbers(client, clerk):
    stage_and_apply(client, ANYANG)
    page = client.get(reverse("admin:records_article_changelist"), {"q": "辞呈"}).content.decode()
    assert "辞呈" in page
    page = client.get(reverse("admin:records_personneldecision_changelist"), {"q": "桑建业"}).content.decode()
    assert "桑建业" in page
