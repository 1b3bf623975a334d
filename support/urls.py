from django.urls import path

from . import views, views_staff
from .inbound.webhook import mailgun_inbound

app_name = "support"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/sent/", views.request_sent, name="sent"),
    path("<int:pk>/reply/", views.request_reply, name="reply"),
    path("<int:pk>/seen/", views.request_seen, name="seen"),
    path("<int:pk>/solve/", views.request_solve, name="solve"),
    path("<int:pk>/reopen/", views.request_reopen, name="reopen"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("visits/<int:pk>/confirm/", views.visit_confirm, name="visit_confirm"),
    path("visits/<int:pk>/new-time/", views.visit_new_time, name="visit_new_time"),
    path("urgent/<str:token>/", views.urgent_ack, name="urgent_ack"),
    path("cards/", views.card_list, name="cards"),
    path("cards/<slug:place>/", views.card_detail, name="card"),
    path("staff/reports/", views_staff.reports, name="reports"),
    path("inbound/mailgun/", mailgun_inbound, name="inbound_mailgun"),
]
