"""/api/v1/…: the agencies' REST API (agencies/api.py), its OpenAPI document and docs;
any other path under it is the API's JSON 404, a method a path does not take its JSON 405."""

from django.urls import URLPattern, path, re_path

from .api import api, not_found, with_json_405

# Not `app_name` at module level: Django would take it as this URLconf's own namespace.
_ninja_urls = api.urls
for _pattern in _ninja_urls[0]:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = with_json_405(_pattern.callback)

urlpatterns = [
    path("", _ninja_urls),
    re_path(r"^.*$", not_found),
]
