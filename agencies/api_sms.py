"""The agencies' API: SMS from the agency's own sender number under 4040
(scope `sms:send`).

* `POST /api/v1/sms` — `{"to": ["0912…", …], "text": "…"}` through the panel's
  own service (`/agency/sms/`): `agency_sms_prepare` (who sends, the agency's
  active sender, the text and its parts, every mobile) then `agency_sms_send`
  as the key's creator, from `agency.sender` — never a number the request
  names. One mobile goes as one message (kind notification), a list as a batch
  (kind bulk). Idempotency-Key as `POST /letters` (`api.idempotent`).
* `GET /api/v1/sms/{id}` — one of the agency's messages and its delivery status.

Registered on the one `api` by `agencies.api` (imported at its end)."""

import uuid
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Path, Schema, Status

from payam.audit import audit_record
from sms.constants import SmsStatus

from . import selectors_api as selectors
from .api import api, scoped_key
from .api_errors import ERRORS
from .api_idempotency import IDEMPOTENCY_HEADER, idempotent
from .constants import ApiScope
from .models import Campaign
from .services.sms import agency_sms_prepare, agency_sms_send

SMS_TEXT_MAX_LENGTH = 1600  # eight parts of Latin text; Persian text is refused past its own

SmsApiStatus = Literal["queued", "sending", "sent", "delivered", "failed", "expired", "dead"]


class SmsIn(Schema):
    to: list[str] = Field(
        min_length=1,
        max_length=settings.CAMPAIGN_MAX_ROWS,
        examples=[["09121234567", "+989351234567"]],
        description="Mobile numbers (09…, +989…, 989…); a repeated one is sent once",
    )
    text: str = Field(
        min_length=1,
        max_length=SMS_TEXT_MAX_LENGTH,
        examples=["قبض آبان صادر شد."],
        description="At most eight parts (Persian: 67 characters a part)",
    )


class SmsQueuedOut(Schema):
    id: int
    to: str = Field(description="The mobile as +989…")


class SmsSentOut(Schema):
    sender: str = Field(description="The agency's own number under 4040")
    count: int
    parts: int = Field(description="Parts of each message")
    batch_id: uuid.UUID | None = Field(description="A list's batch; null for one mobile")
    messages: list[SmsQueuedOut] = Field(description="In the order of `to`")


class SmsOut(Schema):
    id: int
    to: str
    sender: str
    status: SmsApiStatus
    parts: int
    created_at: datetime
    sent_at: datetime | None = Field(description="When the gateway took it")
    delivered_at: datetime | None = Field(description="The operator's delivery report")
    done_at: datetime | None = Field(
        description="When it reached its final status (delivered, failed, expired, dead)"
    )


@api.post(
    "/sms",
    response={201: SmsSentOut, **ERRORS},
    summary="Send an SMS from the agency's own number under 4040",
    tags=["sms"],
)
def sms_send(
    request: HttpRequest,
    payload: SmsIn,
    idempotency_key: str | None = IDEMPOTENCY_HEADER,
) -> Any:
    """Queue `text` to each mobile of `to` from the agency's sender (scope
    `sms:send`), as the panel's «پیامک» page does, as the key's creator. 201 with
    each message's id; `GET /sms/{id}` follows it."""
    key = scoped_key(request, ApiScope.SMS_SEND)

    def act() -> tuple[str, Campaign | None]:
        actor, agency = key.created_by, key.agency
        draft = agency_sms_prepare(
            actor=actor, agency=agency, body=payload.text, mobiles=payload.to
        )
        sent = agency_sms_send(actor=actor, agency=agency, draft_id=draft.draft_id)
        if sent.batch_id is not None:
            ids = selectors.batch_ids(agency=agency, batch_id=sent.batch_id)
        else:
            ids = {draft.recipients[0]: sent.sms_id or 0}
        audit_record(
            actor=actor,
            action="agency.api_sms_send",
            target=agency,
            data={
                "key": key.prefix,
                "recipients": sent.count,
                "batch_id": str(sent.batch_id) if sent.batch_id else None,
                "idempotency_key": (idempotency_key or "").strip(),
            },
        )
        out = SmsSentOut(
            sender=draft.sender_number,
            count=sent.count,
            parts=sent.parts,
            batch_id=sent.batch_id,
            # The checked mobiles, in the order of `to`, each once.
            messages=[SmsQueuedOut(id=ids[mobile], to=mobile) for mobile in draft.recipients],
        )
        return out.model_dump_json(), None

    return idempotent(request, key=key, idempotency_key=idempotency_key, act=act)


@api.get(
    "/sms/{sms_id}",
    response={200: SmsOut, **ERRORS},
    summary="One of the agency's SMS and its delivery status",
    tags=["sms"],
)
def sms_status(
    request: HttpRequest, sms_id: int = Path(..., ge=1, le=2**63 - 1, description="Its id")
) -> Any:
    """queued → sending → sent → delivered, or failed, expired, dead (after its
    last attempt); scope `sms:send`. Another agency's id is 404."""
    key = scoped_key(request, ApiScope.SMS_SEND)
    sms = selectors.api_sms(agency=key.agency, sms_id=sms_id)
    final = sms.status in {SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.EXPIRED, SmsStatus.DEAD}
    return Status(
        200,
        {
            "id": sms.pk,
            "to": sms.recipient,
            "sender": sms.sender.number,
            "status": sms.status,
            "parts": sms.parts,
            "created_at": sms.created_at,
            "sent_at": sms.sent_at,
            "delivered_at": sms.done_at if sms.status == SmsStatus.DELIVERED else None,
            "done_at": sms.done_at if final else None,
        },
    )
