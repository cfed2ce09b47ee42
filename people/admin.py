from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from people.models import Membership, Organisation, Person, PersonAlias, Post, Tenure
from records import review
from records.admin import CorrectionAdmin
from records.models import Attendance, NameListEntry, PersonnelDecision


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 0


class TenureInline(admin.TabularInline):
    model = Tenure
    extra = 0
    fields = ["post", "started_on", "ended_on", "derived"]
    readonly_fields = ["derived"]
    raw_id_fields = ["post"]


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Person.objects.none(), label="保留的人员记录", widget=forms.RadioSelect)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = people


@admin.register(Person)
class PersonAdmin(CorrectionAdmin):
    list_display = ["name", "region", "gender", "ethnicity", "note", "updated_at"]
    list_filter = ["region", "gender"]
    search_fields = ["name", "aliases__name", "note"]
    inlines = [PersonAliasInline, TenureInline]
    readonly_fields = ["corrected_fields"]
    actions = ["merge_selected"]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/split/", view(self.split_view), name="people_person_split"),
            *super().get_urls(),
        ]

    @admin.action(description="合并所选人员（同一人）")
    def merge_selected(self, request, queryset):
        people = queryset.order_by("pk")
        if len({p.region for p in people}) > 1:
            self.message_user(request, "不同地区的人员不能合并。", messages.ERROR)
            return None
        form = MergeForm(request.POST if "keep" in request.POST else None, people=people)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            review.merge_people(keep, [p for p in people if p.pk != keep.pk], user=request.user)
            self.message_user(request, f"已合并为 #{keep.pk} {keep.name}，所有关联已转移。", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "合并人员",
            "form": form,
            "people": people,
            "action": "merge_selected",
        }
        return TemplateResponse(request, "admin/people/person/merge.html", context)

    def split_view(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        if not self.has_change_permission(request, person):
            raise PermissionDenied
        mentions = {
            "attendance": Attendance.objects.filter(person=person).select_related("meeting"),
            "decisions": PersonnelDecision.objects.filter(person=person),
            "entries": NameListEntry.objects.filter(person=person).select_related("meeting"),
        }
        if request.method == "POST":
            chosen = {key: [int(v) for v in request.POST.getlist(key) if v.isdigit()] for key in mentions}
            if not any(chosen.values()):
                self.message_user(request, "请至少选择一条记录。", messages.ERROR)
            else:
                new = review.split_person(
                    person, name=request.POST.get("name", person.name), user=request.user, **chosen
                )
                self.message_user(request, f"已拆分出新人员 #{new.pk}。", messages.SUCCESS)
                return redirect("admin:people_person_change", new.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"拆分人员：{person.name}",
            "person": person,
            **mentions,
        }
        return TemplateResponse(request, "admin/people/person/split.html", context)


@admin.register(Post)
class PostAdmin(SimpleHistoryAdmin):
    list_display = ["title", "region", "organisation"]
    list_filter = ["region"]
    search_fields = ["title"]


@admin.register(Tenure)
class TenureAdmin(admin.ModelAdmin):
    list_display = ["person", "post", "started_on", "ended_on", "derived"]
    list_filter = ["derived"]
    list_select_related = ["person", "post"]
    search_fields = ["person__name", "post__title"]
    raw_id_fields = ["person", "post", "start_decision", "end_decision"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "region", "body", "term"]
    list_filter = ["region", "body", "term"]
    list_select_related = ["person"]
    search_fields = ["person__name"]
    raw_id_fields = ["person"]


admin.site.register(Organisation)
