"""Reactions to sign-in events, connected in AccountsConfig.ready()."""

from typing import Any

from allauth.account.signals import password_changed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from payam.middleware import client_ip

from .models import LoginEvent, LoginMethod, User
from .services import password_changed_by_owner


@receiver(user_logged_in, dispatch_uid="accounts.record_login")
def record_login(sender: type, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None:
        return
    LoginEvent.objects.create(
        user=user,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        method=getattr(request, "payam_login_method", LoginMethod.PASSWORD),
    )


@receiver(password_changed, dispatch_uid="accounts.password_changed")
def after_password_change(sender: type, request: HttpRequest, user: User, **kwargs: Any) -> None:
    password_changed_by_owner(user=user)
