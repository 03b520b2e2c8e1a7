from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe

from payam import health, ratelimit
from payam.text import localized_digits

MIB = 1024 * 1024


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@cache_control(public=True, max_age=60 * 60 * 24)
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers (and the admin's pages) ask for by that name:
    the icon in static/, under its collected (hashed) name in production. Not a
    permanent redirect, so a new icon is not hidden behind a cached old name."""
    return HttpResponseRedirect(static("img/favicon.ico"))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_status(), "redis": health.redis_status()}
    healthy = all(value != health.DOWN for value in checks.values())
    body = {"status": "ok" if healthy else "error", **checks}
    return JsonResponse(body, status=200 if healthy else 503)


def request_too_large(request: HttpRequest) -> HttpResponse:
    """413: the body is longer than REQUEST_BODY_MAX_BYTES (or its form fields
    than DATA_UPLOAD_MAX_MEMORY_SIZE); says the limits and what to do."""
    return render(
        request,
        "413.html",
        {
            "total_mb": localized_digits(settings.REQUEST_BODY_MAX_BYTES // MIB),
            "max_files": localized_digits(settings.LETTER_MAX_ATTACHMENTS),
            "file_mb": localized_digits(settings.LETTER_ATTACHMENT_MAX_BYTES // MIB),
        },
        status=413,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: Django's RequestDataTooBig (form fields past
    DATA_UPLOAD_MAX_MEMORY_SIZE) is the 413 page; anything else Django's 400."""
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    return defaults.bad_request(request, exception)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's 429 (`ROOT_URLCONF.handler429`), for the limits whose wait it does not tell."""
    return ratelimit.too_many_requests(request, retry_after=None)
