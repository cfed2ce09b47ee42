"""Output shapes of people, posts and tenures in /api/v1/ (explicit fields only)."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from people.models import Person, Post, Tenure
from portal.request_memo import remembered
from records.api.common import absolute, site_path


class DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, reading the current time zone once per request.

    DRF asks for it (a request-local value, behind asgiref's Local) for every
    value it writes: a seventh of serializing a 50-row list with one timestamp a row.
    """

    def default_timezone(self) -> Any:
        if not settings.USE_TZ:
            return None
        return remembered("current time zone", timezone.get_current_timezone)


_made_fields: dict[type, dict[str, serializers.Field]] = {}


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, its fields made once per class and copied per use.

    DRF makes a model serializer's fields from the model's meta for every
    serializer it instantiates (every request, and every nested one): 0.46–0.56 ms
    for the decisions', meetings' and articles' lists (0.26–0.36 ms to copy them). What it makes depends on the class alone (Meta and declared
    fields), so they are made once, and each serializer gets copies, as DRF
    gives it copies of the declared fields. The fields to write out are listed
    once per serializer, not once per row.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }

    def get_fields(self) -> dict[str, serializers.Field]:
        made = _made_fields.get(type(self))
        if made is None:
            made = _made_fields[type(self)] = super().get_fields()
        return copy.deepcopy(made)

    @cached_property
    def _readable_fields(self) -> list[serializers.Field]:  # type: ignore[override]
        return [field for field in self.fields.values() if not field.write_only]


@extend_schema_field({"type": "string", "format": "uri", "nullable": True, "readOnly": True})
class SiteURLField(serializers.Field):
    """The record's page on the site (absolute URL); null while the site has no such page."""

    def __init__(self, viewname: str, attr: str = "pk", **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        kwargs.setdefault(
            "help_text", "本记录在网站上的页面（完整地址）；网站尚无此类页面时为 null。"
        )
        super().__init__(**kwargs)
        self.viewname = viewname
        self.attr = attr

    def to_representation(self, obj):
        value = obj
        for part in self.attr.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        path = site_path(self.viewname, value)
        return absolute(self.context.get("request"), path)


@extend_schema_field({"type": "string", "format": "uri", "readOnly": True})
class ApiURLField(serializers.Field):
    """An absolute link into the API for this record."""

    def __init__(self, viewname: str, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.viewname = viewname

    def to_representation(self, obj):
        return absolute(self.context.get("request"), site_path(self.viewname, obj.pk))


class CalledField(serializers.CharField):
    """Text from a method of the record that takes no argument (``__str__``, ``get_x_display``).

    DRF inspects the signature of a callable source for every row it serializes
    (a tenth of an API list's time); these methods are known to take none.
    """

    def get_attribute(self, instance):
        return getattr(instance, self.source)()


class CorrectedMixin(serializers.Serializer):
    corrected = serializers.SerializerMethodField(
        help_text="是否经过工作人员校对（true 时 corrected_fields 列出改过的字段）。"
    )

    def get_corrected(self, obj) -> bool:
        return bool(obj.corrected_fields)


class DescribedModelSerializer(ModelSerializer):
    """A ModelSerializer whose fields are described by their model's verbose names."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if "help_text" not in kwargs and model_field.verbose_name:
            kwargs["help_text"] = str(model_field.verbose_name)
        return field_class, kwargs

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        verbose = getattr(relation_info.model_field, "verbose_name", None)
        if "help_text" not in kwargs and verbose:
            kwargs["help_text"] = f"{verbose}的 id"
        return field_class, kwargs


CORRECTED_FIELDS_HELP = "工作人员校对过的字段名；重新载入同一期公报不会覆盖这些字段。"
UPDATED_AT_HELP = "最后修改时间（ISO 8601）；配合 updated_since 做增量同步。"


class PersonRefSerializer(ModelSerializer):
    id = serializers.IntegerField(help_text="人员 id")
    name = serializers.CharField(help_text="姓名")

    class Meta:
        model = Person
        fields = ["id", "name"]

    def to_representation(self, obj):
        # The declared fields' output, built directly: references repeat on every
        # row of a list, and DRF's field-by-field walk costs more than the row.
        return {"id": obj.pk, "name": obj.name}


class PostRefSerializer(ModelSerializer):
    id = serializers.IntegerField(help_text="职务 id")
    title = serializers.CharField(help_text="职务名称")

    class Meta:
        model = Post
        fields = ["id", "title"]

    def to_representation(self, obj):
        return {"id": obj.pk, "title": obj.title}  # as PersonRefSerializer


class PersonSerializer(CorrectedMixin, DescribedModelSerializer):
    aliases = serializers.SerializerMethodField(help_text="公报中出现过的其他写法（异体字、错字）")
    url = SiteURLField("people:person-detail")
    tenures_url = ApiURLField("api:person-tenures", help_text="此人任职记录的 API 地址")

    class Meta:
        model = Person
        fields = [
            "id",
            "region",
            "name",
            "gender",
            "ethnicity",
            "aliases",
            "url",
            "tenures_url",
            "corrected",
            "corrected_fields",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "稳定的人员 id"},
            "region": {"help_text": "所属地区：同名的人在不同城市是不同的人"},
            "gender": {"help_text": "性别（公报注明时）：女 / 男，未知为空字符串"},
            "ethnicity": {"help_text": "民族（公报注明时），如 满族"},
            "corrected_fields": {"help_text": CORRECTED_FIELDS_HELP},
            "updated_at": {"help_text": UPDATED_AT_HELP},
        }

    def get_aliases(self, obj) -> list[str]:
        return obj.alias_names


class PostSerializer(DescribedModelSerializer):
    organisation = serializers.CharField(
        source="organisation.name", allow_null=True, default=None, help_text="所属机构（已整理时）"
    )
    url = SiteURLField("people:post-detail")

    class Meta:
        model = Post
        fields = ["id", "region", "title", "organisation", "url"]
        extra_kwargs = {
            "id": {"help_text": "稳定的职务 id"},
            "title": {"help_text": "任免决定中的职务名称，如 营口市人民政府副市长"},
        }


class TenureSerializer(DescribedModelSerializer):
    person = PersonRefSerializer(help_text="任职者")
    post = PostRefSerializer(help_text="职务")
    current = serializers.SerializerMethodField(help_text="是否仍在任（没有已知的卸任）")
    url = SiteURLField("people:person-detail", attr="person_id")

    class Meta:
        model = Tenure
        fields = [
            "id",
            "person",
            "post",
            "started_on",
            "ended_on",
            "current",
            "start_decision",
            "end_decision",
            "derived",
            "url",
        ]
        extra_kwargs = {
            "id": {"help_text": "任职记录 id（由任免决定推导的记录在决定变化时会换新 id）"},
            "started_on": {"help_text": "任职起始日期（任命、批准任命或选举的日期）"},
            "ended_on": {"help_text": "卸任日期（免去、辞职等的日期）；在任为 null"},
            "start_decision": {"help_text": "开始任职的人事任免决定 id"},
            "end_decision": {"help_text": "结束任职的人事任免决定 id"},
            "derived": {"help_text": "true：由任免决定自动推导；false：工作人员录入"},
        }

    def get_current(self, obj) -> bool:
        return obj.ended_on is None and obj.end_decision_id is None


__all__ = [
    "ApiURLField",
    "CalledField",
    "CorrectedMixin",
    "DateTimeField",
    "DescribedModelSerializer",
    "ModelSerializer",
    "PersonRefSerializer",
    "PersonSerializer",
    "PostRefSerializer",
    "PostSerializer",
    "SiteURLField",
    "TenureSerializer",
]
