"""Choices and limits of the mailbox app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailboxKind(models.TextChoices):
    NATURAL = "natural", _("شخص حقیقی")
    LEGAL = "legal", _("شخص حقوقی")
    AGENCY = "agency", _("دستگاه اجرایی")


PERSON_KINDS = frozenset({MailboxKind.NATURAL, MailboxKind.LEGAL})


class LetterCategory(models.TextChoices):
    NOTICE = "notice", _("اطلاعیه")
    SUMMONS = "summons", _("احضاریه")
    INVOICE = "invoice", _("صورت‌حساب")
    RESULT = "result", _("نتیجه")
    GENERAL = "general", _("عمومی")


class FanoutState(models.TextChoices):
    PENDING = "pending", _("در انتظار")
    RUNNING = "running", _("در حال تحویل")
    DONE = "done", _("تحویل‌شده")


# One guarded mover each: mailbox.services.fanout.fanout_move and
# mailbox.services.notifications.notification_move / email_notice_move.
FANOUT_TRANSITIONS: dict[str, frozenset[str]] = {
    FanoutState.PENDING: frozenset({FanoutState.RUNNING, FanoutState.DONE}),
    FanoutState.RUNNING: frozenset({FanoutState.RUNNING, FanoutState.DONE}),  # a chunk's progress
    FanoutState.DONE: frozenset(),
}


class DeliveryStatus(models.TextChoices):
    DELIVERED = "delivered", _("تحویل‌شده")


class ReaderRole(models.TextChoices):
    """Who opened a letter: the owner, or someone acting for them."""

    OWNER = "owner", _("صاحب کارپوشه")
    PROXY = "proxy", _("وکیل")
    BROKER_CLERK = "broker_clerk", _("کارمند دفتر پیشخوان")
    # A member of the agency whose mailbox received the letter (agencies registers
    # its check): the agency's mailbox has no owner, so every reader is one of these.
    AGENCY_MEMBER = "agency", _("کارمند دستگاه")


class ProxyScope(models.TextChoices):
    READ = "read", _("خواندن")
    READ_REPLY = "read_reply", _("خواندن و پاسخ")


class ProxyStatus(models.TextChoices):
    """A proxy grant: named by the owner, accepted (or declined) by the proxy,
    revoked by the owner at any time or given up by the proxy. Expiry is not a
    status: a grant past `expires_at` is simply not live."""

    PENDING = "pending", _("در انتظار پذیرش وکیل")
    ACTIVE = "active", _("برقرار")
    DECLINED = "declined", _("نپذیرفت")
    REVOKED = "revoked", _("لغوشده")


PROXY_TRANSITIONS: dict[str, frozenset[str]] = {
    ProxyStatus.PENDING: frozenset({ProxyStatus.ACTIVE, ProxyStatus.DECLINED, ProxyStatus.REVOKED}),
    ProxyStatus.ACTIVE: frozenset({ProxyStatus.REVOKED}),
    ProxyStatus.DECLINED: frozenset(),
    ProxyStatus.REVOKED: frozenset(),
}
PROXY_MAX_DAYS = 730  # the longest a proxy may be named for, from today
PROXY_LIVE_PER_MAILBOX = 10  # pending or active proxies one owner may have at once
# Naming a proxy looks a person up by national code: an oracle, so every try is
# counted before the lookup (docs/mailbox.md, "Naming a proxy is an oracle").
PROXY_LOOKUPS_PER_OWNER_PER_DAY = 5
PROXY_LOOKUPS_PER_TARGET_PER_DAY = 5  # tries naming one national code, by anyone
PROXY_LOOKUPS_PER_IP_PER_HOUR = 20


class NotifyStatus(models.TextChoices):
    PENDING = "pending", _("در انتظار")
    SENT = "sent", _("فرستاده‌شده")
    SKIPPED = "skipped", _("بی‌نیاز")
    FAILED = "failed", _("ناموفق")


# SENT means a notice was queued (SMS and/or e-mail); it turns FAILED when the
# e-mail was the only notice and it could not be sent.
NOTIFY_TRANSITIONS: dict[str, frozenset[str]] = {
    NotifyStatus.PENDING: frozenset({NotifyStatus.SENT, NotifyStatus.SKIPPED, NotifyStatus.FAILED}),
    NotifyStatus.SENT: frozenset({NotifyStatus.FAILED}),
    NotifyStatus.SKIPPED: frozenset(),
    NotifyStatus.FAILED: frozenset(),
}


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("در صف")
    SENT = "sent", _("فرستاده‌شده")
    DEAD = "dead", _("ناموفق پس از چند بار")


EMAIL_TRANSITIONS: dict[str, frozenset[str]] = {
    EmailStatus.QUEUED: frozenset({EmailStatus.QUEUED, EmailStatus.SENT, EmailStatus.DEAD}),
    EmailStatus.SENT: frozenset(),
    EmailStatus.DEAD: frozenset({EmailStatus.QUEUED}),  # retried by a person from the admin
}
EMAIL_MAX_ATTEMPTS = 5  # then the notice is dead: listed in the admin, retried from there
EMAIL_RETRY_SECONDS = 60  # doubled after each failed attempt
EMAIL_BATCH = 100  # notices one task run sends


class AccessAction(models.TextChoices):
    VIEW = "view", _("مشاهده")
    DOWNLOAD = "download", _("دریافت پیوست")
    PRINT = "print", _("چاپ")
    REPLY = "reply", _("پاسخ")


# What an attachment may be, recognized by its content (the `filetype` library reads
# its first bytes), never by its name: the MIME type `filetype` reports, mapped to the
# content type stored, the label people read and the extensions the name may carry.
# An animated PNG is a PNG to every viewer, and to us.
ATTACHMENT_TYPES: dict[str, tuple[str, str, frozenset[str]]] = {
    "application/pdf": ("application/pdf", "PDF", frozenset({".pdf"})),
    "image/jpeg": ("image/jpeg", "JPEG", frozenset({".jpg", ".jpeg"})),
    "image/png": ("image/png", "PNG", frozenset({".png"})),
    "image/apng": ("image/png", "PNG", frozenset({".png"})),
}
SNIFF_BYTES = 8192  # what `filetype` looks at
# PDF readers look for `%PDF-` this far into a file: an image with it there is a
# PDF too (a polyglot).
PDF_HEADER_WINDOW = 1024
# A PDF is walked for active content up to this many objects (pypdf parses some
# 5 000 a second: a 300-page report with links has under 10 000) and this many
# dictionaries and arrays in them; past either it is refused as too complex.
PDF_MAX_OBJECTS = 20_000
PDF_MAX_NODES = 200_000

SUBJECT_MAX_LENGTH = 300
ATTACHMENT_NAME_MAX_LENGTH = 200
VERIFICATION_CODE_LENGTH = 8
