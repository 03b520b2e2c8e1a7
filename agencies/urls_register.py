"""/agencies/…: the public registration of an agency (agencies/views_register.py)."""

from django.urls import path

from . import views_register

app_name = "agencies"

urlpatterns = [
    path("register/", views_register.register, name="register"),
    path(
        "register/representative/",
        views_register.register_representative,
        name="register_representative",
    ),
    path("register/terms/", views_register.register_terms, name="register_terms"),
    path("register/verify/", views_register.register_verify, name="register_verify"),
    path("register/done/", views_register.register_done, name="register_done"),
    path("register/status/", views_register.register_status, name="register_status"),
    path("register/fix/", views_register.register_fix, name="register_fix"),
    path("register/fix/verify/", views_register.register_fix_verify, name="register_fix_verify"),
    path("register/fix/edit/", views_register.register_fix_edit, name="register_fix_edit"),
]
