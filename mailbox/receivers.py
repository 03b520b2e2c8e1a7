"""Reactions to other apps' events, connected in MailboxConfig.ready()."""

from typing import Any

from django.dispatch import receiver

from accounts.events import person_registered
from accounts.models import User

from .services import mailbox_for_user


@receiver(person_registered, dispatch_uid="mailbox.bind_on_registration")
def bind_mailbox(sender: type, user: User, **kwargs: Any) -> None:
    """A new account gets its mailbox in the registration's transaction, taking
    over the placeholder (and the letters) of its national code or ID."""
    mailbox_for_user(user=user)
