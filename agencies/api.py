"""The agencies' REST API, `/api/v1/` (django-ninja; the OpenAPI document at
`/api/v1/openapi.json` is generated from this module, the docs page at
`/api/v1/docs` renders it with swagger-ui served from static).

An agency's office-automation system calls it with one of the agency's keys
(`Authorization: Bearer pym_…`, made on `/agency/api-keys/`). A letter goes
through the same services as the compose page: `campaign_create` (recipients,
merge values, attachments checked, nothing stored on a problem) and
`campaign_confirm` as the key's creator, so above CAMPAIGN_APPROVAL_THRESHOLD
recipients it waits for a second member's approval in the panel (status
`awaiting_approval`), and then goes through the staged fan-out of
`mailbox.services.letter_send`. Every refusal has one JSON shape:
`{"error": {"code": …, "message_fa": …, "message_en": …}}` (`api_errors`).

This module holds the `api`, its authentication, its refusals and the letters'
operations; `api_received` (replies, incoming letters, their files) and
`api_sms` (SMS) add theirs to the same `api`; `api_idempotency` is the one
Idempotency-Key of every POST. See docs/api.md."""

import base64
import binascii
import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import AfterValidator, AwareDatetime

from mailbox.constants import LetterCategory
from mailbox.exceptions import AttachmentRefused
from payam.audit import audit_record
from payam.errors import UserFacingError
from payam.ratelimit import hit

from . import selectors_api as selectors
from .api_errors import ERRORS, MESSAGES, ApiError, english_of
from .api_idempotency import (
    IDEMPOTENCY_HEADER,
    MULTIPART,
    idempotent,
    multipart_payload,
)
from .constants import ApiScope, CampaignStatus
from .exceptions import CampaignRowsRefused
from .models import ApiKey, Campaign
from .services import api_key_find, api_key_touch
from .services.campaigns import campaign_confirm, campaign_create
from .services.sms import AgencyHasNoSender, AgencySmsRefused, SmsListProblems

MAX_RECIPIENTS = settings.CAMPAIGN_MAX_ROWS
MAX_ATTACHMENTS = settings.LETTER_MAX_ATTACHMENTS
BODY_MAX_LENGTH = 20_000  # as the compose page (agencies.forms.COMPOSE_TEXT_MAX_LENGTH)
RECIPIENTS_PAGE_MAX = 1000
SHOWN_PROBLEMS = 100  # recipients' problems listed in one 422; the rest are counted

# --- authentication: the key, its scopes, its rate ------------------------------------------


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>`: the agency's live key, counted against
    its per-minute limit."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        key = api_key_find(token.strip())
        if key is None:
            raise ApiError(401, "invalid_key")
        if key.is_revoked:
            raise ApiError(401, "key_revoked")
        if key.is_expired:
            raise ApiError(401, "key_expired")
        limit = key.agency.api_requests_per_minute or settings.API_REQUESTS_PER_MINUTE
        counted = hit(key=f"api.key:{key.pk}", limit=limit, window_seconds=60)
        if not counted.allowed:
            raise ApiError(429, "rate_limited", headers={"Retry-After": str(counted.retry_after)})
        api_key_touch(key)
        if request.method == "POST" and not hasattr(request, "_body"):
            # Read the body here, before ninja does: HttpRequest.body refuses more than
            # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, for forms), and a letter to 100,000
            # recipients is longer. The whole request is still bounded by
            # REQUEST_BODY_MAX_BYTES (payam.middleware.RequestBodyLimitMiddleware).
            request._body = request.read()
        return key


def scoped_key(request: HttpRequest, scope: ApiScope) -> ApiKey:
    """The request's key, if it has `scope` (else 403 `scope_missing`)."""
    key = request.auth  # type: ignore[attr-defined]
    if not isinstance(key, ApiKey):  # pragma: no cover - the auth class answers first
        raise ApiError(401, "unauthenticated")
    if scope not in key.scopes:
        raise ApiError(403, "scope_missing", scope=str(scope))
    return key


class ApiParser(Parser):
    """JSON bodies, and a letter sent as multipart/form-data: its `payload` part
    is the same JSON, its files are `request.FILES` (the `attachments` parts)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type == MULTIPART:
            return cast(dict[str, Any], json.loads(multipart_payload(request)))
        return super().parse_body(request)


api = NinjaAPI(
    title="Payam API (پیام ایران)",
    version="1",
    description=(
        "The agencies' API: send letters and SMS, read their delivery and read "
        "status, read the replies and letters the agency received. "
        'Every error has the shape {"error": {"code", "message_fa", "message_en"}}. '
        "See docs/api.md."
    ),
    urls_namespace="api",
    auth=ApiKeyAuth(),
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=ApiParser(),
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = api.create_response(request, exc.body(), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """A path under /api/v1/ that is no operation."""
    return _api_error(request, ApiError(404, "not_found"))


def with_json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a method a path does not take with an empty 405: the API's
    shape instead (`method_not_allowed`), its Allow header kept."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            error = ApiError(
                405,
                "method_not_allowed",
                headers={"Allow": response["Allow"]},
                method=str(request.method)[:10],
            )
            return _api_error(request, error)
        return response

    return wrapped


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _api_error(request, ApiError(401, "unauthenticated"))


def _field_name(loc: Any) -> str:
    """`recipients.3` from ninja's ("body", "payload", "recipients", 3)."""
    parts = [str(part) for part in loc]
    while parts and parts[0] in ("body", "query", "path", "header", "payload"):
        parts.pop(0)
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {
            "field": _field_name(error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors[:SHOWN_PROBLEMS]
    ]
    if any(d["field"] == "recipients" and d["type"] == "too_long" for d in details):
        return _api_error(request, ApiError(422, "too_many_recipients", details=details))
    return _api_error(request, ApiError(422, "validation_error", details=details))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _api_error(request, ApiError(404, "not_found"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals (a body that is not JSON, …)
    if isinstance(exc.__cause__, RequestDataTooBig):
        return _api_error(request, ApiError(413, "request_too_large"))
    if request.content_type == MULTIPART and exc.status_code == 400:
        return _api_error(request, ApiError(422, "invalid_multipart"))
    code = "not_found" if exc.status_code == 404 else "validation_error"
    status = 404 if exc.status_code == 404 else 422
    return _api_error(request, ApiError(status, code, details=[{"message": str(exc)}]))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _api_error(request, ApiError(403, "creator_not_allowed"))


@api.exception_handler(UserFacingError)
def _refused(request: HttpRequest, exc: UserFacingError) -> HttpResponse:
    fa = str(exc)
    if isinstance(exc, CampaignRowsRefused):
        details = [
            {"position": p.line, "value": p.value, "field": p.column, "message": p.message}
            for p in exc.problems[:SHOWN_PROBLEMS]
        ]
        en = f"{len(exc.problems)} recipients have problems; nothing was sent."
        error = ApiError(422, "invalid_recipients", message_fa=fa, message_en=en, details=details)
    elif isinstance(exc, SmsListProblems):
        details = [
            {"position": p.line, "value": p.value, "field": "to", "message": p.message}
            for p in exc.problems[:SHOWN_PROBLEMS]
        ]
        en = f"{len(exc.problems)} mobiles have problems; nothing was sent."
        error = ApiError(422, "invalid_recipients", message_fa=fa, message_en=en, details=details)
    elif isinstance(exc, AgencyHasNoSender):
        error = ApiError(422, "no_sender", message_fa=fa)
    elif isinstance(exc, AgencySmsRefused):
        en = english_of(exc.message, MESSAGES["sms_refused"][1])
        error = ApiError(422, "sms_refused", message_fa=fa, message_en=en)
    elif isinstance(exc, AttachmentRefused):
        en = english_of(exc.message, MESSAGES["attachment_refused"][1])
        error = ApiError(422, "attachment_refused", message_fa=fa, message_en=en)
    else:
        en = english_of(exc.message, MESSAGES["letter_refused"][1])
        error = ApiError(422, "letter_refused", message_fa=fa, message_en=en)
    return _api_error(request, error)


def _in_utc(value: datetime) -> datetime:
    """A time as UTC: PostgreSQL takes offsets up to ±15:59 only, and a client's
    time is compared with the database's as an instant anyway."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("The time is out of range") from None


# A time with its UTC offset, as UTC (the API's time parameters).
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]

# --- letters -------------------------------------------------------------------------------

ApiStatus = Literal[
    "draft", "awaiting_approval", "scheduled", "sending", "sent", "cancelled", "failed"
]
API_STATUS: dict[str, ApiStatus] = {
    CampaignStatus.DRAFT: "draft",
    CampaignStatus.AWAITING_APPROVAL: "awaiting_approval",
    CampaignStatus.SCHEDULED: "scheduled",
    CampaignStatus.SENDING: "sending",
    CampaignStatus.SENT: "sent",
    CampaignStatus.CANCELLED: "cancelled",
    CampaignStatus.FAILED: "failed",
}


class RecipientIn(Schema):
    recipient: str = Field(min_length=1, max_length=40, description="National code or ID")
    values: dict[str, str] = Field(
        default_factory=dict, description="This recipient's value of each {field}"
    )


class AttachmentIn(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["bill.pdf"])
    content_base64: str = Field(description="The file's bytes in base64")


class LetterIn(Schema):
    recipients: list[str | RecipientIn] = Field(
        min_length=1,
        max_length=MAX_RECIPIENTS,
        examples=[["0012345679", {"recipient": "0023456787", "values": {"name": "مریم"}}]],
        description=(
            "National codes (persons) or national IDs (companies), or objects "
            '{"recipient": code, "values": {"field": "value"}} when the subject or '
            "body has {field}s."
        ),
    )
    subject: str = Field(min_length=1, max_length=200, examples=["قبض آبان"])
    body: str = Field(
        min_length=1,
        max_length=BODY_MAX_LENGTH,
        description="Plain text, as on the compose page",
        examples=["شهروند گرامی،\nقبض این ماه پیوست است."],
    )
    category: LetterCategory = LetterCategory.GENERAL
    is_legal_notice: bool = False
    reply_allowed: bool = False
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    scheduled_at: UtcDatetime | None = Field(
        default=None, description="When to send (with its offset); empty: now"
    )


class LetterOut(Schema):
    code: str = Field(description="The send's tracking code (the campaign)")
    tracking_code: str | None = Field(description="The letter's tracking code, once it went")
    status: ApiStatus
    recipients: int
    delivered: int
    read: int
    scheduled_at: datetime | None
    created_at: datetime
    error: str = ""


def _letter_out(campaign: Campaign) -> dict[str, Any]:
    figures = selectors.campaign_figures(campaign)
    return {
        "code": campaign.code,
        "tracking_code": campaign.letter.tracking_code if campaign.letter else None,
        "status": API_STATUS[campaign.status],
        "recipients": figures.recipients,
        "delivered": figures.delivered,
        "read": figures.read,
        "scheduled_at": campaign.scheduled_at,
        "created_at": campaign.created_at,
        "error": campaign.error,
    }


def _uploads(attachments: list[AttachmentIn]) -> list[SimpleUploadedFile]:
    """Each base64 attachment decoded, the oversize ones refused (413) before decoding."""
    limit = settings.LETTER_ATTACHMENT_MAX_BYTES
    uploads = []
    for item in attachments:
        encoded = "".join(item.content_base64.split())
        if len(encoded) * 3 // 4 > limit + 2:
            raise ApiError(413, "attachment_too_large", name=item.name)
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "invalid_attachment", name=item.name) from None
        if len(data) > limit:
            raise ApiError(413, "attachment_too_large", name=item.name)
        uploads.append(SimpleUploadedFile(item.name, data))
    return uploads


def _file_parts(request: HttpRequest) -> list[UploadedFile]:
    """The `attachments` file parts of a multipart letter, the oversize ones
    refused (413); a part by another name is 422."""
    if request.content_type != MULTIPART:
        return []
    unknown = sorted(set(request.FILES) - {"attachments", "payload"})
    unknown += sorted(set(request.POST) - {"payload"})
    if unknown:
        raise ApiError(
            422,
            "validation_error",
            details=[
                {"field": name, "message": "Unknown part: send payload and attachments only"}
                for name in unknown
            ],
        )
    files = request.FILES.getlist("attachments")
    for upload in files:
        if (upload.size or 0) > settings.LETTER_ATTACHMENT_MAX_BYTES:
            raise ApiError(413, "attachment_too_large", name=upload.name or "")
    return files


LETTER_MULTIPART_BODY = {
    "requestBody": {
        "content": {
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "required": ["payload"],
                    "properties": {
                        "payload": {
                            "type": "string",
                            "description": (
                                "The letter as JSON, the same as the application/json "
                                "body (attachments in it, base64, are taken too). A part "
                                "over 2.5 MB must be a file part (with a filename)."
                            ),
                        },
                        "attachments": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "The letter's files, one part each",
                        },
                    },
                },
                "encoding": {"payload": {"contentType": "application/json, text/plain"}},
            }
        }
    }
}


@api.post(
    "/letters",
    response={201: LetterOut, **ERRORS},
    summary="Send a letter to one or many recipients",
    tags=["letters"],
    openapi_extra=LETTER_MULTIPART_BODY,
)
def letters_send(
    request: HttpRequest,
    payload: LetterIn,
    idempotency_key: str | None = IDEMPOTENCY_HEADER,
) -> Any:
    """Compose and confirm a letter as the key's creator (scope `letters:send`).
    Above the agency's approval threshold it waits for a second member's
    approval in the panel: `status` is then `awaiting_approval`. The body is
    JSON, or multipart/form-data with the same JSON as its `payload` part and
    the files as `attachments` parts."""
    key = scoped_key(request, ApiScope.LETTERS_SEND)

    def act() -> tuple[str, Campaign | None]:
        files = _file_parts(request)
        if len(payload.attachments) + len(files) > MAX_ATTACHMENTS:
            raise ApiError(
                422,
                "validation_error",
                details=[
                    {"field": "attachments", "message": f"At most {MAX_ATTACHMENTS} attachments"}
                ],
            )
        uploads: list[UploadedFile] = [*_uploads(payload.attachments), *files]
        codes: list[str] = []
        merge: list[dict[str, str]] = []
        for item in payload.recipients:
            if isinstance(item, RecipientIn):
                codes.append(item.recipient)
                merge.append(item.values)
            else:
                codes.append(item)
                merge.append({})
        campaign = campaign_create(
            actor=key.created_by,
            agency=key.agency,
            subject=payload.subject,
            body=payload.body,
            category=payload.category,
            is_legal_notice=payload.is_legal_notice,
            reply_allowed=payload.reply_allowed,
            recipients=codes,
            merge=merge,
            attachments=uploads,
            scheduled_at=payload.scheduled_at,
        )
        campaign = campaign_confirm(actor=key.created_by, campaign=campaign)
        audit_record(
            actor=key.created_by,
            action="agency.api_letter_send",
            target=campaign,
            data={
                "key": key.prefix,
                "code": campaign.code,
                "idempotency_key": (idempotency_key or "").strip(),
            },
        )
        # The answer's very bytes, kept for a replay.
        return LetterOut(**_letter_out(campaign)).model_dump_json(), campaign

    return idempotent(request, key=key, idempotency_key=idempotency_key, act=act)


@api.get(
    "/letters/{code}",
    response={200: LetterOut, **ERRORS},
    summary="A letter's status and its delivered and read counts",
    tags=["letters"],
)
def letter_status(request: HttpRequest, code: str) -> Any:
    """By the `code` the send answered, or by the letter's `tracking_code`
    (scope `letters:read`). Another agency's letter is 404."""
    key = scoped_key(request, ApiScope.LETTERS_READ)
    found = selectors.api_letter(agency=key.agency, code=code)
    if isinstance(found, Campaign):
        return Status(200, _letter_out(found))
    figures = selectors.letter_figures(found)
    return Status(
        200,
        {
            "code": found.tracking_code,
            "tracking_code": found.tracking_code,
            "status": "sent",
            "recipients": figures.recipients,
            "delivered": figures.delivered,
            "read": figures.read,
            "scheduled_at": None,
            "created_at": found.sent_at,
        },
    )


class RecipientOut(Schema):
    recipient: str
    delivered_at: datetime
    read_at: datetime | None


class RecipientsPage(Schema):
    results: list[RecipientOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last")


class RecipientsQuery(Schema):
    status: Literal["read", "unread", "delivered"] = "delivered"
    cursor: str | None = Field(default=None, max_length=18, pattern=r"^[0-9]+$")
    limit: int = Field(default=100, ge=1, le=RECIPIENTS_PAGE_MAX)


@api.get(
    "/letters/{code}/recipients",
    response={200: RecipientsPage, **ERRORS},
    summary="The letter's recipients who read it, have not, or all it reached",
    tags=["letters"],
)
def letter_recipients(request: HttpRequest, code: str, query: Query[RecipientsQuery]) -> Any:
    """In delivery order, `limit` at a time; `next_cursor` leads on (scope `letters:read`)."""
    key = scoped_key(request, ApiScope.LETTERS_READ)
    found = selectors.api_letter(agency=key.agency, code=code)
    letter = found.letter if isinstance(found, Campaign) else found
    if letter is None:
        return Status(200, {"results": [], "next_cursor": None})
    after = int(query.cursor) if query.cursor else 0
    rows, next_after = selectors.recipients_page(
        letter=letter, status=query.status, after=after, limit=query.limit
    )
    return Status(
        200,
        {
            "results": [
                {
                    "recipient": row.recipient.identifier,
                    "delivered_at": row.delivered_at,
                    "read_at": row.first_read_at,
                }
                for row in rows
            ],
            "next_cursor": str(next_after) if next_after is not None else None,
        },
    )


# The operations of the other modules register themselves on `api` (they import it).
from . import api_received, api_sms  # noqa: E402, F401
