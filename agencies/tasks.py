"""The agencies app's Celery tasks: thin, the work is in services."""

from celery import shared_task

from .services import api_keys, broadcasts, campaigns, webhooks


@shared_task(name="agencies.campaign_send", acks_late=True, reject_on_worker_lost=True)
def campaign_send(campaign_id: int) -> str:
    return campaigns.campaign_send(campaign_id=campaign_id).status


@shared_task(name="agencies.campaigns_due")
def campaigns_due() -> int:
    return campaigns.campaigns_release_due()


@shared_task(name="agencies.api_idempotency_purge")
def api_idempotency_purge() -> int:
    return api_keys.api_idempotency_purge()


@shared_task(name="agencies.broadcast_send", acks_late=True, reject_on_worker_lost=True)
def broadcast_send(broadcast_id: int) -> str:
    return broadcasts.broadcast_send(broadcast_id=broadcast_id).status


@shared_task(name="agencies.broadcasts_sweep")
def broadcasts_sweep() -> int:
    return broadcasts.broadcasts_ring_stuck()


@shared_task(name="agencies.webhook_deliver", acks_late=True, reject_on_worker_lost=True)
def webhook_deliver(event_pk: int) -> str:
    return webhooks.webhook_deliver(event_pk=event_pk)


@shared_task(name="agencies.webhooks_due")
def webhooks_due() -> int:
    return webhooks.webhooks_due()
