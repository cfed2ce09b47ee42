from django.contrib import admin

from records.models import (
    Article,
    Gazette,
    Meeting,
    PersonnelDecision,
    Publication,
    Vote,
)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["issuer", "region", "kind", "name"]
    list_filter = ["kind", "region"]


@admin.register(Gazette)
class GazetteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "issue", "cumulative_issue", "status", "article_count"]
    list_filter = ["status", "publication", "year"]
    list_select_related = ["publication"]
    readonly_fields = ["loaded_at", "updated_at", "published_at", "warnings"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "gazette", "number", "category", "page", "date", "doc_number"]
    list_filter = ["category", "gazette__publication", "gazette__year"]
    list_select_related = ["gazette__publication"]
    search_fields = ["title", "doc_number"]
    raw_id_fields = ["gazette", "meeting", "parent"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "body", "term", "number", "date"]
    list_filter = ["region", "body", "term"]


@admin.register(PersonnelDecision)
class PersonnelDecisionAdmin(admin.ModelAdmin):
    list_display = ["person_name", "action", "date", "meeting", "gazette"]
    list_filter = ["action", "region"]
    list_select_related = ["meeting", "gazette__publication"]
    search_fields = ["person_name"]
    raw_id_fields = ["gazette", "person", "meeting", "article", "sources", "posts"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["subject", "satisfied", "basically_satisfied", "unsatisfied", "voting"]
    list_select_related = ["gazette"]
