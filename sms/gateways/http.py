"""The SMS gateway over HTTP/JSON (Kavenegar-like); docs/sms-gateway.md gives the contract.

    POST {base}/send    {"sender", "receptor", "message", "localid"}  → 200 {"messageid": "…"}
                        429 (Retry-After), 5xx                        → TransientGatewayError
                        400/403/422 {"error": "<code>"}               → PermanentGatewayError(code)
    GET  {base}/status?localid=…  → 200 {"messageid": "…", "status": "<SmsStatus>"} → Lookup
                                    404 {"error": "not_found"}        → None
    (status: sent, delivered, failed or expired)

The provider de-duplicates by `localid` (our OutboundSMS id), so sending the
same row again after a lost answer returns the first messageid instead of a
second SMS. Nothing is retried here: the dispatcher retries with backoff and
counts attempts in the database. 401 means our key is wrong: the message is
kept (transient) and an ERROR is logged on "sms.gateway". Log lines carry the
client reference, the status and the exception type, never the key, the
recipient or the text.
"""

import logging
import math
import time
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import NoReturn

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from payam.http import BearerAuth
from sms.constants import SmsStatus

from .base import (
    Accepted,
    Lookup,
    OutgoingMessage,
    PermanentGatewayError,
    TransientGatewayError,
)

logger = logging.getLogger("sms.gateway")

# The statuses a 4xx answer may carry to say "this message can never be sent".
PERMANENT_STATUSES = frozenset({400, 403, 422})
LOOKUP_STATUSES = frozenset(
    {SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.EXPIRED}
)
# Our OutboundSMS ids and the provider's ids are short; anything longer is not the contract.
MAX_ID_LENGTH = 100
# Connections kept per host: one per dispatching thread that may share the gateway.
POOL_SIZE = 32


def build_session(*, api_key: str) -> requests.Session:
    """A session that never retries, keeps no cookies and sends the key on every call."""
    # total=0: a refused connection or a 5xx surfaces at once; the dispatcher decides
    # when to try again, and counts the attempt in the database. read=False re-raises
    # a read timeout as itself (ReadTimeout), not wrapped as a ConnectionError.
    no_retries = Retry(total=0, read=False)
    adapter = HTTPAdapter(max_retries=no_retries, pool_maxsize=POOL_SIZE)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.auth = BearerAuth(api_key)
    session.headers["Accept"] = "application/json"
    # The gateway is stateless for us; a cookie it sets must not follow later calls.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


class HttpGateway:
    name = "http"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        if not base_url:
            raise ImproperlyConfigured("SMS_GATEWAY is 'http' but SMS_HTTP_BASE_URL is not set.")
        if not api_key:
            raise ImproperlyConfigured("SMS_GATEWAY is 'http' but SMS_HTTP_API_KEY is not set.")
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.session = build_session(api_key=api_key)

    @classmethod
    def from_settings(cls) -> "HttpGateway":
        return cls(
            base_url=settings.SMS_HTTP_BASE_URL,
            api_key=settings.SMS_HTTP_API_KEY,
            connect_timeout=settings.SMS_HTTP_CONNECT_TIMEOUT,
            read_timeout=settings.SMS_HTTP_READ_TIMEOUT,
        )

    def close(self) -> None:
        self.session.close()

    def send(self, message: OutgoingMessage) -> Accepted:
        call, ref = "send", message.client_ref
        body = {
            "sender": message.originator,
            "receptor": message.recipient,
            "message": message.body,
            "localid": message.client_ref,
        }
        response = self._request(call, ref, "POST", "/send", json=body)
        if response.status_code in PERMANENT_STATUSES:
            code = _error(response)
            if isinstance(code, str) and code:
                logger.info(
                    "SMS %s refused by the gateway: HTTP %s %s",
                    ref,
                    response.status_code,
                    code,
                    extra=_extra(call, ref, response.status_code),
                )
                raise PermanentGatewayError(code[:MAX_ID_LENGTH])
        if response.status_code != 200:
            _unexpected(call, ref, response)
        message_id = _identifier(_json(call, ref, response).get("messageid"))
        if message_id is None:
            _malformed(call, ref, "messageid is missing or not a short string")
        return Accepted(gateway_message_id=message_id)

    def lookup(self, client_ref: str) -> Lookup | None:
        call, ref = "lookup", client_ref
        response = self._request(call, ref, "GET", "/status", params={"localid": client_ref})
        if response.status_code == 404 and _error(response) == "not_found":
            return None
        if response.status_code != 200:
            _unexpected(call, ref, response)
        data = _json(call, ref, response)
        message_id = _identifier(data.get("messageid"))
        if message_id is None:
            _malformed(call, ref, "messageid is missing or not a short string")
        status = data.get("status")
        if not isinstance(status, str) or status not in LOOKUP_STATUSES:
            _malformed(call, ref, "status is not sent, delivered, failed or expired")
        return Lookup(gateway_message_id=message_id, status=SmsStatus(status))

    def _request(
        self,
        call: str,
        ref: str,
        method: str,
        path: str,
        *,
        json: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> requests.Response:
        try:
            return self.session.request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            # A read timeout on send may mean the gateway has the message: sending
            # the same localid again is safe, it is de-duplicated upstream.
            logger.warning(
                "SMS gateway %s for %s failed: %s: %s",
                call,
                ref,
                type(exc).__name__,
                exc,
                extra=_extra(call, ref, None),
            )
            raise TransientGatewayError(f"{call}: {type(exc).__name__}") from exc


def _extra(call: str, ref: str, status: int | None) -> dict[str, object]:
    return {"sms_gateway_call": call, "sms_client_ref": ref, "status": status}


def _json(call: str, ref: str, response: requests.Response) -> dict[str, object]:
    try:
        data = response.json()
    except ValueError:
        _malformed(call, ref, f"HTTP {response.status_code} body is not JSON")
    if not isinstance(data, dict):
        _malformed(call, ref, "the JSON body is not an object")
    return data


def _error(response: requests.Response) -> object:
    """The contract's `{"error": "…"}`; None for any other body, such as the HTML
    error page of a proxy, which must not burn a message or read as 'never sent'."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get("error") if isinstance(data, dict) else None


def _identifier(value: object) -> str | None:
    """A message id as text: a non-empty string, or an integer as some providers send."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        return None
    return value.strip()


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """A Retry-After header in seconds (delta-seconds or an HTTP date); None if unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (now if now is not None else time.time())
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def _unexpected(call: str, ref: str, response: requests.Response) -> NoReturn:
    status = response.status_code
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    extra = _extra(call, ref, status)
    if status == 401:
        logger.error(
            "SMS gateway %s for %s refused with HTTP 401: check SMS_HTTP_API_KEY",
            call,
            ref,
            extra=extra,
        )
        raise TransientGatewayError(
            f"{call}: HTTP 401: the gateway refused our API key (SMS_HTTP_API_KEY)",
            retry_after=retry_after,
        )
    if status == 429:
        logger.warning(
            "SMS gateway %s for %s rate limited, Retry-After %s",
            call,
            ref,
            retry_after,
            extra=extra,
        )
        raise TransientGatewayError(f"{call}: HTTP 429: rate limited", retry_after=retry_after)
    logger.warning("SMS gateway %s for %s got unexpected HTTP %s", call, ref, status, extra=extra)
    raise TransientGatewayError(f"{call}: HTTP {status}", retry_after=retry_after)


def _malformed(call: str, ref: str, detail: str) -> NoReturn:
    logger.warning(
        "SMS gateway %s for %s got a malformed answer: %s",
        call,
        ref,
        detail,
        extra=_extra(call, ref, 200),
    )
    raise TransientGatewayError(f"{call}: malformed answer: {detail}")
