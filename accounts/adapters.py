"""How django-allauth behaves here: accounts come only from our own registration
(civil registry, Shahkar, one-time code), so allauth's sign-up stays closed."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .landing import landing_url


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": _("نام کاربری یا گذرواژه درست نیست."),
        "too_many_login_attempts": _("تلاش‌های ناموفق بسیار بود؛ کمی بعد دوباره تلاش کنید."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """A person's inbox, a staff member's workspace (accounts.landing); a
        safe `next` given to the login page still wins (allauth checks it first)."""
        return landing_url(request.user)

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
