"""The interface every SMS gateway adapter implements.

`send` hands one message to the gateway, with our row id as the client
reference (`client_ref`), so that after a crash `lookup(client_ref)` can tell
whether the gateway already has it and a message is never sent twice.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    client_ref: str  # our OutboundSMS id, as text
    originator: str  # 4040… number or the sender's registered mask
    recipient: str  # +989XXXXXXXXX
    body: str
    kind: str


@dataclass(frozen=True)
class Accepted:
    gateway_message_id: str


@dataclass(frozen=True)
class Lookup:
    """What the gateway knows about a client reference."""

    gateway_message_id: str
    status: str  # one of SmsStatus: sent / delivered / failed / expired


class GatewayError(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


class TransientGatewayError(GatewayError):
    """Try again later: 429, 5xx, timeouts, connection errors."""

    def __init__(self, detail: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(detail)


class PermanentGatewayError(GatewayError):
    """Never retry: invalid or blocked number, refused sender, bad request."""


class SmsGateway(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> Accepted:
        """Raise TransientGatewayError or PermanentGatewayError when not accepted."""
        ...

    def lookup(self, client_ref: str) -> Lookup | None:
        """None if the gateway never received this reference. May raise TransientGatewayError."""
        ...
