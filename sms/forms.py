import re

from django import forms
from django.utils.translation import gettext_lazy as _

from payam.text import normalize_digits, normalize_text

# What a phone can show as an SMS sender: a number (4040…, a mobile, with or without
# +98/0098), or a Latin name (a "mask") such as MALIAT.
_NUMBER = re.compile(r"^\+?\d{3,16}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9.\-]{0,19}$")


class SenderCheckForm(forms.Form):
    """The number or name an SMS came from, as the person saw it on their phone."""

    number = forms.CharField(
        label=_("شماره یا نام فرستنده‌ی پیامک"),
        max_length=40,
        help_text=_("همان‌طور که در گوشی شما آمده است، مانند ۴۰۴۰۱۲۳، +۹۸۴۰۴۰۱۲۳ یا MALIAT."),
        error_messages={
            "required": _("شماره یا نام فرستنده‌ی پیامک را وارد کنید."),
            "max_length": _("این بیش از اندازه بلند است؛ شماره یا نام فرستنده را وارد کنید."),
        },
    )

    def clean_number(self) -> str:
        raw = normalize_text(self.cleaned_data["number"])
        digits = normalize_digits(raw).replace("(", "").replace(")", "")
        if _NUMBER.match(digits):
            return digits
        if _NAME.match(raw):
            return raw
        if any(char.isdigit() for char in digits):
            message = _(
                "شماره فقط رقم دارد (و شاید + در آغاز آن)؛"
                " آن را همان‌طور که در پیامک آمده است، مانند ۴۰۴۰۱۲۳، وارد کنید."
            )
        else:
            message = _(
                "این نام فرستنده نیست. نام فرستنده‌ی پیامک با حروف لاتین نوشته می‌شود"
                " (مانند MALIAT)؛ اگر پیامک از یک شماره آمده است، آن شماره را وارد کنید."
            )
        raise forms.ValidationError(message, code="invalid")
