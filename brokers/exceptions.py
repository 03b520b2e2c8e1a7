"""Refusals of the brokers app, shown to the clerk or the person."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.exceptions import LimitReached
from payam.errors import UserFacingError


class BrokersError(UserFacingError):
    """A refusal of the brokers app."""


class LookupLimitReached(LimitReached, BrokersError):
    template = ngettext_lazy(
        "جست‌وجوی کد ملی بیش از اندازه تکرار شده است؛ %(minutes)s دقیقه‌ی دیگر دوباره تلاش کنید.",
        "جست‌وجوی کد ملی بیش از اندازه تکرار شده است؛ %(minutes)s دقیقه‌ی دیگر دوباره تلاش کنید.",
        "count",
    )


class IdentityNotConfirmed(BrokersError):
    message = _(
        "این کد ملی و تاریخ تولد با سامانه‌ی ثبت احوال هم‌خوان نیست؛ کارت ملی را دوباره ببینید."
    )


class OwnAccount(BrokersError):
    message = _("کارمند دفتر نمی‌تواند کار خودش را انجام دهد؛ همکار دیگری باید این کار را بکند.")


class MobileNotPersons(BrokersError):
    message = _("این شماره‌ی همراه در سامانه‌ی شاهکار به نام این شخص نیست.")


class ChecklistIncomplete(BrokersError):
    message = _("همه‌ی موارد فهرست بازبینی باید تأیید شود.")


class AlreadyActive(BrokersError):
    message = _("کارپوشه‌ی این شخص پیش‌تر فعال شده است.")


class InboxSuspended(BrokersError):
    message = _("کارپوشه‌ی این شخص معلق است؛ فعال‌سازی دوباره با مدیر سامانه است.")


class SessionExpired(BrokersError):
    message = _("زمان این کار گذشته است؛ از نو آغاز کنید.")


class NoActiveInbox(BrokersError):
    message = _("برای این کد ملی کارپوشه‌ی فعالی نیست؛ نخست کارپوشه باید به‌صورت حضوری فعال شود.")


class ClerkIsPerson(BrokersError):
    message = _("این شخص کارمند همین دفتر است و نمی‌تواند به آن تفویض دسترسی بدهد.")


class BadExpiry(BrokersError):
    message = _("پایان اعتبار باید از فردا تا حداکثر یک سال دیگر باشد.")


class BadLetterChoice(BrokersError):
    pass


class DelegationNotPending(BrokersError):
    message = _("این تفویض دسترسی دیگر در انتظار تأیید نیست.")


class TransitionNotAllowed(BrokersError):
    message = _("این تغییر وضعیت ممکن نیست.")


class PrintNotAllowed(BrokersError):
    message = _("این تفویض دسترسی فقط دیدن نامه‌ها را اجازه می‌دهد، نه چاپ آن‌ها.")


class StaffNotFound(BrokersError):
    message = _("این کد ملی و تاریخ تولد با سامانه‌ی ثبت احوال هم‌خوان نیست.")


class AlreadyStaff(BrokersError):
    message = _("این شخص پیش‌تر کارمند این دفتر است.")


class StaffOfOtherOffice(BrokersError):
    message = _("این شخص کارمند دفتر دیگری است؛ نخست باید آن‌جا لغو شود.")
