"""The profile pages, included by accounts/urls.py under /accounts/profile/ (in the
"accounts" namespace)."""

from django.urls import path

from . import views_profile

urlpatterns = [
    path("", views_profile.profile, name="profile"),
    path("email/", views_profile.profile_email, name="profile_email"),
    path(
        "email/confirm/<str:token>/",
        views_profile.profile_email_confirm,
        name="profile_email_confirm",
    ),
    path("mobile/", views_profile.profile_mobile, name="profile_mobile"),
    path("mobile/verify/", views_profile.profile_mobile_verify, name="profile_mobile_verify"),
    path("notifications/", views_profile.profile_notifications, name="profile_notifications"),
    path("province/", views_profile.profile_province, name="profile_province"),
    path("logins/", views_profile.profile_logins, name="profile_logins"),
]
