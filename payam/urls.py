from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from payam import views

admin.site.site_header = "پیام ایران"
admin.site.site_title = "پیام ایران"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("", include("sms.urls")),
    path("admin/", admin.site.urls),
]
