"""The portal's URLs plus a served ITO review workspace at /review/, for the
landing tests: the workspace app is not part of this branch yet."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def review(request: HttpRequest) -> HttpResponse:
    return HttpResponse("review queue")


urlpatterns = [
    path("review/", review),
    path("", include("payam.urls")),
]
