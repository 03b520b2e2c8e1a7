"""django-allauth's own forms (password change, confirming access, two-factor) in
the portal's formal Persian, named in ACCOUNT_FORMS and MFA_FORMS.

allauth labels its fields in its own words ("Current Password", "Code", …), which
its Persian catalogue translates informally («گذرواژه‌ات را فراموش کرده‌ای؟»,
«کد تایید»); here every label, placeholder and message is the portal's. Codes
typed in Persian digits, or with spaces between the groups, are accepted."""

from typing import Any

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import PasswordVerificationMixin
from allauth.account.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.account.forms import SetPasswordForm as AllauthSetPasswordForm
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthMFAReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from django import forms
from django.utils.translation import gettext_lazy as _

from payam.forms import MarksInvalidFields
from payam.text import normalize_digits

PASSWORDS_DIFFER = _("دو گذرواژه یکسان نیستند.")


def _password_widget(field: forms.Field, *, autocomplete: str) -> None:
    field.widget.attrs = {"class": "form-control", "dir": "ltr", "autocomplete": autocomplete}


def _code_widget(field: forms.Field) -> None:
    field.widget.attrs = {
        "class": "form-control otp-input",
        "dir": "ltr",
        "inputmode": "numeric",
        "autocomplete": "one-time-code",
        "autocapitalize": "none",
        "spellcheck": "false",
        "autofocus": True,
    }


class _NewPasswordTwice(MarksInvalidFields):
    """password1 and password2 must match; said in the portal's words (allauth's
    own check says it informally)."""

    def clean(self) -> dict[str, Any]:
        # allauth's PasswordVerificationMixin.clean is skipped, what follows it is not.
        data = super(PasswordVerificationMixin, self).clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", PASSWORDS_DIFFER)
        return data


class ChangePasswordForm(_NewPasswordTwice, AllauthChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        old, new = self.fields["oldpassword"], self.fields["password1"]
        again = self.fields["password2"]
        old.label = _("گذرواژه‌ی کنونی")
        new.label = _("گذرواژه‌ی تازه")
        again.label = _("تکرار گذرواژه‌ی تازه")
        _password_widget(old, autocomplete="current-password")
        _password_widget(new, autocomplete="new-password")
        _password_widget(again, autocomplete="new-password")
        old.help_text = ""  # the page links to recovery by SMS itself


class SetPasswordForm(_NewPasswordTwice, AllauthSetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        new, again = self.fields["password1"], self.fields["password2"]
        new.label = _("گذرواژه")
        again.label = _("تکرار گذرواژه")
        _password_widget(new, autocomplete="new-password")
        _password_widget(again, autocomplete="new-password")


class ReauthenticateForm(MarksInvalidFields, AllauthReauthenticateForm):
    """Confirming access with the password, before a sensitive change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        password = self.fields["password"]
        password.label = _("گذرواژه")
        password.help_text = ""
        _password_widget(password, autocomplete="current-password")
        password.widget.attrs["autofocus"] = True


class _CodeForm(MarksInvalidFields):
    """A form whose `code` is a six-digit code from the authenticator app (or, at
    sign-in, a recovery code)."""

    code_label = _("کد تأیید")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = self.code_label
        _code_widget(code)

    def clean_code(self) -> str:
        self.cleaned_data["code"] = normalize_digits(self.cleaned_data["code"])
        return super().clean_code()  # type: ignore[misc]


class AuthenticateForm(_CodeForm, AllauthAuthenticateForm):
    code_label = _("کد تأیید یا کد بازیابی")


class MFAReauthenticateForm(_CodeForm, AllauthMFAReauthenticateForm):
    code_label = _("کد تأیید یا کد بازیابی")


class ActivateTOTPForm(_CodeForm, AllauthActivateTOTPForm):
    code_label = _("کد تأیید برنامه‌ی رمزساز")
