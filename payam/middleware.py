import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from payam import request_context
from payam.views import request_too_large

request_log = logging.getLogger("payam.request")


def client_ip(request: HttpRequest) -> str | None:
    """The client address. Behind the production proxy, the last hop it appended."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
