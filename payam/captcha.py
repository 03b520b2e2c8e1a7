"""The image captcha on public forms (login, registration, recovery): five digits,
typed in Persian or Latin digits. Tests run with CAPTCHA_TEST_MODE, where the
answer "PASSED" is accepted."""

import secrets
from typing import Any

from captcha.fields import CaptchaField as BaseCaptchaField
from captcha.fields import CaptchaTextInput
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from payam.text import normalize_digits


def digits_challenge() -> tuple[str, str]:
    """(what the image shows, the expected answer)."""
    answer = "".join(secrets.choice("23456789") for _ in range(settings.CAPTCHA_LENGTH))
    return answer, answer


class CaptchaField(BaseCaptchaField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("کد امنیتی"))
        kwargs.setdefault("help_text", _("رقم‌های تصویر را وارد کنید."))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("کد امنیتی درست نیست؛ رقم‌های تصویر تازه را وارد کنید."),
                "required": _("کد امنیتی را وارد کنید."),
                "incomplete": _("کد امنیتی را وارد کنید."),
            },
        )
        kwargs.setdefault(
            "widget",
            CaptchaTextInput(
                attrs={
                    "class": "form-control",
                    "dir": "ltr",
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "maxlength": 10,
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        if isinstance(value, list) and len(value) > 1 and value[1]:
            value[1] = normalize_digits(value[1])
        return super().clean(value)
