"""The local gateway (sms/testing/gateway_server.py), driven through the real HttpGateway."""

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from sms import signing
from sms.constants import SmsStatus
from sms.gateways import Lookup, OutgoingMessage, PermanentGatewayError, TransientGatewayError
from sms.gateways.http import HttpGateway
from sms.testing import LocalGateway

SECRET = "local-gateway-callback-secret"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def message(ref: str, recipient: str = "+989121234567") -> OutgoingMessage:
    return OutgoingMessage(
        client_ref=ref,
        originator="40401234",
        recipient=recipient,
        body=f"پیام آزمایشی {ref}",
        kind="notification",
    )


def client_for(local: LocalGateway, *, read_timeout: float = 2.0) -> HttpGateway:
    return HttpGateway(
        base_url=local.url, api_key=local.api_key, connect_timeout=1.0, read_timeout=read_timeout
    )


@pytest.fixture
def local() -> Iterator[LocalGateway]:
    with LocalGateway() as gateway:
        yield gateway


@pytest.fixture
def client(local: LocalGateway) -> Iterator[HttpGateway]:
    client = client_for(local)
    yield client
    client.close()


class _Receiver:
    """A tiny webhook receiver: records (headers, raw body), answers `status`."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers.items()), raw))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/callbacks/http/delivery/"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def verified(self, index: int) -> dict[str, str]:
        headers, raw = self.calls[index]
        assert signing.verify(
            secret=SECRET,
            body=raw,
            timestamp=headers.get(signing.TIMESTAMP_HEADER),
            given=headers.get(signing.SIGNATURE_HEADER),
            max_age=300,
        )
        return json.loads(raw)


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    receiver = _Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


# --- the contract ----------------------------------------------------------------------


def test_send_then_lookup_round_trip(local, client):
    accepted = client.send(message("101"))
    assert client.lookup("101") == Lookup(accepted.gateway_message_id, SmsStatus.SENT)
    assert client.lookup("102") is None
    [entry] = local.received
    assert (entry.localid, entry.sender, entry.receptor, entry.message) == (
        "101",
        "40401234",
        "+989121234567",
        "پیام آزمایشی 101",
    )
    assert entry.at <= time.monotonic()
    local.set_status("101", "delivered")
    assert client.lookup("101") == Lookup(accepted.gateway_message_id, SmsStatus.DELIVERED)


def test_a_resent_localid_is_counted_not_delivered_twice(local, client):
    first = client.send(message("201"))
    again = client.send(message("201"))
    client.send(message("202"))
    assert again == first
    assert local.count_by_localid() == {"201": 1, "202": 1}
    assert local.duplicates() == []
    assert local.resend_attempts == 1
    assert local.resends_by_localid() == {"201": 1}
    assert {k: local.stats()[k] for k in ("received", "unique", "duplicates")} == {
        "received": 2,
        "unique": 2,
        "duplicates": 0,
    }


def test_without_dedup_a_resend_is_a_visible_duplicate():
    with LocalGateway(dedup=False) as local:
        client = client_for(local)
        first = client.send(message("301"))
        again = client.send(message("301"))
        client.close()
        assert again != first
        assert local.duplicates() == ["301"]
        assert local.resend_attempts == 1
        assert local.stats()["duplicates"] == 1


def test_a_wrong_key_is_refused_with_401():
    with LocalGateway(api_key="right-key") as local:
        client = HttpGateway(
            base_url=local.url, api_key="wrong-key", connect_timeout=1.0, read_timeout=2.0
        )
        with pytest.raises(TransientGatewayError, match="401"):
            client.send(message("401"))
        client.close()
        assert local.received == []


def test_the_rate_limit_answers_429_beyond_the_rate():
    # A bucket of 2 tokens refilled 2 a second, on a clock that moves only when told:
    # however long the sends take, no token comes back between them.
    now = [1000.0]
    with LocalGateway(rate_per_second=2.0, clock=lambda: now[0]) as local:
        client = client_for(local)
        outcomes: list[float | None | str] = []
        for ref in range(6):
            try:
                client.send(message(str(500 + ref)))
                outcomes.append("accepted")
            except TransientGatewayError as exc:
                outcomes.append(exc.retry_after)
        assert outcomes == ["accepted", "accepted", 1.0, 1.0, 1.0, 1.0]
        assert local.rejected_429 == 4
        now[0] += 0.25  # half a token
        with pytest.raises(TransientGatewayError, match="429"):
            client.send(message("510"))
        now[0] += 0.25  # half a second in all: one token
        client.send(message("510"))
        with pytest.raises(TransientGatewayError, match="429"):
            client.send(message("511"))
        client.close()
        assert len(local.received) == 3
        assert local.stats()["rejected_429"] == 6


# --- fault injection -------------------------------------------------------------------


def test_fail_next_answers_the_given_status_then_recovers(local, client):
    local.fail_next(2, status=503)
    for _ in range(2):
        with pytest.raises(TransientGatewayError, match="HTTP 503"):
            client.send(message("601"))
    assert client.send(message("601")).gateway_message_id
    assert len(local.received) == 1
    assert local.stats()["injected_failures"] == 2


def test_fail_next_with_an_error_code_is_permanent(local, client):
    local.fail_next(1, status=400, error="blocked_receptor")
    with pytest.raises(PermanentGatewayError) as caught:
        client.send(message("602"))
    assert caught.value.detail == "blocked_receptor"


def test_fail_next_on_lookups(local, client):
    client.send(message("603"))
    local.fail_next(1, status=500, on="status")
    with pytest.raises(TransientGatewayError):
        client.lookup("603")
    assert client.lookup("603") is not None


def test_a_rejected_receptor_is_permanent(local, client):
    local.reject_receptor("+989120000000")
    with pytest.raises(PermanentGatewayError) as caught:
        client.send(message("604", recipient="+989120000000"))
    assert caught.value.detail == "invalid_receptor"
    local.reject_sender("40401234")
    with pytest.raises(PermanentGatewayError) as caught:
        client.send(message("605"))
    assert caught.value.detail == "sender_not_allowed"
    assert local.received == []


def test_a_slow_answer_times_out_but_the_message_was_accepted(local):
    """The lost-answer case: the retry with the same localid sends nothing twice."""
    client = client_for(local, read_timeout=0.2)
    local.slow_next(1, 0.5)
    with pytest.raises(TransientGatewayError, match="ReadTimeout"):
        client.send(message("701"))
    assert client.send(message("701")).gateway_message_id
    client.close()
    assert local.count_by_localid() == {"701": 1}
    assert local.resend_attempts == 1


def test_reset_forgets_messages_and_faults(local, client):
    client.send(message("801"))
    local.fail_next(5)
    local.reset()
    assert local.received == []
    assert client.lookup("801") is None
    client.send(message("801"))
    assert local.resend_attempts == 0


# --- delivery reports ------------------------------------------------------------------


def test_a_signed_delivery_report_follows_each_accepted_message(receiver):
    with LocalGateway(
        callback_url=receiver.url, callback_secret=SECRET, callback_delay=0.01
    ) as local:
        client = client_for(local)
        accepted = client.send(message("901"))
        client.send(message("901"))  # a de-duplicated resend reports nothing
        assert local.wait_for_reports(1, timeout=3)
        report = receiver.verified(0)
        assert client.lookup("901") == Lookup(accepted.gateway_message_id, SmsStatus.DELIVERED)
        client.close()
        time.sleep(0.05)
        assert len(receiver.calls) == 1
        assert local.reports[0].http_status == 200
    assert set(report) == {"event_id", "localid", "messageid", "status", "at"}
    assert report["localid"] == "901"
    assert report["messageid"] == accepted.gateway_message_id
    assert report["status"] == "delivered"
    at = datetime.fromisoformat(report["at"])
    assert at.utcoffset() == timedelta(0)
    assert abs(at - datetime.now(UTC)) < timedelta(seconds=5)


def test_an_automatic_report_is_retried_with_the_same_event_after_a_5xx(receiver):
    receiver.status = 503
    with LocalGateway(
        callback_url=receiver.url, callback_secret=SECRET, callback_delay=0.0
    ) as local:
        client = client_for(local)
        client.send(message("902"))
        client.close()
        assert local.wait_for_reports(3, timeout=3)
    event_ids = {receiver.verified(index)["event_id"] for index in range(3)}
    assert len(event_ids) == 1


def test_send_delivery_report_on_demand_for_duplicates_and_out_of_order(receiver):
    with LocalGateway(
        callback_url=receiver.url, callback_secret=SECRET, callback_delay=60
    ) as local:
        client = client_for(local)
        accepted = client.send(message("903"))
        client.close()
        at = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
        assert local.send_delivery_report("903", "delivered", event_id="ev-1", at=at) == 200
        assert local.send_delivery_report("903", "delivered", event_id="ev-1", at=at) == 200
        assert local.send_delivery_report("903", "sent") == 200
        receiver.status = 403
        assert local.send_delivery_report("903", "failed", secret="wrong") == 403
        assert local.status_of("903") == "sent"  # on-demand reports change nothing
    first, second, third = (receiver.verified(index) for index in range(3))
    assert (
        first
        == second
        == {
            "event_id": "ev-1",
            "localid": "903",
            "messageid": accepted.gateway_message_id,
            "status": "delivered",
            "at": "2026-03-20T12:00:00+00:00",
        }
    )
    assert third["status"] == "sent"
    assert third["event_id"] != "ev-1"
    headers, raw = receiver.calls[3]
    assert not signing.verify(
        secret=SECRET,
        body=raw,
        timestamp=headers.get(signing.TIMESTAMP_HEADER),
        given=headers.get(signing.SIGNATURE_HEADER),
        max_age=300,
    )


def test_send_delivery_report_for_an_unknown_localid_needs_a_messageid(receiver):
    with LocalGateway(callback_url=receiver.url, callback_secret=SECRET) as local:
        with pytest.raises(KeyError):
            local.send_delivery_report("999", "delivered")
        assert local.send_delivery_report("999", "delivered", messageid="m-999") == 200
    assert receiver.verified(0)["messageid"] == "m-999"


# --- process mode ----------------------------------------------------------------------


def test_process_mode_prints_its_url_serves_stats_and_stops():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    process = subprocess.Popen(
        [sys.executable, "-m", "sms.testing.gateway_server", "--port", "0", "--rate", "200"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        stats = requests.get(f"{url}/_stats", timeout=2).json()
        assert stats["received"] == 0
        client = HttpGateway(base_url=url, api_key="test-key", connect_timeout=1, read_timeout=2)
        client.send(message("1001"))
        client.send(message("1001"))
        client.close()
        stats = requests.get(f"{url}/_stats", timeout=2).json()
        assert {k: stats[k] for k in ("received", "unique", "duplicates", "resend_attempts")} == {
            "received": 1,
            "unique": 1,
            "duplicates": 0,
            "resend_attempts": 1,
        }
        assert stats["rejected_429"] == 0
        assert requests.post(f"{url}/_reset", timeout=2).status_code == 200
        assert requests.get(f"{url}/_stats", timeout=2).json()["received"] == 0
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=5)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
