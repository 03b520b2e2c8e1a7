"""/desk/…: the applicant organization's service desk (servicedesk/views*.py)."""

from django.urls import path

from . import views, views_public, views_tickets

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("verify/", views_public.verify, name="verify"),
    path("requests/new/", views.new, name="new"),
    path("requests/<str:tracking_code>/", views.detail, name="request"),
    path("requests/<str:tracking_code>/edit/", views.general_edit, name="general_edit"),
    path("requests/<str:tracking_code>/submit/", views.submit, name="submit"),
    path("requests/<str:tracking_code>/withdraw/", views.withdraw, name="withdraw"),
    path("requests/<str:tracking_code>/deficiencies/", views.deficiencies, name="deficiencies"),
    path("requests/<str:tracking_code>/messages/", views.message, name="message"),
    path(
        "requests/<str:tracking_code>/files/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path(
        "requests/<str:tracking_code>/files/<int:attachment_id>/remove/",
        views.detach,
        name="detach",
    ),
    path("requests/<str:tracking_code>/permit.pdf", views_public.permit_pdf, name="permit"),
    path("tickets/", views_tickets.tickets, name="tickets"),
    path("tickets/new/", views_tickets.ticket_new, name="ticket_new"),
    path("tickets/<str:tracking_code>/", views_tickets.ticket, name="ticket"),
    path("tickets/<str:tracking_code>/close/", views_tickets.ticket_close, name="ticket_close"),
    path(
        "tickets/<str:tracking_code>/files/<int:attachment_id>/",
        views_tickets.ticket_file,
        name="ticket_file",
    ),
]
