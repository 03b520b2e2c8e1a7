"""Who may send from a mailbox, and who may open another person's letters.

The mailbox knows only owners and superusers. Apps above it (agencies,
brokers) teach it more by registering checks, typically
in their AppConfig.ready():

    from mailbox import permissions

    def agency_staff_may_send(actor, mailbox):        # agencies/apps.py
        return Membership.objects.filter(user=actor, agency__mailbox=mailbox,
                                         revoked_at__isnull=True).exists()

    permissions.register_send_check(agency_staff_may_send)

    def clerk_may_read(user, delivery, grant):         # brokers/apps.py
        return isinstance(grant, Delegation) and grant.is_live_for(user, delivery)

    permissions.register_read_check(ReaderRole.BROKER_CLERK, clerk_may_read)

A check answers True to allow; any True wins. Checks must be cheap and must
not write: services call them before they change anything.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models

from accounts.constants import InboxStatus
from accounts.models import User
from accounts.selectors import profile_of

from .constants import ReaderRole
from .models import Delivery, Mailbox, ProxyGrant

Actor = User | AnonymousUser
SendCheck = Callable[[Any, Mailbox], bool]
ReadCheck = Callable[[Any, Delivery, models.Model | None], bool]

_send_checks: list[SendCheck] = []
_read_checks: dict[str, list[ReadCheck]] = {}


def register_send_check(check: SendCheck) -> None:
    """Allow more actors to send as a mailbox (registering the same check twice is harmless)."""
    if check not in _send_checks:
        _send_checks.append(check)


def unregister_send_check(check: SendCheck) -> None:
    if check in _send_checks:
        _send_checks.remove(check)


def register_read_check(acting_as: str, check: ReadCheck) -> None:
    """Allow someone acting as `acting_as` (a ReaderRole other than owner) to open
    a delivery under a grant."""
    if acting_as not in ReaderRole.values or acting_as == ReaderRole.OWNER:
        raise ValueError(f"{acting_as!r} is not a role that reads for someone else")
    checks = _read_checks.setdefault(str(acting_as), [])
    if check not in checks:
        checks.append(check)


def unregister_read_check(acting_as: str, check: ReadCheck) -> None:
    checks = _read_checks.get(str(acting_as), [])
    if check in checks:
        checks.remove(check)


def _active(actor: Actor | None) -> bool:
    return bool(actor is not None and actor.is_authenticated and getattr(actor, "is_active", False))


def has_active_inbox(user: Actor | None) -> bool:
    """The person's own inbox was activated in person at a broker office and is
    not suspended. A proxy needs one to be named, to accept and to read: someone
    whose identity no office has checked must not read another's letters. Reads
    the profile through the user's one-to-one, so a request pays one query."""
    if not _active(user):
        return False
    profile = profile_of(user)
    return profile is not None and profile.inbox_status == InboxStatus.ACTIVE


def may_send_as(actor: Actor | None, mailbox: Mailbox) -> bool:
    """The owner of a person's mailbox (a citizen writing or replying), a
    superuser, or whoever a registered check allows (agency staff)."""
    if not _active(actor):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    if mailbox.owner_id is not None and mailbox.owner_id == actor.pk:  # type: ignore[union-attr]
        return True
    return any(check(actor, mailbox) for check in _send_checks)


def is_owner(user: Actor | None, delivery: Delivery) -> bool:
    owner_id = delivery.recipient.owner_id
    return _active(user) and owner_id is not None and owner_id == user.pk  # type: ignore[union-attr]


def may_read(
    user: Actor | None,
    delivery: Delivery,
    *,
    acting_as: str = ReaderRole.OWNER,
    grant: models.Model | None = None,
) -> bool:
    """The owner always; anyone else only as a registered role under a grant that
    a check of that role accepts."""
    if acting_as == ReaderRole.OWNER:
        return is_owner(user, delivery)
    if not _active(user) or grant is None:
        return False
    return any(check(user, delivery, grant) for check in _read_checks.get(str(acting_as), []))


def proxy_may_read(user: Actor, delivery: Delivery, grant: models.Model | None) -> bool:
    """The read check of proxies (registered in MailboxConfig.ready): their own
    grant, accepted and not expired, over this delivery's mailbox and, with an
    agency filter, from that agency — and their own inbox still active."""
    return (
        isinstance(grant, ProxyGrant)
        and grant.proxy_id == user.pk
        and grant.is_live()
        and grant.covers(delivery)
        and has_active_inbox(user)
    )


def may_reply(
    user: Actor | None,
    delivery: Delivery,
    *,
    acting_as: str = ReaderRole.OWNER,
    grant: models.Model | None = None,
) -> bool:
    """To a letter that takes replies and that the mailbox did not send itself:
    the owner, or a proxy whose live grant covers it with the reply scope."""
    letter = delivery.letter
    if not letter.reply_allowed or letter.sender_id == delivery.recipient_id:
        return False
    if acting_as == ReaderRole.OWNER:
        return is_owner(user, delivery)
    return (
        acting_as == ReaderRole.PROXY
        and isinstance(grant, ProxyGrant)
        and grant.may_reply
        and may_read(user, delivery, acting_as=acting_as, grant=grant)
    )
