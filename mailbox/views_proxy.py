"""Proxies (وکالت): the owner names, follows and revokes them; the proxy
accepts or declines, switches to "acting for" the owner and back; and the
owner's "who accessed my inbox" page.

A person may be both: an owner with proxies and someone else's proxy. Acting
for someone is a session flag that every inbox page checks against the grant
again (`views.inbox_reader`), so a revocation takes effect on the next click."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from payam.middleware import client_ip

from . import selectors, services
from .constants import ProxyStatus
from .exceptions import InvalidProxy, ProxyError
from .forms import ProxyForm
from .views import ACTING_SESSION_KEY, person_inbox

# The action named in the URL and the status it moves a grant to.
MOVES = {
    "accept": ProxyStatus.ACTIVE,
    "decline": ProxyStatus.DECLINED,
    "revoke": ProxyStatus.REVOKED,
}


# A proxy reads another's letters only while their own inbox is active.
PROXY_NEEDS_OWN_INBOX = gettext_lazy(
    "وکیل تنها تا زمانی نامه‌های دیگران را می‌بیند که کارپوشه‌ی خودش فعال باشد؛ کارپوشه‌ی "
    "خود را با احراز هویت حضوری در یکی از دفاتر پیشخوان فعال کنید."
)


def _person(request: HttpRequest) -> bool:
    return getattr(request.user, "kind", None) in selectors.PERSON_USER_KINDS


def _page(
    request: HttpRequest, form: ProxyForm | None = None, *, status: int = 200
) -> HttpResponse:
    access = selectors.inbox_access(user=request.user)
    agencies = [(m.pk, m.label) for m in selectors.agencies_for_filter()]
    return render(
        request,
        "mailbox/proxies.html",
        {
            "given": selectors.proxy_grants_given(user=request.user),
            "received": selectors.proxy_grants_received(user=request.user),
            # Only the owner of an active inbox names proxies.
            "form": (form or ProxyForm(agencies=agencies)) if access.may_read else None,
            "acting_id": request.session.get(ACTING_SESSION_KEY),
            "may_read_own": access.may_read,
        },
        status=status,
    )


@login_required
@require_GET
def proxies(request: HttpRequest) -> HttpResponse:
    """Both sides on one page: the proxies I named, and the grants naming me."""
    if not _person(request):
        raise Http404
    return _page(request)


@login_required
@require_POST
def proxy_new(request: HttpRequest) -> HttpResponse:
    if not _person(request):
        raise Http404
    agencies = [(m.pk, m.label) for m in selectors.agencies_for_filter()]
    form = ProxyForm(request.POST, agencies=agencies)
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        agency = next((m for m in selectors.agencies_for_filter() if m.pk == data["agency"]), None)
        try:
            grant = services.proxy_grant(
                actor=request.user,
                national_code=data["national_code"],
                mobile=data["mobile"],
                birth_date=data["birth_date"],
                scope=data["scope"],
                expires_on=data["expires_on"],
                agency=agency,
                ip=client_ip(request),
            )
        except InvalidProxy as exc:
            form.add_error(exc.field, str(exc))
        except ProxyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "%(name)s به وکالت کارپوشه‌ی شما نام برده شد. پس از آنکه بپذیرد، می‌تواند "
                    "نامه‌ها را ببیند؛ هر بار دیدن او برای شما ثبت می‌شود."
                )
                % {"name": grant.proxy_label},
            )
            return redirect("mailbox:proxies")
    return _page(request, form, status=400)


@login_required
@require_POST
def proxy_move(request: HttpRequest, grant_id: int, action: str) -> HttpResponse:
    """Accept, decline or revoke (or give up) a grant."""
    if action not in MOVES or not _person(request):
        raise Http404
    to = MOVES[action]
    try:
        grant = services.proxy_transition(actor=request.user, grant_id=grant_id, to=to)
    except PermissionDenied:
        raise Http404 from None
    except ProxyError as exc:
        messages.error(request, str(exc))
        return redirect("mailbox:proxies")
    if to == ProxyStatus.REVOKED and request.session.get(ACTING_SESSION_KEY) == grant.pk:
        del request.session[ACTING_SESSION_KEY]
    texts = {
        ProxyStatus.ACTIVE: _(
            "وکالت %(name)s را پذیرفتید. با «ورود به کارپوشه» نامه‌های او را ببینید."
        ),
        ProxyStatus.DECLINED: _("وکالت %(name)s را نپذیرفتید."),
        ProxyStatus.REVOKED: _("وکالت پایان یافت؛ از همین لحظه دسترسی وکیل بسته است."),
    }
    messages.success(request, texts[to] % {"name": grant.mailbox.label})
    return redirect("mailbox:proxies")


@login_required
@require_POST
def proxy_act(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Switch to reading the owner's inbox under this grant."""
    grant = selectors.acting_grant(user=request.user, grant_id=grant_id)
    if grant is None:
        if not selectors.inbox_access(user=request.user).may_read:
            messages.error(request, str(PROXY_NEEDS_OWN_INBOX))
        else:
            messages.error(request, _("این وکالت برقرار نیست یا پایان یافته است."))
        return redirect("mailbox:proxies")
    request.session[ACTING_SESSION_KEY] = grant.pk
    return redirect("mailbox:inbox")


@login_required
@require_POST
def proxy_stop(request: HttpRequest) -> HttpResponse:
    """Back to one's own inbox (or to the proxies page for someone who has no
    active inbox of their own)."""
    request.session.pop(ACTING_SESSION_KEY, None)
    if selectors.inbox_access(user=request.user).may_read:
        return redirect("mailbox:inbox")
    return redirect("mailbox:proxies")


@person_inbox
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """ "Who accessed my inbox": every view, download, print or reply by a proxy
    or a broker-office clerk, newest first."""
    page = selectors.inbox_access_log(user=request.user, after=request.GET.get("after"))
    return render(
        request,
        "mailbox/access_log.html",
        {"page": page, "view_name": "access", "older_page": "after" in request.GET},
    )
