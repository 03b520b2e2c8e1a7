"""Refusals of the mailbox app, each with a message for the person.

Views put `str(error)` next to the field it is about; the API answers it as 4xx.
Authorization failures are Django's `PermissionDenied`, not these. A list of
recipients is refused with the project's one `InvalidRecipients` (re-exported here)."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from payam.errors import InvalidRecipients as InvalidRecipients
from payam.errors import RecipientProblem as RecipientProblem
from payam.errors import UserFacingError
from payam.text import wait_text

if TYPE_CHECKING:
    from django.utils.functional import Promise


class MailboxError(UserFacingError):
    message = _("فرستادن نامه ممکن نشد.")


class NoMailbox(MailboxError):
    message = _("این حساب کارپوشه ندارد؛ کارپوشه از آنِ اشخاص حقیقی و حقوقی است.")


class InvalidLetter(MailboxError):
    """The subject, body or category cannot be sent as they are."""


class NoRecipients(MailboxError):
    message = _("دست‌کم یک گیرنده لازم است.")


LETTER_NOT_SENT = ngettext_lazy(
    "%(count)s گیرنده نادرست است و نامه فرستاده نشد: %(list)s",
    "%(count)s گیرنده نادرست است و نامه فرستاده نشد: %(list)s",
    "n",
)


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
    """The proxy cannot be named as asked; the message says why, and `field` which
    field of the form it belongs next to (None: above the form)."""

    field: str | None = "national_code"

    def __init__(self, message: "str | Promise | None" = None, *, field: str | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field


class ProxyNotFound(InvalidProxy):
    """No registered person has this national code together with this mobile or
    birth date. The same answer whether nobody has the code or the mobile or
    birth date differ, shown above the form: it says neither which fact differed
    nor whether the person has an account."""

    field = None
    message = _(
        "کسی با این کد ملی و این شماره‌ی همراه یا تاریخ تولد در پیام ایران ثبت‌نام نکرده است. "
        "مشخصات وکیل را دوباره بررسی کنید؛ وکیل باید پیش از این با کد ملی خود ثبت‌نام کرده باشد."
    )


class ProxyInboxNotActive(InvalidProxy):
    """The person was found, but their own inbox is not active (not yet verified
    in person at a broker office, or suspended). Named only by the masked name."""

    field = None

    def __init__(self, *, masked_name: str) -> None:
        super().__init__(
            _(
                "کارپوشه‌ی «%(name)s» با احراز هویت حضوری در دفتر پیشخوان فعال نشده یا معلق "
                "است؛ تا آن را فعال نکند، نمی‌تواند وکیل شما باشد."
            )
            % {"name": masked_name}
        )


class ProxyLookupLimit(InvalidProxy):
    """Too many tries at naming a proxy: by this owner today, for this national
    code today, or from this address this hour. Refused before any lookup."""

    field = None

    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        wait = wait_text(wait_seconds)
        super().__init__(
            _("برای نام بردن وکیل بیش از اندازه تلاش شده است؛ %(wait)s دیگر دوباره تلاش کنید.")
            % {"wait": wait}
        )


class InvalidProxyTransition(ProxyError):
    message = _("این وکالت دیگر در وضعیتی نیست که این کار را بپذیرد.")


class InvalidTransition(MailboxError):
    """A status asked to move where its transition table does not allow: a bug, not input."""

    def __init__(self, what: str, current: str, target: str) -> None:
        self.current, self.target = current, target
        super().__init__(f"{what} cannot move from {current} to {target}")
