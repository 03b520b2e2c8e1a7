"""Thin Celery wrappers: they take a letter's id; the database says what is left to do."""

from celery import shared_task

from . import services


@shared_task(name="mailbox.fanout", acks_late=True, reject_on_worker_lost=True)
def fanout(letter_id: int) -> int:
    """Deliver a large letter's staged recipients (queue `bulk`); resumes where it stopped."""
    return services.letter_fanout(letter_id=letter_id)


@shared_task(name="mailbox.notify", acks_late=True, reject_on_worker_lost=True)
def notify(letter_id: int) -> int:
    """Queue the SMS and e-mail notices of a letter's pending deliveries."""
    return services.letter_notify(letter_id=letter_id)


@shared_task(name="mailbox.send_emails", acks_late=True, reject_on_worker_lost=True)
def send_emails() -> int:
    """Send the due e-mail notices from their outbox rows."""
    return services.email_notices_send()


@shared_task(name="mailbox.sweep")
def sweep() -> dict[str, int]:
    return services.letters_sweep()
