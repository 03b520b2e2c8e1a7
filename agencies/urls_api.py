"""/api/v1/…: the agencies' REST API (agencies/api.py), its OpenAPI document and docs;
any other path under it is the API's JSON 404."""

from django.urls import path, re_path

from .api import api, not_found

urlpatterns = [
    path("", api.urls),
    re_path(r"^.*$", not_found),
]
