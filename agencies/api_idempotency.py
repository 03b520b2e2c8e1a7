"""The agencies' API's Idempotency-Key, one mechanism for every POST that makes
something (`POST /letters`, `POST /sms`): what a key is bound to
(`request_digest`: the JSON body byte for byte, a multipart letter by its
payload and files), and `idempotent`, which runs the request once per key and
answers a retry with the first response. See docs/api.md, "Idempotent retries"."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header

from .api_errors import ApiError
from .constants import IDEMPOTENCY_TTL_HOURS
from .models import ApiIdempotencyKey, ApiKey, Campaign

MULTIPART = "multipart/form-data"


def multipart_payload(request: HttpRequest) -> bytes:
    """The `payload` part of a multipart request: a form field, or a file part
    (which no form-field limit bounds); kept on the request for the digest."""
    raw: bytes | None = getattr(request, "_api_payload", None)
    if raw is None:
        upload = request.FILES.get("payload")
        if upload is not None:
            raw = upload.read()
        elif "payload" in request.POST:
            raw = request.POST["payload"].encode()
        else:
            raise ValueError("no payload part")
        request._api_payload = raw  # type: ignore[attr-defined]
    return raw


def _file_sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def request_digest(request: HttpRequest) -> str:
    """What an Idempotency-Key is bound to: the SHA-256 of the JSON body, byte
    for byte; of a multipart letter, the SHA-256 of its payload part and each
    file part's name and SHA-256, in order (a retry has another boundary)."""
    if request.content_type != MULTIPART:
        return hashlib.sha256(request.body).hexdigest()
    digest = hashlib.sha256(b"multipart\0")
    digest.update(multipart_payload(request))
    for upload in request.FILES.getlist("attachments"):
        name = (upload.name or "").encode()
        digest.update(b"\0" + name + b"\0" + _file_sha256(upload).encode())
    return digest.hexdigest()


IDEMPOTENCY_HEADER: Any = Header(
    default=None,
    alias="Idempotency-Key",
    max_length=255,
    pattern=r"^[\x21-\x7e]+$",
    description=(
        "Retry safely: the same key and body answer the first response "
        "(printable ASCII without spaces, up to 255 characters)"
    ),
)


class _TwinFirst(Exception):
    """Another request with this Idempotency-Key committed first."""


def _replay(row: ApiIdempotencyKey, digest: str) -> HttpResponse:
    if row.body_sha256 != digest:
        raise ApiError(409, "idempotency_key_reused")
    response = json_response(row.response_body, row.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def json_response(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="application/json; charset=utf-8")


def _remembered(key: ApiKey, idempotency_key: str) -> ApiIdempotencyKey | None:
    since = timezone.now() - timedelta(hours=IDEMPOTENCY_TTL_HOURS)
    ApiIdempotencyKey.objects.filter(
        agency=key.agency, key=idempotency_key, created_at__lt=since
    ).delete()
    return ApiIdempotencyKey.objects.filter(agency=key.agency, key=idempotency_key).first()


def idempotent(
    request: HttpRequest,
    *,
    key: ApiKey,
    idempotency_key: str | None,
    act: Callable[[], tuple[str, Campaign | None]],
    status: int = 201,
) -> HttpResponse:
    """Run `act` (which checks the request, makes what it asks and returns the
    answer's JSON text and the campaign it made, if any) once per Idempotency-Key:
    the same key and request (`request_digest`) answer the first response again,
    another request 409. The remembered answer is written in `act`'s transaction,
    so a refusal (an ApiError or a domain error raised by `act`) leaves nothing and
    a concurrent twin waits on the unique index, then replays it."""
    idem = (idempotency_key or "").strip()
    digest = request_digest(request) if idem else ""
    if idem:
        remembered = _remembered(key, idem)
        if remembered is not None:
            return _replay(remembered, digest)
    try:
        with transaction.atomic():
            row = None
            if idem:
                try:
                    with transaction.atomic():
                        row = ApiIdempotencyKey.objects.create(
                            agency=key.agency,
                            key=idem,
                            body_sha256=digest,
                            response_status=0,
                            response_body="",
                        )
                except IntegrityError:
                    # A twin holds (or held) this key: on PostgreSQL the insert waited
                    # for its transaction, so its answer is there to replay.
                    raise _TwinFirst from None
            out, campaign = act()
            if row is not None:
                row.response_status, row.response_body, row.campaign = status, out, campaign
                row.save(update_fields=["response_status", "response_body", "campaign"])
    except _TwinFirst:
        remembered = _remembered(key, idem)
        if remembered is None:  # pragma: no cover - the twin's row vanished (expired)
            raise ApiError(409, "idempotency_key_reused") from None
        return _replay(remembered, digest)
    return json_response(out, status)
