"""What every use case at the counter shares: the acting clerk's office, the
lookup limit, and the rows the office reports count."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import User
from payam import ratelimit
from payam.audit import audit_record

from ..constants import LOOKUPS_PER_CLERK_PER_HOUR, LOOKUPS_PER_TARGET_PER_DAY, OfficeEventKind
from ..exceptions import LookupLimitReached
from ..models import BrokerOffice, Delegation, OfficeEvent
from ..selectors import office_of

Actor = AbstractBaseUser | AnonymousUser


def acting_office(actor: Actor) -> BrokerOffice:
    """The active office of a clerk or manager; anyone else is PermissionDenied."""
    office = office_of(actor)
    if office is None or not isinstance(actor, User):
        raise PermissionDenied
    return office


def ensure_clerk_of(actor: Actor, office: BrokerOffice) -> None:
    if acting_office(actor) != office:
        raise PermissionDenied


def count_lookup(*, actor: User, office: BrokerOffice, national_code: str, purpose: str) -> None:
    """Count and audit one look-up of a national code by a clerk, before any
    answer: at most LOOKUPS_PER_CLERK_PER_HOUR by one clerk, and
    LOOKUPS_PER_TARGET_PER_DAY of one code by anyone. Raises LookupLimitReached
    (the refused try is audited too)."""
    checks = (
        (f"broker:lookup:clerk:{actor.pk}", LOOKUPS_PER_CLERK_PER_HOUR, 3600),
        (f"broker:lookup:code:{national_code}", LOOKUPS_PER_TARGET_PER_DAY, 86400),
    )
    refused = 0
    for key, limit, window in checks:
        verdict = ratelimit.hit(key=key, limit=limit, window_seconds=window)
        if not verdict.allowed:
            refused = max(refused, verdict.retry_after)
    audit_record(
        actor=actor,
        action="broker.lookup",
        target=office,
        data={"national_code": national_code, "purpose": purpose, "refused": bool(refused)},
    )
    if refused:
        raise LookupLimitReached(refused)


def event_record(
    *,
    office: BrokerOffice,
    clerk: User,
    kind: OfficeEventKind,
    delegation: Delegation | None = None,
    delivery_id: int | None = None,
    person: User | None = None,
    fee_rials: int = 0,
) -> OfficeEvent:
    return OfficeEvent.objects.create(
        office=office,
        clerk=clerk,
        kind=kind,
        delegation=delegation,
        delivery_id=delivery_id,
        person=person,
        fee_rials=fee_rials,
    )
