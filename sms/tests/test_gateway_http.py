"""The HTTP SMS gateway against a local server speaking the docs/sms-gateway.md contract."""

import logging
import socket

import pytest
from django.core.exceptions import ImproperlyConfigured

from payam.tests.helpers import DRAINED, record_timeouts, stalled_upstream
from sms.constants import SmsStatus
from sms.gateways import (
    Accepted,
    Lookup,
    OutgoingMessage,
    PermanentGatewayError,
    TransientGatewayError,
    get_gateway,
)
from sms.gateways.http import HttpGateway, retry_after_seconds

API_KEY = "sms-test-key-0815"
AUTH = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
MESSAGE = OutgoingMessage(
    client_ref="4711",
    originator="40401234",
    recipient="+989121234567",
    body="کد ورود شما: ۴۸۲۹۱۷",
    kind="otp",
)
SEND_JSON = {
    "sender": "40401234",
    "receptor": "+989121234567",
    "message": "کد ورود شما: ۴۸۲۹۱۷",
    "localid": "4711",
}


@pytest.fixture
def upstream(settings, httpserver):
    """Settings pointing at the local server under /v1; the server, checked after."""
    settings.SMS_GATEWAY = "http"
    settings.SMS_HTTP_BASE_URL = httpserver.url_for("/v1/")
    settings.SMS_HTTP_API_KEY = API_KEY
    settings.SMS_HTTP_CONNECT_TIMEOUT = 1.0
    settings.SMS_HTTP_READ_TIMEOUT = 2.0
    yield httpserver
    httpserver.check_assertions()


@pytest.fixture
def gateway(upstream):
    gateway = HttpGateway.from_settings()
    yield gateway
    gateway.close()


# --- send ------------------------------------------------------------------------------


def test_send_posts_the_contract_and_reads_the_messageid(upstream, gateway):
    upstream.expect_oneshot_request(
        "/v1/send", method="POST", json=SEND_JSON, headers=AUTH
    ).respond_with_json({"messageid": "880011"})
    assert gateway.send(MESSAGE) == Accepted(gateway_message_id="880011")
    request, _ = upstream.log[0]
    assert request.headers["Content-Type"] == "application/json"
    assert request.get_json()["localid"] == MESSAGE.client_ref


def test_a_numeric_messageid_is_read_as_text(upstream, gateway):
    upstream.expect_request("/v1/send").respond_with_json({"messageid": 880012})
    assert gateway.send(MESSAGE).gateway_message_id == "880012"


def test_get_gateway_builds_the_http_gateway_from_settings(upstream):
    upstream.expect_oneshot_request("/v1/send", method="POST", headers=AUTH).respond_with_json(
        {"messageid": "1"}
    )
    gateway = get_gateway()
    assert isinstance(gateway, HttpGateway)
    assert gateway.name == "http"
    assert gateway.send(MESSAGE).gateway_message_id == "1"


@pytest.mark.parametrize("missing", ["SMS_HTTP_BASE_URL", "SMS_HTTP_API_KEY"])
def test_http_gateway_without_url_or_key_is_improperly_configured(settings, missing):
    settings.SMS_GATEWAY = "http"
    settings.SMS_HTTP_BASE_URL = "https://sms.example.ir/v1"
    settings.SMS_HTTP_API_KEY = API_KEY
    setattr(settings, missing, "")
    with pytest.raises(ImproperlyConfigured, match=missing):
        get_gateway()


def test_429_is_transient_with_the_retry_after_seconds(upstream, gateway, caplog):
    upstream.expect_request("/v1/send").respond_with_json(
        {"error": "rate_limited"}, status=429, headers={"Retry-After": "7"}
    )
    with (
        caplog.at_level(logging.WARNING, logger="sms.gateway"),
        pytest.raises(TransientGatewayError) as caught,
    ):
        gateway.send(MESSAGE)
    assert caught.value.retry_after == 7
    assert "429" in caught.value.detail
    assert len(upstream.log) == 1


def test_429_without_retry_after_leaves_the_wait_to_the_dispatcher(upstream, gateway):
    upstream.expect_request("/v1/send").respond_with_json({"error": "rate_limited"}, status=429)
    with pytest.raises(TransientGatewayError) as caught:
        gateway.send(MESSAGE)
    assert caught.value.retry_after is None


def test_retry_after_as_an_http_date_or_garbage():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412500.0) == 10.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412600.0) == 0.0
    assert retry_after_seconds("1.5") == 1.5
    assert retry_after_seconds("-3") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("nan") is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient_and_not_retried(upstream, gateway, status):
    upstream.expect_request("/v1/send").respond_with_data("down", status=status)
    with pytest.raises(TransientGatewayError) as caught:
        gateway.send(MESSAGE)
    assert caught.value.detail == f"send: HTTP {status}"
    assert len(upstream.log) == 1  # the dispatcher retries, and counts the attempt


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "invalid_receptor"),
        (400, "blocked_receptor"),
        (403, "sender_not_allowed"),
        (422, "message_too_long"),
    ],
)
def test_a_refusal_with_an_error_code_is_permanent(upstream, gateway, status, code):
    upstream.expect_request("/v1/send").respond_with_json({"error": code}, status=status)
    with pytest.raises(PermanentGatewayError) as caught:
        gateway.send(MESSAGE)
    assert caught.value.detail == code


@pytest.mark.parametrize("status", [400, 403])
def test_a_refusal_outside_the_contract_does_not_burn_the_message(upstream, gateway, status):
    """A proxy's or firewall's HTML error page says nothing about the message."""
    upstream.expect_request("/v1/send").respond_with_data(
        "<h1>Forbidden</h1>", status=status, content_type="text/html"
    )
    with pytest.raises(TransientGatewayError):
        gateway.send(MESSAGE)


def test_401_is_transient_and_logged_as_an_error_without_the_key(upstream, gateway, caplog):
    upstream.expect_request("/v1/send").respond_with_json({"error": "unauthorized"}, status=401)
    with (
        caplog.at_level(logging.INFO, logger="sms.gateway"),
        pytest.raises(TransientGatewayError) as caught,
    ):
        gateway.send(MESSAGE)
    assert [r.levelname for r in caplog.records if r.name == "sms.gateway"] == ["ERROR"]
    assert "SMS_HTTP_API_KEY" in caplog.text
    assert "SMS_HTTP_API_KEY" in caught.value.detail
    assert API_KEY not in caplog.text
    assert API_KEY not in caught.value.detail
    assert API_KEY not in repr(gateway.session.auth)


def test_logs_name_the_reference_never_the_recipient_or_text(upstream, gateway, caplog):
    upstream.expect_request("/v1/send").respond_with_json({"error": "blocked_receptor"}, 400)
    with caplog.at_level(logging.DEBUG, logger="sms.gateway"), pytest.raises(PermanentGatewayError):
        gateway.send(MESSAGE)
    assert "4711" in caplog.text
    assert MESSAGE.recipient not in caplog.text
    assert MESSAGE.body not in caplog.text


def test_a_redirect_is_not_followed(upstream, gateway):
    upstream.expect_request("/v1/send").respond_with_data(
        "", status=302, headers={"Location": "http://elsewhere.example/"}
    )
    with pytest.raises(TransientGatewayError) as caught:
        gateway.send(MESSAGE)
    assert caught.value.detail == "send: HTTP 302"


def test_a_cookie_set_by_the_gateway_is_not_sent_back(upstream, gateway):
    upstream.expect_request("/v1/send").respond_with_json(
        {"messageid": "1"}, headers={"Set-Cookie": "session=abc; Path=/"}
    )
    gateway.send(MESSAGE)
    gateway.send(MESSAGE)
    assert [request.headers.get("Cookie") for request, _ in upstream.log] == [None, None]


@pytest.mark.parametrize(
    "body",
    [
        '{"messageid": "88',  # cut short
        "[]",
        "{}",
        '{"messageid": ""}',
        '{"messageid": null}',
        '{"messageid": true}',
        '{"messageid": {"id": 1}}',
    ],
)
def test_a_malformed_200_is_transient(upstream, gateway, caplog, body):
    upstream.expect_request("/v1/send").respond_with_data(body, content_type="application/json")
    with (
        caplog.at_level(logging.WARNING, logger="sms.gateway"),
        pytest.raises(TransientGatewayError) as caught,
    ):
        gateway.send(MESSAGE)
    assert "malformed" in caught.value.detail
    assert "malformed" in caplog.text


def test_a_slow_gateway_times_out_as_transient_after_one_attempt(upstream, settings, monkeypatch):
    settings.SMS_HTTP_READ_TIMEOUT = 0.2
    gateway = HttpGateway.from_settings()
    timeouts = record_timeouts(monkeypatch, gateway.session)
    with (
        stalled_upstream(upstream, "/v1/send", '{"messageid": "1"}'),
        pytest.raises(TransientGatewayError) as caught,
    ):
        gateway.send(MESSAGE)
    gateway.close()
    assert timeouts == [(1.0, 0.2)]  # (connect, read) from the settings
    assert caught.value.detail == "send: ReadTimeout"
    # Not retried here (the dispatcher retries, and counts the attempt): one request.
    assert [request.path for request, _ in upstream.log] == ["/v1/send", DRAINED]


def test_connection_refused_is_transient(settings, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.SMS_HTTP_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.SMS_HTTP_API_KEY = API_KEY
    gateway = HttpGateway.from_settings()
    with (
        caplog.at_level(logging.WARNING, logger="sms.gateway"),
        pytest.raises(TransientGatewayError) as caught,
    ):
        gateway.send(MESSAGE)
    gateway.close()
    assert caught.value.detail == "send: ConnectionError"
    assert "ConnectionError" in caplog.text
    assert API_KEY not in caplog.text


# --- lookup ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["sent", "delivered", "failed", "expired"])
def test_lookup_reads_what_the_gateway_knows(upstream, gateway, status):
    upstream.expect_oneshot_request(
        "/v1/status", method="GET", query_string={"localid": "4711"}, headers=AUTH
    ).respond_with_json({"messageid": "880011", "status": status})
    found = gateway.lookup("4711")
    assert found == Lookup(gateway_message_id="880011", status=SmsStatus(status))


def test_lookup_404_not_found_is_none(upstream, gateway):
    upstream.expect_request("/v1/status").respond_with_json({"error": "not_found"}, status=404)
    assert gateway.lookup("4711") is None


def test_lookup_404_page_outside_the_contract_is_transient_not_never_sent(upstream, gateway):
    """A wrong base URL answers an HTML 404; reading it as 'never sent' would send twice."""
    upstream.expect_request("/v1/status").respond_with_data(
        "<h1>Not Found</h1>", status=404, content_type="text/html"
    )
    with pytest.raises(TransientGatewayError):
        gateway.lookup("4711")


@pytest.mark.parametrize("status", [500, 503, 401, 400])
def test_lookup_other_statuses_are_transient(upstream, gateway, status):
    upstream.expect_request("/v1/status").respond_with_json({"error": "x"}, status=status)
    with pytest.raises(TransientGatewayError) as caught:
        gateway.lookup("4711")
    assert caught.value.detail.startswith(f"lookup: HTTP {status}")


@pytest.mark.parametrize(
    "answer",
    [{"messageid": "1", "status": "queued"}, {"messageid": "1"}, {"status": "sent"}, []],
)
def test_lookup_malformed_answer_is_transient(upstream, gateway, answer):
    upstream.expect_request("/v1/status").respond_with_json(answer)
    with pytest.raises(TransientGatewayError) as caught:
        gateway.lookup("4711")
    assert "malformed" in caught.value.detail
