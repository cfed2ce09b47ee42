"""People, the organisations and posts they hold, and their terms of service.

Every person belongs to one region (the city whose gazettes name them): the
same name in two cities is two people until a clerk says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

from people import sorting
from portal.rows import QuickModel


class Gender(models.TextChoices):
    FEMALE = "女", "女"
    MALE = "男", "男"


_NAME_SEPARATOR = "\x1f"  # the ASCII unit separator: never part of a printed name


class NameListField(models.TextField):
    """Names joined by ``JoinedNames``, read back as a sorted list."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> list[str]:
        return sorted(value.split(_NAME_SEPARATOR)) if value else []


class JoinedNames(models.Aggregate):
    """The values of a text column joined into one string (GROUP_CONCAT, STRING_AGG)."""

    function = "GROUP_CONCAT"

    def __init__(self, expression: str, **extra: Any) -> None:
        super().__init__(
            expression, models.Value(_NAME_SEPARATOR), output_field=models.TextField(), **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


class PersonQuerySet(models.QuerySet):
    def in_region(self, region: str) -> PersonQuerySet:
        return self.filter(region=region)

    def named(self, name: str) -> PersonQuerySet:
        """People printed under this name, as their own name or a recorded variant."""
        return self.filter(models.Q(name=name) | models.Q(aliases__name=name)).distinct()

    def with_alias_names(self) -> PersonQuerySet:
        """Each person's recorded variants as ``alias_names``, a sorted list, in the same query."""
        names = (
            PersonAlias.objects.filter(person=models.OuterRef("pk"))
            .order_by()
            .values("person")
            .annotate(joined=JoinedNames("name"))
            .values("joined")
        )
        return self.annotate(alias_names=models.Subquery(names, output_field=NameListField()))

    # The writes that bypass Person.save() keep the stored sort keys too.

    def bulk_create(self, objs: Iterable[Person], *args: Any, **kwargs: Any) -> list[Person]:
        objs = list(objs)
        for person in objs:
            if person.sort_keys_stale():
                person.set_sort_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(
        self, objs: Iterable[Person], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        objs, fields = list(objs), list(fields)
        if "name" in fields:
            for person in objs:
                person.set_sort_keys()
            fields = [*fields, *(f for f in sorting.SORT_FIELDS if f not in fields)]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        if "name" in kwargs and not all(f in kwargs for f in sorting.SORT_FIELDS):
            if not isinstance(kwargs["name"], str):
                raise TypeError("A name set by an expression needs its sort keys set with it.")
            kwargs = {**sorting.sort_keys(kwargs["name"]), **kwargs}
        return super().update(**kwargs)


class Person(QuickModel, models.Model):
    region = models.CharField("地区", max_length=50)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2, choices=Gender, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    note = models.TextField("备注", blank=True)
    # Field names a clerk edited; loads never overwrite them.
    corrected_fields = models.JSONField("已校对字段", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The name's place in pinyin and in surname-stroke order (people.sorting),
    # so that the people list is sorted and paged by the database. Derived
    # from the name on every write; never edited.
    sort_pinyin = models.CharField(
        "拼音排序键", max_length=sorting.PINYIN_KEY_LENGTH, default="", editable=False
    )
    sort_stroke = models.CharField(
        "笔画排序键", max_length=sorting.STROKE_KEY_LENGTH, default="", editable=False
    )

    objects = PersonQuerySet.as_manager()

    # The sort keys follow from the name: the history need not repeat them.
    history = HistoricalRecords(excluded_fields=list(sorting.SORT_FIELDS))

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["region", "name", "id"]
        indexes = [
            models.Index(fields=["region", "name"], name="person_region_name"),
            models.Index(fields=["name"], name="person_name"),
            models.Index(fields=["updated_at"], name="person_updated"),
            models.Index(fields=["sort_pinyin", "id"], name="person_sort_pinyin"),
            models.Index(fields=["sort_stroke", "id"], name="person_sort_stroke"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gender__in=["", *Gender.values]), name="person_gender_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.sort_keys_stale():
            self.set_sort_keys()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], *sorting.SORT_FIELDS}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Person:
        instance = super().from_db(db, field_names, values)
        # The stored keys are those of the name as read: remember it, so a save
        # recomputes them (and loads pypinyin) only when the name changed.
        instance._sorted_name = instance.__dict__.get("name")
        return instance

    def sort_keys_stale(self) -> bool:
        deferred = self.get_deferred_fields()
        if "name" in deferred:
            return False  # the name was not read, so it is not being changed
        if self.name != getattr(self, "_sorted_name", None):
            return True
        return any(f not in deferred and not getattr(self, f) for f in sorting.SORT_FIELDS)

    def set_sort_keys(self) -> None:
        for field, value in sorting.sort_keys(self.name).items():
            setattr(self, field, value)
        self._sorted_name = self.name


class PersonAlias(QuickModel, models.Model):
    """Another printed form of a person's name (a variant or a typo seen in a gazette)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="aliases")
    name = models.CharField("姓名写法", max_length=50)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "姓名写法"
        verbose_name_plural = "姓名写法"
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="unique_person_alias"),
        ]
        indexes = [models.Index(fields=["name"], name="alias_name")]

    def __str__(self) -> str:
        return self.name


class Organisation(QuickModel, models.Model):
    region = models.CharField("地区", max_length=50)
    name = models.CharField("名称", max_length=200)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_organisation"),
        ]

    def __str__(self) -> str:
        return self.name


class Post(QuickModel, models.Model):
    """A post as named in personnel decisions, e.g. 安阳市人民政府副市长."""

    region = models.CharField("地区", max_length=50)
    title = models.CharField("职务", max_length=300)
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="posts"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["region", "title"]
        constraints = [
            models.UniqueConstraint(fields=["region", "title"], name="unique_post"),
        ]

    def __str__(self) -> str:
        return self.title


class TenureQuerySet(models.QuerySet):
    def current(self) -> TenureQuerySet:
        return self.filter(ended_on__isnull=True, end_decision__isnull=True)


class Tenure(QuickModel, models.Model):
    """A person holding a post, derived from the personnel decisions."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="tenures")
    post = models.ForeignKey(Post, models.CASCADE, related_name="tenures")
    started_on = models.DateField("起", null=True, blank=True)
    ended_on = models.DateField("止", null=True, blank=True)
    start_decision = models.ForeignKey(
        "records.PersonnelDecision", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_decision = models.ForeignKey(
        "records.PersonnelDecision", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Derived tenures are rebuilt from the decisions on every load; a clerk's own are kept.
    derived = models.BooleanField("由任免决定推导", default=False)

    objects = TenureQuerySet.as_manager()

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        ordering = ["person", "started_on", "id"]
        indexes = [
            models.Index(fields=["post", "started_on"], name="tenure_post_start"),
            # A page of people's current posts: by person, not by every open tenure.
            models.Index(
                fields=["person", "ended_on", "end_decision"], name="tenure_person_current"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="tenure_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.post}"


class Body(models.TextChoices):
    STANDING_COMMITTEE = "standing_committee", "人大常委会"
    CONGRESS = "congress", "人民代表大会"


class Membership(QuickModel, models.Model):
    """Membership of a congress or its standing committee for one term (届)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="memberships")
    region = models.CharField("地区", max_length=50)
    body = models.CharField("机构", max_length=20, choices=Body)
    term = models.PositiveSmallIntegerField("届")

    class Meta:
        verbose_name = "组成人员"
        verbose_name_plural = "组成人员"
        ordering = ["region", "body", "term", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "region", "body", "term"], name="unique_membership"
            ),
            models.CheckConstraint(
                condition=models.Q(body__in=Body.values), name="membership_body_valid"
            ),
        ]
        indexes = [models.Index(fields=["region", "body", "term"], name="membership_term")]

    def __str__(self) -> str:
        return f"{self.person} · {self.region}第{self.term}届{self.get_body_display()}"
