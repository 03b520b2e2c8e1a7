from django.urls import path

from . import views

app_name = "brokers"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("activate/", views.activate, name="activate"),
    path("activate/check/", views.activate_check, name="activate_check"),
    path("activate/code/", views.activate_code, name="activate_code"),
    path("activate/cancel/", views.activate_cancel, name="activate_cancel"),
    path("delegations/new/", views.delegation_new, name="delegation_new"),
    path("delegations/<int:delegation_id>/", views.delegation, name="delegation"),
    path(
        "delegations/<int:delegation_id>/confirm/",
        views.delegation_confirm,
        name="delegation_confirm",
    ),
    path(
        "delegations/<int:delegation_id>/resend/", views.delegation_resend, name="delegation_resend"
    ),
    path(
        "delegations/<int:delegation_id>/abandon/",
        views.delegation_abandon,
        name="delegation_abandon",
    ),
    path(
        "delegations/<int:delegation_id>/letters/<str:tracking_code>/",
        views.letter,
        name="letter",
    ),
    path(
        "delegations/<int:delegation_id>/letters/<str:tracking_code>/pdf/",
        views.letter_pdf,
        name="letter_pdf",
    ),
    path(
        "delegations/<int:delegation_id>/letters/<str:tracking_code>/handover/",
        views.letter_hand_over,
        name="letter_hand_over",
    ),
    path("reports/", views.reports, name="reports"),
    path("reports/csv/", views.reports_csv, name="reports_csv"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:grant_id>/revoke/", views.staff_revoke, name="staff_revoke"),
    path("mine/", views.my_delegations, name="my_delegations"),
    path(
        "mine/<int:delegation_id>/revoke/", views.my_delegation_revoke, name="my_delegation_revoke"
    ),
]
