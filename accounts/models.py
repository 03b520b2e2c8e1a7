from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payam.identifiers import validate_legal_id, validate_national_code

from .constants import Gender, InboxStatus, OtpPurpose


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


class PersonProfile(models.Model):
    """What natural and legal persons share: the account, a verified mobile, and
    the status of the official inbox (activated in person at a broker office)."""

    user = models.OneToOneField(
        User, verbose_name=_("کاربر"), on_delete=models.PROTECT, related_name="%(class)s"
    )
    mobile = models.CharField(_("شماره‌ی همراه تأییدشده"), max_length=13)
    email = models.EmailField(_("رایانامه"), blank=True)
    inbox_status = models.CharField(
        _("وضعیت کارپوشه"),
        max_length=12,
        choices=InboxStatus.choices,
        default=InboxStatus.REGISTERED,
    )
    status_reason = models.CharField(_("دلیل آخرین تغییر وضعیت"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(_("زمان آخرین تغییر وضعیت"), null=True, blank=True)
    created_at = models.DateTimeField(_("زمان ثبت‌نام"), default=timezone.now)

    class Meta:
        abstract = True


class NaturalPerson(PersonProfile):
    national_code = models.CharField(
        _("کد ملی"), max_length=10, unique=True, validators=[validate_national_code]
    )
    first_name = models.CharField(_("نام"), max_length=100)
    last_name = models.CharField(_("نام خانوادگی"), max_length=100)
    father_name = models.CharField(_("نام پدر"), max_length=100, blank=True)
    birth_date = models.DateField(_("تاریخ تولد"))
    gender = models.CharField(_("جنسیت"), max_length=6, choices=Gender.choices)

    class Meta:
        verbose_name = _("شخص حقیقی")
        verbose_name_plural = _("اشخاص حقیقی")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.national_code})"


class LegalPerson(PersonProfile):
    national_id = models.CharField(
        _("شناسه ملی"), max_length=11, unique=True, validators=[validate_legal_id]
    )
    name = models.CharField(_("نام شخص حقوقی"), max_length=200)
    registration_number = models.CharField(_("شماره‌ی ثبت"), max_length=20)
    ceo_national_code = models.CharField(
        _("کد ملی مدیرعامل"), max_length=10, validators=[validate_national_code]
    )
    ceo_name = models.CharField(_("نام مدیرعامل"), max_length=200)
    phone = models.CharField(_("تلفن"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("شخص حقوقی")
        verbose_name_plural = _("اشخاص حقوقی")

    def __str__(self) -> str:
        return f"{self.name} ({self.national_id})"
