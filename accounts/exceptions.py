from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from payam.errors import UserFacingError
from payam.text import localized_digits, wait_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class AccountsError(UserFacingError):
    """A refusal of the accounts app, shown to the person."""


class OtpTooSoon(AccountsError):
    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(
            ngettext(
                "کد تازه را %(seconds)s ثانیه‌ی دیگر می‌توانید بخواهید.",
                "کد تازه را %(seconds)s ثانیه‌ی دیگر می‌توانید بخواهید.",
                wait_seconds,
            )
            % {"seconds": localized_digits(wait_seconds)}
        )


class LimitReached(AccountsError):
    """Asked too often: says how many minutes to wait (`template`, an ngettext_lazy
    counting "count", has %(minutes)s)."""

    template: "StrOrPromise"

    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        minutes = max(1, -(-wait_seconds // 60))
        super().__init__(self.template % {"count": minutes, "minutes": localized_digits(minutes)})


class OtpLimitReached(LimitReached):
    template = ngettext_lazy(
        "برای این شماره بیش از اندازه کد خواسته شده است؛ %(minutes)s دقیقه‌ی دیگر دوباره تلاش کنید.",
        "برای این شماره بیش از اندازه کد خواسته شده است؛ %(minutes)s دقیقه‌ی دیگر دوباره تلاش کنید.",
        "count",
    )


class OtpInvalid(AccountsError):
    message = _("کد واردشده درست نیست.")


class OtpExpired(AccountsError):
    message = _("این کد منقضی شده است؛ کد تازه بخواهید.")


class OtpTooManyAttempts(AccountsError):
    message = _("این کد بیش از اندازه نادرست وارد شده و دیگر پذیرفته نمی‌شود؛ کد تازه بخواهید.")


class InboxTransitionNotAllowed(AccountsError):
    message = _("این تغییر وضعیت برای این کارپوشه مجاز نیست.")


class ReasonRequired(AccountsError):
    message = _("دلیل این تغییر را بنویسید.")


class AlreadyRegistered(AccountsError):
    def __init__(self, *, kind: str = "natural") -> None:
        if kind == "legal":
            message = _(
                "برای این شناسه‌ی ملی پیش‌تر حساب ساخته شده است؛ "
                "وارد شوید یا اگر گذرواژه را فراموش کرده‌اید، آن را بازیابی کنید."
            )
        else:
            message = _(
                "برای این کد ملی پیش‌تر حساب ساخته شده است؛ "
                "وارد شوید یا اگر گذرواژه را فراموش کرده‌اید، آن را بازیابی کنید."
            )
        super().__init__(message)


class IdentityMismatch(AccountsError):
    """The civil registry does not confirm the person as typed: no such national
    code, another birth date, or a person who cannot register. One answer for all,
    so the form never says which fact differed."""

    message = _(
        "کد ملی و تاریخ تولد با هم و با اطلاعات ثبت احوال نمی‌خوانند؛ هر دو را دوباره "
        "بررسی کنید. اگر درست‌اند، برای ثبت‌نام به یکی از دفاتر پیشخوان مراجعه کنید."
    )


class CompanyDetailsMismatch(AccountsError):
    """The company registry or the civil registry does not confirm what was typed
    about the company or its CEO. One answer for all, so the form never says which
    fact differed."""

    message = _(
        "مشخصات شخص حقوقی و مدیرعامل با اطلاعات اداره‌ی ثبت شرکت‌ها و ثبت احوال "
        "نمی‌خواند؛ شناسه ملی، شماره‌ی ثبت و مشخصات مدیرعامل را دوباره بررسی کنید. "
        "اگر درست‌اند، برای ثبت‌نام به یکی از دفاتر پیشخوان مراجعه کنید."
    )


class RegistrationLimitReached(AccountsError):
    """Too many registration tries for one national code, company or address:
    refused before any inquiry. Says how long to wait."""

    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        wait = wait_text(wait_seconds)
        super().__init__(
            _(
                "برای ثبت‌نام با این مشخصات یا از این نشانی بیش از اندازه تلاش شده است؛ "
                "%(wait)s دیگر دوباره تلاش کنید یا به یکی از دفاتر پیشخوان بروید."
            )
            % {"wait": wait}
        )


class MobileNotOwned(AccountsError):
    message = _(
        "این شماره‌ی همراه به نام شما ثبت نشده است (استعلام شاهکار)؛ "
        "شماره‌ای را وارد کنید که به نام خودتان است."
    )


class RegistrationExpired(AccountsError):
    message = _("مهلت این ثبت‌نام به پایان رسیده است؛ لطفاً از ابتدا شروع کنید.")


class RecoveryExpired(AccountsError):
    message = _("مهلت بازیابی گذرواژه به پایان رسیده است؛ لطفاً از ابتدا شروع کنید.")


class CompanyNotActive(AccountsError):
    message = _("این شخص حقوقی در اداره‌ی ثبت شرکت‌ها فعال نیست (منحل یا تعلیق‌شده).")


# --- profile ------------------------------------------------------------------------------------


class ProfileMissing(AccountsError):
    message = _("این حساب نمایه‌ی شخص حقیقی یا حقوقی ندارد.")


class EmailUnchanged(AccountsError):
    message = _("این رایانامه همین حالا برای حساب شما تأیید شده است.")


class EmailLinkInvalid(AccountsError):
    message = _(
        "این پیوند تأیید رایانامه معتبر نیست؛ آن را کامل از نامه کپی کنید یا پیوند تازه بخواهید."
    )


class EmailLinkExpired(AccountsError):
    message = _("مهلت این پیوند تأیید رایانامه گذشته است؛ از صفحه‌ی حساب کاربری پیوند تازه بخواهید.")


class EmailLinkNotYours(AccountsError):
    message = _(
        "این پیوند برای حساب دیگری فرستاده شده است؛ با همان حسابی وارد شوید که رایانامه را "
        "برایش ثبت کرده‌اید."
    )


class EmailLinkUsed(AccountsError):
    message = _(
        "این پیوند دیگر کار نمی‌کند: یا پیش‌تر به کار رفته یا رایانامه‌ی حساب پس از فرستادن آن "
        "عوض شده است. در صورت نیاز پیوند تازه بخواهید."
    )


class EmailNotVerified(AccountsError):
    message = _(
        "برای آگاه‌سازی با رایانامه، نخست رایانامه‌ی خود را ثبت و با پیوندی که می‌فرستیم تأیید کنید."
    )


class InvalidProvince(AccountsError):
    message = _("استان را از فهرست برگزینید.")


class SameMobile(AccountsError):
    message = _("این همان شماره‌ی همراه کنونی حساب شماست؛ شماره‌ی تازه را وارد کنید.")


class MobileNotCeos(MobileNotOwned):
    message = _(
        "این شماره‌ی همراه به نام مدیرعامل ثبت‌شده‌ی این شخص حقوقی نیست (استعلام شاهکار)؛ "
        "شماره‌ای را وارد کنید که به نام مدیرعامل است."
    )


class EmailLimitReached(LimitReached):
    template = ngettext_lazy(
        "پیوند تأیید رایانامه بیش از اندازه خواسته شده است؛ "
        "%(minutes)s دقیقه‌ی دیگر دوباره تلاش کنید.",
        "پیوند تأیید رایانامه بیش از اندازه خواسته شده است؛ "
        "%(minutes)s دقیقه‌ی دیگر دوباره تلاش کنید.",
        "count",
    )


class UsernameTaken(AccountsError):
    message = _("این نام کاربری پیش‌تر گرفته شده است؛ نام دیگری برگزینید.")
