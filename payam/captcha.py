"""The captcha on public forms (login, registration, recovery): five digits, shown
in an image and, for people who cannot see it, spoken (payam/captcha_speech.py,
served by payam.views.captcha_audio); typed in Persian, Arabic-Indic or Latin
digits. The image and the sound are the same challenge and the answer goes into
the same field, so a wrong answer heard is refused, spent and counted exactly as a
wrong answer seen. Tests run with CAPTCHA_TEST_MODE, where the answer "PASSED" is
accepted."""

import secrets
from typing import Any

from captcha.fields import CaptchaField as BaseCaptchaField
from captcha.fields import CaptchaTextInput
from captcha.models import CaptchaStore
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payam.text import normalize_digits


def digits_challenge() -> tuple[str, str]:
    """(what the image shows, the expected answer)."""
    answer = "".join(secrets.choice("23456789") for _ in range(settings.CAPTCHA_LENGTH))
    return answer, answer


def live_challenge(hashkey: str) -> str | None:
    """The digits of the challenge `hashkey` while it can still be answered: None
    when it is unknown, already answered (answering deletes it) or expired."""
    return (
        CaptchaStore.objects.filter(hashkey=hashkey, expiration__gt=timezone.now())
        .values_list("challenge", flat=True)
        .first()
    )


def new_challenge() -> str:
    """A new challenge (django-simple-captcha's store row); its hashkey."""
    key: str = CaptchaStore.pick()
    return key


def audio_url(hashkey: str) -> str:
    return reverse("captcha_audio", kwargs={"hashkey": hashkey})


class SpokenCaptchaTextInput(CaptchaTextInput):
    """django-simple-captcha's widget with the URL of the spoken challenge
    (`audio` in templates/captcha/widgets/captcha.html), and the answer's input
    described by the field's hint, which says the code can be heard. (Django
    links a hint to single inputs only; this one is part of a MultiWidget.)"""

    def __init__(self, *args: Any, help_id_suffix: str | None = "_helptext", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_id_suffix = help_id_suffix

    def audio_url(self) -> str:
        return audio_url(self._key)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id")
        if base_id and self.help_id_suffix:
            answer = context["widget"]["subwidgets"][1]["attrs"]
            answer.setdefault("aria-describedby", f"{base_id}{self.help_id_suffix}")
        return context


class CaptchaField(BaseCaptchaField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("کد امنیتی"))
        kwargs.setdefault(
            "help_text",
            _(
                "رقم‌های تصویر را وارد کنید؛ اگر تصویر را نمی‌بینید، "
                "دکمه‌ی «شنیدن کد» همین رقم‌ها را می‌خواند."
            ),
        )
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _(
                    "کد امنیتی درست نیست؛ رقم‌های کد تازه را، از تصویر یا با «شنیدن کد»، وارد کنید."
                ),
                "required": _("کد امنیتی را وارد کنید."),
                "incomplete": _("کد امنیتی را وارد کنید."),
            },
        )
        kwargs.setdefault(
            "widget",
            SpokenCaptchaTextInput(
                attrs={
                    "class": "form-control",
                    "dir": "ltr",
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "maxlength": 10,
                },
                help_id_suffix="_helptext" if kwargs["help_text"] else None,
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        if isinstance(value, list) and len(value) > 1 and value[1]:
            value[1] = normalize_digits(value[1])
        return super().clean(value)
