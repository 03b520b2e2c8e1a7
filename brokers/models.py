"""Broker offices, the delegations people give them, what their clerks did
(the rows the office reports count) and the print tariff an administrator sets.

A clerk or manager is a live `accounts.RoleGrant` whose organization is the
office (accounts.roles.clerk_office answers which)."""

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mailbox.models import Delivery, Mailbox
from payam.text import to_persian_digits

from .constants import (
    DelegationLetters,
    DelegationScope,
    DelegationStatus,
    OfficeEventKind,
    OfficeKind,
)


class BrokerOffice(models.Model):
    code = models.CharField(
        _("کد دفتر"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{4,12}$", _("کد دفتر ۴ تا ۱۲ رقم است."))],
    )
    kind = models.CharField(_("نوع دفتر"), max_length=12, choices=OfficeKind.choices)
    name = models.CharField(_("نام دفتر"), max_length=200)
    province = models.CharField(_("استان"), max_length=60)
    city = models.CharField(_("شهر"), max_length=60)
    address = models.CharField(_("نشانی"), max_length=300)
    phone = models.CharField(_("تلفن"), max_length=20)
    active = models.BooleanField(_("فعال"), default=True)
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)

    class Meta:
        verbose_name = _("دفتر پیشخوان")
        verbose_name_plural = _("دفاتر پیشخوان")
        ordering = ["province", "city", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    @property
    def label(self) -> str:
        """How the owner reads the office in their access list and SMS (written
        once into each access record, in Persian like the SMS)."""
        return f"{self.name}، {self.city} (کد {to_persian_digits(self.code)})"


def scan_path(instance: "Delegation", filename: str) -> str:
    now = timezone.now()
    return f"brokers/scans/{now:%Y/%m}/{instance.office_id}-{now:%d%H%M%S%f}"


class Delegation(models.Model):
    """تفویض دسترسی: a person's written request, recorded by a clerk, letting one
    office view (and perhaps print) their letters until `expires_at`. Not a
    proxy (وکالت): the office reads only at the counter, for the person. Live
    once the person confirmed it with the code sent to their own mobile; the
    person revokes it at once from their profile. Rows are kept as history."""

    office = models.ForeignKey(
        BrokerOffice, verbose_name=_("دفتر"), on_delete=models.PROTECT, related_name="delegations"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("صاحب کارپوشه"),
        on_delete=models.PROTECT,
        related_name="office_delegations",
    )
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("کارپوشه"), on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(_("دامنه"), max_length=12, choices=DelegationScope.choices)
    letters = models.CharField(_("کدام نامه‌ها"), max_length=10, choices=DelegationLetters.choices)
    agencies = models.ManyToManyField(
        Mailbox, verbose_name=_("دستگاه‌ها"), blank=True, related_name="+"
    )
    tracking_codes = models.JSONField(_("کدهای رهگیری"), default=list, blank=True)
    expires_at = models.DateTimeField(_("پایان اعتبار"))
    status = models.CharField(
        _("وضعیت"),
        max_length=10,
        choices=DelegationStatus.choices,
        default=DelegationStatus.PENDING,
    )
    scan = models.FileField(_("تصویر درخواست کتبی"), upload_to=scan_path, max_length=200)
    scan_content_type = models.CharField(_("نوع پرونده"), max_length=40)
    scan_sha256 = models.CharField(_("چکیده‌ی پرونده"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ثبت‌شده توسط"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("زمان تأیید"), null=True, blank=True)
    ended_at = models.DateTimeField(_("زمان پایان"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("پایان‌یافته توسط"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("تفویض دسترسی")
        verbose_name_plural = _("تفویض‌های دسترسی")
        indexes = [
            models.Index(fields=["office", "owner", "status"], name="delegation_office_idx"),
            models.Index(fields=["owner", "-created_at"], name="delegation_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} → {self.office_id} ({self.status})"

    def is_live(self, at: Any = None) -> bool:
        return self.status == DelegationStatus.ACTIVE and self.expires_at > (at or timezone.now())

    @property
    def may_print(self) -> bool:
        return self.scope == DelegationScope.VIEW_PRINT

    def covers(self, delivery: Delivery) -> bool:
        """Whether the delegation's letters include this delivery: the owner's own
        mailbox and, with a filter, from one of the agencies or one of the codes."""
        if delivery.recipient_id != self.mailbox_id:
            return False
        if self.letters == DelegationLetters.AGENCIES:
            return self.agencies.filter(pk=delivery.letter.sender_id).exists()
        if self.letters == DelegationLetters.CODES:
            return delivery.letter.tracking_code in self.tracking_codes
        return True


class OfficeEvent(models.Model):
    """One thing a clerk did at the counter: the rows the office reports count.
    A print carries the fee of the tariff in force when it was printed."""

    office = models.ForeignKey(
        BrokerOffice, verbose_name=_("دفتر"), on_delete=models.PROTECT, related_name="events"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کارمند"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("نوع"), max_length=12, choices=OfficeEventKind.choices)
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("تفویض دسترسی"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("تحویل"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("شخص"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fee_rials = models.PositiveBigIntegerField(_("کارمزد (ریال)"), default=0)
    at = models.DateTimeField(_("زمان"), default=timezone.now)

    class Meta:
        verbose_name = _("کار دفتر")
        verbose_name_plural = _("کارهای دفتر")
        indexes = [models.Index(fields=["office", "at"], name="office_event_at_idx")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class PrintTariff(models.Model):
    """The fee of one printed letter, as the competent authority decided it
    (seed 003 art. 6): set by an administrator, in force from `valid_from`.
    The tariff of a print is the latest one in force when it was printed."""

    fee_rials = models.PositiveBigIntegerField(
        _("کارمزد هر چاپ (ریال)"), validators=[MinValueValidator(0)]
    )
    valid_from = models.DateTimeField(_("از زمان"), default=timezone.now)
    decision = models.CharField(
        _("مصوبه"), max_length=200, help_text=_("شماره و تاریخ مصوبه‌ی مرجع")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ثبت‌شده توسط"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("تعرفه‌ی چاپ")
        verbose_name_plural = _("تعرفه‌های چاپ")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.fee_rials} ({self.valid_from:%Y-%m-%d})"
