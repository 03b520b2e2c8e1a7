"""The SSRF guard of agencies' webhook addresses.

An agency admin names the address Payam POSTs to, so the address must not
reach inside Payam's own network. Outside development
(`WEBHOOK_ALLOW_PRIVATE_URLS` False) an address is refused unless it is https
and EVERY address its host resolves to is a public unicast address: no
private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local
(169.254/16 — cloud metadata — and fe80::/10), multicast, reserved,
unspecified or shared (100.64/10) address. It is checked when the address is
registered and again right before each POST; and the POST itself goes through
`guarded_session()`, whose connections check the address they actually
connected to before a byte is sent, so a name that resolves to a public
address at the check and to a private one at the connect (DNS rebinding) is
refused too."""

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .exceptions import WebhookUrlRefused

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_allowed(address: str | Address) -> bool:
    """A public unicast address (the only kind a webhook may reach in production)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (one getaddrinfo, so tests can replace it)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_URLS", False))


def _bad_url() -> str:
    return _("نشانی درست نیست؛ مانند https://oa.example.ir/payam بنویسید.")


def check_url(url: str) -> str:
    """The address, stripped, or WebhookUrlRefused with a Persian reason."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlRefused(_bad_url()) from exc
    allow_private = private_allowed()
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes:
        raise WebhookUrlRefused(_("نشانی باید با https:// آغاز شود."))
    if not parts.hostname:
        raise WebhookUrlRefused(_bad_url())
    if parts.username or parts.password:
        raise WebhookUrlRefused(_("نام کاربری و گذرواژه را در نشانی نگذارید."))
    if allow_private:
        return url
    try:
        literal: list[str] | None = [str(ipaddress.ip_address(parts.hostname))]
    except ValueError:
        literal = None  # a name, not an address
    try:
        addresses = literal or resolve(
            parts.hostname, port or (443 if parts.scheme == "https" else 80)
        )
    except (OSError, UnicodeError) as exc:
        raise WebhookUrlRefused(
            _("نام میزبان «%(host)s» پیدا نشد؛ نشانی را بررسی کنید.") % {"host": parts.hostname}
        ) from exc
    if not addresses or not all(address_allowed(a) for a in addresses):
        raise WebhookUrlRefused(
            _(
                "این نشانی به شبکه‌ی داخلی، خودِ سرور یا نشانی رزروشده می‌رسد و پذیرفته نیست؛ "
                "نشانی همگانی سامانه‌ی خود را بنویسید."
            )
        )
    return url


class PeerRefused(OSError):
    """The connection reached an address a webhook may not (see the module)."""


def _check_peer(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None or private_allowed():
        return
    peer = sock.getpeername()[0]
    if not address_allowed(peer):
        sock.close()
        connection.sock = None
        raise PeerRefused(f"connected to a refused address {peer}")


class _CheckedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self)


class _CheckedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self)


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections check the peer they reached."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


def guarded_session() -> requests.Session:
    """A session for one webhook POST: no proxy from the environment, no
    redirects followed by the caller, every connection's peer checked."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
