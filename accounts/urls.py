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
    path("register/natural/", views.register_natural, name="register_natural"),
    path("register/natural/verify/", views.register_natural_verify, name="register_natural_verify"),
    path(
        "register/natural/password/",
        views.register_natural_password,
        name="register_natural_password",
    ),
]
