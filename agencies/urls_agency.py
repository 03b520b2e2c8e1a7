"""/agency/…: an agency's own pages (agencies/views_agency.py); 404 for everyone
who is not its member."""

from django.urls import path

from . import views_agency

app_name = "agency"

urlpatterns = [
    path("", views_agency.home, name="home"),
    path("members/", views_agency.members, name="members"),
    path("members/<int:grant_id>/revoke/", views_agency.member_revoke, name="member_revoke"),
    path("sms/", views_agency.sms, name="sms"),
    path("sms/send/", views_agency.sms_send, name="sms_send"),
]
