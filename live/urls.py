from django.urls import path

from live import views

app_name = "live"

urlpatterns = [
    path("<int:session_id>/", views.classroom, name="classroom"),
    path("<int:session_id>/stage/<int:lesson_id>/", views.stage, name="stage"),
    path("<int:session_id>/room/", views.external_room, name="room"),
    path("<int:session_id>/attendance/", views.session_attendance, name="attendance"),
    path(
        "trainings/<int:training_id>/attendance/",
        views.training_attendance,
        name="training_attendance",
    ),
]
