"""The service desk's refusals: each says in Persian what happened and what to do."""

from django.utils.translation import gettext_lazy as _

from payam.errors import UserFacingError
from payam.text import localized_digits

from .constants import RequestStatus, TicketStatus


class ServiceDeskError(UserFacingError):
    pass


class InvalidTransition(ServiceDeskError):
    """The request is not where the move expects it: nothing was changed."""

    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        super().__init__(
            _("این درخواست اکنون «%(status)s» است و «%(target)s» از این وضعیت ممکن نیست.")
            % {"status": RequestStatus(current).label, "target": RequestStatus(target).label}
        )


class StaleRequest(ServiceDeskError):
    """Someone else moved the request after the actor had read it."""

    def __init__(self, current: str) -> None:
        self.current = current
        super().__init__(
            _(
                "این درخواست در این میان به دست کارشناس دیگری به «%(status)s» رفت؛ "
                "صفحه را دوباره ببینید و اگر هنوز لازم است، دوباره اقدام کنید."
            )
            % {"status": RequestStatus(current).label}
        )


class NotEditable(ServiceDeskError):
    def __init__(self, current: str) -> None:
        self.current = current
        super().__init__(
            _(
                "این درخواست «%(status)s» است و ویرایش نمی‌شود؛ تنها درخواستِ در حال تکمیل "
                "یا بازگشته برای رفع نواقص ویرایش‌پذیر است."
            )
            % {"status": RequestStatus(current).label}
        )


class SubmitBlocked(ServiceDeskError):
    """What stops the request from being sent; `problems` lists each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            _("درخواست هنوز آماده‌ی ارسال نیست: %(list)s") % {"list": "؛ ".join(problems)}
        )


class DuplicateOpenRequest(ServiceDeskError):
    def __init__(self, number: int) -> None:
        self.number = number
        super().__init__(
            _(
                "برای همین مورد درخواست باز دیگری (شماره‌ی %(number)s) دارید؛ هر مورد "
                "درخواست جداگانه‌ی خود را دارد. آن درخواست را پیگیری کنید یا از آن انصراف دهید."
            )
            % {"number": localized_digits(number)}
        )


class EmptyReason(ServiceDeskError):
    message = _("دلیل رد درخواست را بنویسید.")


class EmptyDeficiencies(ServiceDeskError):
    message = _("دست‌کم یک نقص بنویسید؛ هر نقص در یک سطر.")


class TooManyDeficiencies(ServiceDeskError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            _("حداکثر %(max)s نقص در یک نوبت ثبت می‌شود.") % {"max": localized_digits(limit)}
        )


class DeficiencyNotOpen(ServiceDeskError):
    message = _("نواقص تنها وقتی درخواست برای رفع نواقص بازگشته است علامت می‌خورند.")


class EmptyMessage(ServiceDeskError):
    message = _("متن پیام را بنویسید.")


class TooManyAttachments(ServiceDeskError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            _("حداکثر %(max)s پیوست پذیرفته می‌شود.") % {"max": localized_digits(limit)}
        )


class InvalidSlot(ServiceDeskError):
    message = _("جایگاه پیوست نامعتبر است.")


class PdfRequired(ServiceDeskError):
    message = _("نامه‌ی درخواست باید پرونده‌ی PDF باشد.")


class UnknownRequestType(ServiceDeskError):
    message = _("این نوع درخواست شناخته نیست.")


class NotAnExpert(ServiceDeskError):
    message = _("درخواست تنها به کارشناس فاوا سپرده می‌شود.")


class TicketClosed(ServiceDeskError):
    message = _("این تیکت بسته شده است؛ برای موضوع تازه تیکت دیگری باز کنید.")


class InvalidTicketTransition(ServiceDeskError):
    def __init__(self, current: str) -> None:
        super().__init__(
            _("این تیکت اکنون «%(status)s» است و این کار روی آن انجام‌شدنی نیست.")
            % {"status": TicketStatus(current).label}
        )


class EmptySubject(ServiceDeskError):
    message = _("موضوع را بنویسید.")
