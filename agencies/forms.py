"""Input of the agencies pages: normalized at the edge, refused with a clear
Persian message next to the field."""

import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import OTP_LENGTH
from mailbox.constants import LetterCategory
from mailbox.forms import BodyField, WithAttachments
from payam.captcha import CaptchaField
from payam.forms import JalaliDateField, JalaliDateWidget, MarksInvalidFields, current_jalali_year
from payam.identifiers import clean_legal_id, clean_national_code
from payam.phone import normalize_mobile
from payam.text import (
    normalize_digits,
    normalize_name,
    normalize_text,
    strip_hiding_characters,
)

from .campaign_csv import CsvRefused, ensure_csv_size
from .constants import (
    AgencyKind,
    ApiScope,
    ApplicationStatus,
    MemberRole,
    Province,
    WebhookEventType,
    WebhookStatus,
)
from .exceptions import AgenciesError
from .models import email_domain_validator
from .services import ensure_email_at_domain

TEXT = {"class": "form-control"}
LTR = {"class": "form-control", "dir": "ltr"}
SELECT = {"class": "form-select"}


def _text(label: Any, *, max_length: int, required: bool = True, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=TEXT | attrs),
    )


def _phone(value: str) -> str:
    digits = normalize_digits(value).replace("-", "").replace(" ", "")
    if not digits.isdigit() or not 8 <= len(digits) <= 11:
        raise forms.ValidationError(_("شماره‌ی تلفن را با پیش‌شماره و فقط با رقم بنویسید."))
    return digits


class AgencyFieldsForm(MarksInvalidFields):
    """What an agency is: the first step, and what a returned application may fix."""

    name = _text(_("نام دستگاه"), max_length=200, autocomplete="organization")
    kind = forms.ChoiceField(
        label=_("نوع دستگاه"),
        choices=[("", "—"), *AgencyKind.choices],
        widget=forms.Select(attrs=SELECT),
    )
    parent_body = _text(_("وزارتخانه یا نهاد بالادستی"), max_length=200, required=False)
    province = forms.ChoiceField(
        label=_("استان"),
        choices=[("", "—"), *Province.choices],
        widget=forms.Select(attrs=SELECT),
    )
    city = _text(_("شهر"), max_length=100)
    address = _text(_("نشانی"), max_length=400, autocomplete="street-address")
    phone = forms.CharField(
        label=_("تلفن"),
        max_length=20,
        help_text=_("با پیش‌شماره، مانند ۰۲۱۸۸۰۰۱۲۳۴."),
        widget=forms.TextInput(attrs=LTR | {"inputmode": "tel", "autocomplete": "tel"}),
    )
    website = forms.URLField(
        label=_("وبگاه (اختیاری)"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs=LTR | {"autocomplete": "url"}),
    )
    email_domain = forms.CharField(
        label=_("دامنه‌ی رایانامه‌ی رسمی دستگاه"),
        max_length=100,
        help_text=_("مانند mimt.gov.ir؛ رایانامه‌ی نماینده باید روی همین دامنه باشد."),
        widget=forms.TextInput(attrs=LTR),
    )

    def clean_name(self) -> str:
        return normalize_name(self.cleaned_data["name"])

    def clean_parent_body(self) -> str:
        return normalize_name(self.cleaned_data["parent_body"])

    def clean_city(self) -> str:
        return normalize_name(self.cleaned_data["city"])

    def clean_address(self) -> str:
        return normalize_text(self.cleaned_data["address"]).strip()

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def clean_email_domain(self) -> str:
        domain = self.cleaned_data["email_domain"].strip().lower()
        for prefix in ("https://", "http://", "@", "www."):
            domain = domain.removeprefix(prefix)
        domain = domain.rstrip("/")
        email_domain_validator(domain)
        return domain


class AgencyInfoForm(AgencyFieldsForm):
    national_id = forms.CharField(
        label=_("شناسه‌ی ملی دستگاه"),
        max_length=20,
        help_text=_("۱۱ رقم، همان‌که در سامانه‌ی شناسه‌ی ملی اشخاص حقوقی ثبت است."),
        widget=forms.TextInput(attrs=LTR | {"inputmode": "numeric"}),
    )

    field_order = ["name", "kind", "parent_body", "national_id"]

    def clean_national_id(self) -> str:
        return clean_legal_id(self.cleaned_data["national_id"])


class RepresentativeForm(MarksInvalidFields):
    """«اطلاعات نماینده دستگاه»."""

    national_code = forms.CharField(
        label=_("کد ملی نماینده"),
        max_length=20,
        widget=forms.TextInput(attrs=LTR | {"inputmode": "numeric"}),
    )
    birth_date = JalaliDateField(label=_("تاریخ تولد نماینده"))
    first_name = _text(_("نام"), max_length=100, autocomplete="given-name")
    last_name = _text(_("نام خانوادگی"), max_length=100, autocomplete="family-name")
    position = _text(_("سمت در دستگاه"), max_length=150, autocomplete="organization-title")
    mobile = forms.CharField(
        label=_("شماره‌ی همراه نماینده"),
        max_length=20,
        help_text=_("به نام خود نماینده (با شاهکار بررسی می‌شود)؛ کد تأیید به آن پیامک می‌شود."),
        widget=forms.TextInput(attrs=LTR | {"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("رایانامه‌ی نماینده"),
        max_length=200,
        widget=forms.EmailInput(attrs=LTR | {"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, domain: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domain = domain
        self.fields["email"].help_text = _("باید روی دامنه‌ی رسمی دستگاه باشد: ‎%(domain)s") % {
            "domain": domain
        }

    def clean_national_code(self) -> str:
        return clean_national_code(self.cleaned_data["national_code"])

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        try:
            ensure_email_at_domain(email=email, domain=self.domain)
        except AgenciesError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return email


class TermsForm(MarksInvalidFields):
    accept = forms.BooleanField(
        label=_("قوانین را خوانده‌ام و موافقم"),
        error_messages={"required": _("برای ادامه، پذیرش قوانین را تیک بزنید.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    captcha = CaptchaField()


class CodeForm(MarksInvalidFields):
    """The code sent by SMS, and the captcha again (as the current portal asks)."""

    code = forms.CharField(
        label=_("کد تأیید"),
        max_length=12,
        widget=forms.TextInput(
            attrs=LTR
            | {
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "class": "form-control otp-input",
            }
        ),
    )
    captcha = CaptchaField()

    def clean_code(self) -> str:
        code = normalize_digits(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == OTP_LENGTH):
            raise forms.ValidationError(_("کد تأیید ۶ رقم است."))
        return code


class CaptchaOnlyForm(MarksInvalidFields):
    captcha = CaptchaField()


class StatusForm(MarksInvalidFields):
    tracking_code = forms.CharField(
        label=_("کد رهگیری"),
        max_length=20,
        widget=forms.TextInput(attrs=LTR | {"autocomplete": "off"}),
    )
    mobile = forms.CharField(
        label=_("شماره‌ی همراه نماینده"),
        max_length=20,
        widget=forms.TextInput(attrs=LTR | {"inputmode": "tel"}),
    )


class FixForm(AgencyFieldsForm):
    """A returned application, as the representative fixes it."""

    rep_position = _text(_("سمت نماینده در دستگاه"), max_length=150)
    rep_email = forms.EmailField(
        label=_("رایانامه‌ی نماینده"),
        max_length=200,
        widget=forms.EmailInput(attrs=LTR | {"autocomplete": "email"}),
    )
    note = forms.CharField(
        label=_("توضیح برای کارشناس (اختیاری)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs=TEXT | {"rows": 3}),
    )

    def clean_rep_position(self) -> str:
        return normalize_name(self.cleaned_data["rep_position"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, domain = data.get("rep_email"), data.get("email_domain")
        if email and domain:
            try:
                ensure_email_at_domain(email=email.lower(), domain=domain)
            except AgenciesError as exc:
                self.add_error("rep_email", str(exc))
        return data


# --- the expert's review ------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("وضعیت"),
        required=False,
        choices=[("", _("همه"))]
        + [(s.value, s.label) for s in ApplicationStatus if s != ApplicationStatus.DRAFT],
        widget=forms.Select(attrs=SELECT),
    )
    province = forms.ChoiceField(
        label=_("استان"),
        required=False,
        choices=[("", _("همه"))] + list(Province.choices),
        widget=forms.Select(attrs=SELECT),
    )
    older_than = forms.ChoiceField(
        label=_("در انتظار بیش از"),
        required=False,
        choices=[("", _("هر مدت")), ("3", _("۳ روز")), ("7", _("۷ روز")), ("14", _("۱۴ روز"))],
        widget=forms.Select(attrs=SELECT),
    )
    assigned = forms.ChoiceField(
        label=_("کارشناس"),
        required=False,
        choices=[("", _("همه")), ("me", _("واگذارشده به من")), ("none", _("واگذارنشده"))],
        widget=forms.Select(attrs=SELECT),
    )


class AssignForm(forms.Form):
    expert = forms.TypedChoiceField(
        label=_("واگذاری به کارشناس"), coerce=int, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args: Any, experts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expert"].choices = experts  # type: ignore[attr-defined]


class ApproveForm(MarksInvalidFields):
    sender_number = forms.CharField(
        label=_("سرشماره‌ی پیامک دستگاه"),
        max_length=14,
        help_text=_("یکتا و زیر ۴۰۴۰، مانند ۴۰۴۰۷۸۹."),
        widget=forms.TextInput(attrs=LTR | {"inputmode": "numeric"}),
    )
    mask = forms.CharField(
        label=_("نام فرستنده‌ی لاتین (ماسک، اختیاری)"),
        max_length=11,
        required=False,
        help_text=_("۲ تا ۱۱ نویسه‌ی لاتین که با حرف آغاز شود، مانند ISIRI."),
        widget=forms.TextInput(attrs=LTR),
    )

    def clean_sender_number(self) -> str:
        return normalize_digits(self.cleaned_data["sender_number"]).replace(" ", "")


class RejectForm(MarksInvalidFields):
    reason = forms.CharField(
        label=_("دلیل رد"),
        max_length=1000,
        help_text=_("به نماینده‌ی دستگاه پیامک می‌شود و در پیگیری درخواست دیده می‌شود."),
        widget=forms.Textarea(attrs=TEXT | {"rows": 3}),
    )


class ReturnForm(MarksInvalidFields):
    deficiencies = forms.CharField(
        label=_("نقص‌ها"),
        max_length=6000,
        help_text=_("هر نقص در یک سطر؛ حداکثر بیست سطر."),
        widget=forms.Textarea(attrs=TEXT | {"rows": 4}),
    )

    def clean_deficiencies(self) -> list[str]:
        return self.cleaned_data["deficiencies"].splitlines()


# --- members ------------------------------------------------------------------------------


class MemberForm(MarksInvalidFields):
    national_code = forms.CharField(
        label=_("کد ملی"),
        max_length=20,
        widget=forms.TextInput(attrs=LTR | {"inputmode": "numeric"}),
    )
    birth_date = JalaliDateField(label=_("تاریخ تولد"))
    mobile = forms.CharField(
        label=_("شماره‌ی همراه"),
        max_length=20,
        help_text=_(
            "به نام خود او (با شاهکار بررسی می‌شود)؛ نام کاربری و گذرواژه به آن پیامک می‌شود."
        ),
        widget=forms.TextInput(attrs=LTR | {"inputmode": "tel"}),
    )
    role = forms.ChoiceField(
        label=_("نقش"),
        choices=[("", "—"), *MemberRole.choices],
        widget=forms.Select(attrs=SELECT),
    )

    def clean_national_code(self) -> str:
        return clean_national_code(self.cleaned_data["national_code"])

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


# --- compose ------------------------------------------------------------------------------------

COMPOSE_TEXT_MAX_LENGTH = 20_000
RECIPIENTS_TEXT_MAX_LENGTH = 200_000  # a pasted list: about 17,000 codes; more goes as a CSV


class ComposeForm(WithAttachments):
    """A letter to one, several (pasted codes) or many (a CSV file whose columns
    fill the `{fields}`), with its category, flags, attachments and an optional
    time to send in Jalali date and 24-hour time (Tehran). The service checks
    the recipients and attachments; the form checks shapes and the time."""

    field_order = [
        "recipients",
        "csv_file",
        "skip_invalid",
        "subject",
        "body",
        "category",
        "is_legal_notice",
        "reply_allowed",
        "attachments",
        "send_on",
        "send_time",
    ]

    recipients = forms.CharField(
        label=_("گیرندگان (کد ملی یا شناسه‌ی ملی)"),
        required=False,
        max_length=RECIPIENTS_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3, "dir": "ltr"}),
        help_text=_(
            "هر کد در یک سطر یا جداشده با ویرگول؛ رقم‌های فارسی هم پذیرفته است. "
            "برای فهرست بلند یا نامه‌ی شخصی‌شده پرونده‌ی CSV بفرستید."
        ),
    )
    csv_file = forms.FileField(
        label=_("یا پرونده‌ی CSV گیرندگان"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
    )
    skip_invalid = forms.BooleanField(
        label=_("ردیف‌های نادرست کنار گذاشته شوند و نامه به ردیف‌های درست برود"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    subject = forms.CharField(
        label=_("موضوع"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "rtl"}),
        error_messages={"required": _("موضوع نامه را بنویسید.")},
    )
    body = BodyField(
        label=_("متن نامه"),
        max_length=COMPOSE_TEXT_MAX_LENGTH,
        # rtl, not auto: a text that opens with a {field} would be laid out left to right.
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 10, "dir": "rtl"}),
        help_text=_(
            "متن ساده؛ یک سطر خالی بند تازه‌ای می‌سازد. {نام ستون} با مقدار همان ستون "
            "در پرونده‌ی CSV برای هر گیرنده پر می‌شود، مانند {name} یا {amount}."
        ),
        error_messages={"required": _("متن نامه را بنویسید.")},
    )
    category = forms.ChoiceField(
        label=_("دسته"), choices=LetterCategory.choices, widget=forms.Select(attrs=SELECT)
    )
    is_legal_notice = forms.BooleanField(
        label=_("ابلاغ قانونی است"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reply_allowed = forms.BooleanField(
        label=_("گیرنده می‌تواند پاسخ دهد"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    send_on = JalaliDateField(
        label=_("ارسال در تاریخ (اختیاری)"),
        required=False,
        help_text=_("خالی: همین که تأیید شود فرستاده می‌شود."),
    )
    send_time = forms.CharField(
        label=_("ساعت ارسال"),
        required=False,
        max_length=5,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "dir": "ltr",
                "placeholder": "08:30",
                "inputmode": "numeric",
            }
        ),
        help_text=_("ساعت و دقیقه به وقت تهران، مانند ۰۸:۳۰"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = current_jalali_year()
        self.fields["send_on"].widget = JalaliDateWidget(min_year=year, max_year=year + 1)

    def clean_send_time(self) -> time | None:
        value = normalize_digits(self.cleaned_data.get("send_time") or "").strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{1,2})[:٫.](\d{2})", value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise forms.ValidationError(_("ساعت را مانند ۰۸:۳۰ بنویسید (۰۰:۰۰ تا ۲۳:۵۹)."))
        return time(int(match[1]), int(match[2]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("send_on"), data.get("send_time")
        if at is not None and day is None and "send_on" not in self.errors:
            self.add_error("send_on", _("برای ساعت ارسال، تاریخ آن را هم برگزینید."))
        data["scheduled_at"] = None
        if day is not None:
            local = datetime.combine(day, at or time(8, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
            if local <= timezone.now():
                self.add_error("send_on", _("زمان ارسال گذشته است؛ زمانی در آینده برگزینید."))
            data["scheduled_at"] = local
        return data

    def ask_for_files_again(self) -> None:
        super().ask_for_files_again()
        if self.is_bound and self.files.get("csv_file") and "csv_file" not in self.errors:
            self.add_error("csv_file", _("پرونده‌ی CSV فرستاده نشد؛ آن را دوباره برگزینید."))


class CampaignCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("دلیل"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "auto"}),
    )


# --- the agency's SMS ---------------------------------------------------------------------


class AgencySmsForm(MarksInvalidFields):
    """One SMS from the agency's own sender, to one mobile or to a CSV list with a
    mobile column. There is no sender field: the service sends from the agency's."""

    body = forms.CharField(
        label=_("متن پیامک"),
        max_length=1000,
        widget=forms.Textarea(attrs=TEXT | {"rows": 4}),
        help_text=_(
            "هر بخش پیامک فارسی ۷۰ نویسه است (در پیامک چندبخشی ۶۷)؛ پیش از ارسال شمار بخش‌ها "
            "را می‌بینید."
        ),
        error_messages={"required": _("متن پیامک را بنویسید.")},
    )
    mobile = forms.CharField(
        label=_("شماره‌ی همراه گیرنده"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs=LTR | {"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("برای یک گیرنده؛ یا به جای آن فهرستی را بارگذاری کنید."),
    )
    recipients_file = forms.FileField(
        label=_("فهرست گیرندگان (CSV)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
        help_text=_(
            "پرونده‌ی CSV (UTF-8 یا Windows-1256) با ستونی به نام mobile یا «موبایل» یا "
            "«شماره همراه»؛ هر ایراد با شماره‌ی سطرش نشان داده می‌شود."
        ),
    )

    def clean_body(self) -> str:
        return strip_hiding_characters(self.cleaned_data["body"]).strip()

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile") or ""
        return normalize_mobile(value) if value.strip() else ""

    def clean_recipients_file(self) -> Any:
        upload = self.cleaned_data.get("recipients_file")
        if upload:
            try:
                ensure_csv_size(upload.size)
            except CsvRefused as exc:
                raise forms.ValidationError(str(exc), code="size") from exc
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "mobile" in self.errors or "recipients_file" in self.errors:
            return data
        if data.get("mobile") and data.get("recipients_file"):
            raise forms.ValidationError(
                _("یا یک شماره بنویسید یا فهرستی بارگذاری کنید، نه هر دو."), code="both"
            )
        if not data.get("mobile") and not data.get("recipients_file"):
            raise forms.ValidationError(
                _("شماره‌ی همراه گیرنده را بنویسید یا فهرست گیرندگان را بارگذاری کنید."),
                code="none",
            )
        return data


# --- API keys -----------------------------------------------------------------------------------


class ApiKeyForm(MarksInvalidFields):
    """A new API key: its name, what it may do, and (optionally) the last day it works."""

    name = forms.CharField(
        label=_("نام کلید"),
        max_length=100,
        help_text=_("برای شناختن کلید در این فهرست، مانند «اتوماسیون اداری»."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("برای کلید نامی بنویسید.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("دسترسی‌ها"),
        choices=ApiScope.choices,
        initial=[ApiScope.LETTERS_SEND, ApiScope.LETTERS_READ],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("دست‌کم یک دسترسی برگزینید.")},
    )
    expires_on = JalaliDateField(
        label=_("آخرین روز اعتبار (اختیاری)"),
        required=False,
        help_text=_("پس از پایان این روز (به وقت تهران) کلید پذیرفته نمی‌شود؛ خالی: بی‌انقضا."),
    )

    def clean_expires_on(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if not day:
            return None
        end = datetime.combine(day, time.max, tzinfo=ZoneInfo(settings.TIME_ZONE))
        if end <= timezone.now():
            raise forms.ValidationError(_("این روز گذشته است؛ روزی در آینده بگذارید."))
        return end


class ApiLimitForm(MarksInvalidFields):
    """The ITO expert's figure for an agency's API: requests a minute per key."""

    per_minute = forms.IntegerField(
        label=_("سقف درخواست‌های API در دقیقه (برای هر کلید)"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("خالی: سقف پیش‌فرض سامانه."),
        widget=forms.NumberInput(attrs={"class": "form-control", "dir": "ltr"}),
    )


class BroadcastPermissionForm(MarksInvalidFields):
    """The ITO expert grants or withdraws an agency's crisis-notice permission."""

    allowed = forms.BooleanField(
        label=_("این دستگاه می‌تواند اطلاعیه‌ی فوری (بحران) بفرستد"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class BroadcastForm(MarksInvalidFields):
    """A crisis notice: to everyone, or to the people of the chosen provinces."""

    SCOPE_EVERYONE, SCOPE_PROVINCES = "everyone", "provinces"

    subject = _text(_("موضوع"), max_length=200)
    text = forms.CharField(
        label=_("متن اطلاعیه"),
        max_length=2000,
        help_text=_(
            "کوتاه و روشن. اگر متن پیامک را جدا ننویسید، همین متن پیامک می‌شود "
            "(حداکثر ۸ بخش، ۵۳۶ نویسه‌ی فارسی)."
        ),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
    )
    sms_text = forms.CharField(
        label=_("متن پیامک (اختیاری)"),
        required=False,
        max_length=1000,
        help_text=_("خالی: متن اطلاعیه. از سرشماره‌ی خود دستگاه فرستاده می‌شود."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    scope = forms.ChoiceField(
        label=_("گیرندگان"),
        choices=[
            (SCOPE_EVERYONE, _("همه‌ی دارندگان کارپوشه‌ی فعال در کشور")),
            (SCOPE_PROVINCES, _("فقط ساکنان استان‌های برگزیده")),
        ],
        initial=SCOPE_EVERYONE,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    provinces = forms.MultipleChoiceField(
        label=_("استان‌ها"),
        required=False,
        choices=Province.choices,
        help_text=_(
            "کسانی که استانی در کارپوشه‌ی خود ثبت نکرده‌اند فقط اطلاعیه‌های سراسری را می‌گیرند."
        ),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    # Set by the page that shows the count: the scope the composer saw counted.
    # Sent with the same scope, the notice goes for confirmation; changed, it is
    # counted again first.
    counted_for = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def scope_key(provinces: list[str]) -> str:
        return ",".join(sorted(provinces)) or "*"

    def clean_subject(self) -> str:
        return normalize_text(self.cleaned_data["subject"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == self.SCOPE_PROVINCES and not data.get("provinces"):
            self.add_error("provinces", _("دست‌کم یک استان برگزینید."))
        if data.get("scope") == self.SCOPE_EVERYONE:
            data["provinces"] = []
        return data


class BroadcastRejectForm(MarksInvalidFields):
    reason = forms.CharField(
        label=_("دلیل رد"),
        max_length=500,
        help_text=_("دستگاه این دلیل را می‌بیند."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


# --- Webhooks -----------------------------------------------------------------------------------


class WebhookForm(MarksInvalidFields):
    """A new webhook endpoint: the https address and the events it wants."""

    url = forms.CharField(
        label=_("نشانی (https)"),
        max_length=500,
        help_text=_(
            "نشانی سامانه‌ی اتوماسیون اداری دستگاه که رویدادها با درخواست POST به آن "
            "فرستاده می‌شود؛ با https:// آغاز می‌شود."
        ),
        widget=forms.URLInput(attrs=LTR | {"inputmode": "url", "autocomplete": "url"}),
        error_messages={"required": _("نشانی را بنویسید.")},
    )
    events = forms.MultipleChoiceField(
        label=_("رویدادها"),
        choices=WebhookEventType.choices,
        initial=[WebhookEventType.LETTER_DELIVERED, WebhookEventType.LETTER_READ],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("دست‌کم یک رویداد برگزینید.")},
    )

    def clean_url(self) -> str:
        from .webhook_url import check_url

        try:
            return check_url(self.cleaned_data["url"])
        except AgenciesError as exc:
            raise forms.ValidationError(str(exc)) from exc


class WebhookLogFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("وضعیت"),
        required=False,
        choices=[("", _("همه"))] + list(WebhookStatus.choices),
        widget=forms.Select(attrs=SELECT),
    )
