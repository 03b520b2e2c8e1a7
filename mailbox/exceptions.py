"""Refusals of the mailbox app, each with a message for the person.

Views put `str(error)` next to the field it is about; the API answers it as 4xx.
Authorization failures are Django's `PermissionDenied`, not these. A list of
recipients is refused with the project's one `InvalidRecipients` (re-exported here)."""

from django.utils.translation import gettext_lazy as _

from payam.errors import InvalidRecipients as InvalidRecipients
from payam.errors import RecipientProblem as RecipientProblem
from payam.errors import UserFacingError


class MailboxError(UserFacingError):
    message = _("فرستادن نامه ممکن نشد.")


class NoMailbox(MailboxError):
    message = _("این حساب کارپوشه ندارد؛ کارپوشه از آنِ اشخاص حقیقی و حقوقی است.")


class InvalidLetter(MailboxError):
    """The subject, body or category cannot be sent as they are."""


class NoRecipients(MailboxError):
    message = _("دست‌کم یک گیرنده لازم است.")


LETTER_NOT_SENT = _("%(count)s گیرنده نادرست است و نامه فرستاده نشد: %(list)s")


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


class InvalidTransition(MailboxError):
    """A status asked to move where its transition table does not allow: a bug, not input."""

    def __init__(self, what: str, current: str, target: str) -> None:
        self.current, self.target = current, target
        super().__init__(f"{what} cannot move from {current} to {target}")
