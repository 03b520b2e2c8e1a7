"""What the agencies app does when the apps below it announce an event: write
the webhook outbox rows of the agency concerned, in the announcing service's
transaction (a read rolled back leaves no row). Connected by
`AgenciesConfig.ready()`; docs/webhooks.md shows each event's `data`.

Each receiver first asks the cached subscriptions (one cache read, no query
when the agency has no endpoint for the event), and only then reads what the
payload needs."""

from typing import Any

from django.dispatch import receiver

from mailbox.events import fanout_finished, letter_read, letter_replied, letter_written
from mailbox.models import Delivery, Letter, Mailbox
from payam.phone import mask_mobile
from sms.events import sms_delivered
from sms.models import OutboundSMS

from .constants import WebhookEventType
from .models import Campaign
from .services.webhooks import (
    event_time,
    subscriptions_of_mailbox,
    subscriptions_of_sender,
    webhook_event_record,
)


def _campaign_code(letter: Letter) -> str | None:
    return Campaign.objects.filter(letter_id=letter.pk).values_list("code", flat=True).first()


def _person(mailbox: Mailbox) -> dict[str, str]:
    return {"kind": mailbox.kind, "identifier": mailbox.identifier}


@receiver(letter_read, dispatch_uid="agencies.webhook_letter_read")
def letter_read_webhook(sender: Any, *, delivery: Delivery, **kwargs: Any) -> None:
    letter = delivery.letter

    def payload() -> dict[str, Any]:
        return {
            "tracking_code": letter.tracking_code,
            "campaign_code": _campaign_code(letter),
            "recipient": _person(delivery.recipient),
            "read_at": event_time(delivery.first_read_at),
            "read_by": delivery.first_read_by,
        }

    webhook_event_record(
        subscriptions=subscriptions_of_mailbox(letter.sender_id),
        event_type=WebhookEventType.LETTER_READ,
        payload=payload,
    )


@receiver(fanout_finished, dispatch_uid="agencies.webhook_letter_delivered")
def letter_delivered_webhook(sender: Any, *, letter: Letter, **kwargs: Any) -> None:
    def payload() -> dict[str, Any]:
        return {
            "tracking_code": letter.tracking_code,
            "campaign_code": _campaign_code(letter),
            "subject": letter.subject,
            "recipients": letter.recipient_count,
            "delivered": letter.fanout_done,
            "sent_at": event_time(letter.sent_at),
            "delivered_at": event_time(letter.fanout_touched_at),
        }

    webhook_event_record(
        subscriptions=subscriptions_of_mailbox(letter.sender_id),
        event_type=WebhookEventType.LETTER_DELIVERED,
        payload=payload,
    )


@receiver(letter_replied, dispatch_uid="agencies.webhook_letter_replied")
def letter_replied_webhook(sender: Any, *, letter: Letter, original: Letter, **kwargs: Any) -> None:
    def payload() -> dict[str, Any]:
        return {
            "tracking_code": original.tracking_code,
            "campaign_code": _campaign_code(original),
            "reply": {
                "tracking_code": letter.tracking_code,
                "subject": letter.subject,
                "sent_at": event_time(letter.sent_at),
                "attachments": letter.attachment_count,
            },
            "from": _person(letter.sender),
        }

    webhook_event_record(
        subscriptions=subscriptions_of_mailbox(original.sender_id),
        event_type=WebhookEventType.LETTER_REPLIED,
        payload=payload,
    )


@receiver(letter_written, dispatch_uid="agencies.webhook_incoming_letter")
def incoming_letter_webhook(
    sender: Any, *, letter: Letter, mailboxes: list[Mailbox], **kwargs: Any
) -> None:
    def payload() -> dict[str, Any]:
        return {
            "tracking_code": letter.tracking_code,
            "subject": letter.subject,
            "sent_at": event_time(letter.sent_at),
            "from": _person(letter.sender) | {"name": letter.sender_name},
            "in_reply_to": letter.in_reply_to.tracking_code if letter.in_reply_to else None,
            "attachments": letter.attachment_count,
        }

    for mailbox in mailboxes:
        webhook_event_record(
            subscriptions=subscriptions_of_mailbox(mailbox.pk),
            event_type=WebhookEventType.INCOMING_RECEIVED,
            payload=payload,
        )


@receiver(sms_delivered, dispatch_uid="agencies.webhook_sms_delivered")
def sms_delivered_webhook(sender: Any, *, sms: OutboundSMS, **kwargs: Any) -> None:
    def payload() -> dict[str, Any]:
        return {
            "sms_id": sms.pk,
            "recipient": mask_mobile(sms.recipient),
            "kind": sms.kind,
            "parts": sms.parts,
            "idempotency_key": sms.idempotency_key,
            "batch_id": str(sms.batch_id) if sms.batch_id else None,
            "sent_at": event_time(sms.sent_at),
            "delivered_at": event_time(sms.done_at),
        }

    webhook_event_record(
        subscriptions=subscriptions_of_sender(sms.sender_id),
        event_type=WebhookEventType.SMS_DELIVERED,
        payload=payload,
    )
