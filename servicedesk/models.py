"""A request to the Information Technology Organization, its history, its
deficiencies, attachments and message thread; and support tickets.

One state machine for every request type (constants.REQUEST_TRANSITIONS), moved
only by servicedesk.services."""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import (
    FINAL,
    RequestStatus,
    ServiceArea,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)


class RequestCounter(models.Model):
    """One row: the last request number given. Locked to give the next one."""

    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("شمارنده‌ی درخواست‌ها")
        verbose_name_plural = _("شمارنده‌ی درخواست‌ها")

    def __str__(self) -> str:
        return str(self.last)


class Request(models.Model):
    number = models.PositiveIntegerField(_("شماره"), unique=True)
    tracking_code = models.CharField(_("کد رهگیری"), max_length=10, unique=True)
    kind = models.CharField(_("نوع درخواست"), max_length=40)
    area = models.CharField(_("حوزه‌ی خدمت"), max_length=10, choices=ServiceArea.choices)
    applicant = models.ForeignKey(
        "mailbox.Mailbox",
        verbose_name=_("سازمان متقاضی"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ثبت‌کننده"),
        on_delete=models.PROTECT,
        related_name="filed_requests",
    )
    status = models.CharField(
        _("وضعیت"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    data = models.JSONField(_("اطلاعات درخواست"), default=dict, blank=True)
    # The current round of deficiencies (0: never sent back).
    round = models.PositiveSmallIntegerField(_("نوبت نواقص"), default=0)
    # The type's one_open_per key while the request is open and was submitted.
    open_key = models.CharField(_("کلید یکتایی"), max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کارشناس"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    created_at = models.DateTimeField(_("زمان ایجاد"), default=timezone.now)
    submitted_at = models.DateTimeField(_("زمان آخرین ارسال"), null=True, blank=True)
    decided_at = models.DateTimeField(_("زمان تصمیم"), null=True, blank=True)
    updated_at = models.DateTimeField(_("زمان آخرین تغییر"), auto_now=True)

    class Meta:
        verbose_name = _("درخواست")
        verbose_name_plural = _("درخواست‌ها")
        ordering = ["-number"]
        indexes = [
            models.Index(fields=["applicant", "-number"], name="request_applicant_idx"),
            models.Index(fields=["status", "submitted_at"], name="request_queue_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "kind", "open_key"],
                condition=~Q(open_key=""),
                name="request_one_open_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.tracking_code})"

    @property
    def is_editable(self) -> bool:
        return self.status in (RequestStatus.DRAFT, RequestStatus.DEFICIENT)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def headline(self) -> str:
        """What the lists show as the request's service or subject: the type's
        `service_name` or `subject` data key."""
        data = self.data if isinstance(self.data, dict) else {}
        return str(data.get("service_name") or data.get("subject") or "")

    @property
    def type_label(self) -> str:
        from . import types

        try:
            return str(types.get(self.kind).label)
        except KeyError:
            return self.kind


class RequestChange(models.Model):
    """One move of a request: who moved it from where to where, and why. A
    submission keeps a snapshot of the data and the attachments' hashes, so the
    expert sees what changed since the submission before."""

    request = models.ForeignKey(
        Request, verbose_name=_("درخواست"), on_delete=models.CASCADE, related_name="changes"
    )
    from_status = models.CharField(_("از وضعیت"), max_length=16, choices=RequestStatus.choices)
    to_status = models.CharField(_("به وضعیت"), max_length=16, choices=RequestStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("انجام‌دهنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("توضیح"), blank=True)
    snapshot = models.JSONField(_("تصویر اطلاعات هنگام ارسال"), null=True, blank=True)
    at = models.DateTimeField(_("زمان"), default=timezone.now)

    class Meta:
        verbose_name = _("تغییر وضعیت درخواست")
        verbose_name_plural = _("تغییرهای وضعیت درخواست")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class Deficiency(models.Model):
    request = models.ForeignKey(
        Request, verbose_name=_("درخواست"), on_delete=models.CASCADE, related_name="deficiencies"
    )
    round = models.PositiveSmallIntegerField(_("نوبت"))
    position = models.PositiveSmallIntegerField(_("ردیف"))
    text = models.CharField(_("نقص"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کارشناس"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    fixed_at = models.DateTimeField(_("زمان رفع"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("رفع‌کننده"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("نقص")
        verbose_name_plural = _("نواقص")
        ordering = ["request", "round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "round", "position"], name="deficiency_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


def request_file_path(instance: models.Model, filename: str) -> str:
    """A random name under the month of upload; the person's name is kept in
    `original_name`, never in the storage path."""
    now = timezone.now()
    suffix = PurePosixPath(filename).suffix.lower()
    return f"desk/{now:%Y/%m}/{secrets.token_hex(16)}{suffix}"


class StoredFile(models.Model):
    file = models.FileField(_("پرونده"), upload_to=request_file_path, max_length=200)
    original_name = models.CharField(_("نام پرونده"), max_length=200)
    content_type = models.CharField(_("نوع محتوا"), max_length=40)
    size = models.PositiveIntegerField(_("اندازه (بایت)"))
    sha256 = models.CharField(_("چکیده (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("بارگذار"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("زمان بارگذاری"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class RequestMessage(models.Model):
    """The thread between the applicant and the experts on one request."""

    request = models.ForeignKey(
        Request, verbose_name=_("درخواست"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("نویسنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_expert = models.BooleanField(_("از کارشناس"), default=False)
    text = models.TextField(_("متن"))
    at = models.DateTimeField(_("زمان"), default=timezone.now)

    class Meta:
        verbose_name = _("پیام درخواست")
        verbose_name_plural = _("پیام‌های درخواست")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.text[:40]}"


class RequestAttachment(StoredFile):
    request = models.ForeignKey(
        Request, verbose_name=_("درخواست"), on_delete=models.CASCADE, related_name="attachments"
    )
    slot = models.CharField(_("جایگاه"), max_length=40)
    message = models.ForeignKey(
        RequestMessage,
        verbose_name=_("پیام"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )

    class Meta:
        verbose_name = _("پیوست درخواست")
        verbose_name_plural = _("پیوست‌های درخواست")
        ordering = ["uploaded_at", "pk"]


class Ticket(models.Model):
    tracking_code = models.CharField(_("کد رهگیری"), max_length=10, unique=True)
    applicant = models.ForeignKey(
        "mailbox.Mailbox",
        verbose_name=_("سازمان متقاضی"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    request = models.ForeignKey(
        Request,
        verbose_name=_("درخواست"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ثبت‌کننده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("موضوع"), max_length=200)
    category = models.CharField(_("دسته"), max_length=12, choices=TicketCategory.choices)
    priority = models.CharField(
        _("اولویت"), max_length=8, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    updated_at = models.DateTimeField(_("زمان آخرین تغییر"), default=timezone.now)
    closed_at = models.DateTimeField(_("زمان بستن"), null=True, blank=True)

    class Meta:
        verbose_name = _("تیکت پشتیبانی")
        verbose_name_plural = _("تیکت‌های پشتیبانی")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["applicant", "-updated_at"], name="ticket_applicant_idx")]

    def __str__(self) -> str:
        return f"{self.tracking_code}: {self.subject}"


class TicketMessage(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("تیکت"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("نویسنده"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_support = models.BooleanField(_("از پشتیبانی"), default=False)
    text = models.TextField(_("متن"))
    at = models.DateTimeField(_("زمان"), default=timezone.now)

    class Meta:
        verbose_name = _("پیام تیکت")
        verbose_name_plural = _("پیام‌های تیکت")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.text[:40]}"


class TicketAttachment(StoredFile):
    message = models.ForeignKey(
        TicketMessage, verbose_name=_("پیام"), on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta:
        verbose_name = _("پیوست تیکت")
        verbose_name_plural = _("پیوست‌های تیکت")
        ordering = ["pk"]
