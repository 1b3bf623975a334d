from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    # The email's link: the signed token is the key, no login.
    path("a/<str:token>/", views.link_answer, name="link"),
    path("<int:check_id>/answer/", views.dashboard_answer, name="answer"),
    path("checkin/<int:pk>/", views.checkin, name="checkin"),
]
