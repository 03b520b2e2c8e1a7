"""The portal's URLs and /bench/plain/ (bench/wsgi.py)."""

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from payam import urls as portal

handler400 = portal.handler400
handler429 = portal.handler429


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/plain/", plain),
    *cast(list[URLPattern | URLResolver], portal.urlpatterns),
]
