"""Mailboxes (addresses), letters stored once, one delivery per recipient,
attachments, and the record of every access by someone other than the owner.

Letters, deliveries and attachments are never deleted: an official letter is
evidence. Access records are append-only, like the audit log."""

import secrets
from pathlib import PurePosixPath
from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payam.text import name_initials

from .constants import (
    SUBJECT_MAX_LENGTH,
    VERIFICATION_CODE_LENGTH,
    AccessAction,
    DeliveryStatus,
    EmailStatus,
    FanoutState,
    LetterCategory,
    MailboxKind,
    NotifyStatus,
    ProxyScope,
    ProxyStatus,
    ReaderRole,
)
from .content import merge_text

KEPT = "Official letters are kept: they are never deleted."


class Mailbox(models.Model):
    """An address letters are delivered to and sent from.

    A person's mailbox has their national code (natural) or national ID (legal)
    as `identifier`. A letter to a code nobody registered yet creates a
    placeholder (identifier set, owner null) that is bound to the person when
    they register, so no letter is lost. Agencies hold a one-to-one to their
    mailbox from the agencies app; their mailbox has no owner and no identifier."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("صاحب"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailbox",
    )
    kind = models.CharField(_("نوع"), max_length=8, choices=MailboxKind.choices)
    identifier = models.CharField(_("شناسه"), max_length=11, blank=True)
    display_name = models.CharField(_("نام"), max_length=200, blank=True)
    accepts_letters = models.BooleanField(
        _("نامه‌ی شهروندان را می‌پذیرد"),
        default=False,
        help_text=_("برای کارپوشه‌ی دستگاه‌ها: آیا مردم می‌توانند به آن نامه بنویسند."),
    )
    created_at = models.DateTimeField(_("زمان ساخت"), default=timezone.now)

    class Meta:
        verbose_name = _("کارپوشه")
        verbose_name_plural = _("کارپوشه‌ها")
        indexes = [
            # The few hundred agencies among millions of person mailboxes, by name:
            # the directory and the agency choices of forms read them through it.
            models.Index(
                fields=["display_name", "id"],
                condition=Q(kind=MailboxKind.AGENCY),
                name="mailbox_agency_name_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "identifier"],
                condition=~Q(identifier=""),
                name="mailbox_identifier_unique_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind=MailboxKind.AGENCY) | ~Q(identifier=""),
                name="mailbox_person_has_identifier",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MailboxKind.AGENCY) | Q(owner__isnull=True),
                name="mailbox_agency_has_no_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What a reader sees as the name of this address."""
        return self.display_name or self.identifier or f"#{self.pk}"

    @property
    def is_placeholder(self) -> bool:
        return self.kind != MailboxKind.AGENCY and self.owner_id is None


_M = TypeVar("_M", bound=models.Model)


class KeptQuerySet(models.QuerySet[_M]):
    """Rows that may be updated (read stamps, flags) but never deleted."""

    def delete(self) -> NoReturn:
        raise PermissionError(KEPT)


class Letter(models.Model):
    """One letter, stored once however many recipients it has."""

    tracking_code = models.CharField(_("کد رهگیری"), max_length=10, unique=True)
    sender = models.ForeignKey(
        Mailbox,
        verbose_name=_("فرستنده"),
        on_delete=models.PROTECT,
        related_name="letters_sent",
        db_index=False,  # letter_sender_idx leads with it
    )
    # The sender's name as it was when the letter was sent (a name may change later).
    sender_name = models.CharField(_("نام فرستنده"), max_length=200)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("فرستاده به دست"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("موضوع"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("متن"), help_text=_("HTML پاک‌سازی‌شده"))
    category = models.CharField(
        _("دسته"), max_length=8, choices=LetterCategory.choices, default=LetterCategory.GENERAL
    )
    is_legal_notice = models.BooleanField(_("ابلاغ قانونی"), default=False)
    # A crisis notice (an agency's broadcast confirmed by an ITO expert): shown as a
    # banner atop the recipient's inbox pages until read; its SMS is the sender's.
    is_urgent = models.BooleanField(_("اطلاعیه‌ی فوری"), default=False)
    reply_allowed = models.BooleanField(_("پاسخ‌پذیر"), default=False)
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("در پاسخ به"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    sent_at = models.DateTimeField(_("زمان ارسال"), default=timezone.now)
    content_sha256 = models.CharField(_("چکیده‌ی محتوا (SHA-256)"), max_length=64)
    verification_code = models.CharField(_("کد اصالت"), max_length=VERIFICATION_CODE_LENGTH)
    attachment_count = models.PositiveSmallIntegerField(_("شمار پیوست‌ها"), default=0)
    recipient_count = models.PositiveIntegerField(_("شمار گیرندگان"), default=0)
    fanout_state = models.CharField(
        _("وضعیت تحویل"), max_length=8, choices=FanoutState.choices, default=FanoutState.DONE
    )
    fanout_done = models.PositiveIntegerField(_("شمار تحویل‌شده"), default=0)
    # The last chunk delivered: the sweeper re-rings a fan-out that stopped moving.
    fanout_touched_at = models.DateTimeField(_("آخرین پیشرفت تحویل"), null=True, blank=True)

    objects = KeptQuerySet.as_manager()

    class Meta:
        verbose_name = _("نامه")
        verbose_name_plural = _("نامه‌ها")
        indexes = [
            models.Index(fields=["sender", "-sent_at"], name="letter_sender_idx"),
            models.Index(
                fields=["fanout_state"],
                condition=~Q(fanout_state=FanoutState.DONE),
                name="letter_fanout_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} — {self.subject}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(KEPT)


class LetterRecipient(models.Model):
    """The recipients of a large letter, written with it in one transaction, so
    the fan-out task can deliver them in order and resume after a crash from
    `Letter.fanout_done` (the `seq` of the next one to deliver). Removed once
    every delivery exists."""

    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="+", db_index=False
    )  # letter_recipient_seq_unique leads with it
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=MailboxKind.choices, blank=True)
    identifier = models.CharField(max_length=11, blank=True)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    merge = models.JSONField(null=True, blank=True)  # the recipient's merge values, if any

    class Meta:
        verbose_name = _("گیرنده‌ی در صف")
        verbose_name_plural = _("گیرندگان در صف")
        constraints = [
            models.UniqueConstraint(fields=["letter", "seq"], name="letter_recipient_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}#{self.seq}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A random name under the month of upload: the person's file name is kept
    in `original_name`, never in the storage path."""
    now = timezone.now()
    suffix = PurePosixPath(filename).suffix.lower()
    return f"letters/{now:%Y/%m}/{secrets.token_hex(16)}{suffix}"


class Attachment(models.Model):
    letter = models.ForeignKey(
        Letter, verbose_name=_("نامه"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("پرونده"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("نام پرونده"), max_length=200)
    content_type = models.CharField(_("نوع محتوا"), max_length=40)
    size = models.PositiveIntegerField(_("اندازه (بایت)"))
    sha256 = models.CharField(_("چکیده (SHA-256)"), max_length=64)
    position = models.PositiveSmallIntegerField(_("ترتیب"), default=0)

    objects = KeptQuerySet.as_manager()

    class Meta:
        verbose_name = _("پیوست")
        verbose_name_plural = _("پیوست‌ها")
        ordering = ["letter", "position"]

    def __str__(self) -> str:
        return self.original_name

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(KEPT)


class Delivery(models.Model):
    """One letter in one recipient's inbox. The reader may archive or star it,
    never delete it."""

    # No single-column indexes: delivery_once leads with the letter and
    # delivery_inbox_idx with the recipient (the biggest table keeps fewer indexes).
    letter = models.ForeignKey(
        Letter,
        verbose_name=_("نامه"),
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_index=False,
    )
    recipient = models.ForeignKey(
        Mailbox,
        verbose_name=_("گیرنده"),
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_index=False,
    )
    status = models.CharField(
        _("وضعیت"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.DELIVERED,
    )
    delivered_at = models.DateTimeField(_("زمان تحویل"), default=timezone.now)
    first_read_at = models.DateTimeField(_("نخستین خواندن"), null=True, blank=True)
    first_read_by = models.CharField(
        _("نخستین خواننده"), max_length=12, choices=ReaderRole.choices, blank=True
    )
    first_reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کاربر نخستین خواننده"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notification_status = models.CharField(
        _("وضعیت آگاه‌سازی"),
        max_length=8,
        choices=NotifyStatus.choices,
        default=NotifyStatus.PENDING,
    )
    notified_at = models.DateTimeField(_("زمان آگاه‌سازی"), null=True, blank=True)
    archived = models.BooleanField(_("بایگانی‌شده"), default=False)
    starred = models.BooleanField(_("ستاره‌دار"), default=False)
    # A campaign letter's `{field}` values for this recipient: the stored letter
    # (what is hashed and verified) keeps the fields, `personalize` fills them in.
    merge = models.JSONField(_("مقادیر ادغام"), null=True, blank=True)
    # The letter's `is_urgent`, kept on the delivery so the banner of a person's
    # unread crisis notices is one probe of `delivery_urgent_unread_idx` (a few
    # rows in the whole table), whatever else they have unread. A database
    # default too: the benchmarks' COPYs name their columns.
    urgent = models.BooleanField(_("اطلاعیه‌ی فوری"), default=False, db_default=False)

    objects = KeptQuerySet.as_manager()

    class Meta:
        verbose_name = _("تحویل")
        verbose_name_plural = _("تحویل‌ها")
        constraints = [
            models.UniqueConstraint(fields=["letter", "recipient"], name="delivery_once")
        ]
        indexes = [
            # The inbox, newest first, with the keyset cursor (delivered_at, id).
            models.Index(fields=["recipient", "-delivered_at", "-id"], name="delivery_inbox_idx"),
            # A letter's recipients in delivery order with the keyset cursor `id > n`
            # (the API's /letters/{code}/recipients; delivery_once orders by recipient).
            models.Index(fields=["letter", "id"], name="delivery_letter_id_idx"),
            # The unread count reads only the unread rows of one recipient.
            models.Index(
                fields=["recipient"],
                condition=Q(first_read_at__isnull=True),
                name="delivery_unread_idx",
            ),
            models.Index(
                fields=["letter"],
                condition=Q(notification_status=NotifyStatus.PENDING),
                name="delivery_notify_pending_idx",
            ),
            # The banner atop a person's pages: their unread crisis notices.
            models.Index(
                fields=["recipient", "-delivered_at"],
                condition=Q(urgent=True, first_read_at__isnull=True),
                name="delivery_urgent_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}→{self.recipient_id}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(KEPT)

    @property
    def is_read(self) -> bool:
        return self.first_read_at is not None

    def personalize(self) -> "Delivery":
        """Fill this recipient's merge values into the subject and body of the
        letter loaded with it (in memory only; the stored letter keeps its
        fields). Returns the delivery; a second call changes nothing."""
        if self.merge and not getattr(self.letter, "_personalized", False):
            letter = self.letter
            letter.subject = merge_text(letter.subject, self.merge, escape_html=False)
            if "body" not in letter.get_deferred_fields():
                letter.body = merge_text(letter.body, self.merge, escape_html=True)
            letter._personalized = True  # type: ignore[attr-defined]
        return self


class EmailNotice(models.Model):
    """The e-mail notice of one delivery: written in the transaction that marks
    the delivery notified, sent by a task after the commit. The row is the
    outbox, so a worker that dies after the commit loses no notice; a notice
    that keeps failing goes dead, where the admin lists it and retries it."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, related_name="email_notice", verbose_name=_("تحویل")
    )
    to = models.EmailField(_("نشانی رایانامه"))
    sms_queued = models.BooleanField(_("پیامک هم فرستاده شد"), default=False)
    status = models.CharField(
        _("وضعیت"), max_length=8, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("شمار تلاش‌ها"), default=0)
    last_error = models.CharField(_("آخرین خطا"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("زمان تلاش بعدی"), default=timezone.now)
    sent_at = models.DateTimeField(_("زمان ارسال"), null=True, blank=True)

    class Meta:
        verbose_name = _("آگاه‌سازی رایانامه‌ای")
        verbose_name_plural = _("آگاه‌سازی‌های رایانامه‌ای")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=EmailStatus.QUEUED),
                name="emailnotice_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} → {self.to}"


class AccessRecordQuerySet(models.QuerySet["AccessRecord"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Access records are append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("Access records are append-only.")


class AccessRecord(models.Model):
    """One view, download, print or reply by someone who is not the owner, and
    the grant they acted under. The owner sees these in their inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("کاربر"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_as = models.CharField(_("به‌عنوان"), max_length=12, choices=ReaderRole.choices)
    # The grant (a proxy or a broker-office delegation), named generically so that
    # the mailbox needs no import of the apps that own them.
    grant_type = models.CharField(_("نوع مجوز"), max_length=64, blank=True)
    grant_id = models.CharField(_("شناسه‌ی مجوز"), max_length=64, blank=True)
    # Where it happened, as the owner should read it (a broker office's name and
    # city), written once: the record keeps the name the office had that day.
    place = models.CharField(_("محل"), max_length=200, blank=True)
    action = models.CharField(_("کنش"), max_length=10, choices=AccessAction.choices)
    letter = models.ForeignKey(
        Letter, verbose_name=_("نامه"), on_delete=models.PROTECT, related_name="+"
    )
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("تحویل"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_records",
        db_index=False,  # access_delivery_idx leads with it
    )
    at = models.DateTimeField(_("زمان"), default=timezone.now)
    ip = models.GenericIPAddressField(_("نشانی IP"), null=True, blank=True)

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("سابقه‌ی دسترسی")
        verbose_name_plural = _("سوابق دسترسی")
        indexes = [models.Index(fields=["delivery", "-at"], name="access_delivery_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.letter_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Access records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Access records are append-only.")


class ProxyGrant(models.Model):
    """A proxy (وکیل): the owner of a person's mailbox lets another registered
    person read its letters (and, with the wider scope, answer them), perhaps
    only those of one agency, until `expires_at`. The proxy must accept; the
    owner can revoke at once. Every use is an AccessRecord the owner sees.

    Rows are kept as history: a grant ends by status, never by deletion."""

    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("کارپوشه"),
        on_delete=models.PROTECT,
        related_name="proxy_grants",
    )
    proxy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("وکیل"),
        on_delete=models.PROTECT,
        related_name="proxy_grants_received",
    )
    scope = models.CharField(_("دامنه"), max_length=12, choices=ProxyScope.choices)
    agency = models.ForeignKey(
        Mailbox,
        verbose_name=_("فقط نامه‌های این دستگاه"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("پایان اعتبار"))
    status = models.CharField(
        _("وضعیت"), max_length=10, choices=ProxyStatus.choices, default=ProxyStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("نام‌برده توسط"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("زمان ثبت"), default=timezone.now)
    accepted_at = models.DateTimeField(_("زمان پذیرش"), null=True, blank=True)
    ended_at = models.DateTimeField(_("زمان پایان"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("پایان‌یافته توسط"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = KeptQuerySet.as_manager()

    class Meta:
        verbose_name = _("وکالت")
        verbose_name_plural = _("وکالت‌ها")
        indexes = [
            models.Index(fields=["proxy", "status"], name="proxy_grant_proxy_idx"),
            models.Index(fields=["mailbox", "status"], name="proxy_grant_mailbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(proxy=models.F("created_by")), name="proxy_grant_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id} → {self.proxy_id} ({self.status})"

    def is_live(self, now: Any = None) -> bool:
        """Accepted, not revoked, not expired."""
        return self.status == ProxyStatus.ACTIVE and self.expires_at > (now or timezone.now())

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def may_reply(self) -> bool:
        return self.scope == ProxyScope.READ_REPLY

    @property
    def proxy_label(self) -> str:
        """The proxy's name as the owner sees it: masked («م*** ا***») until the
        proxy accepted, so naming a national code never tells the owner whose it
        is; in full once the proxy agreed to read for them."""
        name = self.proxy.display_name
        return name if self.accepted_at is not None else name_initials(name)

    def covers(self, delivery: "Delivery") -> bool:
        """The delivery is in this grant's mailbox and, with an agency filter,
        from that agency."""
        return delivery.recipient_id == self.mailbox_id and (
            self.agency_id is None or delivery.letter.sender_id == self.agency_id
        )

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Proxy grants are kept as history.")
