from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe

from payam import health


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
