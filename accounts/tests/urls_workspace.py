"""The portal's URLs without the staff workspaces (/review/, /agency/, /desk/), for the
landing tests of a role whose workspace is not served."""

from django.urls import URLResolver

from payam.urls import urlpatterns as portal

WORKSPACES = {"review/", "agency/", "desk/"}

urlpatterns = [
    p for p in portal if not (isinstance(p, URLResolver) and str(p.pattern) in WORKSPACES)
]
