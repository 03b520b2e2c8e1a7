"""Refusals of the agencies app, shown to the person (payam.errors.UserFacingError)."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from payam.errors import UserFacingError
from payam.text import localized_digits

from .constants import ApplicationStatus

if TYPE_CHECKING:
    from .campaign_csv import CsvProblem


class AgenciesError(UserFacingError):
    """A refusal of the agencies app."""


class InvalidTransition(AgenciesError):
    """The application is no longer where the action expects it (someone decided
    first, or it was approved already): nothing was changed."""

    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = current, target
        super().__init__(
            _("این درخواست اکنون «%(status)s» است و این کار روی آن انجام‌شدنی نیست.")
            % {"status": ApplicationStatus(current).label}
        )


class AgencyAlreadyRegistered(AgenciesError):
    message = _(
        "دستگاهی با این شناسه‌ی ملی پیش‌تر در پیام ایران ثبت شده است. اگر نماینده‌ی آن هستید، "
        "از مدیر دستگاه بخواهید شما را به اعضا بیفزاید."
    )


class ApplicationAlreadyOpen(AgenciesError):
    """Another application for this national ID is under way; says where it stands
    (its status and since when), never its tracking code or representative."""

    def __init__(self, status: str, since: str) -> None:
        self.status = status
        if status == ApplicationStatus.RETURNED:
            text = _(
                "درخواست دیگری برای این شناسه‌ی ملی از %(since)s برای رفع نقص به نماینده‌ی "
                "دستگاه بازگشته است. نماینده با کد رهگیری و شماره‌ی همراه خود در صفحه‌ی "
                "«پیگیری درخواست» آن را اصلاح و دوباره ثبت می‌کند."
            )
        else:
            text = _(
                "درخواست دیگری برای این شناسه‌ی ملی از %(since)s ثبت شده و در انتظار بررسی "
                "کارشناس است. نتیجه به شماره‌ی همراه نماینده‌ی آن پیامک می‌شود؛ وضعیت را با کد "
                "رهگیری در صفحه‌ی «پیگیری درخواست» ببینید."
            )
        super().__init__(text % {"since": since})


class EmailOutsideDomain(AgenciesError):
    def __init__(self, domain: str) -> None:
        super().__init__(
            _("رایانامه‌ی نماینده باید روی دامنه‌ی رسمی دستگاه (%(domain)s) باشد.")
            % {"domain": domain}
        )


class RepresentativeMismatch(AgenciesError):
    message = _(
        "مشخصات نماینده با سامانه‌ی ثبت احوال هم‌خوانی ندارد؛ کد ملی، تاریخ تولد و نام را "
        "دوباره بررسی کنید."
    )


class MobileNotRepresentatives(AgenciesError):
    message = _(
        "بنا بر سامانه‌ی شاهکار، این شماره‌ی همراه به نام نماینده نیست. شماره‌ای را بنویسید "
        "که به نام خود نماینده ثبت شده است."
    )


class LookupLimitReached(AgenciesError):
    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        minutes = max(1, -(-wait_seconds // 60))
        super().__init__(
            _("تلاش‌ها بیش از اندازه بود؛ %(minutes)s دقیقه‌ی دیگر دوباره تلاش کنید.")
            % {"minutes": localized_digits(minutes)}
        )


class RegistrationExpired(AgenciesError):
    message = _("مهلت این ثبت‌نام گذشته یا مرحله‌ای جا افتاده است؛ لطفاً از نو آغاز کنید.")


class ApplicationNotFound(AgenciesError):
    message = _("درخواستی با این کد رهگیری و شماره‌ی همراه یافت نشد.")


class NotEditable(AgenciesError):
    message = _(
        "این درخواست دیگر اصلاح‌شدنی نیست: تنها درخواستی که برای رفع نقص بازگشته است اصلاح می‌شود."
    )


class EmptyReason(AgenciesError):
    message = _("دلیل را بنویسید؛ به نماینده‌ی دستگاه پیامک می‌شود.")


class EmptyDeficiencies(AgenciesError):
    message = _("دست‌کم یک نقص را بنویسید (هر نقص در یک سطر).")


class AlreadyMember(AgenciesError):
    message = _("این شخص هم‌اکنون عضو این دستگاه است؛ برای تغییر نقش، نخست عضویت را لغو کنید.")


class MemberOfAnotherAgency(AgenciesError):
    message = _("این شخص عضو دستگاه دیگری است؛ هر حساب تنها عضو یک دستگاه می‌شود.")


class LastAdmin(AgenciesError):
    message = _("دستگاه دست‌کم یک مدیر دارد؛ پیش از لغو این عضویت مدیر دیگری بیفزایید.")


class MemberIdentityMismatch(AgenciesError):
    message = _(
        "مشخصات این شخص با ثبت احوال یا مالکیت شماره‌ی همراه در شاهکار هم‌خوانی ندارد؛ "
        "کد ملی، تاریخ تولد و شماره‌ی همراه را دوباره بررسی کنید."
    )


class CampaignMoveRefused(AgenciesError):
    """The campaign is no longer where the action expects it: nothing was changed."""

    def __init__(self, current: str) -> None:
        from .constants import CampaignStatus

        self.current = current
        super().__init__(
            _("این ارسال اکنون «%(status)s» است و این کار روی آن انجام‌شدنی نیست.")
            % {"status": CampaignStatus(current).label}
        )


class CampaignRefused(AgenciesError):
    """What was composed cannot be sent as it is (the message says why)."""


class SecondApprovalRefused(AgenciesError):
    message = _(
        "ارسال به بیش از هزار گیرنده را عضو دیگری از دستگاه باید تأیید کند، نه نویسنده‌ی آن."
    )


class CampaignRowsRefused(AgenciesError):
    """Rows of the recipients' list or file have problems: each with its line.
    Nothing was stored."""

    def __init__(self, problems: "Sequence[CsvProblem]") -> None:
        self.problems = list(problems)
        lines = len({problem.line for problem in self.problems})
        super().__init__(
            _(
                "%(lines)s ردیف از فهرست گیرندگان مشکل دارد و چیزی فرستاده نشد. "
                "ردیف‌ها را درست کنید، یا «ردیف‌های نادرست کنار گذاشته شوند» را بزنید "
                "تا نامه به ردیف‌های درست برود."
            )
            % {"lines": localized_digits(lines)}
        )


class AssigneeNotMember(AgenciesError):
    message = _("این شخص عضو این دستگاه نیست یا عضویتش لغو شده است؛ عضو دیگری را برگزینید.")


class AlreadyAssigned(AgenciesError):
    def __init__(self, name: str) -> None:
        super().__init__(_("این نامه هم‌اکنون به %(name)s واگذار شده است.") % {"name": name})


class ReaderTakesOnlyUnassigned(AgenciesError):
    message = _(
        "با نقش خواننده تنها نامه‌ای را که به کسی واگذار نشده است به خود واگذار می‌کنید؛ "
        "واگذاری به دیگران با مدیران و فرستندگان دستگاه است."
    )


class IncomingAlreadyAnswered(AgenciesError):
    """The agency has answered this letter already (a second click, or a colleague
    a moment before): nothing more was sent or changed."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(
            _(
                "دستگاه پیش‌تر به این نامه پاسخ داده است (کد رهگیری پاسخ: %(code)s)؛ پاسخ "
                "دیگری فرستاده نشد. اگر نویسنده دوباره بنویسد، نامه‌ی تازه‌اش را پاسخ دهید."
            )
            % {"code": code}
        )


class IncomingNotAnswerable(AgenciesError):
    """Why this letter cannot be answered from the agency's desk."""


class IncomingFromAgency(IncomingNotAnswerable):
    message = _(
        "این نامه را دستگاه اجرایی دیگری فرستاده است؛ پاسخ به دستگاه‌ها از میز نامه‌های رسیده "
        "فرستاده نمی‌شود. برای آن دستگاه نامه‌ی تازه‌ای بنویسید."
    )


class IncomingFromNobody(IncomingNotAnswerable):
    message = _("فرستنده‌ی این نامه کارپوشه‌ی فعالی در پیام ایران ندارد و پاسخ به دستش نمی‌رسد.")


class IncomingOwnLetter(IncomingNotAnswerable):
    message = _("این نامه را خود دستگاه فرستاده است و پاسخ به آن معنا ندارد.")


class ApiKeyRefused(AgenciesError):
    """An API key cannot be made as asked (the message says why)."""


class BroadcastMoveRefused(AgenciesError):
    """The crisis notice is no longer where the action expects it (confirmed,
    rejected or called off already): nothing was changed."""

    def __init__(self, current: str) -> None:
        from .constants import BroadcastStatus

        self.current = current
        text: object
        if current in (BroadcastStatus.SENDING, BroadcastStatus.SENT, BroadcastStatus.FAILED):
            text = _("این اطلاعیه‌ی فوری پیش‌تر تأیید شده است؛ تأیید دوباره لازم نیست.")
        else:
            text = _(
                "این اطلاعیه‌ی فوری اکنون «%(status)s» است و این کار روی آن انجام‌شدنی نیست."
            ) % {"status": BroadcastStatus(current).label}
        super().__init__(str(text))


class ComposerCannotConfirm(AgenciesError):
    message = _(
        "اطلاعیه‌ی فوری را باید کسی جز نویسنده‌ی آن تأیید کند (دو نفر)؛ "
        "شما نویسنده‌ی این اطلاعیه هستید و نمی‌توانید آن را تأیید کنید."
    )


class BroadcastRefused(AgenciesError):
    """What the composer wrote cannot go out as it is; the message says why."""


class WebhookRefused(AgenciesError):
    """A webhook endpoint the panel cannot register or change as asked."""


class WebhookUrlRefused(WebhookRefused):
    """The address is not https, or its host resolves to an address inside a
    private network, the machine itself, or one reserved (SSRF guard)."""


class WebhookNotResendable(WebhookRefused):
    message = _("این رویداد یافت نشد یا دیگر فرستادنی نیست (رسیده است یا نشانی‌اش حذف شده است).")
