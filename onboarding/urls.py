from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/quiz/", views.quiz_submit, name="quiz_submit"),
    path("certificate/", views.certificate, name="certificate"),
    path("certificate/<int:pk>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("checklist/<str:kind>/", views.checklist_tick, name="checklist_tick"),
    path("staff/progress/", views.staff_progress, name="staff_progress"),
    path("staff/progress.csv", views.staff_progress_csv, name="staff_progress_csv"),
]
