"""People, the organisations and posts they hold, and their terms of service.

Every person belongs to one region (the city whose gazettes name them): the
same name in two cities is two people until a clerk says otherwise.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class Gender(models.TextChoices):
    FEMALE = "女", "女"
    MALE = "男", "男"


class PersonQuerySet(models.QuerySet):
    def in_region(self, region: str) -> PersonQuerySet:
        return self.filter(region=region)

    def named(self, name: str) -> PersonQuerySet:
        """People printed under this name, as their own name or a recorded variant."""
        return self.filter(models.Q(name=name) | models.Q(aliases__name=name)).distinct()


class Person(models.Model):
    region = models.CharField("地区", max_length=50)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2, choices=Gender, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    note = models.TextField("备注", blank=True)
    # Field names a clerk edited; loads never overwrite them.
    corrected_fields = models.JSONField("已校对字段", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["region", "name", "id"]
        indexes = [
            models.Index(fields=["region", "name"], name="person_region_name"),
            models.Index(fields=["name"], name="person_name"),
            models.Index(fields=["updated_at"], name="person_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gender__in=["", *Gender.values]), name="person_gender_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonAlias(models.Model):
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


class Organisation(models.Model):
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


class Post(models.Model):
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


class Tenure(models.Model):
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


class Membership(models.Model):
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
