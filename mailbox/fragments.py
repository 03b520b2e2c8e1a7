"""Rendered parts of the inbox kept in the cache, so that a repeat view renders
only the page around them.

The list of letters (the search form, the rows with their star and archive
buttons, the pager) is rendered once per version of the owner's inbox and kept
under (owner, view, full path with its filters and page, language, day). Every
change of what the list shows — a new letter, a first read, a star, an
archive, a placeholder bound at registration — drops the version after its
commit (services.forget_inbox_caches), so the next view renders afresh; the
expiry (INBOX_PAGE_CACHE_SECONDS) only bounds what a lost drop could leave.

A proxy's view (a grant) is never kept: it is rendered on every request.
The rows' forms carry the CSRF token of the request that reads them: the kept
HTML has a placeholder input, replaced on the way out. A cache that is down
costs the rendering, never the page."""

import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .selectors import inbox_version_key, unread_cache_key

logger = logging.getLogger("payam.mailbox")

# What `{% csrf_token %}` writes when the context's token is CSRF_PLACEHOLDER: the
# exact input, quotes included, which escaped letter text can never contain.
CSRF_PLACEHOLDER = "csrf-placeholder"
CSRF_PLACEHOLDER_INPUT = (
    f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">'
)


def list_cache_key(request: HttpRequest, view_name: str) -> str:
    """The owner, and a digest of what else the list depends on: the view, the
    full path (filters, search, page), the language and today's date in Tehran
    (the date filter's years)."""
    parts = "\n".join(
        (view_name, request.get_full_path(), get_language() or "", str(timezone.localdate()))
    )
    digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
    return f"mailbox:inbox-list:{request.user.pk}:{digest}"


def _version(owner_id: int, current: object) -> str | None:
    """The inbox's version: the one read, else a new one (None: the cache refused)."""
    if isinstance(current, str):
        return current
    fresh = secrets.token_hex(8)
    key = inbox_version_key(owner_id)
    if cache.add(key, fresh, settings.INBOX_PAGE_CACHE_SECONDS):
        return fresh
    found = cache.get(key)  # another request made it first
    return found if isinstance(found, str) else None


def with_csrf(request: HttpRequest, html: str) -> SafeString:
    """The kept HTML with this request's CSRF input in place of the placeholder."""
    token_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    return mark_safe(html.replace(CSRF_PLACEHOLDER_INPUT, token_input))  # noqa: S308 — rendered HTML


def owner_list(request: HttpRequest, view_name: str, render: Callable[[], str]) -> SafeString:
    """The owner's list as `render()` writes it (with CSRF_PLACEHOLDER as the
    context's `csrf_token`), from the cache when this version of the inbox has
    it, else rendered and kept."""
    owner_id = cast(int, request.user.pk)  # a signed-in owner (views.person_inbox)
    key = list_cache_key(request, view_name)
    try:
        # The header's unread count comes in the same round trip (context_processors.inbox).
        found = cache.get_many([inbox_version_key(owner_id), key, unread_cache_key(owner_id)])
        if isinstance(found.get(unread_cache_key(owner_id)), int):
            request.inbox_unread = found[unread_cache_key(owner_id)]  # type: ignore[attr-defined]
        version = _version(owner_id, found.get(inbox_version_key(owner_id)))
    except Exception:
        logger.warning("The cache is unreachable; rendering the inbox list", exc_info=True)
        return with_csrf(request, render())
    kept = found.get(key)
    if version is not None and isinstance(kept, tuple) and kept[0] == version:
        return with_csrf(request, kept[1])
    html = render()
    if version is not None:
        try:
            cache.set(key, (version, html), settings.INBOX_PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("Could not keep the inbox list", exc_info=True)
    return with_csrf(request, html)
