"""Output shapes of gazettes and the records read from them in /api/v1/.

Fields are listed explicitly: the output is a contract. Every record carries
its stable ``id``, its page on the site (``url``), where it was read
(``source``: issue, article, page, lines) and whether a clerk corrected it.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from people.api.serializers import (
    CORRECTED_FIELDS_HELP,
    UPDATED_AT_HELP,
    ApiURLField,
    CalledField,
    CorrectedMixin,
    DateTimeField,
    DescribedModelSerializer,
    ModelSerializer,
    PersonRefSerializer,
    PostRefSerializer,
    SiteURLField,
)
from records.api.common import absolute, site_path
from records.models import (
    Article,
    Attendance,
    Citation,
    Gazette,
    Meeting,
    PersonnelDecision,
    Provision,
    Publication,
    Tombstone,
    Vote,
)

CORRECTED = {"help_text": CORRECTED_FIELDS_HELP}
UPDATED = {"help_text": UPDATED_AT_HELP}


# --- references ----------------------------------------------------------------------


class PublicationRefSerializer(ModelSerializer):
    id = serializers.IntegerField(help_text="公报刊物 id")
    issuer = serializers.CharField(help_text="发布机关，如 营口市人民代表大会常务委员会")
    region = serializers.CharField(help_text="地区，如 营口市")
    kind = serializers.CharField(help_text="congress（人大常委会公报）或 government（政府公报）")

    class Meta:
        model = Publication
        fields = ["id", "issuer", "region", "kind"]


class GazetteRefSerializer(ModelSerializer):
    id = serializers.IntegerField(help_text="公报（一期）id")
    title = CalledField(
        source="__str__", help_text="刊名与期号，如 营口市人民代表大会常务委员会公报 2021年第3期"
    )
    year = serializers.IntegerField(help_text="年份")
    issue = serializers.IntegerField(help_text="期号（当年第几期）")
    url = SiteURLField("records:gazette-detail")

    class Meta:
        model = Gazette
        fields = ["id", "title", "year", "issue", "url"]


class ArticleRefSerializer(ModelSerializer):
    id = serializers.IntegerField(help_text="文章 id")
    number = serializers.IntegerField(help_text="在本期正文中的序号（从 1 起）")
    title = serializers.CharField(help_text="标题")
    url = SiteURLField("records:article-detail")

    class Meta:
        model = Article
        fields = ["id", "number", "title", "url"]

    def to_representation(self, obj):
        # The declared fields' output, built directly (see PersonRefSerializer).
        return {
            "id": obj.pk,
            "number": obj.number,
            "title": obj.title,
            "url": absolute(
                self.context.get("request"), site_path("records:article-detail", obj.pk)
            ),
        }


class MeetingRefSerializer(ModelSerializer):
    id = serializers.IntegerField(help_text="会议 id")
    title = CalledField(source="__str__", help_text="会议名称")

    class Meta:
        model = Meeting
        fields = ["id", "title"]

    def to_representation(self, obj):
        return {"id": obj.pk, "title": str(obj)}  # as ArticleRefSerializer


class SourceSerializer(serializers.Serializer):
    """Where a record was read: the issue, the article and its page, the source lines."""

    gazette = GazetteRefSerializer(help_text="刊载的公报（一期）")
    article = ArticleRefSerializer(allow_null=True, help_text="刊载的文章；没有单独文章时为 null")
    page = serializers.IntegerField(allow_null=True, help_text="目录所载页码；未知为 null")
    lines = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        min_length=2,
        max_length=2,
        help_text="在提取文本中的起止行号 [首行, 末行]（从 1 起，含两端）；未知为 null",
    )

    def __init__(self, *args, article: str | None = "article", **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "出处：公报、文章、页码、行号")
        super().__init__(*args, **kwargs)
        self.article_attr = article

    def to_representation(self, obj):
        if self.article_attr == "self":
            article = obj
        elif self.article_attr:
            article = getattr(obj, self.article_attr)
        else:
            article = None
        lines = None
        if obj.first_line is not None:
            lines = [obj.first_line, obj.last_line if obj.last_line is not None else obj.first_line]
        # The same shape as GazetteRefSerializer / ArticleRefSerializer, built
        # directly: a serializer instance per row costs more than the whole row.
        request = self.context.get("request")
        gazette = obj.gazette
        return {
            "gazette": {
                "id": gazette.pk,
                "title": str(gazette),
                "year": gazette.year,
                "issue": gazette.issue,
                "url": absolute(request, site_path("records:gazette-detail", gazette.pk)),
            }
            if gazette
            else None,
            "article": {
                "id": article.pk,
                "number": article.number,
                "title": article.title,
                "url": absolute(request, site_path("records:article-detail", article.pk)),
            }
            if article
            else None,
            "page": article.page if article else None,
            "lines": lines,
        }


# --- publications and issues --------------------------------------------------------


class PublicationSerializer(DescribedModelSerializer):
    kind_label = CalledField(source="get_kind_display", help_text="类型的中文名")
    title = CalledField(source="__str__", help_text="刊名")
    url = SiteURLField("records:publication-detail")

    class Meta:
        model = Publication
        fields = ["id", "issuer", "region", "kind", "kind_label", "name", "title", "url"]
        extra_kwargs = {
            "id": {"help_text": "稳定的刊物 id"},
            "issuer": {"help_text": "发布机关：刊物的自然键"},
            "kind": {"help_text": "congress（人大常委会公报）或 government（政府公报）"},
            "name": {"help_text": "印刷的刊名；未印刷时为空字符串"},
        }


class SourceFileSerializer(serializers.Serializer):
    filename = serializers.CharField(help_text="上传的原始文件名")
    sha256 = serializers.CharField(help_text="原始文件的 SHA-256")


class GazetteSerializer(CorrectedMixin, DescribedModelSerializer):
    publication = PublicationRefSerializer(help_text="所属刊物")
    title = CalledField(source="__str__", help_text="刊名与期号")
    url = SiteURLField("records:gazette-detail")
    export_url = ApiURLField("api:gazette-export", help_text="本期 gazette/1 JSON 导出的 API 地址")
    source_file = serializers.SerializerMethodField(help_text="原始文件")

    class Meta:
        model = Gazette
        fields = [
            "id",
            "publication",
            "title",
            "year",
            "issue",
            "cumulative_issue",
            "published_on",
            "article_count",
            "truncated",
            "published_at",
            "updated_at",
            "url",
            "export_url",
            "source_file",
            "corrected",
            "corrected_fields",
        ]
        extra_kwargs = {
            "id": {"help_text": "稳定的公报 id"},
            "year": {"help_text": "年份"},
            "issue": {"help_text": "期号（当年第几期/号）"},
            "cumulative_issue": {"help_text": "总期号；未印刷为 null"},
            "published_on": {"help_text": "封面印刷的出版日期；未印刷为 null"},
            "article_count": {"help_text": "正文中的文章数"},
            "truncated": {"help_text": "true：来源文本不完整（部分内容缺失）"},
            "published_at": {"help_text": "在本站发布的时间"},
            "corrected_fields": CORRECTED,
            "updated_at": UPDATED,
        }

    @extend_schema_field(SourceFileSerializer(allow_null=True))
    def get_source_file(self, obj):
        sha = getattr(obj, "source_sha256", None)
        if not sha:
            return None
        return {"filename": obj.source_filename or "", "sha256": sha}


class ParseWarningSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="行号；针对整期为 null")
    code = serializers.CharField(help_text="稳定的提示代码")
    message = serializers.CharField(help_text="说明")


class GazetteDetailSerializer(GazetteSerializer):
    warnings = ParseWarningSerializer(many=True, help_text="解析时的提示（供核对）")

    class Meta(GazetteSerializer.Meta):
        fields = [*GazetteSerializer.Meta.fields, "warnings"]


# --- articles -----------------------------------------------------------------------


class ArticleSerializer(CorrectedMixin, DescribedModelSerializer):
    gazette = GazetteRefSerializer(help_text="刊载的公报")
    category_label = CalledField(source="get_category_display", help_text="类别的中文名")
    meeting = MeetingRefSerializer(allow_null=True, help_text="通过或提交的会议")
    url = SiteURLField("records:article-detail")
    source = SourceSerializer(article="self")

    class Meta:
        model = Article
        fields = [
            "id",
            "gazette",
            "number",
            "title",
            "toc_title",
            "category",
            "category_label",
            "page",
            "doc_number",
            "date",
            "issuer",
            "meeting",
            "parent",
            "url",
            "source",
            "corrected",
            "corrected_fields",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "稳定的文章 id"},
            "number": {"help_text": "在本期正文中的序号（从 1 起）"},
            "toc_title": {"help_text": "目录中的写法（与标题不同时）"},
            "category": {
                "help_text": "类别：minutes, agenda, report, review_opinion, resolution, decision, regulation, explanation, motion, notice, announcement, name_list, speech, resignation_letter, other"
            },
            "page": {"help_text": "目录所载页码；未知为 null"},
            "doc_number": {"help_text": "文号，如 葫政发〔2020〕6号；没有为空字符串"},
            "date": {"help_text": "通过、签发或讲话日期"},
            "issuer": {"help_text": "发文机关（印刷时）"},
            "parent": {"help_text": "所属文章 id（附件）；否则为 null"},
            "corrected_fields": CORRECTED,
            "updated_at": UPDATED,
        }


class ProvisionSerializer(DescribedModelSerializer):
    class Meta:
        model = Provision
        fields = ["kind", "number", "label", "heading", "chapter", "text"]
        extra_kwargs = {
            "kind": {"help_text": "chapter（章）或 article（条）"},
            "number": {"help_text": "第几章 / 第几条"},
            "label": {"help_text": "印刷的编号，如 第十四条"},
            "heading": {"help_text": "章名；条为空字符串"},
            "chapter": {"help_text": "所属章的序号（条）"},
            "text": {"help_text": "条文"},
        }


class CitationSerializer(DescribedModelSerializer):
    class Meta:
        model = Citation
        fields = ["kind", "text", "repeals"]
        extra_kwargs = {
            "kind": {"help_text": "title（《标题》）或 doc_number（文号）"},
            "text": {"help_text": "引用的标题（不含书名号）或文号"},
            "repeals": {"help_text": "true：本文废止了所引文件"},
        }


class ArticleDetailSerializer(ArticleSerializer):
    provisions = ProvisionSerializer(many=True, help_text="法规规章的章和条")
    citations = CitationSerializer(many=True, help_text="本文引用的文件")

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "text", "provisions", "citations"]
        extra_kwargs = {
            **ArticleSerializer.Meta.extra_kwargs,
            "text": {"help_text": "正文（已去除版面杂讯）"},
        }


# --- meetings -----------------------------------------------------------------------


class MeetingSerializer(CorrectedMixin, DescribedModelSerializer):
    body_label = CalledField(source="get_body_display", help_text="机构的中文名")
    title = CalledField(source="__str__", help_text="会议名称")
    agenda = serializers.SerializerMethodField(help_text="议程（按序）")
    url = SiteURLField("records:meeting-detail")
    attendance_url = ApiURLField("api:meeting-attendance", help_text="出列席名单的 API 地址")
    source = SourceSerializer(article=None, help_text="首次刊载此会议的公报与行号")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "region",
            "body",
            "body_label",
            "term",
            "number",
            "title",
            "date",
            "declared_present",
            "agenda",
            "url",
            "attendance_url",
            "source",
            "corrected",
            "corrected_fields",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "稳定的会议 id"},
            "region": {"help_text": "地区"},
            "body": {
                "help_text": "standing_committee（常委会会议）或 congress（人民代表大会会议）"
            },
            "term": {"help_text": "第几届"},
            "number": {"help_text": "第几次会议"},
            "date": {"help_text": "会议（首日）日期"},
            "declared_present": {"help_text": "纪要所载出席人数"},
            "corrected_fields": CORRECTED,
            "updated_at": UPDATED,
        }

    def get_agenda(self, obj) -> list[str]:
        return [item.text for item in obj.public_agenda]


class AttendanceSerializer(CorrectedMixin, DescribedModelSerializer):
    person = PersonRefSerializer(allow_null=True, help_text="对应的人员；同名无法确定时为 null")
    status_label = CalledField(source="get_status_display", help_text="状态的中文名")
    url = SiteURLField("records:meeting-detail", attr="meeting_id")
    source = SourceSerializer(article=None)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "meeting",
            "person",
            "name",
            "status",
            "status_label",
            "title",
            "url",
            "source",
            "corrected",
            "corrected_fields",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "稳定的记录 id"},
            "meeting": {"help_text": "会议 id"},
            "name": {"help_text": "印刷的姓名（去除排版空格）"},
            "status": {"help_text": "present（出席）、on_leave（请假）或 attending（列席）"},
            "title": {"help_text": "姓名旁印刷的职务"},
            "corrected_fields": CORRECTED,
            "updated_at": UPDATED,
        }


# --- decisions and votes -------------------------------------------------------------


class PersonnelDecisionSerializer(CorrectedMixin, DescribedModelSerializer):
    person = PersonRefSerializer(allow_null=True, help_text="对应的人员；同名无法确定时为 null")
    action_label = CalledField(source="get_action_display", help_text="事项的中文名")
    # post_list and source_list: prefetched by the view (PersonnelDecisionViewSet).
    posts = PostRefSerializer(source="post_list", many=True, help_text="职务（整理后的职务记录）")
    meeting = MeetingRefSerializer(allow_null=True, help_text="作出决定的会议")
    printings = ArticleRefSerializer(
        source="source_list", many=True, help_text="刊载此决定的全部文章"
    )
    url = serializers.SerializerMethodField(help_text="网站上刊载此决定的页面（完整地址）")
    source = SourceSerializer(help_text="首次刊载的公报、文章、页码与行号")

    class Meta:
        model = PersonnelDecision
        fields = [
            "id",
            "region",
            "person",
            "person_name",
            "action",
            "action_label",
            "positions",
            "posts",
            "meeting",
            "date",
            "printings",
            "url",
            "source",
            "corrected",
            "corrected_fields",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "稳定的决定 id"},
            "region": {"help_text": "地区"},
            "person_name": {"help_text": "印刷的姓名"},
            "action": {
                "help_text": "appoint, remove, accept_resignation, approve_appointment, approve_removal, approve_resignation, elect, dismiss"
            },
            "positions": {"help_text": "印刷的职务名称（按序）"},
            "date": {"help_text": "决定日期"},
            "corrected_fields": CORRECTED,
            "updated_at": UPDATED,
        }

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_url(self, obj) -> str | None:
        if obj.article_id:
            path = site_path("records:article-detail", obj.article_id)
        else:
            path = site_path("records:gazette-detail", obj.gazette_id)
        return absolute(self.context.get("request"), path)


class VoteSerializer(CorrectedMixin, DescribedModelSerializer):
    subject_type_label = CalledField(
        source="get_subject_type_display", help_text="对象类型的中文名"
    )
    meeting = MeetingRefSerializer(allow_null=True, help_text="测评的会议")
    url = serializers.SerializerMethodField(help_text="网站上刊载此测评的页面（完整地址）")
    source = SourceSerializer()

    class Meta:
        model = Vote
        fields = [
            "id",
            "subject",
            "subject_type",
            "subject_type_label",
            "satisfied",
            "basically_satisfied",
            "unsatisfied",
            "voting",
            "base",
            "satisfied_pct",
            "meeting",
            "url",
            "source",
            "corrected",
            "corrected_fields",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "稳定的测评记录 id"},
            "subject": {"help_text": "测评对象：报告、部门或个人"},
            "subject_type": {"help_text": "report、department 或 person"},
            "satisfied": {"help_text": "满意票数"},
            "basically_satisfied": {"help_text": "基本满意票数"},
            "unsatisfied": {"help_text": "不满意票数"},
            "voting": {"help_text": "投票（收回）数"},
            "base": {"help_text": "计算百分比所用的应到人数"},
            "satisfied_pct": {"help_text": "印刷的满意率（百分数）"},
            "corrected_fields": CORRECTED,
            "updated_at": UPDATED,
        }

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_url(self, obj) -> str | None:
        if obj.article_id:
            path = site_path("records:article-detail", obj.article_id)
        else:
            path = site_path("records:gazette-detail", obj.gazette_id)
        return absolute(self.context.get("request"), path)


# --- the changes feed ------------------------------------------------------------------

RESOURCES = {
    "records.publication": "publications",
    "records.gazette": "gazettes",
    "records.article": "articles",
    "records.meeting": "meetings",
    "records.attendance": "attendance",
    "records.personneldecision": "personnel-decisions",
    "records.vote": "votes",
    "people.person": "people",
    "people.post": "posts",
    "people.tenure": "tenures",
}


class TombstoneSerializer(ModelSerializer):
    resource = serializers.SerializerMethodField(
        help_text="API 中的列表名（如 articles）；不单独公开的记录类型为 null"
    )
    model = serializers.CharField(help_text="记录类型（app_label.model），如 records.article")
    object_id = serializers.IntegerField(help_text="消失的记录 id")
    reason = serializers.ChoiceField(
        choices=["deleted", "unpublished"], help_text="deleted：已删除；unpublished：所在公报已撤回"
    )
    at = DateTimeField(help_text="发生时间")

    class Meta:
        model = Tombstone
        fields = ["id", "resource", "model", "object_id", "reason", "at"]
        extra_kwargs = {"id": {"help_text": "变更记录 id"}}

    def get_resource(self, obj) -> str | None:
        return RESOURCES.get(obj.model)
