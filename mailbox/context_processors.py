from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import PERSON_USER_KINDS, unread_count_cached, urgent_unread_cached


def inbox(request: HttpRequest) -> dict[str, object]:
    """`inbox_unread` for the header: the signed-in person's unread letters (one
    count over the partial index `delivery_unread_idx`, cached until a new letter
    or a first read changes it), None for everyone else (no query for visitors
    and staff). `mailbox_acting`: the proxy grant an inbox page is read under
    (views.inbox_reader set it), for the banner that says whose inbox this is.
    `inbox_urgent`: the person's unread crisis notices for the banner atop the
    page, read only when a template asks (and then from the cache; nothing at all
    when the unread count is 0)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.kind not in PERSON_USER_KINDS:
        return {"inbox_unread": None, "mailbox_acting": None, "inbox_urgent": None}
    unread = getattr(request, "inbox_unread", None)  # read with the inbox list (fragments)
    return {
        "inbox_unread": unread if isinstance(unread, int) else unread_count_cached(user=user),
        "mailbox_acting": getattr(request, "mailbox_grant", None),
        "inbox_urgent": SimpleLazyObject(lambda: urgent_unread_cached(user=user)),
    }
