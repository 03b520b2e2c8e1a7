from django.db import models
from django.utils.translation import gettext_lazy as _

SYSTEM_SENDER = "4040"
SENDER_PREFIX = "4040"
MAX_PARTS = 8
GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


class SenderKind(models.TextChoices):
    SYSTEM = "system", _("سامانه")
    AGENCY = "agency", _("دستگاه اجرایی")


class SmsKind(models.TextChoices):
    OTP = "otp", _("رمز یک‌بارمصرف")
    URGENT = "urgent", _("اطلاعیه‌ی فوری (بحران)")
    NOTIFICATION = "notification", _("اطلاع‌رسانی")
    BULK = "bulk", _("انبوه")


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("در صف")
    SENDING = "sending", _("در حال ارسال")
    SENT = "sent", _("ارسال‌شده")
    DELIVERED = "delivered", _("تحویل‌شده")
    FAILED = "failed", _("ناموفق")
    EXPIRED = "expired", _("منقضی")
    DEAD = "dead", _("متوقف پس از آخرین تلاش")


# The one table of allowed moves. Delivery reports may overtake our own
# "sent" update, so `sending` may go straight to a final state.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    SmsStatus.QUEUED: frozenset({SmsStatus.SENDING}),
    SmsStatus.SENDING: frozenset(
        {
            SmsStatus.SENT,
            SmsStatus.QUEUED,  # transient error, or recovered unsent by the sweeper
            SmsStatus.FAILED,
            SmsStatus.DEAD,
            SmsStatus.DELIVERED,
            SmsStatus.EXPIRED,
        }
    ),
    SmsStatus.SENT: frozenset({SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.EXPIRED}),
    SmsStatus.DELIVERED: frozenset(),
    SmsStatus.FAILED: frozenset({SmsStatus.QUEUED}),  # a person's retry from the admin
    SmsStatus.EXPIRED: frozenset(),
    SmsStatus.DEAD: frozenset({SmsStatus.QUEUED}),  # a person's retry from the admin
}

# Delivery reports only move a message forward on this scale.
PROGRESS = {
    SmsStatus.QUEUED: 0,
    SmsStatus.SENDING: 1,
    SmsStatus.SENT: 2,
    SmsStatus.DELIVERED: 3,
    SmsStatus.FAILED: 3,
    SmsStatus.EXPIRED: 3,
    SmsStatus.DEAD: 3,
}

# Which Celery lane (queue) dispatches which kind; OTPs never share a lane. A
# crisis notice (an agency's confirmed broadcast) has its own lane, which the
# workers read right after `sms_otp` (Makefile CELERY_QUEUES, docker-compose):
# ahead of notifications and campaigns, behind one-time codes.
LANE_OF_KIND = {
    SmsKind.OTP: "sms_otp",
    SmsKind.URGENT: "sms_urgent",
    SmsKind.NOTIFICATION: "sms",
    SmsKind.BULK: "bulk",
}
PRIORITY_OF_KIND = {SmsKind.OTP: 9, SmsKind.URGENT: 7, SmsKind.NOTIFICATION: 5, SmsKind.BULK: 1}
# The lanes in the order a worker reads them (the Redis transport reads queues in
# the order given): the most urgent first.
LANES_BY_PRIORITY = ("sms_otp", "sms_urgent", "sms", "bulk")


class UssdAction(models.TextChoices):
    MENU = "menu", _("زیرمنو")
    TEXT = "text", _("نمایش متن")
    SENDER_CHECK = "sender_check", _("بررسی سرشماره‌ی پیامک")
    UNREAD_COUNT = "unread_count", _("شمار نامه‌های خوانده‌نشده")
