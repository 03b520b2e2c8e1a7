"""The inquiry gateway over HTTP/JSON; docs/inquiry.md gives the contract.

    POST {base}/shahkar/match    {"national_code", "mobile"}              → 200 {"match": bool}
    POST {base}/civil/identity   {"national_code", "birth_date": "Y-M-D"} → 200 identity
                                                  404 {"error": "not_found"}
                                                  409 {"error": "birth_date_mismatch"}
    GET  {base}/companies/{national_id}                                   → 200 company
                                                  404 {"error": "not_found"}

Connection errors and 502/503/504 are retried INQUIRY_HTTP_RETRIES times with a
short backoff (the lookups are idempotent, so POST is retried too). Whatever
else goes wrong becomes InquiryUnavailable and one log line on "payam.inquiry".
"""

import logging
from datetime import date
from typing import NoReturn

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from payam.http import BearerAuth
from payam.inquiry.exceptions import (
    BirthDateMismatch,
    CompanyNotFound,
    IdentityNotFound,
    InquiryUnavailable,
)
from payam.inquiry.types import CivilIdentity, CompanyRecord
from payam.phone import normalize_mobile

logger = logging.getLogger("payam.inquiry")

# Sleep between retries: 0 s before the first, then 2 × factor, 4 × factor, …
DEFAULT_BACKOFF_FACTOR = 0.2
RETRY_STATUSES = frozenset({502, 503, 504})


def build_session(*, api_key: str, retries: int, backoff_factor: float) -> requests.Session:
    retry = Retry(
        total=retries,
        connect=retries,
        read=False,  # a read timeout is not retried: the person would wait several times over
        status=retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST"}),
        backoff_factor=backoff_factor,
        respect_retry_after_header=False,  # an upstream's Retry-After must not hold a request
        raise_on_status=False,  # after the last retry, hand back the response to map it
    )
    adapter = HTTPAdapter(max_retries=retry)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.auth = BearerAuth(api_key)
    session.headers["Accept"] = "application/json"
    return session


class HttpInquiryBackend:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        connect_timeout: float,
        read_timeout: float,
        retries: int,
        backoff_factor: float = DEFAULT_BACKOFF_FACTOR,
    ) -> None:
        if not base_url:
            raise ImproperlyConfigured(
                "INQUIRY_BACKEND is 'http' but INQUIRY_HTTP_BASE_URL is not set."
            )
        if not api_key:
            raise ImproperlyConfigured(
                "INQUIRY_BACKEND is 'http' but INQUIRY_HTTP_API_KEY is not set."
            )
        if retries < 0:
            raise ImproperlyConfigured("INQUIRY_HTTP_RETRIES must not be negative.")
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.session = build_session(
            api_key=api_key, retries=retries, backoff_factor=backoff_factor
        )

    @classmethod
    def from_settings(
        cls, *, backoff_factor: float = DEFAULT_BACKOFF_FACTOR
    ) -> "HttpInquiryBackend":
        return cls(
            base_url=settings.INQUIRY_HTTP_BASE_URL,
            api_key=settings.INQUIRY_HTTP_API_KEY,
            connect_timeout=settings.INQUIRY_HTTP_CONNECT_TIMEOUT,
            read_timeout=settings.INQUIRY_HTTP_READ_TIMEOUT,
            retries=settings.INQUIRY_HTTP_RETRIES,
            backoff_factor=backoff_factor,
        )

    def close(self) -> None:
        self.session.close()

    def shahkar_matches(self, *, national_code: str, mobile: str) -> bool:
        call = "shahkar_matches"
        body = {"national_code": national_code, "mobile": normalize_mobile(mobile)}
        response = self._send(call, "POST", "/shahkar/match", body)
        if response.status_code != 200:
            _unexpected(call, response)
        match = _json(call, response).get("match")
        if not isinstance(match, bool):
            _malformed(call, "match is not true or false")
        return match

    def civil_identity(self, *, national_code: str, birth_date: date) -> CivilIdentity:
        call = "civil_identity"
        body = {"national_code": national_code, "birth_date": birth_date.isoformat()}
        response = self._send(call, "POST", "/civil/identity", body)
        if response.status_code == 404 and _error(response) == "not_found":
            raise IdentityNotFound(f"{call}: upstream answered 404")
        if response.status_code == 409 and _error(response) == "birth_date_mismatch":
            raise BirthDateMismatch(f"{call}: upstream answered 409")
        if response.status_code != 200:
            _unexpected(call, response)
        try:
            identity = CivilIdentity.from_json(_json(call, response))
        except ValueError as exc:
            _malformed(call, str(exc))
        if identity.national_code != national_code or identity.birth_date != birth_date:
            _malformed(call, "the answer is about another person or birth date")
        return identity

    def company_record(self, *, national_id: str) -> CompanyRecord:
        call = "company_record"
        if not (national_id.isascii() and national_id.isdigit()):
            # It goes into the URL path; callers validate, this keeps it that way.
            raise ValueError("national_id must be ASCII digits")
        response = self._send(call, "GET", f"/companies/{national_id}", None)
        if response.status_code == 404 and _error(response) == "not_found":
            raise CompanyNotFound(f"{call}: upstream answered 404")
        if response.status_code != 200:
            _unexpected(call, response)
        try:
            company = CompanyRecord.from_json(_json(call, response))
        except ValueError as exc:
            _malformed(call, str(exc))
        if company.national_id != national_id:
            _malformed(call, "the answer is about another company")
        return company

    def _send(
        self, call: str, method: str, path: str, body: dict[str, str] | None
    ) -> requests.Response:
        try:
            return self.session.request(
                method,
                self.base_url + path,
                json=body,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            logger.warning(
                "Inquiry %s failed: %s: %s",
                call,
                type(exc).__name__,
                exc,
                extra={"inquiry_call": call},
            )
            raise InquiryUnavailable(f"{call}: {type(exc).__name__}") from exc


def _json(call: str, response: requests.Response) -> dict[str, object]:
    try:
        data = response.json()
    except ValueError:
        _malformed(call, f"HTTP {response.status_code} body is not JSON")
    if not isinstance(data, dict):
        _malformed(call, "the JSON body is not an object")
    return data


def _error(response: requests.Response) -> object:
    """The contract's `{"error": "…"}`; None for any other body, such as the HTML
    404 page of a proxy in front of a wrong base URL, which must not read as
    'no such person'."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get("error") if isinstance(data, dict) else None


def _unexpected(call: str, response: requests.Response) -> NoReturn:
    status = response.status_code
    if status in (401, 403):
        logger.error(
            "Inquiry %s refused with HTTP %s: check INQUIRY_HTTP_API_KEY",
            call,
            status,
            extra={"inquiry_call": call, "status": status},
        )
    else:
        logger.warning(
            "Inquiry %s got unexpected HTTP %s",
            call,
            status,
            extra={"inquiry_call": call, "status": status},
        )
    raise InquiryUnavailable(f"{call}: HTTP {status}")


def _malformed(call: str, detail: str) -> NoReturn:
    logger.warning(
        "Inquiry %s got a malformed answer: %s", call, detail, extra={"inquiry_call": call}
    )
    raise InquiryUnavailable(f"{call}: malformed answer: {detail}")
