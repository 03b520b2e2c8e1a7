"""System checks of the portal's own settings (`manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register("payam", deploy=True)
def client_address_behind_a_proxy(**kwargs: Any) -> list[CheckMessage]:
    """Behind a proxy (SECURE_PROXY_SSL_HEADER set) with no proxy trusted for the
    client's address, every client has the proxy's address: one client's tries
    then lock out and rate-limit everyone (payam.middleware.client_ip)."""
    if (
        getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        and not settings.TRUSTED_PROXY_COUNT
        and not settings.CLIENT_IP_HEADER
    ):
        return [
            Warning(
                "The app trusts a proxy for the scheme (SECURE_PROXY_SSL_HEADER) but none "
                "for the client's address: every client will have the proxy's address.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of gunicorn "
                "(docker-compose: 1), or CLIENT_IP_HEADER to a header the proxy overwrites.",
                id="payam.W001",
            )
        ]
    return []
