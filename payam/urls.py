from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from payam import views

admin.site.site_header = "پیام ایران"
admin.site.site_title = "پیام ایران"
# The admin has no sign-in of its own: /admin/login/ sends to the portal's login
# (captcha, lockout, and the second factor every staff account must pass).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

handler400 = "payam.views.bad_request"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("payam.urls_pages")),
    path("", include("mailbox.urls_public")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("inbox/", include("mailbox.urls")),
    path("agencies/", include("agencies.urls_register")),
    path("review/desk/", include("servicedesk.urls_review")),
    path("review/", include("agencies.urls_review")),
    path("desk/", include("servicedesk.urls")),
    path("agency/", include("agencies.urls_agency")),
    path("api/v1/", include("agencies.urls_api")),
    path("broker/", include("brokers.urls")),
    path("desk/", include("gateway_requests.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    # allauth's sign-up, e-mail password reset (every step of it) and e-mail pages are
    # replaced by the portal's registration, recovery by SMS code, and profile.
    path("accounts/signup/", RedirectView.as_view(pattern_name="accounts:register_natural")),
    path("accounts/password/reset/", RedirectView.as_view(pattern_name="accounts:recover")),
    re_path(
        r"^accounts/password/reset/(?:done|key/.*)/$",
        RedirectView.as_view(pattern_name="accounts:recover"),
    ),
    path("accounts/email/", RedirectView.as_view(pattern_name="accounts:profile")),
    path("accounts/", include("accounts.urls_signin")),
    re_path(r"^accounts/confirm-email/", RedirectView.as_view(pattern_name="accounts:profile")),
    path("accounts/", include("allauth.urls")),
    # The captcha's sound and refresh are the portal's (payam/captcha.py); its image
    # is django-simple-captcha's.
    path("captcha/audio/<str:hashkey>.wav", views.captcha_audio, name="captcha_audio"),
    path("captcha/refresh/", views.captcha_refresh, name="captcha-refresh"),
    path("captcha/", include("captcha.urls")),
    path("", include("sms.urls")),
    path("admin/", admin.site.urls),
]

# allauth's other rate limits (password change, …) answer with the portal's page.
handler429 = "payam.views.too_many_requests"
