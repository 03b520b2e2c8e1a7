"""Every write of the sms app.

    sms_queue(sender="4040123", to="0912…", body="…", kind=SmsKind.NOTIFICATION)

writes one OutboundSMS inside the caller's transaction and rings the dispatcher
once that transaction commits. The row is the truth; Celery is only the doorbell.
"""

import logging
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from payam.audit import audit_record
from payam.errors import InvalidRecipients, RecipientProblem
from payam.phone import normalize_mobile
from payam.text import normalize_digits

from . import encoding, throttle
from .constants import (
    ALLOWED_TRANSITIONS,
    LANE_OF_KIND,
    MAX_PARTS,
    PRIORITY_OF_KIND,
    PROGRESS,
    SENDER_PREFIX,
    SenderKind,
    SmsKind,
    SmsStatus,
)
from .events import sms_delivered
from .exceptions import (
    InvalidBody,
    InvalidRecipient,
    InvalidTransition,
    SenderNotAllowed,
    SenderNumberRefused,
    SenderNumberTaken,
    SmsError,
)
from .gateways import (
    OutgoingMessage,
    PermanentGatewayError,
    SmsGateway,
    TransientGatewayError,
    get_gateway,
)
from .models import DeliveryReport, InboundSMS, OutboundSMS, SenderNumber, SmsStatusChange

log = logging.getLogger("payam.sms")
security_log = logging.getLogger("payam.security")

KINDS_OF_LANE: dict[str, tuple[str, ...]] = {
    lane: tuple(str(kind) for kind, of in LANE_OF_KIND.items() if of == lane)
    for lane in sorted(set(LANE_OF_KIND.values()))
}

BULK_CHUNK = 5000


class UnknownMessage(SmsError):
    message = gettext_lazy("پیامکی با این شناسه در سامانه نیست.")


class UnknownSenderNumber(SmsError):
    message = gettext_lazy("شماره‌ی مقصد سرشماره‌ی ثبت‌شده‌ی ۴۰۴۰ نیست.")


# --- validation -------------------------------------------------------------------------


def _sender_resolve(value: str, *, kind: str, actor: Any) -> tuple[SenderNumber, bool]:
    """The active sender whose number or mask is `value`, and whether it was the mask."""
    value = (value or "").strip()
    sender = SenderNumber.objects.filter(number=value, is_active=True).first()
    via_mask = False
    if sender is None and value:
        sender = SenderNumber.objects.filter(mask=value, is_active=True).first()
        via_mask = sender is not None
    if sender is not None and kind == SmsKind.OTP and sender.kind != SenderKind.SYSTEM:
        sender = None  # one-time codes leave only from the portal's own number
    if sender is None:
        _record_refusal(value=value, kind=kind, actor=actor)
        raise SenderNotAllowed
    return sender, via_mask


def _record_refusal(*, value: str, kind: str, actor: Any) -> None:
    """Every refused sender is logged for security monitoring and audited. The
    audit row shares the caller's transaction; the log line does not depend on it."""
    actor_id = getattr(actor, "pk", None)
    security_log.warning(
        "SMS refused: sender %r is not an active registered 4040 sender",
        value,
        extra={"event": "sms.sender_refused", "sender": value, "kind": kind, "actor_id": actor_id},
    )
    audit_record(actor=actor, action="sms.sender_refused", data={"sender": value, "kind": kind})


def _recipient(value: str) -> str:
    try:
        return normalize_mobile(value)
    except ValidationError as exc:
        raise InvalidRecipient from exc


def _body(value: str) -> tuple[str, int]:
    body = (value or "").strip()
    if not body:
        raise InvalidBody(_("متن پیامک خالی است."))
    measured = encoding.measure(body)
    if measured.parts > MAX_PARTS:
        raise InvalidBody(
            _("متن پیامک بیش از %(max)s بخش است؛ آن را کوتاه‌تر کنید (حداکثر %(units)s نویسه).")
            % {"max": MAX_PARTS, "units": encoding.max_units(measured.encoding)}
        )
    return body, measured.parts


# --- queueing ----------------------------------------------------------------------------


def _ring(lane: str, *, countdown: float = 0, times: int = 1) -> None:
    from .tasks import lane_dispatch

    for _bell in range(times):
        lane_dispatch.apply_async(args=(lane,), queue=lane, countdown=countdown)


def sms_queue(
    *,
    sender: str,
    to: str,
    body: str,
    kind: SmsKind | str,
    idempotency_key: str | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
) -> OutboundSMS:
    """Queue one SMS from a registered 4040 sender (number or mask). The same
    (sender, idempotency_key) returns the row already queued instead of a second one."""
    kind = SmsKind(kind)
    sender_number, via_mask = _sender_resolve(sender, kind=kind, actor=actor)
    recipient = _recipient(to)
    text, parts = _body(body)
    with transaction.atomic():
        if idempotency_key:
            existing = OutboundSMS.objects.filter(
                sender=sender_number, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing
        try:
            with transaction.atomic():
                sms = OutboundSMS.objects.create(
                    sender=sender_number,
                    via_mask=via_mask,
                    recipient=recipient,
                    body=text,
                    kind=kind,
                    priority=PRIORITY_OF_KIND[kind],
                    parts=parts,
                    idempotency_key=idempotency_key or None,
                )
        except IntegrityError:
            # Another transaction queued the same key a moment ago.
            return OutboundSMS.objects.get(sender=sender_number, idempotency_key=idempotency_key)
        transaction.on_commit(lambda: _ring(LANE_OF_KIND[kind]))
    return sms


@dataclass
class BulkQueued:
    batch_id: uuid.UUID
    queued: int
    duplicates_skipped: int


NOTHING_QUEUED = ngettext_lazy(
    "%(count)s شماره‌ی گیرنده نادرست است؛ هیچ پیامکی در صف گذاشته نشد: %(list)s",
    "%(count)s شماره‌ی گیرنده نادرست است؛ هیچ پیامکی در صف گذاشته نشد: %(list)s",
    "n",
)


def sms_queue_bulk(
    *,
    sender: str,
    recipients: Iterable[str],
    body: str,
    batch_id: uuid.UUID | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    fanout: int = 2,
) -> BulkQueued:
    """Queue one body to many mobiles (a campaign of 100,000+), all or nothing.

    Every recipient is checked first; any bad one refuses the whole batch with
    the list of problems. Rows are inserted in chunks; each carries the key
    `<batch_id>:<mobile>`, so running the same batch again adds nothing."""
    sender_number, via_mask = _sender_resolve(sender, kind=SmsKind.BULK, actor=actor)
    text, parts = _body(body)
    batch_id = batch_id or uuid.uuid4()
    normalized: list[str] = []
    seen: set[str] = set()
    problems: list[RecipientProblem] = []
    duplicates = 0
    for row, value in enumerate(recipients, start=1):
        try:
            mobile = normalize_mobile(value)
        except ValidationError as exc:
            problems.append(RecipientProblem(row, value, str(exc.messages[0])))
            continue
        if mobile in seen:
            duplicates += 1
            continue
        seen.add(mobile)
        normalized.append(mobile)
    if problems:
        raise InvalidRecipients(problems, summary=NOTHING_QUEUED)
    now = timezone.now()
    with transaction.atomic():
        before = OutboundSMS.objects.filter(batch_id=batch_id).count()
        for start in range(0, len(normalized), BULK_CHUNK):
            OutboundSMS.objects.bulk_create(
                [
                    OutboundSMS(
                        sender=sender_number,
                        via_mask=via_mask,
                        recipient=mobile,
                        body=text,
                        kind=SmsKind.BULK,
                        priority=PRIORITY_OF_KIND[SmsKind.BULK],
                        parts=parts,
                        batch_id=batch_id,
                        idempotency_key=f"{batch_id}:{mobile}",
                        created_at=now,
                        next_attempt_at=now,
                    )
                    for mobile in normalized[start : start + BULK_CHUNK]
                ],
                batch_size=BULK_CHUNK,
                ignore_conflicts=True,
            )
        queued = OutboundSMS.objects.filter(batch_id=batch_id).count() - before
        audit_record(
            actor=actor,
            action="sms.bulk_queue",
            data={"batch_id": str(batch_id), "sender": sender_number.number, "queued": queued},
        )
        transaction.on_commit(lambda: _ring(LANE_OF_KIND[SmsKind.BULK], times=max(1, fanout)))
    return BulkQueued(batch_id=batch_id, queued=queued, duplicates_skipped=duplicates)


def _batch_size(batch_id: uuid.UUID) -> int:
    return OutboundSMS.objects.filter(batch_id=batch_id).count()


def sms_queue_selection(
    *,
    sender: str,
    mobiles: Sequence[QuerySet[Any]],
    body: str,
    kind: SmsKind | str,
    batch_id: uuid.UUID,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    fanout: int = 4,
) -> BulkQueued:
    """Queue one body to every mobile a selection names, in one INSERT … SELECT:
    no row passes through Python, so a national crisis notice to millions is
    one statement. `mobiles` are querysets of one column each (`values("mobile")`
    of the person profiles, which keep mobiles normalized); their union is
    taken, each mobile once. Each row carries the key `<batch_id>:<mobile>`, so
    running the same batch again adds nothing. Returns how many were queued."""
    kind = SmsKind(kind)
    sender_number, via_mask = _sender_resolve(sender, kind=kind, actor=actor)
    text, parts = _body(body)
    if not mobiles:
        raise ValueError("no selection of mobiles")
    selects: list[str] = []
    params: list[Any] = []
    for queryset in mobiles:
        sql, qs_params = queryset.query.sql_with_params()
        selects.append(sql)
        params.extend(qs_params)
    now = timezone.now()
    key_prefix = f"{batch_id}:"
    sql = f"""
        WITH src(mobile) AS ({" UNION ".join(selects)})
        INSERT INTO {OutboundSMS._meta.db_table}
            (sender_id, via_mask, recipient, body, kind, priority, status, parts, attempts,
             next_attempt_at, idempotency_key, batch_id, gateway, gateway_message_id, error,
             created_at)
        SELECT %s, %s, src.mobile, %s, %s, %s, %s, %s, 0, %s, %s || src.mobile, %s, '', '', '', %s
        FROM src
        WHERE src.mobile <> ''
        ON CONFLICT DO NOTHING
    """  # noqa: S608 — table and column names from the model, values as parameters
    created = OutboundSMS._meta.get_field("created_at")
    batch = OutboundSMS._meta.get_field("batch_id")
    assert isinstance(created, models.Field) and isinstance(batch, models.Field)  # noqa: S101
    at = created.get_db_prep_value(now, connection)
    values = [
        sender_number.pk,
        via_mask,
        text,
        str(kind),
        PRIORITY_OF_KIND[kind],
        str(SmsStatus.QUEUED),
        parts,
        at,
        key_prefix,
        batch.get_db_prep_value(batch_id, connection),
        at,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        before = 0 if connection.vendor == "postgresql" else _batch_size(batch_id)
        cursor.execute(sql, [*params, *values])
        if connection.vendor == "postgresql":
            queued = max(cursor.rowcount, 0)
        else:  # SQLite does not count the rows of an INSERT that starts with WITH
            queued = _batch_size(batch_id) - before
        audit_record(
            actor=actor,
            action="sms.selection_queue",
            data={
                "batch_id": str(batch_id),
                "sender": sender_number.number,
                "kind": str(kind),
                "queued": queued,
            },
        )
        lane = LANE_OF_KIND[kind]
        transaction.on_commit(lambda: _ring(lane, times=max(1, fanout)))
    return BulkQueued(batch_id=batch_id, queued=queued, duplicates_skipped=0)


# --- state machine -----------------------------------------------------------------------


def _move(
    sms_id: int,
    *,
    from_status: str,
    to_status: str,
    reason: str = "",
    guard: dict[str, Any] | None = None,
    **fields: Any,
) -> bool:
    """Status-guarded update: moves the row only if it is still in `from_status`
    (and matches `guard`). Returns False, changing nothing, when another actor
    moved it first."""
    if to_status not in ALLOWED_TRANSITIONS[SmsStatus(from_status)]:
        raise InvalidTransition(from_status, to_status)
    if to_status in (SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.EXPIRED, SmsStatus.DEAD):
        fields.setdefault("done_at", timezone.now())
    if from_status == SmsStatus.SENDING:
        fields.setdefault("claim_token", None)
    moved = OutboundSMS.objects.filter(pk=sms_id, status=from_status, **(guard or {})).update(
        status=to_status, **fields
    )
    if moved:
        SmsStatusChange.objects.create(
            sms_id=sms_id, from_status=from_status, to_status=to_status, reason=reason[:300]
        )
    return bool(moved)


# --- dispatch ---------------------------------------------------------------------------------


def sms_claim_batch(*, lane: str, limit: int) -> list[OutboundSMS]:
    """Take up to `limit` due rows of `lane` for this worker: locked rows are
    skipped (another worker has them) and the update is guarded by status."""
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            OutboundSMS.objects.select_for_update(skip_locked=True)
            .filter(status=SmsStatus.QUEUED, kind__in=KINDS_OF_LANE[lane], next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        OutboundSMS.objects.filter(pk__in=ids, status=SmsStatus.QUEUED).update(
            status=SmsStatus.SENDING,
            claimed_at=now,
            claim_token=token,
            attempts=F("attempts") + 1,
        )
        SmsStatusChange.objects.bulk_create(
            [
                SmsStatusChange(
                    sms_id=i, from_status=SmsStatus.QUEUED, to_status=SmsStatus.SENDING, at=now
                )
                for i in ids
            ]
        )
    return list(OutboundSMS.objects.select_related("sender").filter(pk__in=ids).order_by("id"))


def retry_delay(attempt: int, *, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, never sooner than the gateway asked."""
    ceiling = min(
        settings.SMS_RETRY_MAX_SECONDS, settings.SMS_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    )
    delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 — jitter, not secrecy
    return max(delay, retry_after or 0.0)


def _after_transient(sms: OutboundSMS, error: TransientGatewayError) -> None:
    if sms.attempts >= settings.SMS_MAX_ATTEMPTS:
        _move(
            sms.pk,
            from_status=SmsStatus.SENDING,
            to_status=SmsStatus.DEAD,
            reason=f"gave up after {sms.attempts} attempts: {error.detail}",
            error=error.detail[:300],
        )
        log.error("SMS %s is dead after %s attempts: %s", sms.pk, sms.attempts, error.detail)
        return
    delay = retry_delay(sms.attempts, retry_after=error.retry_after)
    moved = _move(
        sms.pk,
        from_status=SmsStatus.SENDING,
        to_status=SmsStatus.QUEUED,
        reason=f"retry in {delay:.1f}s: {error.detail}",
        error=error.detail[:300],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        claimed_at=None,
    )
    if moved:
        _ring(LANE_OF_KIND[SmsKind(sms.kind)], countdown=delay)


def sms_send_one(sms: OutboundSMS, *, gateway: SmsGateway) -> str:
    """Hand one claimed row to the gateway and record the outcome."""
    # An OTP not sent while its code is valid (OTP_TTL_SECONDS) is useless: it expires instead.
    otp_ttl = timedelta(seconds=settings.OTP_TTL_SECONDS)
    if sms.kind == SmsKind.OTP and timezone.now() - sms.created_at > otp_ttl:
        _move(
            sms.pk,
            from_status=SmsStatus.SENDING,
            to_status=SmsStatus.EXPIRED,
            reason="one-time code too old to send",
        )
        return SmsStatus.EXPIRED
    reserve = 0.0 if sms.kind == SmsKind.OTP else settings.SMS_RATE_OTP_RESERVE
    if not throttle.take(gateway=gateway.name, reserve_share=reserve):
        _after_transient(sms, TransientGatewayError("local rate limit: no capacity", retry_after=1))
        return SmsStatus.QUEUED
    # Still ours? The heartbeat also tells the sweeper this worker is alive.
    still_ours = OutboundSMS.objects.filter(
        pk=sms.pk, status=SmsStatus.SENDING, claim_token=sms.claim_token
    ).update(claimed_at=timezone.now())
    if not still_ours:
        log.warning("SMS %s was taken back by the sweeper before sending; skipped", sms.pk)
        return "skipped"
    message = OutgoingMessage(
        client_ref=str(sms.pk),
        originator=sms.originator,
        recipient=sms.recipient,
        body=sms.body,
        kind=sms.kind,
    )
    try:
        accepted = gateway.send(message)
    except PermanentGatewayError as exc:
        _move(
            sms.pk,
            from_status=SmsStatus.SENDING,
            to_status=SmsStatus.FAILED,
            reason=exc.detail,
            error=exc.detail[:300],
        )
        return SmsStatus.FAILED
    except TransientGatewayError as exc:
        _after_transient(sms, exc)
        return SmsStatus.QUEUED
    except Exception as exc:  # an adapter bug must not strand the row in `sending`
        log.exception("SMS %s: gateway %s raised", sms.pk, gateway.name)
        _after_transient(sms, TransientGatewayError(f"{type(exc).__name__}: {exc}"))
        return SmsStatus.QUEUED
    moved = _move(
        sms.pk,
        from_status=SmsStatus.SENDING,
        to_status=SmsStatus.SENT,
        gateway=gateway.name,
        gateway_message_id=accepted.gateway_message_id[:100],
        sent_at=timezone.now(),
        error="",
    )
    if not moved:  # a delivery report overtook us: keep its status, add the id
        OutboundSMS.objects.filter(pk=sms.pk, gateway_message_id="").update(
            gateway=gateway.name,
            gateway_message_id=accepted.gateway_message_id[:100],
            sent_at=timezone.now(),
        )
    return SmsStatus.SENT


def lane_dispatch(*, lane: str, time_budget: float = 5.0, batch: int | None = None) -> int:
    """Claim and send due rows of `lane` for up to `time_budget` seconds.
    Returns how many rows were handled; the caller re-rings if there may be more."""
    import time

    gateway = get_gateway()
    started = time.monotonic()
    handled = 0
    while time.monotonic() - started < time_budget:
        rows = sms_claim_batch(lane=lane, limit=batch or settings.SMS_CLAIM_BATCH)
        if not rows:
            break
        for sms in rows:
            sms_send_one(sms, gateway=gateway)
            handled += 1
    return handled


def lane_has_due(lane: str) -> bool:
    return OutboundSMS.objects.filter(
        status=SmsStatus.QUEUED, kind__in=KINDS_OF_LANE[lane], next_attempt_at__lte=timezone.now()
    ).exists()


def sending_timeout() -> float:
    """How long a row may sit in `sending` before the sweeper asks about it: never
    less than one whole send can take (connect + read timeout), or a slow but live
    worker and the sweeper could both send it."""
    longest_send = settings.SMS_HTTP_CONNECT_TIMEOUT + settings.SMS_HTTP_READ_TIMEOUT + 1
    return max(float(settings.SMS_SENDING_TIMEOUT), longest_send)


def sms_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic (beat): resolve rows a dead worker left in `sending`, and ring the
    doorbell for due rows no task is coming for. Asks the gateway about each
    stranded row's reference first, so nothing is sent twice."""
    now = now or timezone.now()
    gateway = get_gateway()
    stale = now - timedelta(seconds=sending_timeout())
    counts = {"recovered_sent": 0, "requeued": 0, "unresolved": 0, "lanes_rung": 0}
    stranded = OutboundSMS.objects.filter(status=SmsStatus.SENDING, claimed_at__lt=stale)
    for sms in stranded.order_by("id")[:1000]:
        try:
            known = gateway.lookup(str(sms.pk))
        except TransientGatewayError:
            counts["unresolved"] += 1
            continue
        if known is not None:
            target = known.status if known.status in PROGRESS else SmsStatus.SENT
            if _move(
                sms.pk,
                from_status=SmsStatus.SENDING,
                to_status=target,
                reason="recovered: the gateway had it",
                gateway=gateway.name,
                gateway_message_id=known.gateway_message_id[:100],
                sent_at=sms.claimed_at,
            ):
                counts["recovered_sent"] += 1
        elif _move(
            sms.pk,
            from_status=SmsStatus.SENDING,
            to_status=SmsStatus.QUEUED,
            reason="recovered: the gateway never got it",
            claimed_at=None,
            next_attempt_at=now,
            guard={"claimed_at__lt": stale},
        ):
            counts["requeued"] += 1
    for lane in KINDS_OF_LANE:
        if lane_has_due(lane):
            _ring(lane)
            counts["lanes_rung"] += 1
    return counts


# --- reports and inbound --------------------------------------------------------------------


def delivery_report_apply(
    *,
    gateway: str,
    event_id: str,
    sms_id: int,
    status: SmsStatus,
    gateway_message_id: str = "",
    at: datetime | None = None,
) -> str:
    """Apply one delivery report once. A replay of the same event changes
    nothing ("duplicate"); a report that would move the row backwards, or sideways
    between final states, is stored but not applied ("ignored")."""
    with transaction.atomic():
        sms = OutboundSMS.objects.select_for_update().filter(pk=sms_id).first()
        if sms is None:
            raise UnknownMessage
        report, created = DeliveryReport.objects.get_or_create(
            gateway=gateway, event_id=event_id, defaults={"sms": sms, "status": status}
        )
        if not created:
            return "duplicate"
        current = SmsStatus(sms.status)
        forward = PROGRESS[status] > PROGRESS[current]
        if not forward or status not in ALLOWED_TRANSITIONS[current]:
            return "ignored"
        extra: dict[str, Any] = {}
        if gateway_message_id and not sms.gateway_message_id:
            extra["gateway_message_id"] = gateway_message_id
        if status in (SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.EXPIRED):
            extra["done_at"] = at or timezone.now()
        if status == SmsStatus.SENT or not sms.sent_at:
            extra["sent_at"] = sms.sent_at or at or timezone.now()
        _move(
            sms.pk,
            from_status=current,
            to_status=status,
            reason=f"delivery report {event_id} from {gateway}",
            **extra,
        )
        report.applied = True
        report.save(update_fields=["applied"])
        if status == SmsStatus.DELIVERED:
            sms.status = status
            sms.done_at = extra["done_at"]
            sms_delivered.send(sender=OutboundSMS, sms=sms)
    return "applied"


InboundSubscriber = Callable[[InboundSMS], None]
_inbound_subscribers: list[InboundSubscriber] = []


def inbound_subscribe(handler: InboundSubscriber) -> None:
    """Apps above sms (agencies) register here to hear of messages to their numbers."""
    if handler not in _inbound_subscribers:
        _inbound_subscribers.append(handler)


def _notify_inbound(inbound_id: int) -> None:
    message = InboundSMS.objects.select_related("sender_number").get(pk=inbound_id)
    for handler in list(_inbound_subscribers):
        try:
            handler(message)
        except Exception:
            log.exception("inbound SMS subscriber %r failed for %s", handler, inbound_id)


def inbound_receive(
    *,
    gateway: str,
    gateway_message_id: str,
    msisdn: str,
    to: str,
    body: str,
    at: datetime | None = None,
) -> InboundSMS:
    """Store a message a person sent to a 4040 number, once; subscribers hear of it on commit."""
    sender_number = SenderNumber.objects.filter(number=to.strip()).first()
    if sender_number is None:
        raise UnknownSenderNumber
    mobile = _recipient(msisdn)
    with transaction.atomic():
        message, created = InboundSMS.objects.get_or_create(
            gateway=gateway,
            gateway_message_id=gateway_message_id,
            defaults={
                "sender_number": sender_number,
                "msisdn": mobile,
                "body": body,
                "received_at": at or timezone.now(),
            },
        )
        if created:
            transaction.on_commit(lambda: _notify_inbound(message.pk))
    return message


# --- people's actions -----------------------------------------------------------------------------


def sms_retry(*, actor: AbstractBaseUser, sms_ids: Iterable[int]) -> int:
    """A person sends dead or failed messages again (admin action)."""
    if not getattr(actor, "is_staff", False) or not actor.has_perm("sms.change_outboundsms"):  # type: ignore[attr-defined]
        raise PermissionDenied
    retried = 0
    lanes: set[str] = set()
    with transaction.atomic():
        rows = OutboundSMS.objects.select_for_update().filter(
            pk__in=list(sms_ids), status__in=[SmsStatus.DEAD, SmsStatus.FAILED]
        )
        for sms in rows:
            if _move(
                sms.pk,
                from_status=sms.status,
                to_status=SmsStatus.QUEUED,
                reason=f"retry by {actor.get_username()}",
                attempts=0,
                next_attempt_at=timezone.now(),
                claimed_at=None,
                error="",
            ):
                audit_record(actor=actor, action="sms.retry", target=sms, data={"from": sms.status})
                lanes.add(LANE_OF_KIND[SmsKind(sms.kind)])
                retried += 1

        def ring_all() -> None:
            for lane in sorted(lanes):
                _ring(lane)

        transaction.on_commit(ring_all)
    return retried


# --- sender numbers -------------------------------------------------------------------------


def sender_number_register(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    number: str,
    owner_label: str,
    mask: str | None = None,
    kind: str = SenderKind.AGENCY,
) -> SenderNumber:
    """Register a new sender under 4040 for `owner_label`, by the sender rules of
    `SenderNumber` (under 4040, digits only, longer than the portal's own 4040,
    unique; a mask of 2–11 Latin characters, unique). Raises SenderNumberRefused
    with the rule's message. The caller decides who may (agencies: an ITO expert
    approving an agency); the number is audited as the actor's."""
    number = normalize_digits(number).replace(" ", "")
    sender = SenderNumber(number=number, mask=mask or None, owner_label=owner_label, kind=kind)
    if number == SENDER_PREFIX:
        raise SenderNumberRefused(
            _("سرشماره‌ی ۴۰۴۰ از آنِ خود سامانه است؛ رقم‌های پس از آن را هم بنویسید.")
        )
    if SenderNumber.objects.filter(number=number).exists():
        raise SenderNumberTaken
    try:
        sender.full_clean()
    except ValidationError as exc:
        messages = exc.message_dict.get("number") or exc.message_dict.get("mask") or exc.messages
        raise SenderNumberRefused(" ".join(str(m) for m in messages)) from exc
    try:
        with transaction.atomic():
            sender.save()
    except IntegrityError as exc:  # taken by a concurrent registration
        raise SenderNumberTaken from exc
    audit_record(
        actor=actor,
        action="sms.sender_register",
        target=sender,
        data={"number": sender.number, "mask": sender.mask, "owner": owner_label},
    )
    return sender
