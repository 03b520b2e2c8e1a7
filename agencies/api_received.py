"""The agencies' API: what the agency received (scope `replies:read`).

* `GET /api/v1/replies` — people's replies to the agency's letters;
* `GET /api/v1/incoming` — the letters people and companies wrote to it (new
  ones, answering none of its letters);
* `GET /api/v1/incoming/{tracking_code}` — one received letter (either kind),
  which is the API's "open": as on the incoming desk (`/agency/inbox/<code>/`),
  `services.incoming_open` as the key's creator stamps the first read (the read
  receipt the writer sees) and records the access; the two lists do not;
* `GET /api/v1/letters/received/{tracking_code}/attachments/{position}` — a
  file, streamed with its content type, recorded as the desk records a
  download (`services.incoming_record_download`) and audited with the key.

The reads go through the desk's own `selectors_incoming.seat_of`/`incoming_for`
as the key's creator: another agency's letter is 404; a creator who is no
longer a member of the agency is 403 `creator_not_allowed`. Registered on the
one `api` by `agencies.api` (imported at its end)."""

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import Field, Path, Query, Schema, Status

from mailbox.constants import MailboxKind
from mailbox.content import body_plain_text
from mailbox.downloads import attachment_response
from mailbox.models import Attachment, Delivery, Letter
from payam.audit import audit_record
from payam.middleware import client_ip

from . import selectors_api as selectors
from . import selectors_incoming
from .api import UtcDatetime, api, scoped_key
from .api_errors import ERRORS, ApiError
from .constants import ApiScope
from .models import ApiKey
from .selectors_incoming import Seat
from .services.incoming import incoming_open, incoming_record_download

FEED_PAGE_MAX = 500
CURSOR_PATTERN = r"^[0-9]{1,18}\.[0-9]{1,18}$"


def _seat(key: ApiKey) -> Seat:
    """The key's creator at the key's agency's desk, else 403."""
    try:
        seat = selectors_incoming.seat_of(user=key.created_by)
    except Http404:
        raise ApiError(403, "creator_not_allowed") from None
    if seat.agency.pk != key.agency_id:
        raise ApiError(403, "creator_not_allowed")
    return seat


class SenderOut(Schema):
    kind: Literal["natural", "legal"] = Field(description="A person or a company")
    identifier: str = Field(description="National code (10 digits) or national ID (11)")
    name: str


class AttachmentOut(Schema):
    position: int
    name: str
    size: int = Field(description="Bytes")
    content_type: str
    url: str = Field(description="Download it with the same key (scope replies:read)")


class InReplyToOut(Schema):
    tracking_code: str = Field(description="The agency's letter this one answers")
    campaign_code: str | None = Field(description="The send (campaign) that letter came from")
    subject: str


class ReceivedOut(Schema):
    tracking_code: str
    in_reply_to: InReplyToOut | None = Field(description="null: a new letter, answering none")
    sender: SenderOut
    subject: str
    body: str = Field(description="Plain text: a blank line between paragraphs")
    received_at: datetime
    opened_at: datetime | None = Field(
        description="When a member (or GET /incoming/{tracking_code}) first opened it"
    )
    attachments: list[AttachmentOut]


class ReceivedPage(Schema):
    results: list[ReceivedOut]
    next_cursor: str | None = Field(
        description=(
            "After this page's last row (or the `cursor` given, when nothing new came): "
            "keep it, and pass it as `cursor` for the next page or the next poll"
        )
    )
    has_more: bool = Field(description="More rows are there already: ask again at once")


class FeedQuery(Schema):
    since: UtcDatetime | None = Field(
        default=None,
        description="Only letters received at or after this time (inclusive; with its offset)",
    )
    cursor: str | None = Field(
        default=None,
        pattern=CURSOR_PATTERN,
        description="The `next_cursor` of the previous page (exclusive: the page after it)",
    )
    limit: int = Field(default=100, ge=1, le=FEED_PAGE_MAX)


def _sender(letter: Letter) -> dict[str, str]:
    mailbox = letter.sender
    return {
        "kind": "legal" if mailbox.kind == MailboxKind.LEGAL else "natural",
        "identifier": mailbox.identifier,
        "name": letter.sender_name,
    }


def _attachments(request: HttpRequest, letter: Letter) -> list[dict[str, Any]]:
    rows: list[Attachment] = sorted(letter.attachments.all(), key=lambda a: a.position)
    return [
        {
            "position": item.position,
            "name": item.original_name,
            "size": item.size,
            "content_type": item.content_type,
            "url": request.build_absolute_uri(
                reverse(
                    "api:received_attachment",
                    kwargs={"tracking_code": letter.tracking_code, "position": item.position},
                )
            ),
        }
        for item in rows
    ]


def _received(
    request: HttpRequest, delivery: Delivery, campaign_code: str | None
) -> dict[str, Any]:
    letter = delivery.letter
    answered = letter.in_reply_to
    return {
        "tracking_code": letter.tracking_code,
        "in_reply_to": (
            {
                "tracking_code": answered.tracking_code,
                "campaign_code": campaign_code,
                "subject": answered.subject,
            }
            if answered is not None
            else None
        ),
        "sender": _sender(letter),
        "subject": letter.subject,
        "body": body_plain_text(letter.body),
        "received_at": delivery.delivered_at,
        "opened_at": delivery.first_read_at,
        "attachments": _attachments(request, letter),
    }


def _feed(request: HttpRequest, query: FeedQuery, kind: selectors.FeedKind) -> Any:
    key = scoped_key(request, ApiScope.REPLIES_READ)
    _seat(key)
    try:
        page = selectors.received_page(
            agency=key.agency,
            kind=kind,
            since=query.since,
            cursor=query.cursor,
            limit=query.limit,
        )
    except ValueError:
        raise ApiError(
            422, "validation_error", details=[{"field": "cursor", "message": "Not a cursor"}]
        ) from None
    results = [
        _received(request, delivery, page.campaigns.get(delivery.letter.in_reply_to_id or 0))
        for delivery in page.items
    ]
    return Status(
        200, {"results": results, "next_cursor": page.next_cursor, "has_more": page.has_more}
    )


@api.get(
    "/replies",
    response={200: ReceivedPage, **ERRORS},
    summary="People's replies to the agency's letters, in arrival order",
    tags=["received"],
)
def replies(request: HttpRequest, query: Query[FeedQuery]) -> Any:
    """Oldest first from `since`, `limit` at a time; `next_cursor` leads on (scope
    `replies:read`). Listing does not open them."""
    return _feed(request, query, "replies")


@api.get(
    "/incoming",
    response={200: ReceivedPage, **ERRORS},
    summary="Letters people and companies wrote to the agency, in arrival order",
    tags=["received"],
)
def incoming(request: HttpRequest, query: Query[FeedQuery]) -> Any:
    """New letters (answering none of the agency's), oldest first from `since`
    (scope `replies:read`). Listing does not open them."""
    return _feed(request, query, "incoming")


@api.get(
    "/incoming/{tracking_code}",
    response={200: ReceivedOut, **ERRORS},
    summary="One letter the agency received (a reply or a new letter): opens it",
    tags=["received"],
)
def incoming_one(request: HttpRequest, tracking_code: str) -> Any:
    """Like opening it on the incoming desk: the first time stamps the read
    receipt the writer sees, as the key's creator; every time is an access
    record (scope `replies:read`). Another agency's letter is 404."""
    key = scoped_key(request, ApiScope.REPLIES_READ)
    seat = _seat(key)
    delivery = selectors_incoming.incoming_for(seat=seat, tracking_code=tracking_code)
    with transaction.atomic():
        incoming_open(actor=seat.user, agency=seat.agency, delivery=delivery, ip=client_ip(request))
        audit_record(
            actor=seat.user,
            action="agency.api_incoming_open",
            target=delivery,
            data={"key": key.prefix, "letter": delivery.letter.tracking_code},
        )
    campaign_code = selectors.campaign_code_of(delivery.letter.in_reply_to)
    return Status(200, _received(request, delivery, campaign_code))


ATTACHMENT_RESPONSE = {
    "responses": {
        "200": {
            "description": "The file, with its content type",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


@api.get(
    "/letters/received/{tracking_code}/attachments/{position}",
    response={200: None, **ERRORS},
    summary="An attachment of a letter the agency received",
    tags=["received"],
    url_name="received_attachment",
    openapi_extra=ATTACHMENT_RESPONSE,
)
def received_attachment(
    request: HttpRequest,
    tracking_code: str,
    position: int = Path(..., ge=0, le=10_000, description="As in the letter's attachments"),
) -> Any:
    """The file as stored, streamed with its content type (scope `replies:read`);
    recorded as a download by the key's creator, as on the desk. `position` as in
    the letter's `attachments`. Another agency's letter is 404."""
    key = scoped_key(request, ApiScope.REPLIES_READ)
    seat = _seat(key)
    delivery = selectors_incoming.incoming_for(seat=seat, tracking_code=tracking_code)
    item = next((a for a in delivery.letter.attachments.all() if a.position == position), None)
    if item is None:
        raise Http404
    with transaction.atomic():
        incoming_record_download(
            actor=seat.user, agency=seat.agency, delivery=delivery, ip=client_ip(request)
        )
        audit_record(
            actor=seat.user,
            action="agency.api_attachment_download",
            target=delivery,
            data={
                "key": key.prefix,
                "letter": delivery.letter.tracking_code,
                "position": position,
            },
        )
    response: HttpResponseBase = attachment_response(item)
    return response
