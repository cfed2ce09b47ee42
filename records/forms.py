"""Forms of the clerk's upload page and the public error report."""

from __future__ import annotations

from django import forms
from django.conf import settings

from records.models import ErrorReport, GazetteKind
from records.parsing import IssueMetadata


class GazetteUploadForm(forms.Form):
    file = forms.FileField(
        label="公报文件",
        help_text="PDF（须有文字层）、Word（.docx）或文本（.txt/.md）。文件类型按内容判断，不看扩展名。",
    )
    issuer = forms.CharField(
        label="发布机关", required=False, help_text="正文未印刊名时填写，如：葫芦岛市人民政府"
    )
    region = forms.CharField(label="地区", required=False, help_text="如：葫芦岛市")
    kind = forms.ChoiceField(
        label="公报类型", required=False, choices=[("", "（按正文判断）"), *GazetteKind.choices]
    )
    year = forms.IntegerField(label="年份", required=False, min_value=1949, max_value=2100)
    issue = forms.IntegerField(label="期号", required=False, min_value=1, max_value=999)
    published_on = forms.DateField(label="出版日期", required=False, help_text="YYYY-MM-DD")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PORTAL_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为 {limit // 1024 // 1024} MB。"
            )
        if upload.size == 0:
            raise forms.ValidationError("文件是空的。")
        self.cleaned_data["data"] = upload.read()
        return upload

    def metadata(self) -> IssueMetadata | None:
        data = self.cleaned_data
        values = {
            "issuer": data.get("issuer") or None,
            "region": data.get("region") or None,
            "kind": data.get("kind") or None,
            "year": data.get("year"),
            "issue": data.get("issue"),
            "published_on": data.get("published_on"),
        }
        if not any(v is not None for v in values.values()):
            return None
        return IssueMetadata(**values)


class ErrorReportForm(forms.ModelForm):
    # Left empty by people; bots fill every field.
    website = forms.CharField(required=False, widget=forms.HiddenInput, label="")

    class Meta:
        model = ErrorReport
        fields = ["message", "contact", "path", "record_label"]
        widgets = {
            "path": forms.HiddenInput,
            "record_label": forms.HiddenInput,
            "message": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {"message": "哪里有误？请说明", "contact": "联系方式（选填）"}

    def clean_path(self):
        path = self.cleaned_data["path"]
        if not path.startswith("/") or path.startswith("//"):
            raise forms.ValidationError("页面地址无效。")
        return path
