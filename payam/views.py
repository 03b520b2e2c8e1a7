from captcha.helpers import captcha_image_url
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe

from payam import captcha_speech, health, ratelimit
from payam.captcha import audio_url, live_challenge, new_challenge
from payam.text import localized_digits
from payam.views_pages import home_context

MIB = 1024 * 1024
# Under this path programs call the agencies' API: errors answer in its JSON shape.
API_PATH_PREFIX = "/api/"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", home_context(get_language()))


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
    than DATA_UPLOAD_MAX_MEMORY_SIZE); says the limits and what to do. A
    program calling the API (`/api/…`) gets the API's JSON error instead."""
    if request.path.startswith(API_PATH_PREFIX):
        mb = settings.REQUEST_BODY_MAX_BYTES // MIB
        return JsonResponse(
            {
                "error": {
                    "code": "request_too_large",
                    "message_fa": _("درخواست بزرگ‌تر از %(mb)s مگابایت است.")
                    % {"mb": localized_digits(mb)},
                    "message_en": f"The request is larger than {mb} MB.",
                }
            },
            status=413,
        )
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


# --- the captcha's sound, and a new challenge without reloading the page --------------

CAPTCHA_AUDIO_SCOPE = "captcha.audio"


@never_cache
@require_GET
def captcha_audio(request: HttpRequest, hashkey: str) -> HttpResponse:
    """The challenge `hashkey`'s digits, spoken in the page's language, a different
    file each time (payam/captcha_speech.py). At most CAPTCHA_AUDIO_PER_IP_PER_MINUTE
    from one client address, known challenges or not (429 with Retry-After). An
    unknown, answered or expired challenge is a plain 404, the same for each."""
    limit = ratelimit.hit(
        key=ratelimit.client_key(request, CAPTCHA_AUDIO_SCOPE),
        limit=settings.CAPTCHA_AUDIO_PER_IP_PER_MINUTE,
        window_seconds=60,
    )
    if not limit.allowed:
        return ratelimit.too_many_requests(request, retry_after=limit.retry_after)
    digits = live_challenge(hashkey)
    if digits is None:
        raise Http404
    body = captcha_speech.render(digits, language=get_language())
    response = HttpResponse(body, content_type="audio/wav")
    response["Content-Disposition"] = 'inline; filename="captcha.wav"'
    return response


@never_cache
@require_GET
def captcha_refresh(request: HttpRequest) -> JsonResponse:
    """ "Another code" without reloading: a new challenge's key, image and sound
    (django-simple-captcha's own answer has no sound)."""
    if request.headers.get("x-requested-with") != "XMLHttpRequest":
        raise Http404
    key = new_challenge()
    return JsonResponse(
        {"key": key, "image_url": captcha_image_url(key), "audio_url": audio_url(key)}
    )
