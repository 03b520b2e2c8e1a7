"""Agencies, their registrations and the history of every decision.

An agency holds a one-to-one to its mailbox (the address people write to and
its letters leave from) and to its sender number under 4040 (`sms` knows
numbers, not agencies). Its members are `accounts.RoleGrant`s of the agency
roles for this agency: there is one way of doing roles."""

import secrets
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mailbox.constants import LetterCategory
from payam.identifiers import validate_legal_id, validate_national_code

from .constants import (
    CAMPAIGN_OPEN_STATUSES,
    OPEN_STATUSES,
    AgencyKind,
    ApiScope,
    ApplicationStatus,
    BroadcastStatus,
    CampaignSource,
    CampaignStatus,
    Province,
    WebhookEventType,
    WebhookStatus,
)

email_domain_validator = RegexValidator(
    r"^(?=.{4,100}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$",
    _("دامنه‌ی رایانامه را مانند mimt.gov.ir بنویسید، بی @ و بی http."),
)


class AgencyDetails(models.Model):
    """What an agency is, as its registration gave it (and the agency keeps)."""

    name = models.CharField(_("نام دستگاه"), max_length=200)
    kind = models.CharField(_("نوع دستگاه"), max_length=12, choices=AgencyKind.choices)
    parent_body = models.CharField(_("وزارتخانه یا نهاد بالادستی"), max_length=200, blank=True)
    province = models.CharField(_("استان"), max_length=20, choices=Province.choices)
    city = models.CharField(_("شهر"), max_length=100)
    address = models.CharField(_("نشانی"), max_length=400)
    phone = models.CharField(_("تلفن"), max_length=20)
    website = models.URLField(_("وبگاه"), max_length=200, blank=True)
    email_domain = models.CharField(
        _("دامنه‌ی رایانامه‌ی رسمی"), max_length=100, validators=[email_domain_validator]
    )

    class Meta:
        abstract = True


class Agency(AgencyDetails):
    """An executive agency in the portal. The seeded agencies of the first demo were
    bare mailboxes; their rows have no national ID (`None`, not on record) until an
    administrator adds it."""

    national_id = models.CharField(  # noqa: DJ001 — NULL: unknown for migrated agencies
        _("شناسه‌ی ملی دستگاه"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_legal_id],
        error_messages={"unique": _("دستگاهی با این شناسه‌ی ملی پیش‌تر ثبت شده است.")},
    )
    mailbox = models.OneToOneField(
        "mailbox.Mailbox",
        verbose_name=_("کارپوشه"),
        on_delete=models.PROTECT,
        related_name="agency",
    )
    sender = models.OneToOneField(
        "sms.SenderNumber",
        verbose_name=_("سرشماره"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agency",
    )
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    # Requests a minute each of its API keys may make; empty: API_REQUESTS_PER_MINUTE.
    # Set by an ITO expert (or an administrator) in the admin.
    api_requests_per_minute = models.PositiveIntegerField(
        _("سقف درخواست‌های API در دقیقه (برای هر کلید)"),
        null=True,
        blank=True,
        help_text=_("خالی: سقف پیش‌فرض سامانه (۳۰۰۰ درخواست در دقیقه)."),
    )
    # Crisis notices (broadcasts to everyone or to provinces): granted and withdrawn
    # by an ITO expert on the agency's review page (agency_set_broadcast), audited.
    may_broadcast = models.BooleanField(_("مجاز به اطلاعیه‌ی فوری (بحران)"), default=False)
    broadcast_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کارشناس تعیین‌کننده‌ی مجوز اطلاعیه‌ی فوری"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    broadcast_changed_at = models.DateTimeField(
        _("زمان تعیین مجوز اطلاعیه‌ی فوری"), null=True, blank=True
    )
    # Blank on the agency rows made from the first demo's mailboxes.
    kind = models.CharField(_("نوع دستگاه"), max_length=12, choices=AgencyKind.choices, blank=True)
    province = models.CharField(_("استان"), max_length=20, choices=Province.choices, blank=True)
    city = models.CharField(_("شهر"), max_length=100, blank=True)
    address = models.CharField(_("نشانی"), max_length=400, blank=True)
    phone = models.CharField(_("تلفن"), max_length=20, blank=True)
    email_domain = models.CharField(
        _("دامنه‌ی رایانامه‌ی رسمی"),
        max_length=100,
        blank=True,
        validators=[email_domain_validator],
    )

    class Meta:
        verbose_name = _("دستگاه اجرایی")
        verbose_name_plural = _("دستگاه‌های اجرایی")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgencyApplication(AgencyDetails):
    """One registration of an agency, from the representative's first step to the
    expert's decision. `status` moves only through
    `agencies.services.application_transition` (APPLICATION_TRANSITIONS)."""

    tracking_code = models.CharField(_("کد رهگیری"), max_length=10, unique=True)
    status = models.CharField(
        _("وضعیت"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    national_id = models.CharField(
        _("شناسه‌ی ملی دستگاه"), max_length=11, validators=[validate_legal_id]
    )
    # The representative («نماینده‌ی دستگاه»)
    rep_national_code = models.CharField(
        _("کد ملی نماینده"), max_length=10, validators=[validate_national_code]
    )
    rep_birth_date = models.DateField(_("تاریخ تولد نماینده"))
    rep_first_name = models.CharField(_("نام نماینده"), max_length=100)
    rep_last_name = models.CharField(_("نام خانوادگی نماینده"), max_length=100)
    rep_position = models.CharField(_("سمت نماینده"), max_length=150)
    rep_mobile = models.CharField(_("شماره‌ی همراه نماینده"), max_length=13)
    rep_email = models.EmailField(_("رایانامه‌ی نماینده"), max_length=200)
    terms_accepted_at = models.DateTimeField(_("زمان پذیرش قوانین"))
    # What the registries answered (shown to the expert)
    shahkar_matched = models.BooleanField(_("شاهکار: شماره از آنِ نماینده است"), default=False)
    civil_identity = models.JSONField(_("پاسخ ثبت احوال"), default=dict)
    inquired_at = models.DateTimeField(_("زمان استعلام"))
    # The review
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کارشناس مسئول"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("زمان واگذاری"), null=True, blank=True)
    deficiencies = models.JSONField(_("نقص‌های اعلام‌شده"), default=list, blank=True)
    created_at = models.DateTimeField(_("زمان ساخت"), default=timezone.now)
    submitted_at = models.DateTimeField(_("زمان ثبت درخواست"), null=True, blank=True)
    decided_at = models.DateTimeField(_("زمان تصمیم"), null=True, blank=True)
    agency = models.OneToOneField(
        Agency,
        verbose_name=_("دستگاه ساخته‌شده"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )

    class Meta:
        verbose_name = _("درخواست ثبت دستگاه")
        verbose_name_plural = _("درخواست‌های ثبت دستگاه")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"],
                condition=Q(status__in=[str(s) for s in OPEN_STATUSES]),
                name="agency_application_one_open",
            ),
        ]
        indexes = [
            # The expert's queue: by status, oldest first.
            models.Index(fields=["status", "submitted_at"], name="agency_app_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} — {self.name}"

    @property
    def rep_full_name(self) -> str:
        return f"{self.rep_first_name} {self.rep_last_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationChange(models.Model):
    """One move of an application: who, when, from what to what, and why (the
    reason of a rejection, the deficiencies of a return). Shown to the expert and,
    through the tracking code, to the representative. Never edited."""

    application = models.ForeignKey(
        AgencyApplication, on_delete=models.CASCADE, related_name="changes"
    )
    from_status = models.CharField(_("از وضعیت"), max_length=10, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("به وضعیت"), max_length=10, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("انجام‌دهنده"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("دلیل"), blank=True)
    deficiencies = models.JSONField(_("نقص‌ها"), default=list, blank=True)
    at = models.DateTimeField(_("زمان"), default=timezone.now)

    class Meta:
        verbose_name = _("تغییر وضعیت درخواست")
        verbose_name_plural = _("تغییرهای وضعیت درخواست")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


def campaign_file_path(instance: models.Model, filename: str) -> str:
    """A random name under the month of upload; the agency's file name is kept apart."""
    now = timezone.now()
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"campaigns/{now:%Y/%m}/{secrets.token_hex(16)}{suffix}"


class Campaign(models.Model):
    """A letter an agency member composes for many: its recipients (a pasted
    list or a CSV whose columns fill the `{fields}` of the subject and body),
    checked when composed and read again when it is sent; confirmed by its
    composer, approved by a second member above CAMPAIGN_APPROVAL_THRESHOLD
    recipients, sent now or at its time through `mailbox.services.letter_send`
    (the staged COPY fan-out). Moves only by `campaign_transition`."""

    code = models.CharField(_("کد رهگیری"), max_length=10, unique=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("دستگاه"), on_delete=models.PROTECT, related_name="campaigns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("نویسنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    subject = models.CharField(_("موضوع"), max_length=200)
    body = models.TextField(_("متن"))
    category = models.CharField(_("دسته"), max_length=16, choices=LetterCategory.choices)
    is_legal_notice = models.BooleanField(_("ابلاغ قانونی"), default=False)
    reply_allowed = models.BooleanField(_("پاسخ‌پذیر"), default=False)
    source = models.CharField(_("گیرندگان از"), max_length=4, choices=CampaignSource.choices)
    recipients_text = models.TextField(_("فهرست گیرندگان"), blank=True)
    csv_file = models.FileField(
        _("پرونده‌ی CSV"), upload_to=campaign_file_path, max_length=200, blank=True
    )
    csv_name = models.CharField(_("نام پرونده‌ی CSV"), max_length=200, blank=True)
    csv_encoding = models.CharField(_("کدگذاری پرونده"), max_length=12, blank=True)
    skip_invalid = models.BooleanField(_("ردیف‌های نادرست کنار گذاشته شوند"), default=False)
    fields = models.JSONField(_("فیلدهای ادغام"), default=list, blank=True)
    recipient_count = models.PositiveIntegerField(_("شمار گیرندگان"), default=0)
    skipped_count = models.PositiveIntegerField(_("ردیف‌های کنارگذاشته"), default=0)
    preview = models.JSONField(_("مقادیر نمونه"), default=dict, blank=True)
    scheduled_at = models.DateTimeField(_("زمان ارسال"), null=True, blank=True)
    created_at = models.DateTimeField(_("زمان ساخت"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("زمان تأیید نویسنده"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("تأییدکننده"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("زمان تأیید"), null=True, blank=True)
    letter = models.OneToOneField(
        "mailbox.Letter",
        verbose_name=_("نامه"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign",
    )
    error = models.CharField(_("خطا"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("ارسال گروهی")
        verbose_name_plural = _("ارسال‌های گروهی")
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="campaign_agency_idx"),
            models.Index(
                fields=["scheduled_at"],
                condition=Q(status="scheduled"),
                name="campaign_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in CAMPAIGN_OPEN_STATUSES


class CampaignAttachment(models.Model):
    """An attachment checked when the campaign was composed, kept until it is sent."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("پرونده"), upload_to=campaign_file_path, max_length=200)
    original_name = models.CharField(_("نام پرونده"), max_length=200)
    content_type = models.CharField(_("نوع محتوا"), max_length=40)
    size = models.PositiveIntegerField(_("اندازه (بایت)"))
    position = models.PositiveSmallIntegerField(_("ترتیب"), default=0)

    class Meta:
        verbose_name = _("پیوست ارسال گروهی")
        verbose_name_plural = _("پیوست‌های ارسال گروهی")
        ordering = ["campaign", "position"]

    def __str__(self) -> str:
        return self.original_name


class StatusMove(models.Model):
    """What every move of a campaign or a crisis notice keeps besides its from and
    to: who made it, why, and when. Written only by the workflow's one mover."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کاربر"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("توضیح"), max_length=500, blank=True)
    at = models.DateTimeField(_("زمان"), default=timezone.now)

    class Meta:
        abstract = True


class CampaignChange(StatusMove):
    """One move of a campaign: who, when, from where to where, and why."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(_("از"), max_length=10, choices=CampaignStatus.choices)
    to_status = models.CharField(_("به"), max_length=10, choices=CampaignStatus.choices)

    class Meta:
        verbose_name = _("تغییر وضعیت ارسال گروهی")
        verbose_name_plural = _("تغییرهای وضعیت ارسال گروهی")
        ordering = ["campaign", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.from_status} → {self.to_status}"


class IncomingAssignment(models.Model):
    """Who in the agency handles a letter that reached its mailbox (a citizen's or
    a company's letter, or a reply to one of the agency's letters), and the answer
    that closed it. One row per delivery, changed only by
    `agencies.services.incoming_assign` / `incoming_answer`; every change leaves an
    `IncomingAssignmentChange` and an audit row."""

    delivery = models.OneToOneField(
        "mailbox.Delivery",
        verbose_name=_("تحویل"),
        on_delete=models.PROTECT,
        related_name="incoming_assignment",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("مسئول پاسخ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("واگذارکننده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("زمان واگذاری"), default=timezone.now)
    # The in-portal notice: set when the assignee opens the letter (at once when
    # they took it themselves); until then their desk lists it as new.
    seen_at = models.DateTimeField(_("دیده‌شده توسط مسئول"), null=True, blank=True)
    answered_letter = models.ForeignKey(
        "mailbox.Letter",
        verbose_name=_("نامه‌ی پاسخ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("پاسخ‌دهنده"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("زمان پاسخ"), null=True, blank=True)

    class Meta:
        verbose_name = _("واگذاری نامه‌ی رسیده")
        verbose_name_plural = _("واگذاری‌های نامه‌های رسیده")
        indexes = [
            # "Assigned to me" and the new assignments a member has not opened yet.
            models.Index(fields=["assignee", "seen_at"], name="incoming_assignee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} → {self.assignee_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class IncomingAssignmentChange(models.Model):
    """One hand-over of an incoming letter: from whom (None: it was unassigned) to
    whom, by whom, when. Never edited; shown on the letter's page."""

    assignment = models.ForeignKey(
        IncomingAssignment, on_delete=models.PROTECT, related_name="changes"
    )
    from_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("از"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("به"), on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("انجام‌دهنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("زمان"), default=timezone.now)

    class Meta:
        verbose_name = _("تغییر واگذاری نامه‌ی رسیده")
        verbose_name_plural = _("تغییرهای واگذاری نامه‌های رسیده")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.from_assignee_id} → {self.to_assignee_id}"


class ApiKey(models.Model):
    """A key an agency's office-automation system calls `/api/v1/` with, made
    and revoked by the agency's admin (`agencies.services.api_keys`). The key is
    shown once; only its visible `prefix` and the SHA-256 of the whole key are
    kept (a random 256-bit secret needs no slow hash)."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("دستگاه"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("نام کلید"), max_length=100)
    prefix = models.CharField(_("آغاز کلید"), max_length=16, unique=True)
    key_hash = models.CharField(_("چکیده‌ی کلید"), max_length=64, unique=True)
    scopes = models.JSONField(_("دسترسی‌ها"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("سازنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("زمان ساخت"), default=timezone.now)
    expires_at = models.DateTimeField(_("زمان انقضا"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("آخرین استفاده"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("زمان ابطال"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("باطل‌کننده"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("کلید API")
        verbose_name_plural = _("کلیدهای API")
        ordering = ["agency", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… — {self.name}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def scope_labels(self) -> list[str]:
        return [str(ApiScope(scope).label) for scope in self.scopes if scope in ApiScope.values]


class ApiIdempotencyKey(models.Model):
    """The first answer to a `POST /api/v1/letters` sent with an Idempotency-Key:
    written in the same transaction as the letter it made, so a retry (or a
    concurrent twin, which waits on the unique index) gets the same status and
    body. Remembered IDEMPOTENCY_TTL_HOURS."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("کلید یکتایی"), max_length=255)
    body_sha256 = models.CharField(_("چکیده‌ی بدنه"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("کد پاسخ"))
    # The JSON text as it was sent, so a replay is the same bytes.
    response_body = models.TextField(_("بدنه‌ی پاسخ"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("زمان"), default=timezone.now)

    class Meta:
        verbose_name = _("کلید یکتایی درخواست API")
        verbose_name_plural = _("کلیدهای یکتایی درخواست‌های API")
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="api_idempotency_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_age_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.key}"


class Broadcast(models.Model):
    """A crisis notice («اطلاعیه‌ی فوری») of an agency allowed to broadcast: to
    everyone with an active inbox, or to those of chosen provinces. Composed by
    an admin or sender of the agency (after the count was shown), confirmed or
    rejected by an ITO expert who is not its composer (four eyes), then sent at
    once: an urgent letter through `mailbox.services.letter_send` (a selection
    staged in SQL, the banner atop each inbox until read) and an SMS from the
    agency's own sender on the urgent lane. Moves only by `broadcast_transition`."""

    code = models.CharField(_("کد رهگیری"), max_length=10, unique=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("دستگاه"), on_delete=models.PROTECT, related_name="broadcasts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("نویسنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("وضعیت"),
        max_length=10,
        choices=BroadcastStatus.choices,
        default=BroadcastStatus.AWAITING,
    )
    subject = models.CharField(_("موضوع"), max_length=200)
    text = models.TextField(_("متن"))
    sms_text = models.TextField(_("متن پیامک"))
    # Province values (payam.constants.Province); empty: everyone.
    provinces = models.JSONField(_("استان‌ها"), default=list, blank=True)
    recipient_count = models.PositiveIntegerField(_("شمار گیرندگان (هنگام نوشتن)"), default=0)
    created_at = models.DateTimeField(_("زمان ساخت"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کارشناس"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("زمان تصمیم"), null=True, blank=True)
    reason = models.CharField(_("دلیل رد"), max_length=500, blank=True)
    letter = models.OneToOneField(
        "mailbox.Letter",
        verbose_name=_("نامه"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="broadcast",
    )
    sms_queued = models.PositiveIntegerField(_("پیامک‌های در صف"), default=0)
    sent_at = models.DateTimeField(_("زمان ارسال"), null=True, blank=True)
    error = models.CharField(_("خطا"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("اطلاعیه‌ی فوری")
        verbose_name_plural = _("اطلاعیه‌های فوری")
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="broadcast_agency_idx"),
            models.Index(
                fields=["created_at"],
                condition=Q(status="awaiting"),
                name="broadcast_awaiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.subject}"

    @property
    def is_everyone(self) -> bool:
        return not self.provinces

    def province_labels(self) -> list[str]:
        return [str(Province(value).label) for value in self.provinces if value in Province.values]


class BroadcastChange(StatusMove):
    """One move of a crisis notice: who, when, from where to where, and why."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(
        _("از"), max_length=10, choices=BroadcastStatus.choices, blank=True
    )
    to_status = models.CharField(_("به"), max_length=10, choices=BroadcastStatus.choices)

    class Meta:
        verbose_name = _("تغییر وضعیت اطلاعیه‌ی فوری")
        verbose_name_plural = _("تغییرهای وضعیت اطلاعیه‌ی فوری")
        ordering = ["broadcast", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.broadcast_id}: {self.from_status} → {self.to_status}"


class WebhookEndpoint(models.Model):
    """An https address of an agency's office-automation system that Payam
    POSTs the subscribed events to, signed with `secret` (HMAC-SHA256,
    docs/webhooks.md). The secret is shown once, when it is made; it is kept
    because every request is signed with it, and is never shown, logged or
    audited again. Changed only by `agencies.services.webhooks`."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("دستگاه"), on_delete=models.PROTECT, related_name="webhooks"
    )
    url = models.URLField(_("نشانی"), max_length=500)
    secret = models.CharField(_("کلید امضا"), max_length=100, editable=False)
    events = models.JSONField(_("رویدادها"), default=list)
    is_active = models.BooleanField(_("روشن"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("سازنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("زمان ساخت"), default=timezone.now)
    secret_rotated_at = models.DateTimeField(_("زمان کلید تازه"), null=True, blank=True)

    class Meta:
        verbose_name = _("نشانی وب‌هوک")
        verbose_name_plural = _("نشانی‌های وب‌هوک")
        ordering = ["agency", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.url}"

    def event_labels(self) -> list[str]:
        return [
            str(WebhookEventType(event).label)
            for event in self.events
            if event in WebhookEventType.values
        ]


class WebhookEvent(models.Model):
    """The outbox: one event for one endpoint, written in the same transaction
    as what caused it, POSTed by the `agencies.webhook_deliver` task and retried
    with backoff until `give_up_at`, then dead. Moves only through
    `agencies.services.webhooks` (WEBHOOK_TRANSITIONS)."""

    event_id = models.UUIDField(_("شناسه‌ی رویداد"), unique=True, default=uuid.uuid4)
    agency = models.ForeignKey(
        Agency, verbose_name=_("دستگاه"), on_delete=models.PROTECT, related_name="+"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("نشانی"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    event_type = models.CharField(_("رویداد"), max_length=32, choices=WebhookEventType.choices)
    payload = models.JSONField(_("داده"))
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=WebhookStatus.choices, default=WebhookStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("شمار تلاش"), default=0)
    next_attempt_at = models.DateTimeField(_("تلاش بعدی"), default=timezone.now)
    give_up_at = models.DateTimeField(_("کنار گذاشتن در"))
    last_status_code = models.PositiveSmallIntegerField(_("آخرین کد پاسخ"), null=True, blank=True)
    last_error = models.CharField(_("آخرین خطا"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("آخرین تلاش"), null=True, blank=True)
    created_at = models.DateTimeField(_("زمان رویداد"), default=timezone.now)
    delivered_at = models.DateTimeField(_("زمان رسیدن"), null=True, blank=True)

    class Meta:
        verbose_name = _("رویداد وب‌هوک")
        verbose_name_plural = _("رویدادهای وب‌هوک")
        indexes = [
            # The sweep: pending events whose time has come.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_event_due_idx",
            ),
            # The panel's delivery log, newest first, by status.
            models.Index(fields=["agency", "-id"], name="webhook_event_agency_idx"),
            models.Index(fields=["agency", "status", "-id"], name="webhook_event_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of an event: when, the answer's status code (none: no answer),
    how long it took, and the error. Never edited."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(_("زمان"), default=timezone.now)
    url = models.CharField(_("نشانی"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("کد پاسخ"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("مدت (میلی‌ثانیه)"), default=0)
    error = models.CharField(_("خطا"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("تلاش وب‌هوک")
        verbose_name_plural = _("تلاش‌های وب‌هوک")
        ordering = ["event", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.at}: {self.status_code or self.error}"
