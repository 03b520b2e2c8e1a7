"""/agency/…: an agency's own pages (agencies/views_agency.py); 404 for everyone
who is not its member."""

from django.urls import path

from . import views_agency, views_broadcasts, views_campaigns, views_incoming, views_webhooks

app_name = "agency"

urlpatterns = [
    path("", views_agency.home, name="home"),
    path("members/", views_agency.members, name="members"),
    path("members/<int:grant_id>/revoke/", views_agency.member_revoke, name="member_revoke"),
    path("api-keys/", views_agency.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", views_agency.api_key_revoke, name="api_key_revoke"),
    path("webhooks/", views_webhooks.webhooks, name="webhooks"),
    path(
        "webhooks/<int:endpoint_id>/toggle/",
        views_webhooks.webhook_toggle,
        name="webhook_toggle",
    ),
    path(
        "webhooks/<int:endpoint_id>/secret/",
        views_webhooks.webhook_secret,
        name="webhook_secret",
    ),
    path(
        "webhooks/<int:endpoint_id>/delete/",
        views_webhooks.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "webhooks/events/<uuid:event_id>/resend/",
        views_webhooks.webhook_resend,
        name="webhook_resend",
    ),
    path("compose/", views_campaigns.compose, name="compose"),
    path("campaigns/<str:code>/", views_campaigns.campaign, name="campaign"),
    path(
        "campaigns/<str:code>/progress/",
        views_campaigns.campaign_progress,
        name="campaign_progress",
    ),
    path(
        "campaigns/<str:code>/<str:action>/",
        views_campaigns.campaign_act,
        name="campaign_act",
    ),
    path("letters/<str:tracking_code>/", views_campaigns.letter, name="letter"),
    path(
        "letters/<str:tracking_code>/unread.csv",
        views_campaigns.letter_unread_csv,
        name="letter_unread_csv",
    ),
    path("inbox/", views_incoming.inbox, name="inbox"),
    path("inbox/<str:tracking_code>/", views_incoming.incoming, name="incoming"),
    path("inbox/<str:tracking_code>/assign/", views_incoming.assign, name="incoming_assign"),
    path("inbox/<str:tracking_code>/answer/", views_incoming.answer, name="incoming_answer"),
    path(
        "inbox/<str:tracking_code>/attachments/<int:position>/",
        views_incoming.attachment,
        name="incoming_attachment",
    ),
    path("broadcasts/", views_broadcasts.broadcasts, name="broadcasts"),
    path("broadcasts/<str:code>/", views_broadcasts.broadcast, name="broadcast"),
    path(
        "broadcasts/<str:code>/cancel/",
        views_broadcasts.broadcast_cancel,
        name="broadcast_cancel",
    ),
    path("sms/", views_agency.sms, name="sms"),
    path("sms/send/", views_agency.sms_send, name="sms_send"),
]
