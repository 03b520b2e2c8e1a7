"""Crisis notices («اطلاعیه‌ی فوری», seed 002): an ITO expert grants an agency
the permission; an admin or sender of the agency composes a notice to everyone
or to chosen provinces (the count shown first); an ITO expert who is not its
composer confirms it (four eyes) or rejects it with a reason; confirmed, it goes
at once: an urgent letter to every selected inbox through
`mailbox.services.letter_send` (the selection staged in SQL, the fan-out task)
and an SMS from the agency's own sender on the urgent lane, queued in one
INSERT … SELECT. One mover: `broadcast_transition`."""

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_agency_sender, is_ito_expert, user_agency
from accounts.selectors import people_count, people_in_provinces
from mailbox.constants import LetterCategory
from mailbox.content import plain_text_body
from mailbox.exceptions import NoRecipients
from mailbox.selectors import person_mailboxes
from mailbox.services import letter_send
from payam.audit import audit_record
from payam.constants import Province
from payam.errors import UserFacingError
from payam.text import localized_digits, normalize_text
from payam.tracking import TrackingKind, issue
from sms import encoding
from sms.constants import MAX_PARTS, SmsKind
from sms.services import sms_queue_selection

from ..constants import BROADCAST_TEXT_MAX, BROADCAST_TRANSITIONS, BroadcastStatus
from ..exceptions import BroadcastMoveRefused, BroadcastRefused, ComposerCannotConfirm
from ..models import Agency, Broadcast, BroadcastChange

BROADCAST_SMS_NAMESPACE = uuid.UUID("0c7b1b5e-2f7c-4f7e-9d0a-62726f616463")


# --- the permission ------------------------------------------------------------------------------


def agency_set_broadcast(*, actor: object, agency: Agency, allowed: bool) -> Agency:
    """An ITO expert grants `agency` the crisis-notice permission or withdraws it.
    Audited; an unchanged value writes nothing. A notice waiting for
    confirmation when the permission is withdrawn can no longer be confirmed."""
    if not isinstance(actor, User) or not is_ito_expert(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        if locked.may_broadcast == allowed:
            return locked
        locked.may_broadcast = allowed
        locked.broadcast_changed_by = actor
        locked.broadcast_changed_at = timezone.now()
        locked.save(update_fields=["may_broadcast", "broadcast_changed_by", "broadcast_changed_at"])
        audit_record(
            actor=actor,
            action="agency.broadcast_grant" if allowed else "agency.broadcast_withdraw",
            target=locked,
            data={"agency": locked.pk, "may_broadcast": allowed},
        )
    return locked


def _ensure_composer(actor: object, agency: Agency) -> User:
    """A live admin or sender of `agency`, which may broadcast: PermissionDenied
    for anyone else (the views answer 404)."""
    if not isinstance(actor, User) or not is_agency_sender(actor):
        raise PermissionDenied
    member_of = user_agency(actor)
    if member_of is None or member_of.pk != agency.pk or not agency.may_broadcast:
        raise PermissionDenied
    return actor


# --- composing -----------------------------------------------------------------------------------


def clean_provinces(values: Sequence[str]) -> list[str]:
    """Province values, each once, in the order of the list of provinces."""
    wanted = set(values)
    unknown = wanted - set(Province.values)
    if unknown:
        raise BroadcastRefused(_("استان‌های برگزیده را از فهرست برگزینید."))
    return [value for value in Province.values if value in wanted]


def broadcast_recipient_count(*, provinces: Sequence[str]) -> int:
    """How many people a notice to `provinces` (empty: everyone) reaches now."""
    return people_count(list(provinces) or None)


def _clean(subject: str, text: str, sms_text: str) -> tuple[str, str, str]:
    subject = normalize_text(" ".join((subject or "").splitlines())).strip()
    if not subject:
        raise BroadcastRefused(_("موضوع اطلاعیه خالی است."))
    if len(subject) > Broadcast._meta.get_field("subject").max_length:  # type: ignore[operator]
        raise BroadcastRefused(_("موضوع اطلاعیه بیش از ۲۰۰ نویسه است."))
    text = normalize_text(text or "").strip()
    if not text:
        raise BroadcastRefused(_("متن اطلاعیه خالی است."))
    if len(text) > BROADCAST_TEXT_MAX:
        raise BroadcastRefused(
            _("متن اطلاعیه بیش از %(max)s نویسه است؛ اطلاعیه‌ی فوری باید کوتاه باشد.")
            % {"max": localized_digits(BROADCAST_TEXT_MAX)}
        )
    sms = normalize_text(sms_text or "").strip() or text
    measured = encoding.measure(sms)
    if measured.parts > MAX_PARTS:
        raise BroadcastRefused(
            _(
                "متن پیامک بیش از %(parts)s بخش (%(units)s نویسه) است. متن پیامک را جداگانه "
                "و کوتاه‌تر بنویسید؛ متن کامل در کارپوشه می‌ماند."
            )
            % {
                "parts": localized_digits(MAX_PARTS),
                "units": localized_digits(encoding.max_units(measured.encoding)),
            }
        )
    return subject, text, sms


def broadcast_create(
    *,
    actor: object,
    agency: Agency,
    subject: str,
    text: str,
    sms_text: str = "",
    provinces: Sequence[str] = (),
) -> Broadcast:
    """A crisis notice, composed by an admin or sender of an agency that may
    broadcast, to everyone (no `provinces`) or to the people of `provinces`,
    waiting for an ITO expert's confirmation. The SMS is `sms_text`, or the
    text itself when it fits MAX_PARTS parts. Raises BroadcastRefused (empty or
    too long, no provinces left, nobody to reach, no sender number) and
    PermissionDenied (not a composer of an agency with the permission)."""
    member = _ensure_composer(actor, agency)
    subject, text, sms = _clean(subject, text, sms_text)
    chosen = clean_provinces(provinces)
    if agency.sender is None or not agency.sender.is_active:
        raise BroadcastRefused(
            _("دستگاه سرشماره‌ی فعالی زیر ۴۰۴۰ ندارد؛ پیامک اطلاعیه از سرشماره‌ی دستگاه می‌رود.")
        )
    count = broadcast_recipient_count(provinces=chosen)
    if not count:
        raise BroadcastRefused(_("در استان‌های برگزیده کسی کارپوشه‌ی فعال ندارد."))
    with transaction.atomic():
        broadcast = Broadcast.objects.create(
            code=issue(kind=TrackingKind.BROADCAST),
            agency=agency,
            created_by=member,
            subject=subject,
            text=text,
            sms_text=sms,
            provinces=chosen,
            recipient_count=count,
        )
        BroadcastChange.objects.create(
            broadcast=broadcast, from_status="", to_status=BroadcastStatus.AWAITING, actor=member
        )
        audit_record(
            actor=member,
            action="broadcast.create",
            target=broadcast,
            data={
                "code": broadcast.code,
                "agency": agency.pk,
                "provinces": chosen,
                "recipients": count,
            },
        )
    return broadcast


# --- the one mover -------------------------------------------------------------------------------


def broadcast_transition(
    *, actor: User | None, broadcast: Broadcast, to: str, reason: str = "", **fields: Any
) -> Broadcast:
    """Move the notice along BROADCAST_TRANSITIONS from the status it was read
    in, with `fields` in the same update, a history row and an audit row.
    BroadcastMoveRefused when it moved since it was read (a second confirmation)."""
    to = BroadcastStatus(to)
    current = broadcast.status
    if to == BroadcastStatus.REJECTED:
        fields["reason"] = reason  # kept on the notice too: the agency sees why
    if to not in BROADCAST_TRANSITIONS[current]:
        raise BroadcastMoveRefused(current)
    updated = Broadcast.objects.filter(pk=broadcast.pk, status=current).update(status=to, **fields)
    if not updated:
        raise BroadcastMoveRefused(Broadcast.objects.get(pk=broadcast.pk).status)
    broadcast.status = to
    for name, value in fields.items():
        setattr(broadcast, name, value)
    BroadcastChange.objects.create(
        broadcast=broadcast, from_status=current, to_status=to, actor=actor, reason=reason
    )
    audit_record(
        actor=actor,
        action=f"broadcast.{to}",
        target=broadcast,
        data={"code": broadcast.code, "from": current, "to": to, "reason": reason},
    )
    return broadcast


def _locked(broadcast_id: int) -> Broadcast:
    return (
        Broadcast.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=broadcast_id)
    )


def _ensure_expert(actor: object) -> User:
    if not isinstance(actor, User) or not is_ito_expert(actor):
        raise PermissionDenied
    return actor


def broadcast_confirm(*, actor: object, broadcast_id: int) -> Broadcast:
    """An ITO expert who is not its composer confirms a waiting notice: it goes
    at once (the task rung after the commit). ComposerCannotConfirm for its
    composer, even holding the expert role; BroadcastMoveRefused when it was
    confirmed (or decided) already; BroadcastRefused when the agency lost the
    permission meanwhile."""
    expert = _ensure_expert(actor)
    with transaction.atomic():
        broadcast = _locked(broadcast_id)
        if expert.pk == broadcast.created_by_id:
            raise ComposerCannotConfirm
        if broadcast.status != BroadcastStatus.AWAITING:
            raise BroadcastMoveRefused(broadcast.status)
        if not broadcast.agency.may_broadcast:
            raise BroadcastRefused(
                _("مجوز اطلاعیه‌ی فوری این دستگاه برداشته شده است؛ آن را رد کنید.")
            )
        broadcast_transition(
            actor=expert,
            broadcast=broadcast,
            to=BroadcastStatus.SENDING,
            decided_by=expert,
            decided_at=timezone.now(),
        )
        transaction.on_commit(lambda: _ring_send(broadcast_id))
    return broadcast


def broadcast_reject(*, actor: object, broadcast_id: int, reason: str) -> Broadcast:
    """An ITO expert rejects a waiting notice with a reason the agency sees."""
    expert = _ensure_expert(actor)
    reason = normalize_text(" ".join((reason or "").splitlines())).strip()[:500]
    if not reason:
        raise BroadcastRefused(_("دلیل رد را بنویسید؛ دستگاه آن را می‌بیند."))
    with transaction.atomic():
        broadcast = _locked(broadcast_id)
        return broadcast_transition(
            actor=expert,
            broadcast=broadcast,
            to=BroadcastStatus.REJECTED,
            reason=reason,
            decided_by=expert,
            decided_at=timezone.now(),
        )


def broadcast_cancel(*, actor: object, broadcast_id: int) -> Broadcast:
    """An admin or sender of the agency calls off a notice still waiting."""
    with transaction.atomic():
        broadcast = _locked(broadcast_id)
        member = _ensure_composer(actor, broadcast.agency)
        return broadcast_transition(actor=member, broadcast=broadcast, to=BroadcastStatus.CANCELLED)


# --- the send ------------------------------------------------------------------------------------


def _ring_send(broadcast_id: int) -> None:
    from ..tasks import broadcast_send as task

    task.apply_async(args=(broadcast_id,), queue="default")


def broadcast_send(*, broadcast_id: int) -> Broadcast:
    """The task's work, for a confirmed notice: the urgent letter to every inbox
    the selection names now (staged in SQL; the fan-out task delivers it) and
    the SMS to every verified mobile among them from the agency's sender on the
    urgent lane, in one transaction with the move to SENT; a refusal (the
    composer is no longer a member, nobody left to reach, the sender was
    disabled) fails the notice with the reason. A run that finds it moved on
    does nothing."""
    with transaction.atomic():
        broadcast = (
            Broadcast.objects.select_for_update(of=("self",))
            .select_related("agency__mailbox", "agency__sender", "created_by")
            .get(pk=broadcast_id)
        )
        if broadcast.status != BroadcastStatus.SENDING:
            return broadcast
        provinces = list(broadcast.provinces) or None
        try:
            with transaction.atomic():
                sender = broadcast.agency.sender
                if sender is None:
                    raise BroadcastRefused(_("دستگاه سرشماره ندارد."))
                letter = letter_send(
                    actor=broadcast.created_by,
                    sender=broadcast.agency.mailbox,
                    recipients=(),
                    selection=person_mailboxes(provinces=provinces),
                    subject=broadcast.subject,
                    body=plain_text_body(broadcast.text),
                    category=LetterCategory.NOTICE,
                    urgent=True,
                )
                queued = sms_queue_selection(
                    sender=sender.number,
                    mobiles=[rows.values("mobile") for rows in people_in_provinces(provinces)],
                    body=broadcast.sms_text,
                    kind=SmsKind.URGENT,
                    batch_id=uuid.uuid5(BROADCAST_SMS_NAMESPACE, broadcast.code),
                    actor=broadcast.created_by,
                )
        except PermissionDenied:
            message = _("نویسنده دیگر اجازه‌ی فرستادن نامه از سوی دستگاه را ندارد.")
            return broadcast_transition(
                actor=None, broadcast=broadcast, to=BroadcastStatus.FAILED, reason=message,
                error=message,
            )  # fmt: skip
        except NoRecipients:
            message = _("در هنگام ارسال کسی در گزینش نبود.")
            return broadcast_transition(
                actor=None, broadcast=broadcast, to=BroadcastStatus.FAILED, reason=message,
                error=message,
            )  # fmt: skip
        except UserFacingError as exc:
            return broadcast_transition(
                actor=None, broadcast=broadcast, to=BroadcastStatus.FAILED,
                reason=str(exc)[:500], error=str(exc)[:500],
            )  # fmt: skip
        return broadcast_transition(
            actor=None,
            broadcast=broadcast,
            to=BroadcastStatus.SENT,
            letter=letter,
            sms_queued=queued.queued,
            sent_at=timezone.now(),
        )


def broadcasts_ring_stuck(*, older_than_seconds: int = 60) -> int:
    """Periodic (beat): ring the send again for confirmed notices still in
    SENDING a while after their confirmation (a lost task, a worker that died);
    the send is status-guarded, so a notice is never sent twice."""
    stale = timezone.now() - timedelta(seconds=older_than_seconds)
    stuck = list(
        Broadcast.objects.filter(status=BroadcastStatus.SENDING, decided_at__lt=stale).values_list(
            "pk", flat=True
        )[:100]
    )
    for broadcast_id in stuck:
        _ring_send(broadcast_id)
    return len(stuck)
