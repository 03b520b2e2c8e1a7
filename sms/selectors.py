"""Reads of the sms app."""

from payam.text import normalize_digits

from .models import ConsoleMessage, SenderNumber


def sender_lookup(*, value: str) -> SenderNumber | None:
    """The active registered sender whose number or mask is `value` (as a person
    typed it: Persian digits, spaces, a +98/0098 prefix some phones show), or None."""
    raw = value.strip()
    digits = normalize_digits(raw)
    for prefix in ("+98", "0098", "98"):
        if digits.startswith(prefix + "4040"):
            digits = digits[len(prefix) :]
            break
    if digits.isdigit():
        return SenderNumber.objects.filter(number=digits, is_active=True).first()
    if raw:
        return SenderNumber.objects.filter(mask__iexact=raw, is_active=True).first()
    return None


def console_outbox(*, limit: int) -> list[ConsoleMessage]:
    """What the console gateway "sent", newest first (/dev/outbox/)."""
    return list(ConsoleMessage.objects.order_by("-received_at", "-pk")[:limit])
