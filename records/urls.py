from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("gazettes/", views.gazette_list, name="gazette-list"),
    path("gazettes/<int:pk>/", views.gazette_detail, name="gazette-detail"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("report/", views.report_error, name="report-error"),
]
