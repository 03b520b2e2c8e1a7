from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from payam.forms import JalaliDateField, MarksInvalidFields
from payam.identifiers import clean_national_code
from payam.phone import local_mobile, normalize_mobile
from payam.text import normalize_digits

from .constants import OTP_LENGTH
from .models import User


class LoginForm(AuthenticationForm):
    """Username (national code, company national ID, or the username sent by SMS)
    and password; Persian digits in the username are accepted."""

    username = forms.CharField(
        label=_("نام کاربری"),
        max_length=32,
        help_text=_("شهروندان: کد ملی ۱۰ رقمی؛ اشخاص حقوقی: شناسه ملی ۱۱ رقمی."),
        widget=forms.TextInput(attrs={"autofocus": True, "dir": "ltr", "autocomplete": "username"}),
    )

    def clean_username(self) -> str:
        return normalize_digits(self.cleaned_data["username"])


class NaturalRegistrationForm(MarksInvalidFields):
    national_code = forms.CharField(
        label=_("کد ملی"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "dir": "ltr", "inputmode": "numeric", "autofocus": True}
        ),
    )
    birth_date = JalaliDateField(label=_("تاریخ تولد"))
    mobile = forms.CharField(
        label=_("شماره‌ی همراه (به نام خودتان)"),
        max_length=20,
        help_text=_("مانند ۰۹۱۲۱۲۳۴۵۶۷؛ کد تأیید به این شماره پیامک می‌شود."),
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "ltr", "inputmode": "tel"}),
    )

    def clean_national_code(self) -> str:
        return clean_national_code(self.cleaned_data["national_code"])

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


class OtpForm(MarksInvalidFields):
    code = forms.CharField(
        label=_("کد تأیید"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "form-control otp-input",
                "dir": "ltr",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalize_digits(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == OTP_LENGTH):
            raise forms.ValidationError(_("کد تأیید ۶ رقم است."))
        return code


class SetPasswordForm(MarksInvalidFields):
    password1 = forms.CharField(
        label=_("گذرواژه"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
        help_text=_("دست‌کم ۱۰ نویسه، نه گذرواژه‌ای رایج، نه کد ملی یا شماره‌ی همراه شما."),
    )
    password2 = forms.CharField(
        label=_("تکرار گذرواژه"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, mobile: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.mobile = mobile

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("دو گذرواژه یکسان نیستند."))
        elif first:
            digits = normalize_digits(first)
            personal = {self.user.username, local_mobile(self.mobile), self.mobile}
            if any(value and value in digits for value in personal):
                self.add_error(
                    "password1", _("گذرواژه نباید کد ملی یا شماره‌ی همراه شما را داشته باشد.")
                )
            else:
                try:
                    validate_password(first, user=self.user)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data
