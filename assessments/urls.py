from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("<int:quiz_id>/", views.quiz_page, name="quiz"),
    path("<int:quiz_id>/start/", views.quiz_start, name="start"),
    path("<int:quiz_id>/grading/", views.grading_queue, name="grading"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/page/", views.attempt_navigate, name="navigate"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="submit"),
    path("courses/<str:code>/gradebook/", views.gradebook_page, name="gradebook"),
    path("courses/<str:code>/questions/", views.question_import_page, name="import"),
]
