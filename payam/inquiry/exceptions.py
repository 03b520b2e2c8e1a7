"""What can go wrong in an inquiry, each with a message for the person.

`message` is what a view shows (a form error, an API error body); it never
carries upstream details. `detail` is for the log only: the status code, the
timeout, the field that was malformed. Neither ever holds the API key.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class InquiryError(Exception):
    """Base of every inquiry failure; `str(error)` is the user-facing message."""

    message: str | Promise = _("استعلام انجام نشد؛ لطفاً دوباره تلاش کنید.")

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return str(self.message)


class InquiryUnavailable(InquiryError):
    """The upstream is down, slow, answered 5xx or nonsense, or refused our key.

    The person can do nothing about it except try again later; the cause is logged."""

    message = _("سامانه‌ی استعلام در دسترس نیست؛ لطفاً چند دقیقه‌ی دیگر دوباره تلاش کنید.")


class IdentityNotFound(InquiryError):
    """The civil registry has no person with this national code."""

    message = _("این کد ملی در سامانه‌ی ثبت احوال یافت نشد؛ لطفاً آن را دوباره بررسی کنید.")


class BirthDateMismatch(InquiryError):
    """The national code exists but was born on another day (which is never revealed)."""

    message = _("تاریخ تولد با کد ملی واردشده هم‌خوانی ندارد؛ لطفاً تاریخ تولد را دوباره بررسی کنید.")


class CompanyNotFound(InquiryError):
    """The company registry has no legal person with this national ID."""

    message = _("شرکتی با این شناسه‌ی ملی در سامانه‌ی ثبت شرکت‌ها یافت نشد.")
