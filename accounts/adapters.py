"""How django-allauth behaves here: accounts come only from our own registration
(civil registry, Shahkar, one-time code), so allauth's sign-up stays closed; the
client's address is the project's one rule (payam.middleware.client_ip); and a
role that must sign in with two factors cannot remove its authenticator app."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from payam.middleware import client_ip

from .roles import requires_mfa


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": _("نام کاربری یا گذرواژه درست نیست."),
        "too_many_login_attempts": _("تلاش‌های ناموفق بسیار بود؛ کمی بعد دوباره تلاش کنید."),
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
        "cannot_delete_authenticator": _(
            "ورود دومرحله‌ای برای نقش شما الزامی است و نمی‌توان آن را غیرفعال کرد."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and requires_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
