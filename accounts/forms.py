from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from payam.text import normalize_digits


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
