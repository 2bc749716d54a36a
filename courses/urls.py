from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("<str:code>/enrol/", views.course_enrol, name="enrol"),
    path("<str:code>/unenrol/", views.course_unenrol, name="unenrol"),
    path("<str:code>/participants/", views.course_participants, name="participants"),
    path("<str:code>/completion.csv", views.course_completion_report, name="completion_csv"),
]
