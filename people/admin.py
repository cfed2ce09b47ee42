from django.contrib import admin

from people.models import Membership, Organisation, Person, PersonAlias, Post, Tenure


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "gender", "ethnicity"]
    list_filter = ["region", "gender"]
    search_fields = ["name", "aliases__name"]
    inlines = [PersonAliasInline]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "organisation"]
    list_filter = ["region"]
    search_fields = ["title"]


@admin.register(Tenure)
class TenureAdmin(admin.ModelAdmin):
    list_display = ["person", "post", "started_on", "ended_on"]
    list_select_related = ["person", "post"]
    raw_id_fields = ["person", "post", "start_decision", "end_decision"]


admin.site.register(Organisation)
admin.site.register(Membership)
