from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("", views.support_team, name="support_team"),
    path("profile/", views.profile_edit, name="profile"),
    path("wellbeing/", views.wellbeing, name="wellbeing"),
    path("language/", views.set_language, name="set_language"),
]
