"""The portal's versions of allauth's sign-in pages, at allauth's own paths and
names; payam/urls.py includes this before allauth.urls so these answer."""

from django.urls import path

from . import views_signin

urlpatterns = [
    path("login/", views_signin.login, name="account_login"),
    path("2fa/authenticate/", views_signin.authenticate, name="mfa_authenticate"),
    path("2fa/reauthenticate/", views_signin.reauthenticate, name="mfa_reauthenticate"),
    path("2fa/totp/activate/", views_signin.activate_totp, name="mfa_activate_totp"),
]
