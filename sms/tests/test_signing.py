"""The webhook and USSD signature check refuses any header a client can send with
403, never a 500: timestamps of thousands of digits, digits of another script, a
signature that is not ASCII."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from sms import signing

pytestmark = pytest.mark.django_db

SECRET = "test-sms-callback-secret"
BODY = json.dumps({"event_id": "e1"}).encode()
HUGE = "9" * 5000  # int() reads it; subtracting it from a float overflows
LONG = "1" * 2000


def signed_for(timestamp: str, body: bytes = BODY) -> str:
    mac = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check(timestamp: str | None, given: str | None, *, now: float | None = None) -> bool:
    return signing.verify(
        secret=SECRET, body=BODY, timestamp=timestamp, given=given, max_age=300, now=now
    )


@pytest.mark.parametrize("timestamp", [LONG, HUGE, "١٧٣٢٣٥٢٤٠٠", "²", "１２３", "-1", "1e9"])
def test_timestamps_that_are_not_unix_seconds_are_refused(timestamp):
    assert check(timestamp, signed_for(timestamp)) is False


def test_a_signature_that_is_not_ascii_is_refused():
    timestamp = str(int(time.time()))
    assert check(timestamp, "sha256=é" + signed_for(timestamp)[8:]) is False


def test_a_fresh_correct_signature_still_passes():
    timestamp = str(int(time.time()))
    assert check(timestamp, signed_for(timestamp)) is True


@given(timestamp=st.text(max_size=50) | st.from_regex(r"\d{1,6000}", fullmatch=True), sig=st.text())
def test_no_header_makes_the_check_raise(timestamp, sig):
    assert check(timestamp, sig, now=1_732_352_400.0) in (True, False)


def headers(timestamp: str, given: str) -> dict[str, str]:
    return {signing.TIMESTAMP_HEADER: timestamp, signing.SIGNATURE_HEADER: given}


@pytest.mark.parametrize("timestamp", [LONG, "²"])
def test_the_delivery_webhook_answers_403(timestamp):
    response = Client().post(
        reverse("sms:delivery_report", args=["http"]),
        BODY,
        content_type="application/json",
        headers=headers(timestamp, signed_for(timestamp)),
    )
    assert response.status_code == 403


@pytest.mark.parametrize("timestamp", [LONG, "²"])
def test_the_ussd_callback_answers_403(timestamp):
    body = b"sessionId=s&phoneNumber=%2B989121234567&serviceCode=%2A4040%23&text="
    response = Client().post(
        reverse("sms:ussd_callback"),
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers=headers(timestamp, signed_for(timestamp, body)),
    )
    assert response.status_code == 403
