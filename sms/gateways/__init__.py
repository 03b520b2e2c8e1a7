"""Gateway adapters, chosen by `settings.SMS_GATEWAY` ("console" or "http")."""

from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from .base import (
    Accepted,
    GatewayError,
    Lookup,
    OutgoingMessage,
    PermanentGatewayError,
    SmsGateway,
    TransientGatewayError,
)

__all__ = [
    "Accepted",
    "GatewayError",
    "Lookup",
    "OutgoingMessage",
    "PermanentGatewayError",
    "SmsGateway",
    "TransientGatewayError",
    "get_gateway",
]


@cache
def get_gateway() -> SmsGateway:
    name = settings.SMS_GATEWAY
    if name == "console":
        from .console import ConsoleGateway

        return ConsoleGateway()
    if name == "http":
        from .http import HttpGateway

        return HttpGateway.from_settings()
    raise ImproperlyConfigured(f"Unknown SMS_GATEWAY {name!r}: use 'console' or 'http'.")


def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("SMS_"):
        get_gateway.cache_clear()


setting_changed.connect(_reset)
