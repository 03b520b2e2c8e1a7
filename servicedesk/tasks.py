"""Thin Celery wrappers."""

from celery import shared_task
from django.core.mail import send_mail


@shared_task(
    name="servicedesk.send_email",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_email(*, to: str, subject: str, body: str) -> None:
    """One notice to an applicant, started after the move committed."""
    send_mail(subject, body, None, [to])
