from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from payam import health
from payam.ratelimit import too_many_requests as too_many_requests_page


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": health.database_status(), "redis": health.redis_status()}
    healthy = all(value != health.DOWN for value in checks.values())
    body = {"status": "ok" if healthy else "error", **checks}
    return JsonResponse(body, status=200 if healthy else 503)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's 429 (`ROOT_URLCONF.handler429`), for the limits whose wait it does not tell."""
    return too_many_requests_page(request, retry_after=None)
