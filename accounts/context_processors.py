from django.http import HttpRequest

from .landing import workspace_url
from .roles import is_citizen, role_label


def portal(request: HttpRequest) -> dict[str, object]:
    """What every page's header needs: the signed-in person's name and role, and
    for staff the way back to their workspace (the broker office's desk, …)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_role": "", "portal_workspace": None}
    return {
        "portal_role": role_label(user),
        "portal_workspace": None if is_citizen(user) else workspace_url(user),
    }
