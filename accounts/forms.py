from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from payam.captcha import CaptchaField
from payam.constants import Province
from payam.forms import JalaliDateField, MarksInvalidFields
from payam.identifiers import clean_legal_id, clean_national_code
from payam.phone import normalize_mobile
from payam.text import normalize_digits, normalize_username

from .constants import OTP_LENGTH, Gender
from .models import User


class LoginForm(MarksInvalidFields, AllauthLoginForm):
    """django-allauth's login with the portal's username rules and a captcha. The
    username is a national code, a company national ID or the username sent by SMS;
    Persian digits are accepted. The captcha is checked before the password, so a
    wrong captcha never counts as a failed login."""

    captcha = CaptchaField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        assert isinstance(login, forms.CharField)  # noqa: S101 — allauth's username field
        login.label = _("نام کاربری")
        login.max_length = 32
        login.help_text = _("شهروندان: کد ملی ۱۰ رقمی؛ اشخاص حقوقی: شناسه‌ی ملی ۱۱ رقمی.")
        login.widget.attrs = {
            "class": "form-control form-control-lg",
            "dir": "ltr",
            "autocomplete": "username",
            "autocapitalize": "none",
            "spellcheck": "false",
            "autofocus": True,
        }
        password = self.fields["password"]
        password.label = _("گذرواژه")
        password.help_text = ""
        password.widget.attrs = {
            "class": "form-control form-control-lg",
            "dir": "ltr",
            "autocomplete": "current-password",
        }
        # Fields are cleaned before clean(), where allauth checks the password.
        self.order_fields(["login", "password", "captcha"])

    def clean_login(self) -> str:
        return normalize_username(self.cleaned_data["login"])


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
    captcha = CaptchaField()

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
        self.user.pending_mobile = mobile

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("دو گذرواژه یکسان نیستند."))
        elif first:
            try:
                validate_password(first, user=self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LegalRegistrationForm(MarksInvalidFields):
    """The fields the current portal asks a company's CEO for."""

    national_id = forms.CharField(
        label=_("شناسه‌ی ملی شخص حقوقی"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "dir": "ltr", "inputmode": "numeric", "autofocus": True}
        ),
    )
    registration_number = forms.CharField(
        label=_("شماره‌ی ثبت"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "dir": "ltr", "inputmode": "numeric"}
        ),
    )
    ceo_national_code = forms.CharField(
        label=_("کد ملی مدیرعامل"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "dir": "ltr", "inputmode": "numeric"}
        ),
    )
    ceo_first_name = forms.CharField(
        label=_("نام مدیرعامل"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    ceo_last_name = forms.CharField(
        label=_("نام خانوادگی مدیرعامل"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    ceo_father_name = forms.CharField(
        label=_("نام پدر مدیرعامل"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    ceo_gender = forms.ChoiceField(
        label=_("جنسیت مدیرعامل"),
        choices=[("", "—"), *Gender.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    ceo_birth_date = JalaliDateField(label=_("تاریخ تولد مدیرعامل"))
    mobile = forms.CharField(
        label=_("شماره‌ی همراه مدیرعامل"),
        max_length=20,
        help_text=_("به نام خود مدیرعامل؛ کد تأیید به این شماره پیامک می‌شود."),
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "ltr", "inputmode": "tel"}),
    )
    phone = forms.CharField(
        label=_("تلفن ثابت"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "ltr", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("رایانامه"), widget=forms.EmailInput(attrs={"class": "form-control", "dir": "ltr"})
    )
    captcha = CaptchaField()

    def clean_national_id(self) -> str:
        return clean_legal_id(self.cleaned_data["national_id"])

    def clean_ceo_national_code(self) -> str:
        return clean_national_code(self.cleaned_data["ceo_national_code"])

    def clean_registration_number(self) -> str:
        value = normalize_digits(self.cleaned_data["registration_number"])
        if not value.isdigit():
            raise forms.ValidationError(_("شماره‌ی ثبت فقط رقم دارد."))
        return value

    def clean_phone(self) -> str:
        value = normalize_digits(self.cleaned_data["phone"])
        if not (value.isdigit() and 8 <= len(value) <= 11):
            raise forms.ValidationError(
                _("شماره‌ی تلفن ثابت را با پیش‌شماره وارد کنید، مانند ۰۲۱۸۸۰۰۱۲۳۴.")
            )
        return value

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


class RecoveryForm(MarksInvalidFields):
    username = forms.CharField(
        label=_("نام کاربری"),
        max_length=32,
        help_text=_("شهروندان: کد ملی؛ اشخاص حقوقی: شناسه‌ی ملی."),
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "dir": "ltr",
                "autocomplete": "username",
                "autofocus": True,
            }
        ),
    )
    mobile = forms.CharField(
        label=_("شماره‌ی همراه تأییدشده‌ی حساب"),
        max_length=20,
        help_text=_("همان شماره‌ای که در ثبت‌نام با آن کد گرفتید."),
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "ltr", "inputmode": "tel"}),
    )
    captcha = CaptchaField()

    def clean_username(self) -> str:
        return normalize_username(self.cleaned_data["username"])

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


# --- profile -----------------------------------------------------------------------------------


class ProfileEmailForm(MarksInvalidFields):
    email = forms.EmailField(
        label=_("نشانی رایانامه"),
        max_length=254,
        help_text=_("پیوند تأیید به این نشانی فرستاده می‌شود؛ تا آن را باز نکنید، چیزی عوض نمی‌شود."),
        widget=forms.EmailInput(
            attrs={"class": "form-control", "dir": "ltr", "autocomplete": "email"}
        ),
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip()


class ProfileMobileForm(MarksInvalidFields):
    mobile = forms.CharField(
        label=_("شماره‌ی همراه تازه"),
        max_length=20,
        help_text=_("مانند ۰۹۱۲۱۲۳۴۵۶۷؛ کد تأیید به همین شماره‌ی تازه پیامک می‌شود."),
        widget=forms.TextInput(
            attrs={"class": "form-control", "dir": "ltr", "inputmode": "tel", "autocomplete": "tel"}
        ),
    )

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


class ProvinceForm(MarksInvalidFields):
    province = forms.ChoiceField(
        label=_("استان محل زندگی"),
        required=False,
        choices=[("", _("— استانی برنگزیده‌ام —")), *Province.choices],
        help_text=_(
            "اطلاعیه‌های فوری (بحران) که دستگاه‌ها برای استان‌های معین می‌فرستند به همین استان "
            "می‌رسد. بی استان، فقط اطلاعیه‌های فوری سراسری را دریافت می‌کنید."
        ),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class NotificationPreferencesForm(MarksInvalidFields):
    by_sms = forms.BooleanField(
        label=_("پیامک به شماره‌ی همراه تأییدشده"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
    )
    by_email = forms.BooleanField(
        label=_("رایانامه به نشانی تأییدشده"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
    )
