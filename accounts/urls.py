"""The portal's own account pages. Login, logout, password change, two-factor and
sessions are django-allauth's (payam/urls.py mounts them under /accounts/)."""

from django.urls import include, path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", include("accounts.urls_profile")),
    path("continue/", views.landing, name="landing"),
    path("recover/", views.recover, name="recover"),
    path("recover/verify/", views.recover_verify, name="recover_verify"),
    path("recover/password/", views.recover_password, name="recover_password"),
    path("register/natural/", views.register, {"kind": "natural"}, name="register_natural"),
    path(
        "register/natural/verify/",
        views.register_verify,
        {"kind": "natural"},
        name="register_natural_verify",
    ),
    path(
        "register/natural/password/",
        views.register_password,
        {"kind": "natural"},
        name="register_natural_password",
    ),
    path("register/legal/", views.register, {"kind": "legal"}, name="register_legal"),
    path(
        "register/legal/verify/",
        views.register_verify,
        {"kind": "legal"},
        name="register_legal_verify",
    ),
    path(
        "register/legal/password/",
        views.register_password,
        {"kind": "legal"},
        name="register_legal_password",
    ),
]
