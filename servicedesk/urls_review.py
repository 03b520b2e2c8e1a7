"""/review/desk/…: the ITO experts' service desk (servicedesk/views_review.py)."""

from django.urls import path

from . import views_review

app_name = "review_desk"

urlpatterns = [
    path("", views_review.queue, name="queue"),
    path("requests/<str:tracking_code>/", views_review.detail, name="request"),
    path("requests/<str:tracking_code>/assign/", views_review.assign, name="assign"),
    path("requests/<str:tracking_code>/move/", views_review.move, name="move"),
    path("requests/<str:tracking_code>/messages/", views_review.message, name="message"),
    path(
        "requests/<str:tracking_code>/files/<int:attachment_id>/",
        views_review.attachment,
        name="attachment",
    ),
    path("tickets/", views_review.tickets, name="tickets"),
    path("tickets/<str:tracking_code>/", views_review.ticket, name="ticket"),
    path("tickets/<str:tracking_code>/close/", views_review.ticket_close, name="ticket_close"),
    path(
        "tickets/<str:tracking_code>/files/<int:attachment_id>/",
        views_review.ticket_file,
        name="ticket_file",
    ),
]
