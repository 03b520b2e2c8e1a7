"""Choices, the one table of an application's moves, and limits."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from payam.constants import Province as Province  # moved below every app; still importable here


class AgencyKind(models.TextChoices):
    MINISTRY = "ministry", _("وزارتخانه")
    ORGANIZATION = "organization", _("سازمان دولتی")
    STATE_COMPANY = "company", _("شرکت دولتی")
    PUBLIC_BODY = "public", _("نهاد یا مؤسسه‌ی عمومی غیردولتی")
    UNIVERSITY = "university", _("دانشگاه یا مؤسسه‌ی پژوهشی دولتی")
    PROVINCIAL = "provincial", _("اداره‌ی کل استانی")
    MUNICIPALITY = "municipality", _("شهرداری")
    OTHER = "other", _("سایر دستگاه‌های اجرایی")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("پیش‌نویس (در انتظار تأیید شماره‌ی همراه)")
    PENDING = "pending", _("در انتظار بررسی")
    RETURNED = "returned", _("بازگشت برای رفع نقص")
    APPROVED = "approved", _("تأییدشده")
    REJECTED = "rejected", _("ردشده")


# The one table of an application's moves (agencies.services.application_transition).
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    # the representative proves the mobile with a code: the application is filed
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.PENDING}),
    # an ITO expert decides
    ApplicationStatus.PENDING: frozenset(
        {ApplicationStatus.RETURNED, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED}
    ),
    # the representative fixes and files again
    ApplicationStatus.RETURNED: frozenset({ApplicationStatus.PENDING}),
    ApplicationStatus.APPROVED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
}

# An agency national ID has at most one application in these states.
OPEN_STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.RETURNED)
# Statuses the expert's queue shows by default.
QUEUE_STATUSES = (ApplicationStatus.PENDING,)


class MemberRole(models.TextChoices):
    """What an agency admin picks for a member: names accounts.Role's agency roles."""

    ADMIN = "agency_admin", _("مدیر (اعضا، سرشماره و تنظیمات)")
    SENDER = "agency_sender", _("فرستنده (نوشتن و فرستادن نامه)")
    READER = "agency_reader", _("خواننده (نامه‌های رسیده و پاسخ‌ها)")


# How long a registration in progress is kept in the session.
REGISTRATION_TTL_MINUTES = 60
# Status lookups (tracking code + mobile) a client may make a minute.
STATUS_LOOKUPS_PER_MINUTE = 10
# Deficiency lines an expert may list.
MAX_DEFICIENCIES = 20
# Staff usernames of agency members: this prefix and the national code.
MEMBER_USERNAME_PREFIX = "ag"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("پیش‌نویس (در انتظار تأیید فرستنده)")
    AWAITING_APPROVAL = "awaiting", _("در انتظار تأیید عضو دوم")
    SCHEDULED = "scheduled", _("زمان‌بندی‌شده")
    SENDING = "sending", _("در حال ارسال")
    SENT = "sent", _("فرستاده‌شده")
    CANCELLED = "cancelled", pgettext_lazy("campaign status", "لغوشده")
    FAILED = "failed", _("ناموفق")


# The one table of a campaign's moves (agencies.services.campaigns.campaign_transition).
CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    # the composer confirms the count: above the threshold a second member approves
    CampaignStatus.DRAFT: frozenset(
        {
            CampaignStatus.AWAITING_APPROVAL,
            CampaignStatus.SCHEDULED,
            CampaignStatus.SENDING,
            CampaignStatus.CANCELLED,
        }
    ),
    CampaignStatus.AWAITING_APPROVAL: frozenset(
        {CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.CANCELLED}
    ),
    # its time came (the beat sweep), or someone called it off
    CampaignStatus.SCHEDULED: frozenset({CampaignStatus.SENDING, CampaignStatus.CANCELLED}),
    # the letter is stored and fanning out, or the send was refused at its time
    CampaignStatus.SENDING: frozenset({CampaignStatus.SENT, CampaignStatus.FAILED}),
    CampaignStatus.SENT: frozenset(),
    CampaignStatus.CANCELLED: frozenset(),
    CampaignStatus.FAILED: frozenset(),
}
# Campaigns still waiting for someone: they can be called off.
CAMPAIGN_OPEN_STATUSES = (
    CampaignStatus.DRAFT,
    CampaignStatus.AWAITING_APPROVAL,
    CampaignStatus.SCHEDULED,
)


class CampaignSource(models.TextChoices):
    LIST = "list", _("فهرست کدها")
    CSV = "csv", _("پرونده‌ی CSV")
    API = "api", _("واسط برنامه‌نویسی (API)")


class ApiScope(models.TextChoices):
    """What an agency's API key may do (`agencies.api`)."""

    LETTERS_SEND = "letters:send", _("فرستادن نامه")
    LETTERS_READ = "letters:read", _("خواندن وضعیت نامه‌ها و گیرندگان")
    SMS_SEND = "sms:send", _("فرستادن پیامک")
    REPLIES_READ = "replies:read", _("خواندن پاسخ‌ها و نامه‌های رسیده")


# The visible start of every API key; the rest is a secret shown once.
API_KEY_PREFIX = "pym"
# An Idempotency-Key is remembered this long.
IDEMPOTENCY_TTL_HOURS = 24


class BroadcastStatus(models.TextChoices):
    AWAITING = "awaiting", _("در انتظار تأیید کارشناس")
    SENDING = "sending", _("تأییدشده، در حال ارسال")
    SENT = "sent", _("فرستاده‌شده")
    FAILED = "failed", _("ناموفق")
    REJECTED = "rejected", _("ردشده از سوی کارشناس")
    CANCELLED = "cancelled", pgettext_lazy("broadcast status", "لغوشده")


# The one table of a crisis notice's moves (agencies.services.broadcasts.broadcast_transition).
# Composed (after the count was shown) it waits for an ITO expert who is not its
# composer (four eyes); confirmed, it is sent at once.
BROADCAST_TRANSITIONS: dict[str, frozenset[str]] = {
    BroadcastStatus.AWAITING: frozenset(
        {BroadcastStatus.SENDING, BroadcastStatus.REJECTED, BroadcastStatus.CANCELLED}
    ),
    # the letter is stored and fanning out and the SMS queued, or the send was refused
    BroadcastStatus.SENDING: frozenset({BroadcastStatus.SENT, BroadcastStatus.FAILED}),
    BroadcastStatus.SENT: frozenset(),
    BroadcastStatus.FAILED: frozenset(),
    BroadcastStatus.REJECTED: frozenset(),
    BroadcastStatus.CANCELLED: frozenset(),
}
# A crisis notice's letter text, at most (its SMS is at most sms.constants.MAX_PARTS parts).
BROADCAST_TEXT_MAX = 2000


class WebhookEventType(models.TextChoices):
    """What an agency's webhook endpoint may subscribe to (docs/webhooks.md)."""

    LETTER_DELIVERED = "letter.delivered", _("نامه به همه‌ی گیرندگان رسید")
    LETTER_READ = "letter.read", _("گیرنده نامه را خواند")
    LETTER_REPLIED = "letter.replied", _("گیرنده به نامه پاسخ داد")
    INCOMING_RECEIVED = "incoming_letter.received", _("نامه‌ای به کارپوشه‌ی دستگاه رسید")
    SMS_DELIVERED = "sms.delivered", _("پیامک به گیرنده رسید")


class WebhookStatus(models.TextChoices):
    PENDING = "pending", _("در صف فرستادن")
    DELIVERED = "delivered", _("رسیده")
    DEAD = "dead", _("ناموفق (کنار گذاشته)")


# The one table of a webhook event's moves (agencies.services.webhooks.webhook_event_move).
WEBHOOK_TRANSITIONS: dict[str, frozenset[str]] = {
    # 2xx: delivered; anything else: tried again later, or given up past its time
    WebhookStatus.PENDING: frozenset(
        {WebhookStatus.DELIVERED, WebhookStatus.PENDING, WebhookStatus.DEAD}
    ),
    WebhookStatus.DELIVERED: frozenset(),
    # «ارسال دوباره» in the agency's panel
    WebhookStatus.DEAD: frozenset({WebhookStatus.PENDING}),
}

# An event is retried this long after it was made (or sent again), then dead.
WEBHOOK_RETRY_HOURS = 24
# The first retry waits this long, each next one twice as long, at most the cap.
WEBHOOK_BACKOFF_FIRST_SECONDS = 30
WEBHOOK_BACKOFF_MAX_SECONDS = 60 * 60
# A delivery in progress holds its event this long; past it the sweep takes it back.
WEBHOOK_LEASE_SECONDS = 120
# Endpoints an agency may register.
WEBHOOK_MAX_ENDPOINTS = 5
# Events the panel's delivery log shows a page.
WEBHOOK_LOG_PAGE = 50
