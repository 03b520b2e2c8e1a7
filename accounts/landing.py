"""Where a person lands after signing in, when no safe `next` names a page.

* Citizens and companies: their inbox.
* Staff roles: their workspace (ITO experts the review queue, broker-office
  clerks the office desk, agency staff the agency's pages), found by path so
  that a workspace counts only once its app serves it.
* Anyone else (a staff role whose workspace is not served yet, an account
  with no role): the administrators the admin site, everyone else their
  account page — it exists for every account and leads on to two-factor and
  the open sessions.

allauth asks `AccountAdapter.get_login_redirect_url`, which asks this."""

from collections.abc import Callable

from django.urls import Resolver404, resolve, reverse

from .roles import AnyUser, is_agency_member, is_broker_clerk, is_citizen, is_ito_expert

# (who, the workspace's paths in the order tried): the paths of docs/DESIGN's
# "Addresses people see".
WORKSPACES: tuple[tuple[Callable[[AnyUser], bool], tuple[str, ...]], ...] = (
    (is_ito_expert, ("/review/",)),
    (is_broker_clerk, ("/broker/",)),
    (is_agency_member, ("/agency/", "/desk/")),
)


def _served(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def workspace_url(user: AnyUser) -> str | None:
    """The first served workspace of the user's roles, or None."""
    for holds, paths in WORKSPACES:
        if holds(user):
            for path in paths:
                if _served(path):
                    return path
    return None


def landing_url(user: AnyUser) -> str:
    if is_citizen(user):
        return reverse("mailbox:inbox")
    workspace = workspace_url(user)
    if workspace is not None:
        return workspace
    if getattr(user, "is_staff", False):
        return reverse("admin:index")
    return reverse("accounts:profile")
