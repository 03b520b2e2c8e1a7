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


class DeliveryStatus(models.TextChoices):
    DELIVERED = "delivered", _("تحویل‌شده")


class ReaderRole(models.TextChoices):
    """Who opened a letter: the owner, or someone acting for them."""

    OWNER = "owner", _("صاحب کارپوشه")
    PROXY = "proxy", _("وکیل")
    BROKER_CLERK = "broker_clerk", _("کارمند دفتر پیشخوان")


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


class AccessAction(models.TextChoices):
    VIEW = "view", _("مشاهده")
    DOWNLOAD = "download", _("دریافت پیوست")
    PRINT = "print", _("چاپ")
    REPLY = "reply", _("پاسخ")


# What an attachment may be, recognized by its first bytes, never by its name.
ATTACHMENT_SIGNATURES: tuple[tuple[bytes, str, str, frozenset[str]], ...] = (
    # magic, content type, label, extensions the name may carry
    (b"%PDF-", "application/pdf", "PDF", frozenset({".pdf"})),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG", frozenset({".jpg", ".jpeg"})),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG", frozenset({".png"})),
)
SNIFF_BYTES = 8

SUBJECT_MAX_LENGTH = 300
ATTACHMENT_NAME_MAX_LENGTH = 200
VERIFICATION_CODE_LENGTH = 8
