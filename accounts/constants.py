from django.db import models
from django.utils.translation import gettext_lazy as _


class OtpPurpose(models.TextChoices):
    REGISTRATION = "registration", _("ثبت‌نام")
    LOGIN = "login", _("ورود")
    PASSWORD_RESET = "password_reset", _("بازیابی گذرواژه")
    MOBILE_CHANGE = "mobile_change", _("تغییر شماره‌ی همراه")
    AGENCY_REGISTRATION = "agency_register", _("ثبت‌نام دستگاه")
    IN_PERSON = "in_person", _("احراز هویت حضوری")
    DELEGATION = "delegation", _("تأیید تفویض دسترسی به دفتر پیشخوان")


OTP_LENGTH = 6


class InboxStatus(models.TextChoices):
    REGISTERED = "registered", _("ثبت‌نام‌شده (در انتظار احراز حضوری)")
    ACTIVE = "active", _("فعال")
    SUSPENDED = "suspended", _("معلق")


# The one table of allowed moves of an inbox's status.
INBOX_TRANSITIONS: dict[str, frozenset[str]] = {
    InboxStatus.REGISTERED: frozenset({InboxStatus.ACTIVE, InboxStatus.SUSPENDED}),
    InboxStatus.ACTIVE: frozenset({InboxStatus.SUSPENDED}),
    InboxStatus.SUSPENDED: frozenset({InboxStatus.ACTIVE}),
}


class Gender(models.TextChoices):
    MALE = "male", _("مرد")
    FEMALE = "female", _("زن")


# E-mail confirmation links one account may ask for in an hour.
EMAIL_VERIFY_MAX_PER_HOUR = 5
