from django.urls import path

from . import views, views_proxy, views_write
from .views_print import pdf, print_page

app_name = "mailbox"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("starred/", views.starred, name="starred"),
    path("archived/", views.archived, name="archived"),
    path("access/", views_proxy.access_log, name="access_log"),
    path("proxies/", views_proxy.proxies, name="proxies"),
    path("proxies/new/", views_proxy.proxy_new, name="proxy_new"),
    path("proxies/stop/", views_proxy.proxy_stop, name="proxy_stop"),
    path("proxies/<int:grant_id>/act/", views_proxy.proxy_act, name="proxy_act"),
    path("proxies/<int:grant_id>/<str:action>/", views_proxy.proxy_move, name="proxy_move"),
    path("agencies/", views_write.agencies, name="agencies"),
    path("write/<int:mailbox_id>/", views_write.write, name="write"),
    path("sent/", views_write.sent, name="sent"),
    path("sent/<str:tracking_code>/", views_write.sent_letter, name="sent_letter"),
    path(
        "sent/<str:tracking_code>/attachments/<int:position>/",
        views_write.sent_attachment,
        name="sent_attachment",
    ),
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
