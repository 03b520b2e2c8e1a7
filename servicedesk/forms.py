"""What the desk's pages read from people."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mailbox.forms import MultipleFileField, MultipleFileInput
from payam.forms import MarksInvalidFields

from . import types
from .constants import (
    DESCRIPTION_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    RequestStatus,
    ServiceArea,
    TicketCategory,
    TicketPriority,
)

TEXTAREA = {"class": "form-control", "rows": 5, "dir": "auto"}
FILES_HELP = _("پرونده‌های PDF، JPEG یا PNG، هر کدام تا ۱۰ مگابایت.")


def _files(label: Any, *, required: bool = False) -> MultipleFileField:
    return MultipleFileField(
        label=label,
        required=required,
        help_text=FILES_HELP,
        widget=MultipleFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class DeskFilterForm(MarksInvalidFields):
    status = forms.ChoiceField(
        label=_("وضعیت"),
        required=False,
        choices=[("", _("همه"))] + list(RequestStatus.choices),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        label=_("کد رهگیری یا شماره"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "ltr"}),
    )


class NewRequestForm(MarksInvalidFields):
    area = forms.ChoiceField(
        label=_("حوزه‌ی خدمت"),
        choices=ServiceArea.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("حوزه‌ی خدمت را برگزینید.")},
    )
    kind = forms.ChoiceField(
        label=_("نوع درخواست"),
        choices=(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("نوع درخواست را برگزینید."),
            "invalid_choice": _("این نوع درخواست در این حوزه نیست."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(t.code, t.label) for t in types.all_types()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        area, kind = data.get("area"), data.get("kind")
        if area and kind and types.get(kind).area != area:
            self.add_error("kind", _("این نوع درخواست در این حوزه نیست."))
        return data


class GeneralRequestForm(MarksInvalidFields):
    subject = forms.CharField(
        label=_("موضوع درخواست"),
        max_length=SUBJECT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "auto"}),
    )
    description = forms.CharField(
        label=_("شرح درخواست"),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    request_letter = forms.FileField(
        label=_("نامه‌ی درخواست سازمان (PDF)"),
        required=False,
        help_text=_(
            "نامه‌ی رسمی سازمان با امضا، پرونده‌ی PDF تا ۱۰ مگابایت؛ جایگزین نامه‌ی پیشین می‌شود."
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf"}),
    )
    others = _files(_("پیوست‌های دیگر"))


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("بله، مطمئنم"),
        error_messages={"required": _("برای ادامه، درستی کار را تأیید کنید.")},
    )


class WithdrawForm(ConfirmForm):
    reason = forms.CharField(
        label=_("دلیل انصراف (اختیاری)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )


class MessageForm(MarksInvalidFields):
    text = forms.CharField(
        label=_("متن پیام"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3}),
        error_messages={"required": _("متن پیام را بنویسید.")},
    )
    attachments = _files(_("پیوست‌ها"))


class TicketForm(MarksInvalidFields):
    subject = forms.CharField(
        label=_("موضوع"),
        max_length=SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "auto"}),
        error_messages={"required": _("موضوع را بنویسید.")},
    )
    category = forms.ChoiceField(
        label=_("دسته"),
        choices=TicketCategory.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    priority = forms.ChoiceField(
        label=_("اولویت"),
        choices=TicketPriority.choices,
        initial=TicketPriority.NORMAL,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    text = forms.CharField(
        label=_("شرح"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("شرح مشکل را بنویسید.")},
    )
    attachments = _files(_("پیوست‌ها"))


class TicketReplyForm(MarksInvalidFields):
    text = forms.CharField(
        label=_("پاسخ"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3}),
        error_messages={"required": _("متن پاسخ را بنویسید.")},
    )
    attachments = _files(_("پیوست‌ها"))


# --- expert ---------------------------------------------------------------------------------


class QueueFilterForm(MarksInvalidFields):
    kind = forms.ChoiceField(
        label=_("نوع درخواست"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    status = forms.ChoiceField(
        label=_("وضعیت"),
        required=False,
        choices=[("", _("در انتظار کارشناس"))]
        + [c for c in RequestStatus.choices if c[0] != RequestStatus.DRAFT],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    applicant = forms.CharField(
        label=_("متقاضی (نام یا شناسه‌ی ملی)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "auto"}),
    )
    min_age = forms.IntegerField(
        label=_("دست‌کم چند روز کاری در انتظار"),
        required=False,
        min_value=0,
        max_value=365,
        widget=forms.NumberInput(attrs={"class": "form-control", "dir": "ltr"}),
    )
    mine = forms.BooleanField(
        label=_("فقط واگذارشده به من"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("همه"))] + [  # type: ignore[attr-defined]
            (t.code, t.label) for t in types.all_types()
        ]


class AssignForm(forms.Form):
    expert = forms.TypedChoiceField(
        label=_("کارشناس"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args: Any, experts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expert"].choices = experts  # type: ignore[attr-defined]


class MoveForm(MarksInvalidFields):
    """One expert move. `seen` is the status the expert saw when the page opened."""

    to = forms.ChoiceField(choices=RequestStatus.choices, widget=forms.HiddenInput)
    seen = forms.ChoiceField(choices=RequestStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("توضیح"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}),
    )
    deficiencies = forms.CharField(
        label=_("نواقص (هر نقص در یک سطر)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 4}),
    )
