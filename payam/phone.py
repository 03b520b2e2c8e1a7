"""Iranian mobile numbers, normalized to E.164 (+989XXXXXXXXX)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from payam.text import normalize_digits

_MOBILE = re.compile(r"^(?:\+98|0098|98|0)?(9\d{9})$")


def normalize_mobile(value: str) -> str:
    """`09121234567`, `9121234567`, `+989121234567`, `00989121234567` or the same
    in Persian digits → `+989121234567`. ValidationError for anything else."""
    digits = normalize_digits(value).replace("(", "").replace(")", "")
    match = _MOBILE.match(digits)
    if not match:
        raise ValidationError(
            _("شماره همراه معتبر نیست؛ شماره‌ای مانند ۰۹۱۲۱۲۳۴۵۶۷ وارد کنید."), code="mobile"
        )
    return "+98" + match.group(1)


def local_mobile(e164: str) -> str:
    """+989121234567 → 09121234567, the way people write it."""
    return "0" + e164[3:] if e164.startswith("+98") else e164


def mask_mobile(e164: str) -> str:
    """+989121234567 → 0912***4567: enough to recognize a number one knows, too
    little to learn one (lists an agency's members see)."""
    local = local_mobile(e164)
    if len(local) < 8:
        return "***"
    return f"{local[:4]}***{local[-4:]}"
