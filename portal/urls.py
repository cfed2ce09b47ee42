from django.contrib import admin
from django.urls import include, path

from portal import views

admin.site.site_header = "公报门户 · 管理"
admin.site.site_title = "公报门户管理"
admin.site.index_title = "公报管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("records.urls")),
    path("admin/", admin.site.urls),
]
