"""How django-allauth behaves here: accounts come only from our own registration
(civil registry, Shahkar, one-time code), so allauth's sign-up stays closed; the
client's address is the project's one rule (payam.middleware.client_ip); a role
that must sign in with two factors cannot remove its authenticator app; and what
allauth says, it says in the portal's formal Persian (its own Persian catalogue
is informal: «کد تایید», «گذرواژه‌ات را فراموش کرده‌ای؟»)."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from payam.middleware import client_ip

from .landing import landing_url
from .roles import requires_mfa


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": _("نام کاربری یا گذرواژه درست نیست."),
        "too_many_login_attempts": _("تلاش‌های ناموفق بسیار بود؛ کمی بعد دوباره تلاش کنید."),
        "account_inactive": _("این حساب غیرفعال است."),
        "enter_current_password": _("گذرواژه‌ی کنونی درست نیست."),
        "incorrect_password": _("گذرواژه درست نیست."),
        "incorrect_code": _("کد تأیید درست نیست."),
        "invalid_login": _("ورود انجام نشد؛ دوباره تلاش کنید."),
        "same_as_current": _("مقدار تازه باید با مقدار کنونی فرق داشته باشد."),
        "rate_limited": _("درخواست‌ها بیش از اندازه بود؛ کمی بعد دوباره تلاش کنید."),
    }

    # Other ways to confirm access, offered on the page of the one in use.
    reauthentication_labels = {
        "reauthenticate": _("تأیید با گذرواژه"),
        "mfa_reauthenticate": _("تأیید با کد برنامه‌ی رمزساز یا کد بازیابی"),
        "mfa_reauthenticate:webauthn": _("تأیید با کلید امنیتی"),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits and its sessions page see the address that axes,
        the portal's limits and the audit log see."""
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("The client's address is unknown.")
        return ip

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """A person's inbox, a staff member's workspace (accounts.landing); a
        safe `next` given to the login page still wins (allauth checks it first)."""
        return landing_url(request.user)

    def get_reauthentication_methods(
        self, user: AbstractBaseUser | AnonymousUser
    ) -> list[dict[str, Any]]:
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            method["description"] = self.reauthentication_labels.get(
                method["id"], method["description"]
            )
        return methods

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        # allauth's "Successfully signed in as …" names the username (a national
        # code); the header already shows who is signed in.
        if message_template in {"account/messages/logged_in.txt"}:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("کد تأیید درست نیست."),
        "cannot_delete_authenticator": _(
            "ورود دومرحله‌ای برای نقش شما الزامی است و نمی‌توان آن را غیرفعال کرد."
        ),
        "cannot_generate_recovery_codes": _(
            "کدهای بازیابی را تنها پس از فعال کردن ورود دومرحله‌ای می‌توان ساخت."
        ),
        "add_email_blocked": _(
            "به حسابی که ورود دومرحله‌ای دارد نمی‌توان نشانی رایانامه‌ی تازه افزود."
        ),
        "unverified_email": _("پیش از فعال کردن ورود دومرحله‌ای، نشانی رایانامه را تأیید کنید."),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and requires_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
