import ipaddress
import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from payam import request_context
from payam.views import request_too_large

request_log = logging.getLogger("payam.request")


def _address(value: str | None) -> str | None:
    """`value` as the canonical text of one IP address (what an inet column gives
    back), or None if it is not one. A port (`1.2.3.4:5678`, `[::1]:5678`) and an
    IPv6 zone are dropped; an IPv4-mapped IPv6 address becomes the IPv4 one."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1 and "." in text:
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]
    if len(text) > 45:  # longer than any address: not worth parsing
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the project's one rule, used by every limit, lockout,
    audit row and log line (and by allauth and axes).

    * `CLIENT_IP_HEADER` set (e.g. `X-Real-IP`): that header, which the nearest
      proxy must overwrite with the address it was connected from;
    * else `TRUSTED_PROXY_COUNT` = n > 0: the n-th `X-Forwarded-For` entry from the
      right, the one the outermost trusted proxy appended (entries further left were
      sent by the client and are never read);
    * else, and whenever that value is missing or not an IP address, the
      connection's own address (`REMOTE_ADDR`).

    None only when even the connection address is not an IP (a Unix socket)."""
    try:
        return request._payam_client_ip  # type: ignore[attr-defined]
    except AttributeError:
        pass
    ip = _forwarded_ip(request) or _address(request.META.get("REMOTE_ADDR"))
    request._payam_client_ip = ip  # type: ignore[attr-defined]
    return ip


def _forwarded_ip(request: HttpRequest) -> str | None:
    header = settings.CLIENT_IP_HEADER
    if header:
        return _address(request.META.get(header_meta_key(header)))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return None
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < count:
        return None
    return _address(hops[-count])


def header_meta_key(header: str) -> str:
    """`X-Real-IP` → `HTTP_X_REAL_IP`, the key of request.META."""
    return "HTTP_" + header.upper().replace("-", "_")


class RequestContextMiddleware:
    """Sets the request context (IP, user agent, request id) and writes one log
    line per request: method, path, status, duration, user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex
        token = request_context.set_current(
            request_context.RequestContext(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                request_id=request_id[:64],
            )
        )
        started = time.monotonic()
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        user = getattr(request, "user", None)
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "ip": client_ip(request),
                "request_id": request_id[:64],
            },
        )
        response["X-Request-ID"] = request_id[:64]
        return response


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (Django has no setting for it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestBodyLimitMiddleware:
    """Answers 413 when the declared body (Content-Length) is longer than
    REQUEST_BODY_MAX_BYTES, without reading a byte of it. Django reads a body
    only when something touches request.POST, FILES or body (the CSRF check's
    process_view, a view: both after every middleware's request phase) and never
    past Content-Length, so a refused upload is never spooled to disk. A body
    without a Content-Length (chunked) is read by Django as empty."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # as Django reads it
        if declared > settings.REQUEST_BODY_MAX_BYTES:
            request_log.warning(
                "request body refused: %s bytes declared, %s allowed",
                declared,
                settings.REQUEST_BODY_MAX_BYTES,
                extra={"path": request.path, "declared_bytes": declared},
            )
            return request_too_large(request)
        return self.get_response(request)
