"""What the inbox pages read from people: the inbox's filters, the reply form
and the form of a new letter to an agency."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from payam.forms import (
    JalaliDateField,
    JalaliDateWidget,
    MarksInvalidFields,
    Select,
    current_jalali_year,
)
from payam.phone import normalize_mobile
from payam.text import localized_digits, strip_hiding_characters

from .constants import PROXY_MAX_DAYS, SUBJECT_MAX_LENGTH, LetterCategory, ProxyScope

FIRST_YEAR = 1400  # the date filter's earliest Jalali year (the portal is younger)
QUERY_MAX_LENGTH = 100
REPLY_MAX_LENGTH = 10_000
LETTER_TEXT_MAX_LENGTH = 10_000  # a new letter's text


class InboxFilterForm(MarksInvalidFields):
    """The inbox's search box and filters, read from the query string. A field
    that fails shows its error and is left out; the others still filter."""

    q = forms.CharField(
        label=_("جست‌وجو"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": _("موضوع، فرستنده یا کد رهگیری"),
            }
        ),
    )
    unread = forms.BooleanField(
        label=_("فقط خوانده‌نشده‌ها"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    sender = forms.TypedChoiceField(
        label=_("فرستنده"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=Select(attrs={"class": "form-select"}),
    )
    category = forms.ChoiceField(
        label=_("دسته"),
        required=False,
        choices=[("", _("همه‌ی دسته‌ها")), *LetterCategory.choices],
        widget=Select(attrs={"class": "form-select"}),
    )
    date_from = JalaliDateField(label=_("از تاریخ"), required=False, min_year=FIRST_YEAR)
    date_to = JalaliDateField(label=_("تا تاریخ"), required=False, min_year=FIRST_YEAR)

    def __init__(self, *args: Any, senders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sender"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 — declared above
        field.choices = [("", _("همه‌ی فرستندگان")), *senders]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("«تا تاریخ» پیش از «از تاریخ» است."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters, as `selectors.inbox` takes them."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "query": data.get("q") or None,
            "unread": True if data.get("unread") else None,
            "sender": data.get("sender"),
            "category": data.get("category") or None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(value for value in self.filters().values())


class BodyField(forms.CharField):
    """A letter's plain text as typed, without the characters that reorder or
    hide what is shown (U+202E that turns "gnp.exe" into "exe.png", zero-width
    spaces): lines and Persian joiners (ZWNJ, ZWJ) stay. `letter_send` cleans
    every body so again, for the API and other callers."""

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = strip_hiding_characters(value)
        return super().to_python(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type="file" multiple>`; cleaned to a list."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class WithAttachments(MarksInvalidFields):
    """A person's letter with attachments, which `letter_send` checks: PDF,
    JPEG or PNG recognized by their content, each within the size limit."""

    attachments = MultipleFileField(
        label=_("پیوست‌ها"),
        required=False,
        widget=MultipleFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "پرونده‌های PDF، JPEG یا PNG؛ حداکثر %(count)s پرونده، هر کدام تا %(size)s مگابایت. "
            "اگر فرم خطایی داشت، پیوست‌ها را دوباره برگزینید."
        ) % {
            "count": localized_digits(settings.LETTER_MAX_ATTACHMENTS),
            "size": localized_digits(settings.LETTER_ATTACHMENT_MAX_BYTES // (1024 * 1024)),
        }

    def ask_for_files_again(self) -> None:
        """The form goes back with an error and files were chosen: browsers do
        not keep them, so say next to the field that they must be chosen again."""
        if self.is_bound and self.files.get("attachments"):
            self.add_error(
                "attachments",
                _("پرونده‌هایی که برگزیده بودید فرستاده نشد؛ آن‌ها را دوباره برگزینید."),
            )


class ReplyForm(WithAttachments):
    """A person's answer to a letter: text, and attachments `letter_send` checks."""

    field_order = ["body", "attachments"]

    body = BodyField(
        label=_("متن پاسخ"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6, "dir": "auto"}),
        error_messages={"required": _("متن پاسخ را بنویسید.")},
    )


class WriteForm(WithAttachments):
    """A new letter to an agency: subject, plain text, attachments, and the
    writer's word that they reviewed it (a sent letter cannot be withdrawn)."""

    field_order = ["subject", "body", "attachments", "reviewed"]

    subject = forms.CharField(
        label=_("موضوع"),
        max_length=SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "auto"}),
        error_messages={"required": _("موضوع نامه را بنویسید.")},
    )
    body = BodyField(
        label=_("متن نامه"),
        max_length=LETTER_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 10, "dir": "auto"}),
        help_text=_("متن ساده؛ یک سطر خالی بند تازه‌ای می‌سازد."),
        error_messages={"required": _("متن نامه را بنویسید.")},
    )
    reviewed = forms.BooleanField(
        label=_("متن نامه را بازبینی کرده‌ام"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _(
                "نامه پس از فرستادن پس گرفته نمی‌شود؛ متن را بازبینی کنید و این گزینه را بزنید."
            )
        },
    )


class ProxyForm(MarksInvalidFields):
    """The owner names a proxy: who (the national code, and the mobile or birth
    date that shows the owner knows them), what they may do, for which agency,
    until when."""

    national_code = forms.CharField(
        label=_("کد ملی وکیل"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control ltr", "inputmode": "numeric", "autocomplete": "off"}
        ),
        help_text=_(
            "وکیل باید پیش از این در پیام ایران ثبت‌نام کرده و کارپوشه‌اش را در دفتر پیشخوان "
            "فعال کرده باشد."
        ),
        error_messages={"required": _("کد ملی وکیل را بنویسید.")},
    )
    mobile = forms.CharField(
        label=_("شماره‌ی همراه وکیل"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control ltr", "inputmode": "tel", "autocomplete": "off"}
        ),
        help_text=_("همان شماره‌ای که وکیل با آن در پیام ایران ثبت‌نام کرده است."),
    )
    birth_date = JalaliDateField(label=_("تاریخ تولد وکیل"), required=False)
    scope = forms.ChoiceField(
        label=_("دامنه‌ی وکالت"),
        choices=ProxyScope.choices,
        initial=ProxyScope.READ,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    agency = forms.TypedChoiceField(
        label=_("نامه‌های کدام دستگاه"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=Select(attrs={"class": "form-select"}),
        help_text=_("اگر دستگاهی برگزینید، وکیل فقط نامه‌های همان دستگاه را می‌بیند."),
    )
    expires_on = JalaliDateField(
        label=_("پایان وکالت"),
        help_text=_("وکالت تا پایان این روز برقرار است و پس از آن خودبه‌خود پایان می‌یابد."),
    )

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 — declared above
        field.choices = [("", _("همه‌ی نامه‌ها")), *agencies]
        # Years from this one on, read when the form is made (not when the module loads).
        year = current_jalali_year()
        self.fields["expires_on"].widget = JalaliDateWidget(
            min_year=year, max_year=year + PROXY_MAX_DAYS // 365 + 1
        )

    def clean_mobile(self) -> str:
        value = str(self.cleaned_data.get("mobile") or "").strip()
        return normalize_mobile(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Only when both were read: a mistyped one has its own error already.
        given = data.get("mobile", "-") or data.get("birth_date", "-")
        if not given:
            self.add_error("mobile", _("شماره‌ی همراه یا تاریخ تولد وکیل را بنویسید."))
        return data
