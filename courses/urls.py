from django.urls import path

from courses import views
from courses.scorm import views as scorm_views

app_name = "courses"
urlpatterns = [
    path("<str:code>/enrol/", views.course_enrol, name="enrol"),
    path("<str:code>/unenrol/", views.course_unenrol, name="unenrol"),
    path("<str:code>/participants/", views.course_participants, name="participants"),
    path("<str:code>/completion.csv", views.course_completion_report, name="completion_csv"),
    path("<str:code>/scorm/<int:package_id>/", scorm_views.scorm_player, name="scorm_player"),
    path(
        "<str:code>/scorm/<int:package_id>/report/", scorm_views.scorm_report, name="scorm_report"
    ),
    path("scorm/<int:package_id>/launch", scorm_views.scorm_launch, name="scorm_launch"),
    path("scorm/attempts/<int:attempt_id>/commit", scorm_views.scorm_commit, name="scorm_commit"),
]
