from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payam.constants import Province
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
    must_change_password = models.BooleanField(
        _("باید گذرواژه را عوض کند"),
        default=False,
        help_text=_("برای حساب‌هایی که با گذرواژه‌ی ساخته‌شده به دست صاحبشان رسیده است."),
    )

    # Not a column: the mobile a registration is about to verify, so password rules
    # can refuse it before the profile exists (see accounts.passwords).
    pending_mobile: str = ""

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
    email_verified_at = models.DateTimeField(_("زمان تأیید رایانامه"), null=True, blank=True)
    notify_by_sms = models.BooleanField(_("آگاه‌سازی با پیامک"), default=True)
    notify_by_email = models.BooleanField(_("آگاه‌سازی با رایانامه"), default=False)
    # Where the person lives, for the crisis notices of the provinces (agencies'
    # broadcasts): set at in-person activation from the broker office's province,
    # editable on the profile page. Blank: only the notices to everyone.
    province = models.CharField(_("استان"), max_length=20, choices=Province.choices, blank=True)
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
        indexes = [
            # A broadcast to some provinces reads only their people.
            models.Index(
                fields=["province", "user"], condition=~Q(province=""), name="natural_province_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.national_code})"


class LegalPerson(PersonProfile):
    national_id = models.CharField(
        _("شناسه‌ی ملی"), max_length=11, unique=True, validators=[validate_legal_id]
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
        indexes = [
            models.Index(
                fields=["province", "user"], condition=~Q(province=""), name="legal_province_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.national_id})"


class Role(models.TextChoices):
    """The personas that act for an organization. Citizens and companies need no
    role: their kind (natural / legal) says what they are."""

    ITO_EXPERT = "ito_expert", _("کارشناس فاوا")
    BROKER_MANAGER = "broker_manager", _("مدیر دفتر پیشخوان")
    BROKER_CLERK = "broker_clerk", _("کارمند دفتر پیشخوان")
    AGENCY_ADMIN = "agency_admin", _("مدیر دستگاه")
    AGENCY_SENDER = "agency_sender", _("فرستنده‌ی دستگاه")
    AGENCY_READER = "agency_reader", _("خواننده‌ی دستگاه")


class RoleGrant(models.Model):
    """One role of one staff user, for one organization where the role has one
    (a broker office, an agency). The organization is named generically so that
    accounts never imports the apps that own offices and agencies. Revoked grants
    stay as history."""

    user = models.ForeignKey(
        User, verbose_name=_("کاربر"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("نقش"), max_length=20, choices=Role.choices)
    organization_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("نوع سازمان"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    organization_id = models.PositiveBigIntegerField(_("شناسه‌ی سازمان"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("اعطاکننده"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("زمان اعطا"), default=timezone.now)
    revoked_at = models.DateTimeField(_("زمان لغو"), null=True, blank=True)

    class Meta:
        verbose_name = _("نقش کاربر")
        verbose_name_plural = _("نقش‌های کاربران")
        indexes = [models.Index(fields=["user", "role"], name="role_grant_user_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization_type", "organization_id"],
                condition=models.Q(revoked_at__isnull=True, organization_id__isnull=False),
                name="role_grant_live_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(revoked_at__isnull=True, organization_id__isnull=True),
                name="role_grant_live_unique_no_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.get_role_display()}"

    @property
    def organization(self) -> models.Model | None:
        if self.organization_type is None or self.organization_id is None:
            return None
        return self.organization_type.get_object_for_this_type(pk=self.organization_id)


class LoginMethod(models.TextChoices):
    PASSWORD = "password", _("گذرواژه")
    SSO = "sso", _("درگاه ملی")


class LoginEvent(models.Model):
    """A successful sign-in, shown to its owner on the profile (the last 20)."""

    user = models.ForeignKey(
        User, verbose_name=_("کاربر"), on_delete=models.CASCADE, related_name="login_events"
    )
    at = models.DateTimeField(_("زمان"), default=timezone.now)
    ip = models.GenericIPAddressField(_("نشانی IP"), null=True, blank=True)
    user_agent = models.CharField(_("مرورگر"), max_length=300, blank=True)
    method = models.CharField(
        _("روش ورود"), max_length=10, choices=LoginMethod.choices, default=LoginMethod.PASSWORD
    )

    class Meta:
        verbose_name = _("ورود")
        verbose_name_plural = _("ورودها")
        indexes = [models.Index(fields=["user", "-at"], name="login_event_user_idx")]

    def __str__(self) -> str:
        return f"{self.user.username} {self.at:%Y-%m-%d %H:%M}"
