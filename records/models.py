"""Gazette issues and everything read from them.

Each record extracted from an issue keeps its provenance: the issue, the
article (where there is one), the page from the table of contents and the
source lines. Extracted records carry ``corrected_fields``: the names of the
fields a clerk edited, which a reload of the same issue never overwrites.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from people.models import Body, Person, Post
from portal.paths import path as page_path
from portal.rows import QuickModel
from records.parsing.types import ATTENDANCE_STATUSES, CATEGORIES, PERSONNEL_ACTIONS


class GazetteKind(models.TextChoices):
    CONGRESS = "congress", "人大常委会公报"
    GOVERNMENT = "government", "政府公报"


class Category(models.TextChoices):
    MINUTES = "minutes", "纪要"
    AGENDA = "agenda", "议程"
    REPORT = "report", "报告"
    REVIEW_OPINION = "review_opinion", "审议意见"
    RESOLUTION = "resolution", "决议"
    DECISION = "decision", "决定"
    REGULATION = "regulation", "法规规章"
    EXPLANATION = "explanation", "说明"
    MOTION = "motion", "议案"
    NOTICE = "notice", "通知通报"
    ANNOUNCEMENT = "announcement", "公告"
    NAME_LIST = "name_list", "名单"
    SPEECH = "speech", "讲话"
    RESIGNATION_LETTER = "resignation_letter", "辞呈"
    OTHER = "other", "其他"


class Action(models.TextChoices):
    APPOINT = "appoint", "任命"
    REMOVE = "remove", "免去"
    ACCEPT_RESIGNATION = "accept_resignation", "接受辞职"
    APPROVE_APPOINTMENT = "approve_appointment", "批准任命"
    APPROVE_REMOVAL = "approve_removal", "批准免去"
    APPROVE_RESIGNATION = "approve_resignation", "批准辞职"
    ELECT = "elect", "选举"
    DISMISS = "dismiss", "撤职罢免"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    ON_LEAVE = "on_leave", "请假"
    ATTENDING = "attending", "列席"


assert set(Category.values) == set(CATEGORIES)
assert set(Action.values) == set(PERSONNEL_ACTIONS)
assert set(AttendanceStatus.values) == set(ATTENDANCE_STATUSES)

ACTIONS_STARTING_TENURE = frozenset({"appoint", "approve_appointment", "elect"})
ACTIONS_ENDING_TENURE = frozenset(
    {"remove", "accept_resignation", "approve_removal", "approve_resignation", "dismiss"}
)


# Labels of a publication, an issue and a meeting from their columns: the models'
# __str__, and lists that read plain values (hundreds of rows) instead of instances.
def publication_label(name: str, issuer: str) -> str:
    return name or f"{issuer}公报"


def issue_label(year: int, issue: int) -> str:
    return f"{year}年第{issue}期"


def meeting_label(region: str, body: str, term: int, number: int) -> str:
    body_label = "人大常委会" if body == Body.STANDING_COMMITTEE else "人民代表大会"
    return f"{region}第{term}届{body_label}第{number}次会议"


class Publication(QuickModel, models.Model):
    """A gazette series: one issuer's 公报."""

    issuer = models.CharField("发布机关", max_length=100, unique=True)
    region = models.CharField("地区", max_length=50)
    kind = models.CharField("类型", max_length=20, choices=GazetteKind)
    name = models.CharField("刊名", max_length=120, blank=True)

    class Meta:
        verbose_name = "公报刊物"
        verbose_name_plural = "公报刊物"
        ordering = ["region", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=GazetteKind.values), name="publication_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["region"], name="publication_region")]

    def __str__(self) -> str:
        return publication_label(self.name, self.issuer)

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Every issue shows its publication's name: renamed, they have changed too, and
        # what is kept per data version (filters, labels, API pages) must see it.
        self.gazettes.update(updated_at=timezone.now())


class GazetteStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    PUBLISHED = "published", "已发布"


class GazetteQuerySet(models.QuerySet):
    def published(self) -> GazetteQuerySet:
        return self.filter(status=GazetteStatus.PUBLISHED)

    def for_list(self) -> GazetteQuerySet:
        return self.select_related("publication")


class CorrelatedExists(models.Expression):
    """``EXISTS(sql)``, the SQL tied to one column of the outer row, written as SQL.

    The same statement as an ``Exists`` of an ORM subquery, without making and
    resolving that subquery for every query. Making and compiling a query of 30
    articles by id (least of 7 × 200, one run): 1,166–1,179 µs with the ORM
    subquery as the published test, 760–764 with this, 635–644 with no test; a
    post's public tenures 1,704–1,730 µs with their two ORM subqueries, 648–655
    with these. ``sql`` holds ``{outer}`` where the outer column goes.
    """

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, sql: str, outer: str, params: Sequence[Any] = ()) -> None:
        super().__init__()
        self.sql, self.params = sql, list(params)
        self.outer: Any = models.F(outer)

    def get_source_expressions(self) -> list[Any]:
        return [self.outer]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.outer,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.outer)
        if params:
            raise ValueError("the outer reference must be a column")
        return f"EXISTS({self.sql.format(outer=f'({column})')})", [*self.params]


def quoted_table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def in_published_issue(field: str = "gazette_id") -> CorrelatedExists | models.Q:
    """The row's issue is published: a correlated EXISTS on SQLite, a join on PostgreSQL.

    SQLite, given the issue joined and filtered, starts from the issues and
    sorts every row of every published issue before it returns the first page;
    with EXISTS it walks the list's own index (the primary key, or the orderings
    of records/0007) and stops at the page size. PostgreSQL runs both alike, but
    plans the EXISTS as one more relation in the join search: a decision list
    that joins its issue, publication, person, meeting and article took 4× as
    long to plan that way (bench/RESULTS.md), and the join is the one
    ``select_related("gazette")`` already makes. Same rows either way.
    """
    if connection.vendor == "postgresql":
        return models.Q(**{f"{field.removesuffix('_id')}__status": GazetteStatus.PUBLISHED})
    return CorrelatedExists(
        f"SELECT 1 FROM {quoted_table(Gazette)} g WHERE g.id = {{outer}} AND g.status = %s",
        field,
        [str(GazetteStatus.PUBLISHED)],
    )


class Gazette(QuickModel, models.Model):
    """One issue of a gazette: publication + year + issue number."""

    publication = models.ForeignKey(Publication, models.PROTECT, related_name="gazettes")
    year = models.PositiveSmallIntegerField("年份")
    issue = models.PositiveSmallIntegerField("期号")
    cumulative_issue = models.PositiveIntegerField("总期号", null=True, blank=True)
    published_on = models.DateField("出版日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=GazetteStatus, default=GazetteStatus.DRAFT
    )
    warnings = models.JSONField("解析提示", default=list, blank=True)
    truncated = models.BooleanField("文本不完整", default=False)
    article_count = models.PositiveIntegerField("文章数", default=0)
    corrected_fields = models.JSONField("已校对字段", default=list, blank=True)
    loaded_at = models.DateTimeField("载入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = GazetteQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "公报"
        verbose_name_plural = "公报"
        ordering = ["-year", "-issue", "publication"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "year", "issue"], name="unique_gazette_issue"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=GazetteStatus.values), name="gazette_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(issue__gte=1), name="gazette_issue_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "year", "issue"], name="gazette_status_year"),
            # The API's list (published issues by id): read in order, not gathered and sorted.
            models.Index(fields=["status", "id"], name="gazette_status_id"),
            models.Index(fields=["publication", "status", "year"], name="gazette_pub_year"),
            models.Index(fields=["updated_at"], name="gazette_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.publication} {issue_label(self.year, self.issue)}"

    def get_absolute_url(self) -> str:
        return page_path("records:gazette-detail", self.pk)

    @property
    def is_published(self) -> bool:
        return self.status == GazetteStatus.PUBLISHED


class GazetteSource(QuickModel, models.Model):
    """The original upload and its extracted text, kept apart from list queries.

    The bulky columns come last (records/0011): SQLite stores a row's columns in this order,
    and a column that follows a whole file is read by walking the file's pages.
    """

    gazette = models.OneToOneField(Gazette, models.CASCADE, related_name="source")
    filename = models.CharField("文件名", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    parser_version = models.CharField("解析器版本", max_length=20, blank=True)
    text = models.TextField("提取文本")
    content = models.BinaryField("原始文件")
    parsed = models.JSONField("解析结果", default=dict)

    class Meta:
        verbose_name = "原始文件"
        verbose_name_plural = "原始文件"

    def __str__(self) -> str:
        return self.filename or self.sha256[:12]


class ExtractedRecord(QuickModel, models.Model):
    """Fields shared by everything read from one issue."""

    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="+")
    # Natural key within the issue, built by the loader from the parsed record.
    key = models.CharField(max_length=400)
    first_line = models.PositiveIntegerField("起始行", null=True, blank=True)
    last_line = models.PositiveIntegerField("结束行", null=True, blank=True)
    corrected_fields = models.JSONField("已校对字段", default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(in_published_issue())

    def of_category(self, category: str) -> ArticleQuerySet:
        return self.filter(category=category)

    def for_list(self) -> ArticleQuerySet:
        return self.select_related("gazette__publication").defer("text")


class Article(ExtractedRecord):
    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="articles")
    number = models.PositiveSmallIntegerField("序号")  # 1-based order in the body
    title = models.CharField("标题", max_length=500)
    toc_title = models.CharField("目录标题", max_length=500, blank=True)
    category = models.CharField("类别", max_length=20, choices=Category)
    page = models.PositiveSmallIntegerField("页码", null=True, blank=True)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    date = models.DateField("日期", null=True, blank=True)
    issuer = models.CharField("发文机关", max_length=200, blank=True)
    meeting = models.ForeignKey(
        "Meeting", models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    parent = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    text = models.TextField("正文", blank=True)

    objects = ArticleQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"
        ordering = ["gazette", "number"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_article_key"),
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values), name="article_category_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["gazette", "number"], name="article_gazette_number"),
            models.Index(fields=["category", "date"], name="article_category_date"),
            models.Index(fields=["date"], name="article_date"),
            models.Index(fields=["doc_number"], name="article_doc_number"),
            models.Index(fields=["updated_at"], name="article_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_path("records:article-detail", self.pk)


class TocEntry(ExtractedRecord):
    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="toc_entries")
    ordinal = models.PositiveSmallIntegerField("序号")
    title = models.CharField("标题", max_length=500)
    page = models.PositiveSmallIntegerField("页码", null=True, blank=True)
    section = models.CharField("栏目", max_length=100, blank=True)
    article = models.ForeignKey(
        Article, models.SET_NULL, null=True, blank=True, related_name="toc_entries"
    )

    class Meta:
        verbose_name = "目录条目"
        verbose_name_plural = "目录条目"
        ordering = ["gazette", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_toc_key"),
        ]

    def __str__(self) -> str:
        return self.title


class Provision(ExtractedRecord):
    """A chapter (第N章) or article (第N条) of a regulation."""

    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="provisions")
    article = models.ForeignKey(Article, models.CASCADE, related_name="provisions")
    kind = models.CharField("类型", max_length=10, choices=[("chapter", "章"), ("article", "条")])
    number = models.PositiveSmallIntegerField("序号")
    label = models.CharField("编号", max_length=20)
    heading = models.CharField("章名", max_length=200, blank=True)
    chapter = models.PositiveSmallIntegerField("所属章", null=True, blank=True)
    text = models.TextField("条文", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "条款"
        verbose_name_plural = "条款"
        ordering = ["article", "first_line", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_provision_key"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["chapter", "article"]), name="provision_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Citation(ExtractedRecord):
    """A document cited by an article: a 《title》 or a 文号; possibly repealed."""

    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="citations")
    article = models.ForeignKey(Article, models.CASCADE, related_name="citations")
    kind = models.CharField(
        "类型", max_length=12, choices=[("title", "标题"), ("doc_number", "文号")]
    )
    text = models.CharField("引用", max_length=500)
    repeals = models.BooleanField("废止", default=False)

    class Meta:
        verbose_name = "引用"
        verbose_name_plural = "引用"
        ordering = ["article", "first_line"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_citation_key"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["title", "doc_number"]), name="citation_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["text"], name="citation_text")]

    def __str__(self) -> str:
        return self.text


class MeetingQuerySet(models.QuerySet):
    def published(self) -> MeetingQuerySet:
        return self.filter(in_published_issue())


class Meeting(QuickModel, models.Model):
    """A meeting of a region's congress or its standing committee: body + term + number."""

    region = models.CharField("地区", max_length=50)
    body = models.CharField("机构", max_length=20, choices=Body)
    term = models.PositiveSmallIntegerField("届")
    number = models.PositiveSmallIntegerField("次")
    date = models.DateField("日期", null=True, blank=True)
    declared_present = models.PositiveSmallIntegerField("纪要所载出席人数", null=True, blank=True)
    # The issue that first reported the meeting; later issues may add to it.
    gazette = models.ForeignKey(
        Gazette, models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    first_line = models.PositiveIntegerField(null=True, blank=True)
    last_line = models.PositiveIntegerField(null=True, blank=True)
    corrected_fields = models.JSONField("已校对字段", default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["region", "body", "-term", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "body", "term", "number"], name="unique_meeting"
            ),
            models.CheckConstraint(
                condition=models.Q(body__in=Body.values), name="meeting_body_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["date"], name="meeting_date"),
            models.Index(fields=["body", "term", "number"], name="meeting_body_term"),
            models.Index(fields=["updated_at"], name="meeting_updated"),
        ]

    def __str__(self) -> str:
        return meeting_label(self.region, self.body, self.term, self.number)

    def get_absolute_url(self) -> str:
        return page_path("records:meeting-detail", self.pk)


class AgendaItem(ExtractedRecord):
    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="agenda_items")
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="agenda_items")
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("议题")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "议程"
        verbose_name_plural = "议程"
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_agenda_key"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Attendance(ExtractedRecord):
    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="attendance")
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="attendance"
    )
    name = models.CharField("姓名", max_length=50)
    status = models.CharField("状态", max_length=10, choices=AttendanceStatus)
    title = models.CharField("职务", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "出列席"
        verbose_name_plural = "出列席"
        ordering = ["meeting", "status", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_attendance_key"),
            models.CheckConstraint(
                condition=models.Q(status__in=AttendanceStatus.values),
                name="attendance_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["meeting", "status"], name="attendance_meeting_status"),
            models.Index(fields=["person", "status"], name="attendance_person_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.get_status_display()}"


class NameListEntry(ExtractedRecord):
    """A member of a printed list of a meeting: presidium, secretary-general, chairs …"""

    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="name_list_entries")
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="name_list_entries")
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="name_list_entries"
    )
    list_kind = models.CharField("名单", max_length=40)
    label = models.CharField("名单标题", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("姓名", max_length=50)
    note = models.CharField("备注", max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "名单成员"
        verbose_name_plural = "名单成员"
        ordering = ["meeting", "list_kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_name_list_key"),
        ]

    def __str__(self) -> str:
        return self.name


class PersonnelDecisionQuerySet(models.QuerySet):
    def published(self) -> PersonnelDecisionQuerySet:
        return self.filter(in_published_issue())

    def for_list(self) -> PersonnelDecisionQuerySet:
        return self.select_related("person", "meeting", "article", "gazette__publication")


class PersonnelDecision(ExtractedRecord):
    """A personnel decision taken (任命, 免去 …), merged over all its printings."""

    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="personnel_decisions")
    region = models.CharField("地区", max_length=50)
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    person_name = models.CharField("姓名", max_length=50)
    action = models.CharField("事项", max_length=24, choices=Action)
    positions = models.JSONField("职务", default=list)
    posts = models.ManyToManyField(Post, related_name="decisions", blank=True)
    meeting = models.ForeignKey(
        Meeting, models.SET_NULL, null=True, blank=True, related_name="personnel_decisions"
    )
    date = models.DateField("日期", null=True, blank=True)
    article = models.ForeignKey(
        Article, models.SET_NULL, null=True, blank=True, related_name="personnel_decisions"
    )
    sources = models.ManyToManyField(Article, related_name="+", blank=True)

    objects = PersonnelDecisionQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "人事任免"
        verbose_name_plural = "人事任免"
        ordering = ["-date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_decision_key"),
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="decision_action_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["action", "date"], name="decision_action_date"),
            models.Index(fields=["date"], name="decision_date"),
            models.Index(fields=["region", "person_name"], name="decision_region_name"),
            # The API's list of a region, in id order: the page's rows, not a walk of every
            # decision by id testing each one's region.
            models.Index(fields=["region", "id"], name="decision_region_id"),
            models.Index(fields=["updated_at"], name="decision_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.person_name}"


class Vote(ExtractedRecord):
    """One subject of an evaluation vote (满意度测评)."""

    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="votes")
    article = models.ForeignKey(
        Article, models.SET_NULL, null=True, blank=True, related_name="votes"
    )
    meeting = models.ForeignKey(
        Meeting, models.SET_NULL, null=True, blank=True, related_name="votes"
    )
    subject = models.CharField("测评对象", max_length=300)
    subject_type = models.CharField(
        "对象类型",
        max_length=12,
        choices=[("report", "报告"), ("department", "部门"), ("person", "个人")],
    )
    satisfied = models.PositiveIntegerField("满意", null=True, blank=True)
    basically_satisfied = models.PositiveIntegerField("基本满意", null=True, blank=True)
    unsatisfied = models.PositiveIntegerField("不满意", null=True, blank=True)
    voting = models.PositiveIntegerField("投票数", null=True, blank=True)
    base = models.PositiveIntegerField("应到人数", null=True, blank=True)
    satisfied_pct = models.FloatField("满意率（原文）", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "满意度测评"
        verbose_name_plural = "满意度测评"
        ordering = ["gazette", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_vote_key"),
            models.CheckConstraint(
                condition=models.Q(subject_type__in=["report", "department", "person"]),
                name="vote_subject_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Election(ExtractedRecord):
    """The ballot count of one candidate in an election or by-election (赞成/反对/弃权)."""

    gazette = models.ForeignKey(Gazette, models.CASCADE, related_name="elections")
    article = models.ForeignKey(
        Article, models.SET_NULL, null=True, blank=True, related_name="elections"
    )
    meeting = models.ForeignKey(
        Meeting, models.SET_NULL, null=True, blank=True, related_name="elections"
    )
    subject = models.CharField("选举事项", max_length=300)
    candidate = models.CharField("候选人", max_length=50)
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对")
    abstain = models.PositiveIntegerField("弃权")
    voting = models.PositiveIntegerField("投票数", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "选举计票"
        verbose_name_plural = "选举计票"
        ordering = ["gazette", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gazette", "key"], name="unique_election_key"),
        ]

    def __str__(self) -> str:
        return self.subject


class ImportStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPLIED = "applied", "已载入"
    DISCARDED = "discarded", "已放弃"


class GazetteImport(QuickModel, models.Model):
    """An uploaded (or re-parsed) file waiting for a clerk's review before it is loaded.

    Nothing of it reaches the records until a clerk applies it; the review
    shows the parse beside the source and what loading it would change.
    """

    filename = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    metadata = models.JSONField("补充信息", default=dict, blank=True)
    issuer = models.CharField("发布机关", max_length=100)
    year = models.PositiveSmallIntegerField("年份")
    issue = models.PositiveSmallIntegerField("期号")
    gazette = models.ForeignKey(
        Gazette, models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    status = models.CharField(
        "状态", max_length=10, choices=ImportStatus, default=ImportStatus.PENDING
    )
    created_by = models.ForeignKey(
        "auth.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    applied_at = models.DateTimeField("载入时间", null=True, blank=True)
    # Last, as in GazetteSource (records/0011): the list of uploads reads the columns above.
    text = models.TextField("提取文本")
    content = models.BinaryField("原始文件")
    parsed = models.JSONField("解析结果", default=dict)

    class Meta:
        verbose_name = "待审核上传"
        verbose_name_plural = "待审核上传"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values), name="import_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="import_status_created")]

    def __str__(self) -> str:
        return f"{self.filename}（{self.issuer} {self.year}年第{self.issue}期）"


class ErrorReportStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已处理"
    REJECTED = "rejected", "不予处理"


class ErrorReport(QuickModel, models.Model):
    """A citizen's note that a public record is wrong, queued for the clerks."""

    path = models.CharField("页面", max_length=300)
    record_label = models.CharField("记录", max_length=300, blank=True)
    message = models.TextField("说明", max_length=2000)
    contact = models.CharField("联系方式（选填）", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ErrorReportStatus, default=ErrorReportStatus.OPEN
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    clerk_note = models.TextField("处理说明", blank=True)

    class Meta:
        verbose_name = "纠错报告"
        verbose_name_plural = "纠错报告"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ErrorReportStatus.values),
                name="error_report_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="error_report_status")]

    def __str__(self) -> str:
        return f"{self.record_label or self.path}：{self.message[:30]}"


# --- API: what mirrors must delete ---------------------------------------------


class TombstoneReason(models.TextChoices):
    DELETED = "deleted", "已删除"
    UNPUBLISHED = "unpublished", "已撤回"


class Tombstone(QuickModel, models.Model):
    """A record that left the public API: deleted, or hidden by unpublishing its issue.

    Written by records.tombstones from the load path; read by the API's
    /api/v1/changes/ feed so that mirrors can delete what they copied.
    """

    model = models.CharField("类型", max_length=60)  # app_label.modelname, e.g. records.article
    object_id = models.BigIntegerField("记录编号")
    reason = models.CharField("原因", max_length=12, choices=TombstoneReason)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "删除记录"
        verbose_name_plural = "删除记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reason__in=TombstoneReason.values), name="tombstone_reason_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["at", "id"], name="tombstone_at"),
            models.Index(fields=["model", "object_id"], name="tombstone_object"),
        ]

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id} {self.get_reason_display()}"
