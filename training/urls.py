from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("past/", views.past, name="past"),
    path("sessions/<int:pk>/register/", views.register, name="register"),
    path("sessions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("sessions/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("sessions/<int:pk>/calendar.ics", views.session_calendar, name="session_calendar"),
    path("sessions/<int:pk>/check-in/<str:token>/", views.check_in, name="check_in"),
    path("calendar/new/", views.calendar_create, name="calendar_create"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("staff/sessions/", views.staff_sessions, name="staff_sessions"),
    path("staff/sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("staff/sessions/<int:pk>/qr/", views.checkin_qr, name="checkin_qr"),
]
