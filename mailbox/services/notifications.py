"""Telling recipients a letter arrived: SMS through sms, e-mail, and the sweeper."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import profile_of
from payam.phone import normalize_mobile
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.exceptions import SmsError
from sms.services import queue_sms, queue_sms_bulk

from ..constants import (
    FanoutState,
    NotifyStatus,
)
from ..models import (
    Delivery,
    Letter,
)
from . import doorbell

logger = logging.getLogger("payam.mailbox")
NOTIFY_BATCH = 500  # deliveries notified per transaction
SMS_SENDER_NAME_MAX = 60
BULK_SMS_NAMESPACE = uuid.UUID("5b0e3f0a-6a52-4d8e-9f0e-6d61696c626f")


# --- notifications -------------------------------------------------------------------------


def _sender_name(letter: Letter) -> str:
    name = letter.sender_name
    return name if len(name) <= SMS_SENDER_NAME_MAX else name[: SMS_SENDER_NAME_MAX - 1] + "…"


def notification_sms_text(letter: Letter) -> str:
    """Only who sent it and its tracking code: never the content."""
    return _("پیام ایران: نامه‌ی رسمی تازه از «%(sender)s» در کارپوشه‌ی شما. کد رهگیری: %(code)s") % {
        "sender": _sender_name(letter),
        "code": letter.tracking_code,
    }


def notification_email(letter: Letter, to: str) -> EmailMessage:
    subject = _("نامه‌ی رسمی تازه از %(sender)s") % {"sender": _sender_name(letter)}
    body = _(
        "نامه‌ی رسمی تازه‌ای از «%(sender)s» در کارپوشه‌ی شما در پیام ایران رسیده است.\n"
        "کد رهگیری: %(code)s\n\n"
        "برای خواندن آن به درگاه پیام ایران وارد شوید. پیام ایران متن نامه‌ها را "
        "با رایانامه نمی‌فرستد و هرگز گذرواژه یا رمز یک‌بارمصرف شما را نمی‌خواهد."
    ) % {"sender": letter.sender_name, "code": letter.tracking_code}
    return EmailMessage(subject=subject, body=body, to=[to])


@dataclass
class _Plan:
    delivery: Delivery
    mobile: str | None
    email: str | None
    sms_ok: bool = False


def _plan(delivery: Delivery) -> _Plan:
    profile = profile_of(delivery.recipient.owner)
    mobile = email = None
    if profile is not None:
        if profile.notify_by_sms and profile.mobile:
            mobile = profile.mobile
        if profile.notify_by_email and profile.email and profile.email_verified_at:
            email = profile.email
    return _Plan(delivery=delivery, mobile=mobile, email=email)


def _queue_sms(letter: Letter, plans: list[_Plan], *, campaign: bool) -> None:
    text = notification_sms_text(letter)
    wanted = [plan for plan in plans if plan.mobile]
    if not wanted:
        return
    if campaign:
        good = []
        for plan in wanted:
            try:
                normalize_mobile(plan.mobile or "")
            except ValidationError:
                continue
            good.append(plan)
        try:
            queue_sms_bulk(
                sender=SYSTEM_SENDER,
                recipients=[plan.mobile or "" for plan in good],
                body=text,
                batch_id=uuid.uuid5(BULK_SMS_NAMESPACE, letter.tracking_code),
            )
        except SmsError:
            logger.exception("Could not queue the SMS notices of letter %s", letter.tracking_code)
            return
        for plan in good:
            plan.sms_ok = True
        return
    for plan in wanted:
        try:
            queue_sms(
                sender=SYSTEM_SENDER,
                to=plan.mobile or "",
                body=text,
                kind=SmsKind.NOTIFICATION,
                idempotency_key=f"letter:{letter.tracking_code}:{plan.delivery.recipient_id}",
            )
        except SmsError:
            logger.exception("Could not queue the SMS notice of delivery %s", plan.delivery.pk)
            continue
        plan.sms_ok = True


def _send_emails(letter: Letter, plans: list[_Plan]) -> None:
    """After the commit. A mail server that is down fails the notice of those
    recipients who had no SMS either; the letter itself is in their inbox."""
    failed: list[int] = []
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        logger.exception("Could not reach the mail server for letter %s", letter.tracking_code)
        failed = [plan.delivery.pk for plan in plans if not plan.sms_ok]
    else:
        try:
            for plan in plans:
                try:
                    connection.send_messages([notification_email(letter, plan.email or "")])
                except Exception:
                    logger.exception("Could not e-mail the notice of delivery %s", plan.delivery.pk)
                    if not plan.sms_ok:
                        failed.append(plan.delivery.pk)
        finally:
            connection.close()
    if failed:
        Delivery.objects.filter(pk__in=failed).update(notification_status=NotifyStatus.FAILED)


def letter_notify(*, letter_id: int, batch: int = NOTIFY_BATCH) -> int:
    """Tell the owners of this letter's pending deliveries that it arrived, as
    each one asked (SMS from the portal's 4040, e-mail when verified), with only
    the sender's name and the tracking code. The SMS rows are written in the
    same transaction that marks the deliveries, so a notice is queued exactly
    once; concurrent runs share the rows (SKIP LOCKED). Returns how many
    deliveries were handled."""
    letter = Letter.objects.select_related("sender").get(pk=letter_id)
    campaign = letter.recipient_count > settings.LETTER_INLINE_RECIPIENTS
    handled = 0
    while True:
        with transaction.atomic():
            rows = list(
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(letter_id=letter_id, notification_status=NotifyStatus.PENDING)
                .select_related("recipient__owner__naturalperson", "recipient__owner__legalperson")
                .order_by("pk")[:batch]
            )
            if not rows:
                return handled
            plans = [_plan(row) for row in rows]
            _queue_sms(letter, plans, campaign=campaign)
            now = timezone.now()
            for plan in plans:
                if plan.sms_ok or plan.email:
                    plan.delivery.notification_status = NotifyStatus.SENT
                    plan.delivery.notified_at = now
                elif plan.mobile:
                    plan.delivery.notification_status = NotifyStatus.FAILED
                else:
                    plan.delivery.notification_status = NotifyStatus.SKIPPED
            Delivery.objects.bulk_update(rows, ["notification_status", "notified_at"])
            mail = [plan for plan in plans if plan.email]
            if mail:
                transaction.on_commit(partial(_send_emails, letter, mail))
        handled += len(rows)


def letters_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic (beat): ring again for fan-outs that stopped moving and for
    notifications still pending, e.g. after a worker died or the broker lost a
    task. Both are safe to run twice."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.LETTER_STUCK_SECONDS)
    stuck = list(
        Letter.objects.exclude(fanout_state=FanoutState.DONE)
        .filter(fanout_touched_at__lt=stale)
        .values_list("pk", flat=True)[:100]
    )
    for letter_id in stuck:
        doorbell.ring_fanout(letter_id)
    pending = list(
        Delivery.objects.filter(notification_status=NotifyStatus.PENDING, delivered_at__lt=stale)
        .values_list("letter_id", flat=True)
        .distinct()[:100]
    )
    for letter_id in pending:
        doorbell.ring_notify(letter_id, bulk=True)
    return {"fanouts_rung": len(stuck), "notifications_rung": len(pending)}
