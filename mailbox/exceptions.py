"""Refusals of the mailbox app, each with a message for the person.

Views put `str(error)` next to the field it is about; the API answers it as 4xx.
Authorization failures are Django's `PermissionDenied`, not these."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payam.errors import UserFacingError
from payam.text import localized_digits


class MailboxError(UserFacingError):
    message = _("فرستادن نامه ممکن نشد.")


class NoMailbox(MailboxError):
    message = _("این حساب کارپوشه ندارد؛ کارپوشه از آنِ اشخاص حقیقی و حقوقی است.")


class InvalidLetter(MailboxError):
    """The subject, body or category cannot be sent as they are."""


class NoRecipients(MailboxError):
    message = _("دست‌کم یک گیرنده لازم است.")


@dataclass(frozen=True)
class RecipientProblem:
    position: int  # 1-based, in the order given
    value: str
    message: str

    def __str__(self) -> str:
        return f"{localized_digits(self.position)}. {self.value}: {self.message}"


class InvalidRecipients(MailboxError):
    """One or more recipients are wrong; `problems` says which and why. Nothing was sent."""

    def __init__(self, problems: list[RecipientProblem]) -> None:
        self.problems = problems
        shown = "؛ ".join(str(p) for p in problems[:10])
        more = len(problems) - 10
        text = ngettext(
            "%(count)s گیرنده نادرست است و نامه فرستاده نشد: %(list)s",
            "%(count)s گیرنده نادرست است و نامه فرستاده نشد: %(list)s",
            len(problems),
        ) % {
            "count": localized_digits(len(problems)),
            "list": shown,
        }
        if more > 0:
            text += " " + _("و %(more)s مورد دیگر.") % {"more": localized_digits(more)}
        super().__init__(text)


class AttachmentRefused(MailboxError):
    """An attachment cannot be accepted; the message names the file and the reason."""

    def __init__(self, message: str, *, name: str = "") -> None:
        self.name = name
        super().__init__(message)


class ReplyNotAllowed(MailboxError):
    message = _("به این نامه نمی‌توان پاسخ داد.")


class LetterNotAccepted(MailboxError):
    """The address is not an agency that takes letters from people."""

    message = _(
        "این نشانی نامه‌ی مردم را از راه پیام ایران نمی‌پذیرد؛ "
        "دستگاه دیگری را از فهرست دستگاه‌ها برگزینید."
    )


class ProxyError(UserFacingError):
    message = _("این کار درباره‌ی وکالت ممکن نشد.")


class InvalidProxy(ProxyError):
    """The proxy cannot be named as asked; the message says why."""


class InvalidProxyTransition(ProxyError):
    message = _("این وکالت دیگر در وضعیتی نیست که این کار را بپذیرد.")
