from django.urls import path

from . import views
from .views_print import pdf, print_page

app_name = "mailbox"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("starred/", views.starred, name="starred"),
    path("archived/", views.archived, name="archived"),
    path("<str:tracking_code>/", views.letter, name="letter"),
    path("<str:tracking_code>/flags/", views.flags, name="flags"),
    path("<str:tracking_code>/reply/", views.reply, name="reply"),
    path(
        "<str:tracking_code>/attachments/<int:position>/",
        views.attachment,
        name="attachment",
    ),
    path("<str:tracking_code>/pdf/", pdf, name="pdf"),
    path("<str:tracking_code>/print/", print_page, name="print"),
]
