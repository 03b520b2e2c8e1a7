"""An agency's webhooks: the endpoints its admin registers (the secret shown
once), the outbox rows the mailbox's and sms's events write in their own
transaction, and the delivery of each row — one POST, signed, with short
timeouts and no redirects; retried with exponential backoff until
WEBHOOK_RETRY_HOURS after it was made, then dead; sent again from the panel.

See docs/webhooks.md for the request, the events' JSON and the signature."""

import json
import logging
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payam.audit import audit_record
from payam.text import normalize_text

from ..constants import (
    WEBHOOK_BACKOFF_FIRST_SECONDS,
    WEBHOOK_BACKOFF_MAX_SECONDS,
    WEBHOOK_LEASE_SECONDS,
    WEBHOOK_MAX_ENDPOINTS,
    WEBHOOK_RETRY_HOURS,
    WEBHOOK_TRANSITIONS,
    WebhookEventType,
    WebhookStatus,
)
from ..exceptions import WebhookNotResendable, WebhookRefused, WebhookUrlRefused
from ..models import Agency, WebhookAttempt, WebhookEndpoint, WebhookEvent
from ..webhook_signature import sign
from ..webhook_url import check_url, guarded_session
from .api_keys import _ensure_admin

log = logging.getLogger("payam.webhooks")

# What the cache keeps of "which active endpoints of which agency want which
# events", per mailbox and per sender number; dropped on every change.
SUBSCRIPTIONS_CACHE_SECONDS = 600
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
USER_AGENT = "Payam-Webhooks/1"
# The answer's first bytes kept in an attempt's error text (never more is read).
ERROR_MAX = 300


@dataclass(frozen=True)
class IssuedSecret:
    """An endpoint and its secret, shown once on the answer to the form."""

    endpoint: WebhookEndpoint
    secret: str


@dataclass(frozen=True)
class Subscription:
    endpoint_id: int
    agency_id: int
    events: frozenset[str]


def _new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def _clean_events(events: Sequence[str]) -> list[str]:
    chosen = sorted(set(events))
    if not chosen or any(event not in WebhookEventType.values for event in chosen):
        raise WebhookRefused(_("دست‌کم یک رویداد برگزینید."))
    return chosen


# --- the cached subscriptions -------------------------------------------------------------


def _mailbox_key(mailbox_id: int) -> str:
    return f"webhooks:mailbox:{mailbox_id}"


def _sender_key(sender_id: int) -> str:
    return f"webhooks:sender:{sender_id}"


def _forget_subscriptions(agency: Agency) -> None:
    keys = [_mailbox_key(agency.mailbox_id)]
    if agency.sender_id is not None:
        keys.append(_sender_key(agency.sender_id))

    def forget() -> None:
        try:
            cache.delete_many(keys)
        except Exception:
            log.warning("Could not drop the webhook subscriptions of agency %s", agency.pk)

    transaction.on_commit(forget)


def _subscriptions(key: str, **where: Any) -> list[Subscription]:
    """The active endpoints of the agency `where` names: from the cache, else
    one query (whose answer, an empty list included, is cached)."""
    try:
        cached = cache.get(key)
    except Exception:
        cached = None
    if cached is not None:
        return [Subscription(e, a, frozenset(ev)) for e, a, ev in cached]
    rows = list(
        WebhookEndpoint.objects.filter(is_active=True, **where)
        .order_by("pk")
        .values_list("pk", "agency_id", "events")
    )
    try:
        cache.set(key, rows, SUBSCRIPTIONS_CACHE_SECONDS)
    except Exception:
        log.warning("Could not cache the webhook subscriptions under %s", key)
    return [Subscription(e, a, frozenset(ev)) for e, a, ev in rows]


def subscriptions_of_mailbox(mailbox_id: int) -> list[Subscription]:
    return _subscriptions(_mailbox_key(mailbox_id), agency__mailbox_id=mailbox_id)


def subscriptions_of_sender(sender_id: int) -> list[Subscription]:
    return _subscriptions(_sender_key(sender_id), agency__sender_id=sender_id)


# --- the outbox ---------------------------------------------------------------------------


def _ring(event_pk: int) -> None:
    from ..tasks import webhook_deliver

    webhook_deliver.apply_async(args=(event_pk,))


def webhook_event_record(
    *,
    subscriptions: Iterable[Subscription],
    event_type: WebhookEventType,
    payload: Callable[[], dict[str, Any]],
) -> list[WebhookEvent]:
    """One outbox row per subscribed endpoint, in the caller's transaction, each
    POSTed after the commit. `payload` is only called when someone subscribed;
    with no subscriber nothing is read or written."""
    wanted = [s for s in subscriptions if event_type in s.events]
    if not wanted:
        return []
    # The cache may lag a change by a moment (or longer, were it down when the
    # change was made): write only for endpoints that are still there and on,
    # so a stale entry never makes a row that breaks the caller's transaction.
    live = set(
        WebhookEndpoint.objects.filter(
            pk__in=[s.endpoint_id for s in wanted], is_active=True
        ).values_list("pk", flat=True)
    )
    wanted = [s for s in wanted if s.endpoint_id in live]
    if not wanted:
        return []
    data = payload()
    now = timezone.now()
    give_up = now + timedelta(hours=WEBHOOK_RETRY_HOURS)
    events = [
        WebhookEvent.objects.create(
            agency_id=s.agency_id,
            endpoint_id=s.endpoint_id,
            event_type=event_type,
            payload=data,
            created_at=now,
            next_attempt_at=now,
            give_up_at=give_up,
        )
        for s in wanted
    ]
    for event in events:
        pk = event.pk
        transaction.on_commit(lambda pk=pk: _ring(pk), robust=True)  # type: ignore[misc]
    return events


def webhook_events_name_campaign(*, agency: Agency, tracking_code: str, campaign_code: str) -> int:
    """A campaign's letter delivered in the sender's transaction made its
    `letter.delivered` before the campaign was linked to it: name the campaign
    in those rows, in the same transaction, before any is sent."""
    wanted = subscriptions_of_mailbox(agency.mailbox_id)
    if not any(WebhookEventType.LETTER_DELIVERED in s.events for s in wanted):
        return 0
    named = 0
    rows = WebhookEvent.objects.filter(
        agency=agency,
        event_type=WebhookEventType.LETTER_DELIVERED,
        status=WebhookStatus.PENDING,
        attempts=0,
        payload__tracking_code=tracking_code,
    )
    for event in rows:
        if event.payload.get("campaign_code") is None:
            event.payload["campaign_code"] = campaign_code
            event.save(update_fields=["payload"])
            named += 1
    return named


# --- the endpoints (the agency's admin) ---------------------------------------------------


def webhook_endpoint_create(
    *, actor: object, agency: Agency, url: str, events: Sequence[str]
) -> IssuedSecret:
    """A new endpoint of `agency` by its admin, on at once; the secret is
    returned to be shown once. Refused: not https or a private address
    (WebhookUrlRefused), no event, more than WEBHOOK_MAX_ENDPOINTS."""
    admin = _ensure_admin(actor, agency)
    url = check_url(normalize_text(url or ""))
    chosen = _clean_events(events)
    secret = _new_secret()
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        if WebhookEndpoint.objects.filter(agency=agency).count() >= WEBHOOK_MAX_ENDPOINTS:
            raise WebhookRefused(
                _("هر دستگاه حداکثر %(count)s نشانی وب‌هوک دارد؛ یکی را حذف کنید.")
                % {"count": WEBHOOK_MAX_ENDPOINTS}
            )
        endpoint = WebhookEndpoint.objects.create(
            agency=agency, url=url, secret=secret, events=chosen, created_by=admin
        )
        audit_record(
            actor=admin,
            action="agency.webhook_create",
            target=endpoint,
            data={"agency": agency.pk, "url": url, "events": chosen},
        )
        _forget_subscriptions(agency)
    return IssuedSecret(endpoint=endpoint, secret=secret)


def _endpoint_for_update(agency: Agency, endpoint_id: int) -> WebhookEndpoint:
    endpoint = (
        WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, agency=agency).first()
    )
    if endpoint is None:
        raise PermissionDenied
    return endpoint


def webhook_endpoint_set_active(
    *, actor: object, agency: Agency, endpoint_id: int, active: bool
) -> WebhookEndpoint:
    """Switch an endpoint off (nothing more is written for it; what is waiting
    is not sent) or on again (checked like a new address)."""
    admin = _ensure_admin(actor, agency)
    with transaction.atomic():
        endpoint = _endpoint_for_update(agency, endpoint_id)
        if active and not endpoint.is_active:
            check_url(endpoint.url)
        if endpoint.is_active != active:
            endpoint.is_active = active
            endpoint.save(update_fields=["is_active"])
            audit_record(
                actor=admin,
                action="agency.webhook_on" if active else "agency.webhook_off",
                target=endpoint,
                data={"agency": agency.pk, "url": endpoint.url},
            )
            _forget_subscriptions(agency)
    return endpoint


def webhook_endpoint_new_secret(*, actor: object, agency: Agency, endpoint_id: int) -> IssuedSecret:
    """A new secret for an endpoint, at once: every request from now on (retries
    of older events included) is signed with it. Shown once."""
    admin = _ensure_admin(actor, agency)
    secret = _new_secret()
    with transaction.atomic():
        endpoint = _endpoint_for_update(agency, endpoint_id)
        endpoint.secret = secret
        endpoint.secret_rotated_at = timezone.now()
        endpoint.save(update_fields=["secret", "secret_rotated_at"])
        audit_record(
            actor=admin,
            action="agency.webhook_secret",
            target=endpoint,
            data={"agency": agency.pk, "url": endpoint.url},
        )
    return IssuedSecret(endpoint=endpoint, secret=secret)


def webhook_endpoint_delete(*, actor: object, agency: Agency, endpoint_id: int) -> str:
    """Remove an endpoint; its events stay in the log, and those still waiting
    are given up (dead, with the reason). Returns the removed address."""
    admin = _ensure_admin(actor, agency)
    with transaction.atomic():
        endpoint = _endpoint_for_update(agency, endpoint_id)
        url = endpoint.url
        waiting = WebhookEvent.objects.filter(endpoint=endpoint, status=WebhookStatus.PENDING)
        given_up = waiting.update(
            status=WebhookStatus.DEAD, last_error=_("نشانی حذف شد.")[:ERROR_MAX]
        )
        audit_record(
            actor=admin,
            action="agency.webhook_delete",
            target=endpoint,
            data={"agency": agency.pk, "url": url, "given_up": given_up},
        )
        endpoint.delete()
        _forget_subscriptions(agency)
    return url


def webhook_event_resend(*, actor: object, agency: Agency, event_id: uuid.UUID) -> WebhookEvent:
    """«ارسال دوباره»: a dead event, or one waiting for its next try, is sent
    now and retried for another WEBHOOK_RETRY_HOURS. Refused (WebhookNotResendable)
    when delivered, or its endpoint was removed."""
    admin = _ensure_admin(actor, agency)
    now = timezone.now()
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update(of=("self",))
            .filter(event_id=event_id, agency=agency)
            .select_related("endpoint")
            .first()
        )
        if event is None:
            raise PermissionDenied
        if event.endpoint is None or WebhookStatus.PENDING not in WEBHOOK_TRANSITIONS[event.status]:
            raise WebhookNotResendable
        if not webhook_event_move(
            event,
            to=WebhookStatus.PENDING,
            next_attempt_at=now,
            give_up_at=now + timedelta(hours=WEBHOOK_RETRY_HOURS),
        ):
            raise WebhookNotResendable
        audit_record(
            actor=admin,
            action="agency.webhook_resend",
            target=event,
            data={"agency": agency.pk, "event": str(event.event_id), "type": event.event_type},
        )
        pk = event.pk
        transaction.on_commit(lambda: _ring(pk), robust=True)
    return event


# --- the one mover and the delivery -------------------------------------------------------


def webhook_event_move(
    event: WebhookEvent, *, to: str, guard: dict[str, Any] | None = None, **fields: Any
) -> bool:
    """Status-guarded (WEBHOOK_TRANSITIONS): moves `event` from the status it
    was read in to `to`, with `fields`; False, changing nothing, when another
    run moved it first (or `guard`, more conditions on the row, fails)."""
    if to not in WEBHOOK_TRANSITIONS[event.status]:
        raise WebhookNotResendable
    moved = WebhookEvent.objects.filter(pk=event.pk, status=event.status, **(guard or {})).update(
        status=to, **fields
    )
    if moved:
        event.status = to
        for name, value in fields.items():
            setattr(event, name, value)
    return bool(moved)


def backoff_seconds(attempts: int) -> float:
    """How long after failed try number `attempts` the next one waits: 30 s,
    doubling, at most an hour, give or take a tenth (so retries spread)."""
    delay = min(
        WEBHOOK_BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), WEBHOOK_BACKOFF_MAX_SECONDS
    )
    return float(delay * random.uniform(0.9, 1.1))  # noqa: S311 — jitter, not a secret


def event_time(value: datetime | None) -> str | None:
    """A time in an event's JSON: ISO 8601 in UTC with a `Z` (docs/webhooks.md)."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def request_body(event: WebhookEvent) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON, UTF-8."""
    envelope = {
        "id": str(event.event_id),
        "type": event.event_type,
        "created_at": event_time(event.created_at),
        "agency": event.agency_id,
        "data": event.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(endpoint: WebhookEndpoint, event: WebhookEvent) -> Outcome:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        check_url(endpoint.url)
    except WebhookUrlRefused as exc:
        return Outcome(None, str(exc)[:ERROR_MAX], took())
    body = request_body(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Payam-Event": event.event_type,
        "Payam-Delivery": str(event.event_id),
        "Payam-Timestamp": str(timestamp),
        "Payam-Signature": sign(endpoint.secret, timestamp, body),
    }
    try:
        with guarded_session() as session:
            response = session.post(
                endpoint.url,
                data=body,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                allow_redirects=False,
                stream=True,
            )
            try:
                code = response.status_code
                error = ""
                if not 200 <= code < 300:
                    snippet = next(response.iter_content(ERROR_MAX), b"")
                    error = f"HTTP {code}: {snippet.decode('utf-8', 'replace')}"
            finally:
                response.close()
    except requests.Timeout:
        return Outcome(None, _("پاسخی در زمان نرسید (timeout)."), took())
    except requests.RequestException as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:ERROR_MAX], took())
    return Outcome(code, " ".join(error.split())[:ERROR_MAX], took())


def webhook_deliver(*, event_pk: int, now: datetime | None = None) -> str:
    """The task's work: POST one due event once. Claims it first (its next try
    moved WEBHOOK_LEASE_SECONDS ahead, status-guarded, so a second run or the
    sweep finds nothing to do), sends outside any transaction, then records the
    attempt and moves it: 2xx delivered; else pending with backoff, or dead past
    `give_up_at`. Never raises for the receiver's faults. Returns the status, or
    "skipped" when there was nothing to do."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=WEBHOOK_LEASE_SECONDS)
    claimed = WebhookEvent.objects.filter(
        pk=event_pk, status=WebhookStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease)
    if not claimed:
        return "skipped"
    event = WebhookEvent.objects.select_related("endpoint").get(pk=event_pk)
    endpoint = event.endpoint
    if endpoint is None or not endpoint.is_active:
        webhook_event_move(
            event,
            to=WebhookStatus.DEAD,
            guard={"next_attempt_at": lease},
            last_error=_("نشانی خاموش یا حذف شده است؛ فرستاده نشد.")[:ERROR_MAX],
        )
        return event.status
    outcome = _post(endpoint, event)
    done = timezone.now()
    attempts = event.attempts + 1
    fields: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "last_attempt_at": done,
    }
    if outcome.ok:
        to = WebhookStatus.DELIVERED
        fields["delivered_at"] = done
    elif done >= event.give_up_at:
        to = WebhookStatus.DEAD
    else:
        to = WebhookStatus.PENDING
        retry = done + timedelta(seconds=backoff_seconds(attempts))
        fields["next_attempt_at"] = min(retry, event.give_up_at)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            event=event,
            at=done,
            url=endpoint.url[:500],
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
        )
        if not webhook_event_move(event, to=to, guard={"next_attempt_at": lease}, **fields):
            log.warning("webhook event %s was moved while it was being sent", event.event_id)
    log.info(
        "webhook %s %s to agency %s: %s in %s ms (try %s)",
        event.event_type,
        event.event_id,
        event.agency_id,
        outcome.status_code or outcome.error,
        outcome.duration_ms,
        attempts,
    )
    return event.status


def webhooks_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The beat sweep: queue every pending event whose time has come (retries,
    and any whose first ring was lost); returns how many."""
    now = now or timezone.now()
    due = list(
        WebhookEvent.objects.filter(status=WebhookStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        try:
            _ring(pk)
        except Exception:
            log.exception("could not queue webhook event %s", pk)
            break
    return len(due)
