"""Reading: first-read stamps, the access log a person sees, flags."""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from payam import request_context
from payam.audit import audit_record

from ..constants import (
    AccessAction,
    ReaderRole,
)
from ..events import letter_read
from ..models import (
    AccessRecord,
    Delivery,
)
from ..permissions import Actor, may_read
from ..selectors import (
    inbox_version_key,
    senders_cache_key,
    unread_cache_key,
    urgent_cache_key,
)

logger = logging.getLogger("payam.mailbox")


# --- reading ---------------------------------------------------------------------------------


def forget_inbox_caches(owner_ids: Iterable[int | None]) -> None:
    """After the commit, drop what the cache keeps of these accounts' inboxes —
    the header's unread count, the sender filter's choices and the version the
    rendered inbox lists are kept under (new letters, a first read, a star or an
    archive) — so the next page reads again. A cache that is down only leaves
    them stale until they expire (INBOX_UNREAD_CACHE_SECONDS, INBOX_PAGE_CACHE_SECONDS)."""
    owners = {pk for pk in owner_ids if pk is not None}
    keys = sorted(
        key
        for pk in owners
        for key in (
            unread_cache_key(pk),
            senders_cache_key(pk),
            inbox_version_key(pk),
            urgent_cache_key(pk),
        )
    )
    if not keys:
        return

    def forget() -> None:
        try:
            cache.delete_many(keys)
        except Exception:
            logger.warning("Could not drop %s inbox cache keys", len(keys), exc_info=True)

    transaction.on_commit(forget)


def _grant_reference(grant: models.Model | None) -> tuple[str, str]:
    if grant is None:
        return "", ""
    return grant._meta.label_lower, str(grant.pk)


def delivery_record_access(
    *,
    actor: Actor,
    delivery: Delivery,
    action: AccessAction | str,
    acting_as: ReaderRole | str = ReaderRole.OWNER,
    grant: models.Model | None = None,
    ip: str | None = None,
    place: str = "",
) -> AccessRecord | None:
    """Record a view, download, print or reply by someone who is not the owner
    (the owner's own reads are not recorded), and where (`place`: a broker
    office). Raises PermissionDenied unless they may read it as `acting_as`
    under `grant`."""
    if not may_read(actor, delivery, acting_as=acting_as, grant=grant) or not isinstance(
        actor, User
    ):
        raise PermissionDenied
    if acting_as == ReaderRole.OWNER:
        return None
    grant_type, grant_id = _grant_reference(grant)
    return AccessRecord.objects.create(
        user=actor,
        acting_as=acting_as,
        grant_type=grant_type,
        grant_id=grant_id,
        action=action,
        place=place[:200],
        letter_id=delivery.letter_id,
        delivery=delivery,
        ip=ip if ip is not None else request_context.current().ip,
    )


def delivery_mark_read(
    *,
    actor: Actor,
    delivery: Delivery,
    acting_as: ReaderRole | str = ReaderRole.OWNER,
    grant: models.Model | None = None,
    ip: str | None = None,
    place: str = "",
) -> Delivery:
    """Open a letter: the first open stamps when and by whom (owner, proxy,
    broker clerk) once and for all; every open by someone other than the owner
    is recorded for the owner to see. Raises PermissionDenied."""
    if not may_read(actor, delivery, acting_as=acting_as, grant=grant):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        stamped = Delivery.objects.filter(pk=delivery.pk, first_read_at__isnull=True).update(
            first_read_at=now, first_read_by=acting_as, first_reader=actor
        )
        if stamped:
            delivery.first_read_at, delivery.first_read_by = now, str(acting_as)
            delivery.first_reader = actor  # type: ignore[assignment]
            forget_inbox_caches([delivery.recipient.owner_id])
            owner = delivery.recipient.owner
            audit_record(
                actor=actor,
                action="delivery.read",
                target=delivery,
                acting_for=owner if acting_as != ReaderRole.OWNER else None,
                data={"letter": delivery.letter.tracking_code, "acting_as": str(acting_as)},
            )
            letter_read.send(sender=Delivery, delivery=delivery)
        elif delivery.first_read_at is None:
            delivery.refresh_from_db(fields=["first_read_at", "first_read_by", "first_reader"])
        delivery_record_access(
            actor=actor,
            delivery=delivery,
            action=AccessAction.VIEW,
            acting_as=acting_as,
            grant=grant,
            ip=ip,
            place=place,
        )
    return delivery


def delivery_set_flags(
    *, actor: Actor, delivery: Delivery, archived: bool | None = None, starred: bool | None = None
) -> Delivery:
    """Archive or star a letter in one's own inbox (only the owner). Nothing is
    ever deleted: an archived letter is still there under the archive."""
    if not may_read(actor, delivery):
        raise PermissionDenied
    changes: dict[str, Any] = {}
    if archived is not None and archived != delivery.archived:
        changes["archived"] = archived
    if starred is not None and starred != delivery.starred:
        changes["starred"] = starred
    if not changes:
        return delivery
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(**changes)
        for name, value in changes.items():
            setattr(delivery, name, value)
        forget_inbox_caches([delivery.recipient.owner_id])
        audit_record(actor=actor, action="delivery.flags", target=delivery, data=changes)
    return delivery
