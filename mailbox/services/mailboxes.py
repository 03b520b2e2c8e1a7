"""A person's or company's own mailbox."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User, UserKind
from payam.audit import audit_record

from ..constants import MailboxKind
from ..exceptions import (
    NoMailbox,
)
from ..models import (
    Delivery,
    Mailbox,
)
from .reading import forget_inbox_caches

MAILBOX_KIND_OF_USER = {UserKind.NATURAL: MailboxKind.NATURAL, UserKind.LEGAL: MailboxKind.LEGAL}
USER_KIND_OF_MAILBOX: dict[str, str] = {
    kind: user_kind for user_kind, kind in MAILBOX_KIND_OF_USER.items()
}


# --- mailboxes -------------------------------------------------------------------------------


def mailbox_for_user(*, user: User) -> Mailbox:
    """The mailbox of a natural or legal person's account, made on first need. A
    placeholder holding the same national code / ID (letters sent before the
    person registered) is bound to the account instead, so no letter is lost.
    Raises NoMailbox for staff accounts."""
    kind = MAILBOX_KIND_OF_USER.get(user.kind)  # type: ignore[call-overload]
    if kind is None:
        raise NoMailbox
    existing = Mailbox.objects.filter(owner=user).first()
    if existing is not None:
        return existing
    identifier = user.username
    with transaction.atomic():
        placeholder = (
            Mailbox.objects.select_for_update().filter(kind=kind, identifier=identifier).first()
        )
        if placeholder is not None:
            if placeholder.owner_id is not None and placeholder.owner_id != user.pk:
                raise NoMailbox(_("این شناسه به کارپوشه‌ی حساب دیگری متصل است."))
            placeholder.owner = user
            placeholder.display_name = user.display_name[:200]
            placeholder.save(update_fields=["owner", "display_name"])
            forget_inbox_caches([user.pk])
            audit_record(
                actor=user,
                action="mailbox.bind",
                target=placeholder,
                data={"letters_waiting": Delivery.objects.filter(recipient=placeholder).count()},
            )
            return placeholder
        try:
            with transaction.atomic():
                mailbox = Mailbox.objects.create(
                    owner=user, kind=kind, identifier=identifier, display_name=user.display_name
                )
        except IntegrityError:
            # Made a moment ago by a concurrent request (or a letter's send).
            return Mailbox.objects.get(owner=user)
        audit_record(actor=user, action="mailbox.create", target=mailbox)
        return mailbox


def agency_mailbox_create(
    *, actor: AbstractBaseUser | None, name: str, accepts_letters: bool = True
) -> Mailbox:
    """A new agency's mailbox: no owner, no identifier, its name as people see it;
    open to letters from people unless told otherwise. The agencies app calls it
    when an expert approves an agency (and holds the one-to-one to it)."""
    mailbox = Mailbox.objects.create(
        kind=MailboxKind.AGENCY, display_name=name[:200], accepts_letters=accepts_letters
    )
    audit_record(actor=actor, action="mailbox.agency_create", target=mailbox)
    return mailbox
