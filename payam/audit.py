"""The audit log: `audit_record` in every service that changes something.

    audit_record(actor=clerk, action="delegation.grant", target=delegation,
                 acting_for=owner, data={"scope": "print"})

The row is written in the caller's transaction, so it exists exactly when the
change it describes does. The IP comes from the current request when there is one.
"""

import hashlib
import ipaddress
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from payam import request_context
from payam.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
HEAD_PK = 1


def _canonical_json(value: Any) -> str:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the row's content and the previous row's hash."""
    content = [
        event.seq,
        event.created_at.astimezone(UTC).isoformat(),
        event.actor_id,
        event.acting_for_id,
        event.action,
        event.target_type,
        event.target_id,
        event.ip,
        event.data,
        event.prev_hash,
    ]
    return hashlib.sha256(_canonical_json(content).encode()).hexdigest()


def _user_id(user: AbstractBaseUser | AnonymousUser | None) -> Any:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return user.pk


def _clean_ip(ip: str | None) -> str | None:
    """The canonical text form (as the database gives it back), or None if not an IP."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    acting_for: AbstractBaseUser | None = None,
    data: Mapping[str, Any] | None = None,
    target_type: str = "",
    target_id: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. `target` (a saved model instance) fills target type and id."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    # Store exactly what will be read back, so the hash verifies after a round trip.
    stored_data = json.loads(_canonical_json(dict(data or {})))
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=HEAD_PK, defaults={"seq": 0, "last_hash": GENESIS_HASH}
        )
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor_id=_user_id(actor),
            acting_for_id=_user_id(acting_for),
            action=action,
            target_type=target_type,
            target_id=target_id,
            ip=_clean_ip(ip if ip is not None else request_context.current().ip),
            data=stored_data,
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        head.seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.problem}"


def verify_chain(*, chunk_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the whole chain in order; yield every break found."""
    expected_seq, prev = 1, GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            yield ChainProblem(expected_seq, f"rows {expected_seq}..{event.seq - 1} are missing")
        if event.prev_hash != prev:
            yield ChainProblem(event.seq, "does not link to the row before it")
        if event_hash(event) != event.hash:
            yield ChainProblem(event.seq, "content was changed after it was written")
        expected_seq, prev = event.seq + 1, event.hash
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            yield ChainProblem(last_seq, "the chain head is missing")
        return
    if head.seq != last_seq or head.last_hash != prev:
        yield ChainProblem(head.seq, f"the newest rows after #{last_seq} were removed")
