from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
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
