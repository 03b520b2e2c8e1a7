from django.urls import path

from . import callbacks, views

app_name = "sms"

urlpatterns = [
    path("sms/check/", views.sender_check, name="sender_check"),
    path(
        "sms/callbacks/<str:gateway>/delivery/", callbacks.delivery_report, name="delivery_report"
    ),
    path("sms/callbacks/<str:gateway>/inbound/", callbacks.inbound, name="inbound"),
    path("ussd/callback/", views.ussd_callback, name="ussd_callback"),
    path("dev/outbox/", views.dev_outbox, name="dev_outbox"),
]
