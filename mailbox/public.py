"""The public authenticity check of a printed letter (/verify/): no sign-in, rate
limited per address. It answers who sent the letter and when, to whom (masked),
how many attachments and the content's SHA-256 — never the content itself."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from payam.ratelimit import client_key, hit

from .constants import MailboxKind
from .models import Delivery, Letter
from .selectors import letter_verify


class VerifyForm(forms.Form):
    t = forms.CharField(
        label=_("کد رهگیری نامه"),
        max_length=30,
        help_text=_("کد ۱۰ نویسه‌ای که بالای نامه‌ی چاپی آمده است."),
    )
    v = forms.CharField(
        label=_("کد تصدیق"),
        max_length=20,
        help_text=_("کد ۸ نویسه‌ای کنار نماد QR در پایین نامه."),
    )


@dataclass(frozen=True)
class VerifiedLetter:
    letter: Letter
    recipient: str  # masked name, or "" when the letter went to many
    recipient_count: int


def mask_name(name: str, kind: str) -> str:
    """«علی رضایی» → «علی ر…»; a company keeps its first word: «شرکت …»."""
    words = name.split()
    if not words:
        return "…"
    if kind == MailboxKind.NATURAL and len(words) > 1:
        return f"{words[0]} {words[1][0]}…"
    return f"{words[0]} …"


def _verified(letter: Letter) -> VerifiedLetter:
    recipient = ""
    if letter.recipient_count == 1:
        delivery = Delivery.objects.select_related("recipient").filter(letter=letter).first()
        if delivery is not None:
            recipient = mask_name(delivery.recipient.display_name, delivery.recipient.kind)
    return VerifiedLetter(
        letter=letter, recipient=recipient, recipient_count=letter.recipient_count
    )


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    template = "mailbox/verify.html"
    if "t" not in request.GET:
        return render(request, template, {"form": VerifyForm()})
    limit = hit(
        key=client_key(request, "mailbox.verify"),
        limit=settings.LETTER_VERIFY_PER_MINUTE,
        window_seconds=60,
    )
    if not limit.allowed:
        form = VerifyForm(initial={k: request.GET.get(k, "")[:30] for k in ("t", "v")})
        response = render(
            request, template, {"form": form, "retry_after": limit.retry_after}, status=429
        )
        response["Retry-After"] = str(limit.retry_after)
        return response
    form = VerifyForm(request.GET)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        letter = letter_verify(
            tracking_code=form.cleaned_data["t"], verification=form.cleaned_data["v"]
        )
        context.update(checked=True, result=_verified(letter) if letter else None)
    return render(request, template, context)
