"""Reactions to other apps' events, connected in MailboxConfig.ready()."""

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.events import person_registered
from accounts.models import User

from .constants import MailboxKind
from .models import Mailbox
from .selectors import DIRECTORY_CACHE_KEY
from .services import mailbox_for_user

logger = logging.getLogger("payam.mailbox")


@receiver(person_registered, dispatch_uid="mailbox.bind_on_registration")
def bind_mailbox(sender: type, user: User, **kwargs: Any) -> None:
    """A new account gets its mailbox in the registration's transaction, taking
    over the placeholder (and the letters) of its national code or ID."""
    mailbox_for_user(user=user)


@receiver(post_save, sender=Mailbox, dispatch_uid="mailbox.forget_agency_directory")
def forget_agency_directory(sender: type, instance: Mailbox, **kwargs: Any) -> None:
    """An agency mailbox was added, renamed, or began or stopped taking letters:
    after the commit, drop the cached directory (selectors.agency_directory) so
    the next page reads it again."""
    if instance.kind != MailboxKind.AGENCY:
        return

    def forget() -> None:
        try:
            cache.delete(DIRECTORY_CACHE_KEY)
        except Exception:
            logger.warning("Could not drop the cached agency directory", exc_info=True)

    transaction.on_commit(forget)
