from django.utils.translation import gettext_lazy as _

from payam.errors import UserFacingError


class SmsError(UserFacingError):
    message = _("ارسال پیامک ممکن نیست.")


class SenderNotAllowed(SmsError):
    message = _(
        "این سرشماره در سامانه ثبت نشده یا فعال نیست؛ "
        "پیامک فقط از سرشماره‌های ۴۰۴۰ ثبت‌شده فرستاده می‌شود."
    )


class SenderNumberRefused(SmsError):
    """A new sender number breaks the sender rules; the message says which."""

    message = _("این سرشماره با قواعد سرشماره‌های ۴۰۴۰ نمی‌خواند.")


class SenderNumberTaken(SenderNumberRefused):
    message = _("این سرشماره پیش‌تر به دارنده‌ی دیگری داده شده است؛ سرشماره‌ی دیگری برگزینید.")


class InvalidRecipient(SmsError):
    message = _("شماره‌ی گیرنده یک شماره‌ی همراه ایرانی معتبر نیست.")


class InvalidBody(SmsError):
    message = _("متن پیامک معتبر نیست.")


class InvalidTransition(SmsError):
    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        super().__init__(f"SMS cannot move from {current} to {target}")
