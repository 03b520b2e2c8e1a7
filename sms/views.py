"""Public pages of the sms app, the USSD callback, and the development outbox."""

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from payam.phone import local_mobile
from payam.ratelimit import client_key, hit
from payam.text import localized_digits

from . import ussd
from .callbacks import is_signed
from .constants import SmsKind
from .forms import SenderCheckForm
from .selectors import console_outbox, sender_lookup

logger = logging.getLogger(__name__)

PLAIN_TEXT = "text/plain; charset=utf-8"
DEV_OUTBOX_SIZE = 100


@require_GET
def sender_check(request: HttpRequest) -> HttpResponse:
    """Is the number (or name) an SMS came from a registered government sender?"""
    template = "sms/sender_check.html"
    if "number" not in request.GET:
        return render(request, template, {"form": SenderCheckForm()})

    limit = hit(
        key=client_key(request, "sms.sender_check"),
        limit=settings.SMS_PUBLIC_CHECK_PER_MINUTE,
        window_seconds=60,
    )
    if not limit.allowed:
        # Unbound, so the value is kept but neither checked nor marked wrong.
        form = SenderCheckForm(initial={"number": request.GET.get("number", "")[:40]})
        response = render(
            request, template, {"form": form, "retry_after": limit.retry_after}, status=429
        )
        response["Retry-After"] = str(limit.retry_after)
        return response

    form = SenderCheckForm(request.GET)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        value = form.cleaned_data["number"]
        shown = localized_digits(value) if value.lstrip("+").isdigit() else value
        context.update(checked=True, shown_query=shown, sender=sender_lookup(value=value))
    return render(request, template, context)


@csrf_exempt
@require_POST
def ussd_callback(request: HttpRequest) -> HttpResponse:
    """One keypress of a USSD session (see docs/ussd.md): signed form POST in,
    `CON …` or `END …` out."""
    if not is_signed(request):
        logger.warning("USSD callback with a bad or missing signature refused")
        return HttpResponse("bad or missing signature", status=403, content_type=PLAIN_TEXT)
    session_id = request.POST.get("sessionId", "")[:100]
    service_code = request.POST.get("serviceCode", "")[:30]
    reply = ussd.respond(
        session_id=session_id,
        phone_number=request.POST.get("phoneNumber", "")[:30],
        service_code=service_code,
        text=request.POST.get("text", ""),
    )
    logger.info(
        "USSD %s %s end=%s",
        service_code,
        session_id,
        reply.end,
        extra={"ussd_session": session_id, "service_code": service_code, "end": reply.end},
    )
    return HttpResponse(reply.render(), content_type=PLAIN_TEXT)


@never_cache
@require_GET
def dev_outbox(request: HttpRequest) -> HttpResponse:
    """What the console gateway "sent" (OTPs included): only while DEBUG is on."""
    if not settings.DEBUG:
        raise Http404
    labels = dict(SmsKind.choices)
    latest = console_outbox(limit=DEV_OUTBOX_SIZE)
    rows = [
        {
            "message": message,
            "recipient": local_mobile(message.recipient),
            "kind": labels.get(message.kind, message.kind),
        }
        for message in latest
    ]
    return render(request, "sms/dev_outbox.html", {"rows": rows, "size": DEV_OUTBOX_SIZE})
