"""Telling recipients a letter arrived: SMS through sms, e-mail, and the sweeper."""

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import profile_of
from payam.audit import audit_record
from payam.phone import normalize_mobile
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.exceptions import SmsError
from sms.services import sms_queue, sms_queue_bulk

from ..constants import (
    EMAIL_BATCH,
    EMAIL_MAX_ATTEMPTS,
    EMAIL_RETRY_SECONDS,
    EMAIL_TRANSITIONS,
    NOTIFY_TRANSITIONS,
    EmailStatus,
    FanoutState,
    NotifyStatus,
)
from ..exceptions import InvalidTransition
from ..models import Delivery, EmailNotice, Letter
from . import doorbell
from .pacing import pace

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


def _sms_key(tracking_code: str, recipient_id: int) -> str:
    return f"letter:{tracking_code}:{recipient_id}"


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
            sms_queue_bulk(
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
            sms_queue(
                sender=SYSTEM_SENDER,
                to=plan.mobile or "",
                body=text,
                kind=SmsKind.NOTIFICATION,
                idempotency_key=_sms_key(letter.tracking_code, plan.delivery.recipient_id),
            )
        except SmsError:
            logger.exception("Could not queue the SMS notice of delivery %s", plan.delivery.pk)
            continue
        plan.sms_ok = True


# --- state machines ------------------------------------------------------------------------


def notification_move(*, delivery_ids: Sequence[int], to: str, at: datetime | None = None) -> int:
    """Status-guarded: moves only the deliveries whose notice status may go to
    `to` (NOTIFY_TRANSITIONS), so a run that repeats finds nothing left to do.
    Returns how many moved."""
    sources = [status for status, targets in NOTIFY_TRANSITIONS.items() if to in targets]
    if not sources:
        raise InvalidTransition("A notice", "*", to)
    fields: dict[str, Any] = {"notification_status": to}
    if at is not None:
        fields["notified_at"] = at
    return Delivery.objects.filter(pk__in=delivery_ids, notification_status__in=sources).update(
        **fields
    )


def email_notice_move(notice: EmailNotice, *, to: str, **fields: Any) -> bool:
    """Status-guarded: moves the notice only if it is still in the status it was
    read in. Returns False, changing nothing, when another run moved it first."""
    if to not in EMAIL_TRANSITIONS[notice.status]:
        raise InvalidTransition("An e-mail notice", notice.status, to)
    moved = EmailNotice.objects.filter(pk=notice.pk, status=notice.status).update(
        status=to, **fields
    )
    if moved:
        notice.status = to
        for name, value in fields.items():
            setattr(notice, name, value)
    return bool(moved)


# --- e-mail notices ----------------------------------------------------------------------------


def _email_failed(notice: EmailNotice, error: Exception, *, now: datetime) -> None:
    attempts = notice.attempts + 1
    reason = f"{type(error).__name__}: {error}"[:300]
    if attempts < EMAIL_MAX_ATTEMPTS:
        email_notice_move(
            notice,
            to=EmailStatus.QUEUED,
            attempts=attempts,
            last_error=reason,
            next_attempt_at=now + timedelta(seconds=EMAIL_RETRY_SECONDS * 2 ** (attempts - 1)),
        )
        return
    if email_notice_move(notice, to=EmailStatus.DEAD, attempts=attempts, last_error=reason):
        if not notice.sms_queued:
            notification_move(delivery_ids=[notice.delivery_id], to=NotifyStatus.FAILED)
        logger.error("The e-mail notice of delivery %s is dead: %s", notice.delivery_id, reason)


def email_notices_send(*, limit: int = EMAIL_BATCH, now: datetime | None = None) -> int:
    """Send the due e-mail notices, one transaction each: the row is locked
    (SKIP LOCKED, so runs in parallel share the work), the message goes out, the
    row is marked sent in the same transaction. A failure counts an attempt and
    retries later with a growing wait; after EMAIL_MAX_ATTEMPTS the notice is
    dead, and the delivery's notice FAILED when it had no SMS. A mail server that
    cannot be reached ends the run. Returns how many were sent."""
    sent = 0
    connection = None
    try:
        for _n in range(limit):
            with transaction.atomic():
                at = now or timezone.now()
                notice = (
                    EmailNotice.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("delivery__letter")
                    .filter(status=EmailStatus.QUEUED, next_attempt_at__lte=at)
                    .order_by("next_attempt_at", "pk")
                    .first()
                )
                if notice is None:
                    break
                if connection is None:
                    try:
                        connection = get_connection()
                        connection.open()
                    except Exception as error:
                        logger.warning("Could not reach the mail server", exc_info=True)
                        _email_failed(notice, error, now=at)
                        connection = None
                        break  # the sweeper rings again once the notice is due
                try:
                    message = notification_email(notice.delivery.letter, notice.to)
                    connection.send_messages([message])
                except Exception as error:
                    logger.warning("Could not e-mail the notice %s", notice.pk, exc_info=True)
                    _email_failed(notice, error, now=at)
                    continue
                email_notice_move(notice, to=EmailStatus.SENT, sent_at=timezone.now())
                sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent


def email_notices_retry(*, actor: User, notice_ids: Sequence[int]) -> int:
    """A person (from the admin) sends dead notices again. Audited."""
    if not actor.has_perm("mailbox.change_emailnotice"):
        raise PermissionDenied
    retried = 0
    with transaction.atomic():
        for notice in EmailNotice.objects.select_for_update().filter(
            pk__in=notice_ids, status=EmailStatus.DEAD
        ):
            if email_notice_move(
                notice, to=EmailStatus.QUEUED, attempts=0, next_attempt_at=timezone.now()
            ):
                retried += 1
        audit_record(
            actor=actor,
            action="email_notice.retry",
            data={"notices": sorted(int(pk) for pk in notice_ids), "retried": retried},
        )
        if retried:
            transaction.on_commit(doorbell.ring_emails)
    return retried


def letter_notify(*, letter_id: int, batch: int = NOTIFY_BATCH) -> int:
    """Tell the owners of this letter's pending deliveries that it arrived, as
    each one asked (SMS from the portal's 4040, e-mail when verified), with only
    the sender's name and the tracking code (a crisis notice's SMS is its
    sender's: only e-mail here). The SMS rows are written in the
    same transaction that marks the deliveries, so a notice is queued exactly
    once; concurrent runs share the rows (SKIP LOCKED). Returns how many
    deliveries were handled."""
    letter = Letter.objects.select_related("sender").get(pk=letter_id)
    campaign = letter.recipient_count > settings.LETTER_INLINE_RECIPIENTS
    handled = 0
    while True:
        started = time.monotonic()
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
            if letter.is_urgent:
                # A crisis notice's SMS carries its own text and was queued by its
                # sender on the urgent lane (agencies' broadcast): no second SMS.
                for plan in plans:
                    plan.sms_ok = bool(plan.mobile)
            else:
                _queue_sms(letter, plans, campaign=campaign)
            now = timezone.now()
            outcome: dict[NotifyStatus, list[int]] = {}
            for plan in plans:
                if plan.sms_ok or plan.email:
                    to = NotifyStatus.SENT
                elif plan.mobile:
                    to = NotifyStatus.FAILED
                else:
                    to = NotifyStatus.SKIPPED
                outcome.setdefault(to, []).append(plan.delivery.pk)
            for to, ids in outcome.items():
                notification_move(
                    delivery_ids=ids, to=to, at=now if to == NotifyStatus.SENT else None
                )
            mail = [
                EmailNotice(delivery=plan.delivery, to=plan.email, sms_queued=plan.sms_ok,
                            created_at=now, next_attempt_at=now)
                for plan in plans
                if plan.email
            ]  # fmt: skip
            if mail:
                EmailNotice.objects.bulk_create(mail, ignore_conflicts=True)
                transaction.on_commit(doorbell.ring_emails)
        handled += len(rows)
        if campaign:
            pace(since=started)


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
    emails_due = EmailNotice.objects.filter(
        status=EmailStatus.QUEUED, next_attempt_at__lte=now
    ).exists()
    if emails_due:
        doorbell.ring_emails()
    return {
        "fanouts_rung": len(stuck),
        "notifications_rung": len(pending),
        "emails_rung": int(emails_due),
    }
