"""The inbox pages of a natural or legal person: the list (with filters, search,
keyset pages, starred and archived), one letter (read receipt, thread,
attachments, reply) and attachment downloads.

Every page is the signed-in person's own: a letter is found only through
`selectors.delivery_for`, so another person's tracking code answers 404 on
every URL. A person whose inbox is not active (registered, not yet activated at
a broker office; or suspended) sees only how many letters wait."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from payam.middleware import client_ip

from . import fragments, selectors, services
from .constants import AccessAction, ReaderRole
from .downloads import attachment_response
from .exceptions import AttachmentRefused, MailboxError, ReplyNotAllowed
from .forms import InboxFilterForm, ReplyForm
from .models import Attachment, Delivery, Letter, ProxyGrant
from .permissions import may_reply

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

View = Callable[..., HttpResponseBase]

LIST_VIEWS: dict[str, tuple["StrOrPromise", dict[str, Any]]] = {
    # url name: (title, selector arguments)
    "inbox": (gettext_lazy("کارپوشه"), {"archived": False}),
    "starred": (gettext_lazy("نامه‌های ستاره‌دار"), {"archived": None, "starred": True}),
    "archived": (gettext_lazy("بایگانی"), {"archived": True}),
}


ACTING_SESSION_KEY = "mailbox_acting_for"


def acting_grant(request: HttpRequest) -> ProxyGrant | None:
    """The proxy grant the signed-in person is acting under on this request
    (set by `inbox_reader`), or None when they read their own inbox."""
    grant = getattr(request, "mailbox_grant", None)
    return grant if isinstance(grant, ProxyGrant) else None


def _inbox_view(view: View, *, proxies: bool) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        on_letter = "tracking_code" in kwargs
        grant = None
        if ACTING_SESSION_KEY in request.session:
            grant = selectors.acting_grant(
                user=request.user, grant_id=request.session[ACTING_SESSION_KEY]
            )
            if grant is None:
                # Revoked, expired or the inbox closed: at once, on the next page.
                del request.session[ACTING_SESSION_KEY]
                messages.warning(
                    request, _("وکالت شما دیگر برقرار نیست؛ به کارپوشه‌ی خودتان برگشتید.")
                )
                return redirect("mailbox:proxies")
            if not proxies:
                if request.method != "GET":
                    # A form (or an htmx call) of the owner's: refused, never followed.
                    raise PermissionDenied
                messages.info(
                    request,
                    _("این بخش فقط در کارپوشه‌ی خودتان است؛ نخست از وکالت %(name)s بیرون بیایید.")
                    % {"name": grant.mailbox.label},
                )
                return redirect("mailbox:inbox")
        request.mailbox_grant = grant  # type: ignore[attr-defined]
        if grant is not None:
            response: HttpResponseBase = view(request, *args, **kwargs)
        else:
            access = selectors.inbox_access(user=request.user)
            if access.state == selectors.InboxState.NONE:
                if on_letter:
                    raise Http404
                response = render(request, "mailbox/no_inbox.html")
            elif not access.may_read:
                response = render(
                    request,
                    "mailbox/inbox_closed.html",
                    {"access": access},
                    status=403 if on_letter else 200,
                )
            else:
                response = view(request, *args, **kwargs)
        if not response.has_header("Cache-Control"):
            # Letters must not stay in a shared computer's cache.
            add_never_cache_headers(response)
        return response

    return wrapper


def person_inbox(view: View) -> View:
    """Signed in, with an inbox that is active, for the owner's own inbox only
    (a person acting as someone's proxy is sent back to that inbox). Staff (no
    inbox) get a friendly page on a list and 404 on a letter; a person whose
    inbox is not active gets the page that says how many letters wait —
    whatever the tracking code, so it reveals nothing about codes."""
    return _inbox_view(view, proxies=False)


def inbox_reader(view: View) -> View:
    """Like `person_inbox`, and a proxy acting for the owner may use it too,
    within their grant (`acting_grant(request)`): reading pages, downloads,
    PDF and print, and replies when the grant allows them."""
    return _inbox_view(view, proxies=True)


def reader_kwargs(request: HttpRequest) -> dict[str, Any]:
    """`acting_as` and `grant` for the services, for whoever reads."""
    grant = acting_grant(request)
    return {
        "acting_as": ReaderRole.OWNER if grant is None else ReaderRole.PROXY,
        "grant": grant,
    }


def delivery_or_404(request: HttpRequest, tracking_code: str) -> Delivery:
    """The delivery the signed-in reader may open under this tracking code, or 404
    (someone else's letter, a malformed code)."""
    try:
        return selectors.delivery_for(
            user=request.user, tracking_code=tracking_code, grant=acting_grant(request)
        )
    except Delivery.DoesNotExist:
        raise Http404 from None


def record_access(request: HttpRequest, delivery: Delivery, action: AccessAction) -> None:
    """Record a download or print for the owner to see when the reader is not
    the owner (the owner's own use is not recorded)."""
    services.delivery_record_access(
        actor=request.user,
        delivery=delivery,
        action=action,
        ip=client_ip(request),
        **reader_kwargs(request),
    )


def _list(request: HttpRequest, name: str) -> HttpResponse:
    title, scope = LIST_VIEWS[name]
    grant = acting_grant(request)

    def render_list() -> str:
        form = InboxFilterForm(
            request.GET, senders=selectors.inbox_senders(user=request.user, grant=grant)
        )
        form.is_valid()  # errors are shown; the valid filters still apply
        page = selectors.inbox(
            user=request.user,
            grant=grant,
            after=request.GET.get("after"),
            **scope,
            **form.filters(),
        )
        context = {
            "view_name": name,
            "form": form,
            "page": page,
            "older_page": "after" in request.GET,
            "csrf_token": fragments.CSRF_PLACEHOLDER,
        }
        return render_to_string("mailbox/_inbox_list.html", context, request)

    listing = (
        fragments.owner_list(request, name, render_list)
        if grant is None
        else fragments.with_csrf(request, render_list())
    )
    return render(
        request, "mailbox/inbox.html", {"title": title, "view_name": name, "listing": listing}
    )


@inbox_reader
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return _list(request, "inbox")


@inbox_reader
@require_GET
def starred(request: HttpRequest) -> HttpResponse:
    return _list(request, "starred")


@inbox_reader
@require_GET
def archived(request: HttpRequest) -> HttpResponse:
    return _list(request, "archived")


def _letter_page(
    request: HttpRequest,
    delivery: Delivery,
    *,
    reply_form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    letter = delivery.letter
    grant = acting_grant(request)
    thread = selectors.letter_thread(user=request.user, delivery=delivery, grant=grant)
    access = selectors.delivery_access_records(user=request.user, delivery=delivery)
    return render(
        request,
        "mailbox/letter.html",
        {
            "delivery": delivery,
            "letter": letter,
            "attachments": list(letter.attachments.all()),
            "thread": thread,
            # Named only when the reader can see it (an agency may answer someone
            # else's letter to them): the thread holds exactly those.
            "answered": next(
                (e.letter for e in thread if e.letter.pk == letter.in_reply_to_id), None
            ),
            "reply_form": (reply_form or ReplyForm())
            if may_reply(request.user, delivery, **reader_kwargs(request))
            else None,
            # For the owner: everyone else's use of this letter, and the proxy's last.
            "access_records": access,
            "last_proxy_access": next((r for r in access if r.acting_as == ReaderRole.PROXY), None),
        },
        status=status,
    )


@inbox_reader
@require_GET
def letter(request: HttpRequest, tracking_code: str) -> HttpResponse:
    delivery = delivery_or_404(request, tracking_code)
    if not delivery.is_read or acting_grant(request) is not None:
        # The read receipt: stamped once, on the first open by the owner or a
        # proxy; and each open by a proxy is recorded for the owner to see.
        services.delivery_mark_read(
            actor=request.user, delivery=delivery, ip=client_ip(request), **reader_kwargs(request)
        )
    return _letter_page(request, delivery)


@inbox_reader
@require_GET
def attachment(request: HttpRequest, tracking_code: str, position: int) -> FileResponse:
    delivery = delivery_or_404(request, tracking_code)
    item = attachment_at(delivery.letter, position)
    record_access(request, delivery, AccessAction.DOWNLOAD)
    return attachment_response(item)


def attachment_at(letter: Letter, position: int) -> Attachment:
    """The letter's attachment at `position` (from its prefetched attachments), or 404."""
    found = next((a for a in letter.attachments.all() if a.position == position), None)
    if found is None:
        raise Http404
    return found


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _flag(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get(value or "")


@person_inbox
@require_POST
def flags(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """Star or archive (or undo either); `starred` / `archived` = true or false.
    htmx gets the buttons back; without JavaScript the person returns to `next`."""
    delivery = delivery_or_404(request, tracking_code)
    services.delivery_set_flags(
        actor=request.user,
        delivery=delivery,
        starred=_flag(request.POST.get("starred")),
        archived=_flag(request.POST.get("archived")),
    )
    page = reverse("mailbox:letter", args=[delivery.letter.tracking_code])
    next_url = _next_url(request, page)
    if request.headers.get("HX-Request") == "true":
        return render(request, "mailbox/_flags.html", {"delivery": delivery, "next": next_url})
    return redirect(next_url)


def _reply_refused(request: HttpRequest, delivery: Delivery, error: Exception) -> HttpResponse:
    return render(
        request,
        "mailbox/reply_refused.html",
        {"letter": delivery.letter, "error": str(error)},
        status=403,
    )


@inbox_reader
@require_POST
def reply(request: HttpRequest, tracking_code: str) -> HttpResponse:
    delivery = delivery_or_404(request, tracking_code)
    if not may_reply(request.user, delivery, **reader_kwargs(request)):
        return _reply_refused(request, delivery, ReplyNotAllowed())
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            sent = services.letter_reply(
                actor=request.user,
                delivery=delivery,
                text=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                grant=acting_grant(request),
            )
        except ReplyNotAllowed as exc:
            return _reply_refused(request, delivery, exc)
        except AttachmentRefused as exc:
            form.add_error("attachments", str(exc))
        except MailboxError as exc:
            form.add_error("body", str(exc))
        else:
            messages.success(
                request,
                _("پاسخ شما فرستاده شد. کد رهگیری آن %(code)s است.") % {"code": sent.tracking_code},
            )
            return redirect("mailbox:letter", delivery.letter.tracking_code)
    return _letter_page(request, delivery, reply_form=form, status=400)
