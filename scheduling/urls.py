from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("new/", views.training_new, name="new"),
    path("approvals/", views.approvals, name="approvals"),
    path("export.csv", views.export_csv, name="export"),
    path("feeds/", views.feeds_page, name="feeds"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("<int:pk>/", views.training_page, name="training"),
    path("<int:pk>/edit/", views.training_edit, name="edit"),
    path("<int:pk>/nominations/", views.nominations_page, name="nominations"),
    path(
        "<int:pk>/<str:action>/",
        views.training_action,
        name="action",
    ),
    path(
        "nominations/<int:pk>/<str:action>/",
        views.nomination_action,
        name="nomination_action",
    ),
]
