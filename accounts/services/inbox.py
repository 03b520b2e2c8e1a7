"""A person's inbox status: activated in person, suspended, closed."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from payam.audit import audit_record

from ..constants import (
    INBOX_TRANSITIONS,
    InboxStatus,
)
from ..exceptions import (
    InboxTransitionNotAllowed,
    ReasonRequired,
)
from ..models import LegalPerson, NaturalPerson
from ..roles import is_broker_clerk

# --- inbox status ---------------------------------------------------------------------------


def inbox_status_change(
    *,
    actor: AbstractBaseUser,
    profile: NaturalPerson | LegalPerson,
    to: InboxStatus | str,
    reason: str = "",
) -> NaturalPerson | LegalPerson:
    """Activate or suspend a person's inbox: an administrator from the admin, or a
    broker-office clerk who has checked the person at the counter (activation
    only, never of the clerk's own account; brokers.services.activation_complete).
    A suspension needs a written reason."""
    to = InboxStatus(to)
    model_name = profile._meta.model_name
    clerk_activates = (
        to == InboxStatus.ACTIVE and is_broker_clerk(actor) and profile.user_id != actor.pk
    )
    if not clerk_activates and not actor.has_perm(f"accounts.change_{model_name}"):  # type: ignore[attr-defined]
        raise PermissionDenied
    reason = reason.strip()
    if to == InboxStatus.SUSPENDED and not reason:
        raise ReasonRequired
    with transaction.atomic():
        locked = type(profile).objects.select_for_update().get(pk=profile.pk)
        if to not in INBOX_TRANSITIONS[InboxStatus(locked.inbox_status)]:
            raise InboxTransitionNotAllowed
        previous = locked.inbox_status
        locked.inbox_status = to
        locked.status_reason = reason[:300]
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["inbox_status", "status_reason", "status_changed_at"])
        audit_record(
            actor=actor,
            action=f"inbox.{to}",
            target=locked,
            acting_for=locked.user,
            data={"from": previous, "to": to, "reason": reason},
        )
    return locked
