"""The embedded default: "sends" by storing the message; /dev/outbox/ shows it."""

from sms.constants import SmsStatus
from sms.models import ConsoleMessage

from .base import Accepted, Lookup, OutgoingMessage


class ConsoleGateway:
    name = "console"

    def send(self, message: OutgoingMessage) -> Accepted:
        stored, _ = ConsoleMessage.objects.get_or_create(
            client_ref=message.client_ref,
            defaults={
                "originator": message.originator,
                "recipient": message.recipient,
                "body": message.body,
                "kind": message.kind,
            },
        )
        return Accepted(gateway_message_id=f"console-{stored.pk}")

    def lookup(self, client_ref: str) -> Lookup | None:
        stored = ConsoleMessage.objects.filter(client_ref=client_ref).first()
        if stored is None:
            return None
        return Lookup(gateway_message_id=f"console-{stored.pk}", status=SmsStatus.SENT)
