"""Webhooks from SMS gateways: delivery reports and inbound messages.

Both are signed (sms/signing.py). A bad or missing signature, a stale
timestamp, an unknown gateway, a malformed body or an unknown message is
refused with a clear JSON error and changes nothing."""

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services, signing
from .constants import SmsStatus
from .exceptions import SmsError

KNOWN_GATEWAYS = frozenset({"console", "http"})
REPORTABLE = frozenset({SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.EXPIRED})


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def is_signed(request: HttpRequest) -> bool:
    """Whether a gateway's webhook carries a valid, fresh signature (sms/signing.py)."""
    return signing.verify(
        secret=settings.SMS_CALLBACK_SECRET,
        body=request.body,
        timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
        given=request.headers.get(signing.SIGNATURE_HEADER),
        max_age=settings.SMS_CALLBACK_MAX_AGE,
    )


def _signed_json(request: HttpRequest, gateway: str) -> dict[str, Any] | JsonResponse:
    if gateway not in KNOWN_GATEWAYS:
        return _error("unknown gateway", 404)
    if not is_signed(request):
        return _error("bad or missing signature", 403)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error("body is not JSON", 400)
    if not isinstance(data, dict):
        return _error("body is not a JSON object", 400)
    return data


def _text(data: dict[str, Any], key: str, *, max_length: int = 100) -> str:
    value = data.get(key)
    if not isinstance(value, str | int) or not str(value).strip():
        raise ValueError(f"{key} is missing")
    text = str(value).strip()
    if len(text) > max_length:
        raise ValueError(f"{key} is too long")
    return text


def _time(data: dict[str, Any]) -> datetime | None:
    value = data.get("at")
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


@csrf_exempt
@require_POST
def delivery_report(request: HttpRequest, gateway: str) -> JsonResponse:
    data = _signed_json(request, gateway)
    if isinstance(data, JsonResponse):
        return data
    try:
        event_id = _text(data, "event_id")
        client_ref = _text(data, "localid")
        status = _text(data, "status", max_length=10)
        if status not in REPORTABLE:
            raise ValueError(f"status must be one of {sorted(REPORTABLE)}")
        if not client_ref.isdigit():
            raise ValueError("localid is not one of ours")
    except ValueError as exc:
        return _error(str(exc), 400)
    try:
        outcome = services.delivery_report_apply(
            gateway=gateway,
            event_id=event_id,
            sms_id=int(client_ref),
            status=SmsStatus(status),
            gateway_message_id=str(data.get("messageid") or "")[:100],
            at=_time(data),
        )
    except SmsError as exc:
        return _error(str(exc), 404)
    return JsonResponse({"ok": True, "result": outcome})


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, gateway: str) -> JsonResponse:
    data = _signed_json(request, gateway)
    if isinstance(data, JsonResponse):
        return data
    try:
        message_id = _text(data, "messageid")
        msisdn = _text(data, "from", max_length=20)
        to = _text(data, "to", max_length=20)
        body = data.get("message")
        if not isinstance(body, str) or len(body) > 2000:
            raise ValueError("message is missing or too long")
    except ValueError as exc:
        return _error(str(exc), 400)
    try:
        received = services.inbound_receive(
            gateway=gateway,
            gateway_message_id=message_id,
            msisdn=msisdn,
            to=to,
            body=body,
            at=_time(data),
        )
    except SmsError as exc:
        return _error(str(exc), 404)
    return JsonResponse({"ok": True, "id": received.pk})
