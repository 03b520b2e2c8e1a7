"""The Celery app. Queues are named here and nowhere else.

- `default`  everything without a reason to be elsewhere
- `sms`      notification SMS dispatch
- `sms_otp`  one-time codes: never waits behind a campaign
- `sms_urgent` crisis notices (agencies' confirmed broadcasts): read right after
             `sms_otp`, ahead of notifications and campaigns
- `bulk`     campaign fan-out (bulk letters, bulk SMS)
"""

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payam.settings.dev")

QUEUE_DEFAULT = "default"
QUEUE_SMS = "sms"
QUEUE_SMS_OTP = "sms_otp"
QUEUE_SMS_URGENT = "sms_urgent"
QUEUE_BULK = "bulk"
QUEUES = (QUEUE_DEFAULT, QUEUE_SMS, QUEUE_SMS_OTP, QUEUE_SMS_URGENT, QUEUE_BULK)

app = Celery("payam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # One direct exchange, each queue bound by its own name: a task sent to one
    # queue lands in that queue only.
    task_queues=[
        Queue(name, Exchange("payam", type="direct"), routing_key=name) for name in QUEUES
    ],
    task_default_queue=QUEUE_DEFAULT,
    task_default_exchange="payam",
    task_default_routing_key=QUEUE_DEFAULT,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": 60 * 60},
    beat_schedule={
        "audit-verify-daily": {"task": "payam.audit_verify", "schedule": crontab(hour=3, minute=0)},
        "sms-sweep": {
            "task": "sms.sweep",
            "schedule": float(os.environ.get("SMS_SWEEP_INTERVAL", "30")),
        },
        "agencies-campaigns-due": {
            "task": "agencies.campaigns_due",
            "schedule": float(os.environ.get("CAMPAIGN_SWEEP_INTERVAL", "30")),
        },
        "agencies-broadcasts-sweep": {
            "task": "agencies.broadcasts_sweep",
            "schedule": float(os.environ.get("BROADCAST_SWEEP_INTERVAL", "30")),
        },
        "agencies-api-idempotency-purge": {
            "task": "agencies.api_idempotency_purge",
            "schedule": crontab(minute=17),
        },
        "agencies-webhooks-due": {
            "task": "agencies.webhooks_due",
            "schedule": float(os.environ.get("WEBHOOK_SWEEP_INTERVAL", "15")),
        },
        "mailbox-sweep": {
            "task": "mailbox.sweep",
            "schedule": float(os.environ.get("LETTER_SWEEP_INTERVAL", "60")),
        },
    },
)
app.autodiscover_tasks()
