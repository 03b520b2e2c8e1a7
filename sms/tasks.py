"""Thin Celery wrappers. Tasks take names and ids; the database decides what to send."""

from celery import shared_task

from . import services


@shared_task(name="sms.dispatch_lane", acks_late=True, reject_on_worker_lost=True)
def lane_dispatch(lane: str) -> int:
    """Send what is due on `lane` for a few seconds, then hand the worker back
    (so one-time codes never wait behind a campaign) and re-ring if more is due."""
    handled = services.lane_dispatch(lane=lane)
    if handled and services.lane_has_due(lane):
        lane_dispatch.apply_async(args=(lane,), queue=lane)
    return handled


@shared_task(name="sms.sweep")
def sweep() -> dict[str, int]:
    return services.sms_sweep()
