"""Thin Celery wrappers around accounts services."""

from celery import shared_task

from .services import recovery_code_send as send


@shared_task(name="accounts.recovery_code_send", acks_late=True, reject_on_worker_lost=True)
def recovery_code_send(user_id: int | None, mobile: str) -> bool:
    """Send a password-recovery code (queue `sms_otp`); nothing for a recovery
    that matched no account."""
    return send(user_id=user_id, mobile=mobile)
