from django.utils.translation import gettext_lazy as _

from payam.errors import UserFacingError
from payam.text import to_persian_digits


class AccountsError(UserFacingError):
    """A refusal of the accounts app, shown to the person."""


class OtpTooSoon(AccountsError):
    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(
            _("کد تازه را %(seconds)s ثانیه‌ی دیگر می‌توانید بخواهید.")
            % {"seconds": to_persian_digits(wait_seconds)}
        )


class OtpLimitReached(AccountsError):
    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        minutes = max(1, -(-wait_seconds // 60))
        super().__init__(
            _(
                "برای این شماره بیش از اندازه کد خواسته شده است؛ "
                "%(minutes)s دقیقه‌ی دیگر دوباره تلاش کنید."
            )
            % {"minutes": to_persian_digits(minutes)}
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
                "برای این شناسه ملی پیش‌تر حساب ساخته شده است؛ "
                "وارد شوید یا اگر گذرواژه را فراموش کرده‌اید، آن را بازیابی کنید."
            )
        else:
            message = _(
                "برای این کد ملی پیش‌تر حساب ساخته شده است؛ "
                "وارد شوید یا اگر گذرواژه را فراموش کرده‌اید، آن را بازیابی کنید."
            )
        super().__init__(message)


class IdentityNotEligible(AccountsError):
    message = _("ثبت‌نام با این مشخصات ممکن نیست؛ برای پیگیری به یکی از دفاتر پیشخوان مراجعه کنید.")


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


class RegistrationNumberMismatch(AccountsError):
    message = _("شماره‌ی ثبت با اطلاعات اداره‌ی ثبت شرکت‌ها نمی‌خواند.")


class NotTheCeo(AccountsError):
    message = _("این کد ملی مدیرعامل ثبت‌شده‌ی این شخص حقوقی نیست؛ حساب را مدیرعامل آن ثبت می‌کند.")


class CeoDetailsMismatch(AccountsError):
    message = _("نام، نام پدر یا جنسیت مدیرعامل با اطلاعات ثبت احوال نمی‌خواند.")
