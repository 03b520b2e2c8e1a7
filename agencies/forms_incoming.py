"""Input of the agency's incoming-letters desk: the list's search, handing a
letter to a member, and the answer (subject, text, attachments, and the
member's word that they reviewed it: a sent letter cannot be withdrawn)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleGrant
from mailbox.constants import SUBJECT_MAX_LENGTH
from mailbox.forms import LETTER_TEXT_MAX_LENGTH, BodyField, WithAttachments
from payam.forms import MarksInvalidFields, Select

from .selectors_incoming import QUERY_MAX_LENGTH


class IncomingSearchForm(forms.Form):
    q = forms.CharField(
        label=_("جست‌وجو"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "type": "search",
                "placeholder": _("کد رهگیری، موضوع یا نام فرستنده"),
            }
        ),
    )


class AssignForm(MarksInvalidFields):
    """Whom to hand the letter to: one of the agency's live members."""

    assignee = forms.TypedChoiceField(
        label=_("واگذاری به"),
        coerce=int,
        widget=Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("عضوی را برگزینید."),
            "invalid_choice": _("این شخص عضو این دستگاه نیست؛ عضو دیگری را برگزینید."),
        },
    )

    def __init__(self, *args: Any, members: list[RoleGrant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 — declared above
        field.choices = [("", _("برگزینید…"))] + [
            (grant.user_id, f"{grant.user.display_name} ({grant.get_role_display()})")
            for grant in members
        ]


class AnswerForm(WithAttachments):
    """The agency's answer: its subject (offered as «پاسخ: » and the letter's),
    plain text, attachments `letter_send` checks, and the confirmation."""

    field_order = ["subject", "body", "attachments", "confirm"]

    subject = forms.CharField(
        label=_("موضوع پاسخ"),
        max_length=SUBJECT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "auto"}),
        error_messages={"required": _("موضوع پاسخ را بنویسید.")},
    )
    body = BodyField(
        label=_("متن پاسخ"),
        max_length=LETTER_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 10, "dir": "auto"}),
        help_text=_("متن ساده؛ یک سطر خالی بند تازه‌ای می‌سازد."),
        error_messages={"required": _("متن پاسخ را بنویسید.")},
    )
    confirm = forms.BooleanField(
        label=_("پاسخ را بازبینی کرده‌ام و آن را به نام دستگاه می‌فرستم"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _(
                "پاسخ پس از فرستادن پس گرفته نمی‌شود؛ آن را بازبینی کنید و این گزینه را بزنید."
            )
        },
    )
