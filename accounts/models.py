from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import OtpPurpose


class UserKind(models.TextChoices):
    NATURAL = "natural", _("شخص حقیقی")
    LEGAL = "legal", _("شخص حقوقی")
    STAFF = "staff", _("کارکنان")


class User(AbstractUser):
    """Everyone who signs in. A natural person's username is their 10-digit national
    code, a legal person's its 11-digit national ID; staff get a generated username."""

    username = models.CharField(
        _("نام کاربری"),
        max_length=32,
        unique=True,
        validators=[ASCIIUsernameValidator()],
        error_messages={"unique": _("این نام کاربری پیش‌تر ثبت شده است.")},
    )
    kind = models.CharField(
        _("نوع کاربر"), max_length=8, choices=UserKind.choices, default=UserKind.NATURAL
    )

    class Meta:
        verbose_name = _("کاربر")
        verbose_name_plural = _("کاربران")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = self.get_full_name().strip()
        return full or self.username


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS. Only its keyed hash is stored."""

    purpose = models.CharField(_("کاربرد"), max_length=20, choices=OtpPurpose.choices)
    mobile = models.CharField(_("شماره‌ی همراه"), max_length=13)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("زمان ساخت"), default=timezone.now)
    expires_at = models.DateTimeField(_("زمان انقضا"))
    failed_attempts = models.PositiveSmallIntegerField(_("تلاش نادرست"), default=0)
    used_at = models.DateTimeField(_("زمان استفاده"), null=True, blank=True)
    superseded = models.BooleanField(_("جایگزین‌شده"), default=False)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("رمز یک‌بارمصرف")
        verbose_name_plural = _("رمزهای یک‌بارمصرف")
        indexes = [models.Index(fields=["mobile", "purpose", "-created_at"], name="otp_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.mobile} {self.created_at:%Y-%m-%d %H:%M}"
