"""Rings the Celery tasks after a commit; the database is the source of truth."""


def ring_fanout(letter_id: int, *, urgent: bool = False) -> None:
    """A crisis notice's fan-out does not queue behind campaigns' on `bulk`."""
    from ..tasks import fanout

    fanout.apply_async(args=(letter_id,), queue="default" if urgent else "bulk")


def ring_notify(letter_id: int, *, bulk: bool) -> None:
    from ..tasks import notify

    notify.apply_async(args=(letter_id,), queue="bulk" if bulk else "default")


def ring_emails() -> None:
    from ..tasks import send_emails

    send_emails.apply_async(queue="default")
