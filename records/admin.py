"""The clerks' workplace: upload, review beside the source, correct, publish."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from simple_history.admin import SimpleHistoryAdmin

from people.models import Person
from records import review
from records.forms import GazetteUploadForm
from records.loading import LoadError, publish_gazette, unpublish_gazette
from records.models import (
    AgendaItem,
    Article,
    Attendance,
    ErrorReport,
    Gazette,
    GazetteImport,
    GazetteSource,
    ImportStatus,
    Meeting,
    NameListEntry,
    PersonnelDecision,
    Provision,
    Publication,
    TocEntry,
    Vote,
)
from records.parsing import GazetteParseError

RECORD_LABELS = {
    "meetings": "会议", "articles": "文章", "toc entries": "目录条目", "provisions": "条款",
    "citations": "引用", "people": "人员", "agenda items": "议程", "attendance": "出列席",
    "name list entries": "名单成员", "personnel decisions": "人事任免", "votes": "满意度测评",
    "tenures": "任职", "memberships": "组成人员", "elections": "选举计票",
}  # fmt: skip


# --- optimistic locking of corrections (docs/reliability.md) ---------------------
# A correction form carries the record's ``updated_at`` as it was when the form
# was shown (hidden field ``record_version``). On save the row and the
# record's row are locked (issue first, as loads do) and the version compared:
# if another clerk or a reload changed the record meanwhile, nothing is saved
# and the clerk is told to reload. Loads and publishing lock the issue row too.
CONFLICT_MESSAGE = "此记录已被其他人修改，请刷新后再改。"
VERSION_FIELD = "record_version"


def record_version(obj) -> str:
    value = getattr(obj, "updated_at", None)
    return value.isoformat() if value else ""


class VersionedCorrectionForm(forms.ModelForm):
    record_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = record_version(self.instance)

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None:
            return cleaned
        with transaction.atomic():  # inside the admin's transaction: held until it commits
            gazette_id = instance.pk if isinstance(instance, Gazette) else getattr(instance, "gazette_id", None)
            if gazette_id is not None:
                list(Gazette.objects.select_for_update().filter(pk=gazette_id).values_list("pk"))
            current = (
                type(instance)._default_manager.select_for_update()
                .filter(pk=instance.pk)
                .values_list("updated_at", flat=True)
                .first()
            )
        submitted = self.data.get(self.add_prefix(VERSION_FIELD), "")
        if current is None or not submitted or current.isoformat() != submitted:
            raise forms.ValidationError(CONFLICT_MESSAGE, code="conflict")
        return cleaned


class CorrectionAdmin(SimpleHistoryAdmin):
    """Every field a clerk changes is marked corrected, so no reload overwrites it."""

    readonly_fields = ["corrected_fields", "first_line", "last_line"]
    form = VersionedCorrectionForm

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and VERSION_FIELD not in fields:
            fields.append(VERSION_FIELD)
        return fields

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            names = set(obj.corrected_fields or [])
            for name in form.changed_data:
                if name == VERSION_FIELD:
                    continue
                field = obj._meta.get_field(name)
                names.add(field.attname if isinstance(field, models.ForeignKey) else name)
            obj.corrected_fields = sorted(names)
        super().save_model(request, obj, form, change)


def original_file_response(data: bytes, filename: str) -> HttpResponse:
    """An uploaded original (whatever it claims to be) as a download that no browser
    renders: octet-stream, attachment, nosniff, and a CSP that runs nothing."""
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@admin.register(Publication)
class PublicationAdmin(SimpleHistoryAdmin):
    list_display = ["issuer", "region", "kind", "name"]
    list_filter = ["kind", "region"]
    search_fields = ["issuer", "name", "region"]


@admin.register(Gazette)
class GazetteAdmin(CorrectionAdmin):
    list_display = [
        "__str__", "year", "issue", "cumulative_issue", "status", "article_count",
        "warning_count", "updated_at", "review_link",
    ]  # fmt: skip
    list_filter = ["status", "publication", "year"]
    list_select_related = ["publication"]
    search_fields = ["publication__issuer", "publication__name", "year"]
    readonly_fields = [
        "publication", "year", "issue", "status", "warnings", "truncated", "article_count",
        "loaded_at", "updated_at", "published_at", "corrected_fields",
    ]  # fmt: skip
    fields = ["publication", "year", "issue", "cumulative_issue", "published_on", *readonly_fields[3:]]
    change_list_template = "admin/records/gazette/change_list.html"

    def has_add_permission(self, request):
        return False  # issues come in through the upload page

    @admin.display(description="提示")
    def warning_count(self, obj):
        return len(obj.warnings)

    @admin.display(description="审核")
    def review_link(self, obj):
        from django.utils.html import format_html

        return format_html('<a href="{}">审核</a>', reverse("admin:records_gazette_review", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="records_gazette_upload"),
            path("<int:pk>/review/", view(self.review_view), name="records_gazette_review"),
            path("<int:pk>/publish/", view(self.publish_view), name="records_gazette_publish"),
            path("<int:pk>/unpublish/", view(self.unpublish_view), name="records_gazette_unpublish"),
            path("<int:pk>/reparse/", view(self.reparse_view), name="records_gazette_reparse"),
            path("<int:pk>/resolve/", view(self.resolve_view), name="records_gazette_resolve"),
            path("<int:pk>/original/", view(self.original_view), name="records_gazette_original"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    def upload_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = GazetteUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                imp = review.stage_upload(
                    form.cleaned_data["data"],
                    filename=upload.name,
                    metadata=form.metadata(),
                    user=request.user,
                )
            except GazetteParseError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("admin:records_gazetteimport_review", imp.pk)
        return TemplateResponse(
            request,
            "admin/records/gazette/upload.html",
            self._context(request, form=form, title="上传公报"),
        )

    def review_view(self, request, pk):
        gazette = get_object_or_404(
            # The review shows the source's text beside the parse, not the file or the parse's JSON.
            Gazette.objects.select_related("publication", "source").defer(
                "source__content", "source__parsed"
            ),
            pk=pk,
        )
        if not self.has_view_or_change_permission(request, gazette):
            raise PermissionDenied
        articles = list(gazette.articles.order_by("number").defer("text"))
        meetings = (
            Meeting.objects.filter(models.Q(gazette=gazette) | models.Q(articles__gazette=gazette))
            .distinct()
            .order_by("body", "term", "number")
        )
        context = self._context(
            request,
            title=f"审核：{gazette}",
            gazette=gazette,
            source_lines=gazette.source.text.splitlines() if hasattr(gazette, "source") else [],
            toc=gazette.toc_entries.select_related("article").order_by("ordinal"),
            articles=articles,
            meetings=[
                {
                    "meeting": meeting,
                    "agenda": meeting.agenda_items.filter(gazette=gazette).order_by("number"),
                    "attendance": meeting.attendance.filter(gazette=gazette).order_by("status", "id"),
                    "name_lists": meeting.name_list_entries.filter(gazette=gazette).order_by(
                        "list_kind", "position"
                    ),
                }
                for meeting in meetings
            ],
            decisions=gazette.personnel_decisions.select_related("person", "meeting").order_by("id"),
            votes=gazette.votes.order_by("id"),
            provisions_count=gazette.provisions.count(),
            unmatched=review.unmatched_names(gazette),
        )
        return TemplateResponse(request, "admin/records/gazette/review.html", context)

    def _post_only(self, request, gazette):
        if request.method != "POST" or not self.has_change_permission(request, gazette):
            raise PermissionDenied

    def publish_view(self, request, pk):
        gazette = get_object_or_404(Gazette, pk=pk)
        self._post_only(request, gazette)
        if publish_gazette(gazette, user=request.user):
            self.message_user(request, f"{gazette} 已发布。", messages.SUCCESS)
        else:  # another clerk was first (row lock, see records.loading)
            self.message_user(request, f"{gazette} 已由其他人发布，本次未作改动。请刷新后查看。", messages.WARNING)
        return redirect("admin:records_gazette_review", pk)

    def unpublish_view(self, request, pk):
        gazette = get_object_or_404(Gazette, pk=pk)
        self._post_only(request, gazette)
        if unpublish_gazette(gazette, user=request.user):
            self.message_user(request, f"{gazette} 已撤回，公众页面不再显示。", messages.WARNING)
        else:
            self.message_user(request, f"{gazette} 已由其他人撤回，本次未作改动。请刷新后查看。", messages.WARNING)
        return redirect("admin:records_gazette_review", pk)

    def original_view(self, request, pk):
        """The stored original of an issue (drafts too), for staff only."""
        gazette = get_object_or_404(Gazette, pk=pk)
        if not self.has_view_or_change_permission(request, gazette):
            raise PermissionDenied
        source = get_object_or_404(GazetteSource.objects.only("filename", "content"), gazette=gazette)
        return original_file_response(bytes(source.content), source.filename or f"gazette-{pk}")

    def reparse_view(self, request, pk):
        gazette = get_object_or_404(Gazette.objects.select_related("source"), pk=pk)
        self._post_only(request, gazette)
        try:
            imp = review.stage_reparse(gazette, user=request.user)
        except GazetteParseError as exc:
            self.message_user(request, f"重新解析失败：{exc}", messages.ERROR)
            return redirect("admin:records_gazette_review", pk)
        return redirect("admin:records_gazetteimport_review", imp.pk)

    def resolve_view(self, request, pk):
        gazette = get_object_or_404(Gazette.objects.select_related("publication"), pk=pk)
        self._post_only(request, gazette)
        name = request.POST.get("name", "")
        choice = request.POST.get("person", "")
        if choice == "new":
            person = review.resolve_name(gazette, name, person=None, user=request.user)
            self.message_user(request, f"已为“{name}”新建人员记录。", messages.SUCCESS)
        elif choice.isdigit():
            person = get_object_or_404(Person, pk=int(choice), region=gazette.publication.region)
            review.resolve_name(gazette, name, person=person, user=request.user)
            self.message_user(request, f"“{name}”已关联到人员 #{person.pk}。", messages.SUCCESS)
        else:
            self.message_user(request, "请选择一个人员，或新建。", messages.ERROR)
        return redirect("admin:records_gazette_review", pk)


@admin.register(GazetteImport)
class GazetteImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "issuer", "year", "issue", "status", "created_by", "created_at"]
    list_filter = ["status", "issuer", "year"]
    search_fields = ["filename", "issuer"]
    list_select_related = ["created_by"]
    exclude = ["content", "text", "parsed"]
    readonly_fields = [
        "filename", "sha256", "metadata", "issuer", "year", "issue", "gazette", "status",
        "created_by", "created_at", "applied_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        # The list shows none of the file, its text or its parse (whole files, each).
        return super().get_queryset(request).defer("content", "text", "parsed")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/review/", view(self.review_view), name="records_gazetteimport_review"),
            path("<int:pk>/apply/", view(self.apply_view), name="records_gazetteimport_apply"),
            path("<int:pk>/discard/", view(self.discard_view), name="records_gazetteimport_discard"),
            path("<int:pk>/original/", view(self.original_view), name="records_gazetteimport_original"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:records_gazetteimport_review", object_id)

    def review_view(self, request, pk):
        imp = get_object_or_404(GazetteImport, pk=pk)
        if not self.has_view_or_change_permission(request, imp):
            raise PermissionDenied
        preview = None
        preview_error = ""
        if imp.status == ImportStatus.PENDING:
            try:
                preview = review.preview_import(imp)
            except (GazetteParseError, LoadError) as exc:
                preview_error = str(exc)
        parsed = imp.parsed
        counts = [(RECORD_LABELS.get(label, label), c) for label, c in preview.counts.items()] if preview else []
        warnings_by_line = {}
        for warning in parsed.get("warnings", []):
            if warning.get("line"):
                warnings_by_line.setdefault(warning["line"], []).append(warning["message"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"审核上传：{imp}",
            "imp": imp,
            "parsed": parsed,
            "source_lines": [
                (number, line, warnings_by_line.get(number, []))
                for number, line in enumerate(imp.text.splitlines(), start=1)
            ],
            "preview": preview,
            "counts": counts,
            "preview_error": preview_error,
            "removals": [c for c in preview.changes if c[1] == "removed"] if preview else [],
            "changes": [c for c in preview.changes if c[1] == "changed"] if preview else [],
            "additions": [c for c in preview.changes if c[1] == "added"] if preview else [],
        }
        return TemplateResponse(request, "admin/records/gazetteimport/review.html", context)

    def apply_view(self, request, pk):
        imp = get_object_or_404(GazetteImport, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, imp):
            raise PermissionDenied
        try:
            report = review.apply_import(
                imp, user=request.user, allow_shrinkage=bool(request.POST.get("allow_shrinkage"))
            )
        except (GazetteParseError, LoadError, ValueError) as exc:
            self.message_user(request, f"载入失败，数据库未改动：{exc}", messages.ERROR)
            return redirect("admin:records_gazetteimport_review", pk)
        self.message_user(request, f"已载入：{report.summary()}", messages.SUCCESS)
        return redirect("admin:records_gazette_review", report.gazette.pk)

    def original_view(self, request, pk):
        """The uploaded file as it came in, for staff only."""
        imp = get_object_or_404(GazetteImport.objects.only("filename", "content"), pk=pk)
        if not self.has_view_or_change_permission(request, imp):
            raise PermissionDenied
        return original_file_response(bytes(imp.content), imp.filename or f"upload-{pk}")

    def discard_view(self, request, pk):
        imp = get_object_or_404(GazetteImport, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, imp):
            raise PermissionDenied
        review.discard_import(imp)
        self.message_user(request, "已放弃这份上传。", messages.INFO)
        return HttpResponseRedirect(reverse("admin:records_gazetteimport_changelist"))


@admin.register(Article)
class ArticleAdmin(CorrectionAdmin):
    list_display = ["title", "gazette", "number", "category", "page", "date", "doc_number"]
    list_filter = ["category", "gazette__status", "gazette__publication", "gazette__year"]
    list_select_related = ["gazette__publication"]
    search_fields = ["title", "doc_number"]
    raw_id_fields = ["gazette", "meeting", "parent"]
    readonly_fields = ["gazette", "number", "key", *CorrectionAdmin.readonly_fields]


class MeetingRecordInline(admin.TabularInline):
    extra = 0
    show_change_link = True
    can_delete = False


class AgendaInline(MeetingRecordInline):
    model = AgendaItem
    fields = ["number", "text"]
    readonly_fields = fields


class AttendanceInline(MeetingRecordInline):
    model = Attendance
    fields = ["name", "status", "title", "person"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(CorrectionAdmin):
    list_display = ["__str__", "body", "term", "number", "date"]
    list_filter = ["region", "body", "term"]
    search_fields = ["region"]
    inlines = [AgendaInline, AttendanceInline]
    readonly_fields = ["gazette", "corrected_fields", "first_line", "last_line"]


@admin.register(PersonnelDecision)
class PersonnelDecisionAdmin(CorrectionAdmin):
    list_display = ["person_name", "action", "position_list", "date", "meeting", "gazette"]
    list_filter = ["action", "region", "gazette__status"]
    list_select_related = ["meeting", "gazette__publication"]
    search_fields = ["person_name", "positions"]
    raw_id_fields = ["gazette", "person", "meeting", "article", "sources", "posts"]
    readonly_fields = ["gazette", "key", *CorrectionAdmin.readonly_fields]

    @admin.display(description="职务")
    def position_list(self, obj):
        return "、".join(obj.positions)


@admin.register(Attendance)
class AttendanceAdmin(CorrectionAdmin):
    list_display = ["name", "status", "title", "meeting", "person"]
    list_filter = ["status", "meeting__region"]
    list_select_related = ["meeting", "person"]
    search_fields = ["name"]
    raw_id_fields = ["gazette", "meeting", "person"]


@admin.register(NameListEntry)
class NameListEntryAdmin(CorrectionAdmin):
    list_display = ["name", "list_kind", "position", "meeting", "person"]
    list_filter = ["list_kind"]
    list_select_related = ["meeting", "person"]
    search_fields = ["name"]
    raw_id_fields = ["gazette", "meeting", "person"]


@admin.register(AgendaItem)
class AgendaItemAdmin(CorrectionAdmin):
    list_display = ["text", "number", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["text"]
    raw_id_fields = ["gazette", "meeting"]


@admin.register(Vote)
class VoteAdmin(CorrectionAdmin):
    list_display = ["subject", "satisfied", "basically_satisfied", "unsatisfied", "voting", "gazette"]
    list_select_related = ["gazette__publication"]
    search_fields = ["subject"]
    raw_id_fields = ["gazette", "article", "meeting"]


@admin.register(Provision)
class ProvisionAdmin(CorrectionAdmin):
    list_display = ["label", "heading", "article"]
    list_select_related = ["article"]
    search_fields = ["text", "heading"]
    raw_id_fields = ["gazette", "article"]


@admin.register(TocEntry)
class TocEntryAdmin(CorrectionAdmin):
    list_display = ["title", "ordinal", "page", "gazette", "article"]
    list_select_related = ["gazette__publication", "article"]
    search_fields = ["title"]
    raw_id_fields = ["gazette", "article"]


class ErrorReportForm(forms.ModelForm):
    class Meta:
        model = ErrorReport
        fields = ["status", "clerk_note"]


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "record_label", "path", "status"]
    list_filter = ["status"]
    search_fields = ["message", "record_label", "path"]
    readonly_fields = ["path", "record_label", "message", "contact", "created_at"]
    form = ErrorReportForm

    def has_add_permission(self, request):
        return False
