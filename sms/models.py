from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .constants import SENDER_PREFIX, SenderKind, SmsKind, SmsStatus, UssdAction

sender_number_validator = RegexValidator(
    rf"^{SENDER_PREFIX}\d{{0,10}}$",
    _("سرشماره باید با ۴۰۴۰ آغاز شود و فقط رقم داشته باشد (مانند ۴۰۴۰۱۲۳)."),
)
mask_validator = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9.\-]{1,10}$",
    _("نام فرستنده (ماسک) ۲ تا ۱۱ نویسه‌ی لاتین است و با حرف آغاز می‌شود."),
)


class SenderNumber(models.Model):
    """A number government SMS may leave from: always under 4040."""

    number = models.CharField(
        _("سرشماره"), max_length=14, unique=True, validators=[sender_number_validator]
    )
    mask = models.CharField(  # noqa: DJ001 — NULL so that many senders may have none
        _("نام فرستنده (ماسک)"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[mask_validator],
    )
    owner_label = models.CharField(_("دارنده"), max_length=200)
    kind = models.CharField(
        _("نوع"), max_length=8, choices=SenderKind.choices, default=SenderKind.AGENCY
    )
    is_active = models.BooleanField(_("فعال"), default=True)
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)

    class Meta:
        verbose_name = _("سرشماره")
        verbose_name_plural = _("سرشماره‌ها")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__startswith=SENDER_PREFIX), name="sender_number_under_4040"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.owner_label}"

    def clean(self) -> None:
        if self.mask == "":
            self.mask = None
        if not self.number.startswith(SENDER_PREFIX):
            raise ValidationError({"number": sender_number_validator.message})


class OutboundSMS(models.Model):
    """One message to one mobile: the source of truth for its whole life."""

    sender = models.ForeignKey(
        SenderNumber, verbose_name=_("سرشماره"), on_delete=models.PROTECT, related_name="+"
    )
    via_mask = models.BooleanField(_("با ماسک"), default=False)
    recipient = models.CharField(_("گیرنده"), max_length=13)
    body = models.TextField(_("متن"))
    kind = models.CharField(_("نوع"), max_length=12, choices=SmsKind.choices)
    priority = models.PositiveSmallIntegerField(_("اولویت"), default=5)
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    parts = models.PositiveSmallIntegerField(_("شمار بخش‌ها"), default=1)
    attempts = models.PositiveSmallIntegerField(_("شمار تلاش"), default=0)
    next_attempt_at = models.DateTimeField(_("تلاش بعدی"), default=timezone.now)
    # NULL, not "", when absent: the unique constraint applies only to given keys.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("کلید یکتایی"), max_length=100, null=True, blank=True
    )
    batch_id = models.UUIDField(
        pgettext_lazy("SMS batch", "دسته"), null=True, blank=True, db_index=True
    )
    gateway = models.CharField(_("درگاه"), max_length=20, blank=True)
    gateway_message_id = models.CharField(_("شناسه در درگاه"), max_length=100, blank=True)
    error = models.CharField(_("خطا"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    claimed_at = models.DateTimeField(_("زمان برداشتن از صف"), null=True, blank=True)
    # Which claim owns a row in `sending`: a worker sends only rows still carrying
    # its own token, so a row the sweeper took back is never sent by both.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("زمان ارسال"), null=True, blank=True)
    done_at = models.DateTimeField(_("زمان وضعیت نهایی"), null=True, blank=True)

    class Meta:
        verbose_name = _("پیامک خروجی")
        verbose_name_plural = _("پیامک‌های خروجی")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="sms_idempotency_per_sender",
            )
        ]
        indexes = [
            # The dispatcher's claim: due queued rows of one kind, best priority first.
            models.Index(
                fields=["kind", "next_attempt_at", "id"],
                condition=Q(status="queued"),
                name="sms_claim_idx",
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="sms_sending_idx"
            ),
            models.Index(fields=["gateway", "gateway_message_id"], name="sms_gateway_id_idx"),
            # A sender's messages, newest first, a page at a time (an agency's SMS page).
            models.Index(fields=["sender", "-id"], name="sms_sender_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"SMS #{self.pk} {self.sender_id}→{self.recipient} ({self.status})"

    @property
    def originator(self) -> str:
        """What the phone shows as the sender."""
        if self.via_mask and self.sender.mask:
            return self.sender.mask
        return self.sender.number


class SmsStatusChange(models.Model):
    """Every move of an SMS, by whom (a person from the admin, or the system)."""

    sms = models.ForeignKey(OutboundSMS, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, choices=SmsStatus.choices)
    to_status = models.CharField(max_length=10, choices=SmsStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("تغییر وضعیت پیامک")
        verbose_name_plural = _("تغییرهای وضعیت پیامک")

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class ConsoleMessage(models.Model):
    """What the console gateway "sent" (the embedded default): /dev/outbox/ lists them."""

    client_ref = models.CharField(max_length=40, unique=True)
    originator = models.CharField(max_length=14)
    recipient = models.CharField(max_length=13)
    body = models.TextField()
    kind = models.CharField(max_length=12, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("پیامک درگاه آزمایشی")
        verbose_name_plural = _("پیامک‌های درگاه آزمایشی")

    def __str__(self) -> str:
        return f"{self.originator}→{self.recipient}"


class DeliveryReport(models.Model):
    """Each delivery report a gateway sent, once: a replay is recognised by its id."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    sms = models.ForeignKey(OutboundSMS, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10)
    applied = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("گزارش تحویل")
        verbose_name_plural = _("گزارش‌های تحویل")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="delivery_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_id}"


class InboundSMS(models.Model):
    """A message a person sent to a 4040 number."""

    sender_number = models.ForeignKey(
        SenderNumber, verbose_name=_("سرشماره"), on_delete=models.PROTECT, related_name="inbound"
    )
    msisdn = models.CharField(_("فرستنده"), max_length=13)
    body = models.TextField(_("متن"))
    gateway = models.CharField(_("درگاه"), max_length=20)
    gateway_message_id = models.CharField(_("شناسه در درگاه"), max_length=100)
    received_at = models.DateTimeField(_("زمان دریافت"), default=timezone.now)

    class Meta:
        verbose_name = _("پیامک ورودی")
        verbose_name_plural = _("پیامک‌های ورودی")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_message_id"], name="inbound_sms_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.msisdn}→{self.sender_number_id}"


class UssdService(models.Model):
    """A USSD code under *4 (e.g. *4*12#) and its menu tree."""

    code = models.CharField(
        _("کد"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^\*4(\*\d{1,4})*#$", _("کد باید زیر *4 باشد، مانند *4*12#"))],
    )
    title = models.CharField(_("عنوان"), max_length=60)
    owner_label = models.CharField(_("دارنده"), max_length=200)
    is_active = models.BooleanField(_("فعال"), default=True)

    class Meta:
        verbose_name = _("خدمت USSD")
        verbose_name_plural = _("خدمات USSD")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class UssdNode(models.Model):
    """One screen of a USSD menu. The root has no parent; children are picked by `key`."""

    service = models.ForeignKey(UssdService, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    key = models.PositiveSmallIntegerField(_("شماره‌ی گزینه"), default=1)
    title = models.CharField(_("عنوان"), max_length=40)
    action = models.CharField(
        _("کنش"), max_length=20, choices=UssdAction.choices, default=UssdAction.MENU
    )
    text = models.CharField(_("متن"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("گزینه‌ی USSD")
        verbose_name_plural = _("گزینه‌های USSD")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "key"], name="ussd_option_key_unique"),
            models.UniqueConstraint(
                fields=["service"], condition=Q(parent__isnull=True), name="ussd_one_root"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.key}. {self.title}"
