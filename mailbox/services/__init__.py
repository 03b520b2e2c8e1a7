"""Every write of the mailbox app, one module per use case.

    letter_send(actor=clerk, sender=agency.mailbox, recipients=["0012345679"],
                subject="…", body="<p>…</p>", category=LetterCategory.NOTICE)

is the one way a letter is sent: it checks who may send, every recipient and
every attachment before it stores anything, then stores the letter once and one
Delivery per recipient in one transaction (or stages the recipients of a large
letter for the fan-out task), and rings the notifier after the commit.
See docs/mailbox.md.

    mailboxes      a person's or company's own mailbox
    recipients     parsing, checking and resolving recipients
    sending        send, reply, write to an agency
    fanout         a large letter's staged recipients, chunk by chunk
    notifications  SMS and e-mail notices, and the sweeper
    reading        first reads, the access log, flags
    proxies        naming a proxy and moving a grant through its states
    doorbell       the Celery tasks rung after a commit
"""

from .fanout import fanout_move, letter_fanout
from .mailboxes import agency_mailbox_create, mailbox_for_user
from .notifications import (
    email_notices_retry,
    email_notices_send,
    letter_notify,
    letters_sweep,
    notification_move,
)
from .proxies import proxy_grant, proxy_transition
from .reading import (
    delivery_mark_read,
    delivery_record_access,
    delivery_set_flags,
    forget_inbox_caches,
)
from .recipients import parse_recipients
from .sending import letter_reply, letter_send, letter_write

__all__ = [
    "delivery_mark_read",
    "delivery_record_access",
    "delivery_set_flags",
    "fanout_move",
    "email_notices_retry",
    "email_notices_send",
    "forget_inbox_caches",
    "letter_fanout",
    "letter_notify",
    "letter_reply",
    "letter_send",
    "letter_write",
    "letters_sweep",
    "agency_mailbox_create",
    "mailbox_for_user",
    "notification_move",
    "parse_recipients",
    "proxy_grant",
    "proxy_transition",
]
