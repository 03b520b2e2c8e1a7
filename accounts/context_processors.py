from django.http import HttpRequest

from .roles import role_label


def portal(request: HttpRequest) -> dict[str, object]:
    """What every page's header needs: the signed-in person's name and role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_role": ""}
    return {"portal_role": role_label(user)}
