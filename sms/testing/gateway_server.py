"""A local SMS gateway speaking the docs/sms-gateway.md contract, for tests and benchmarks.

In a test, next to `sms.gateways.http.HttpGateway`:

    with LocalGateway(rate_per_second=50) as gateway:
        sms_gateway = HttpGateway(base_url=gateway.url, api_key=gateway.api_key, …)
        …
        assert gateway.duplicates() == []

As a process, for bench/sms_dispatch.py:

    python -m sms.testing.gateway_server --port 0 --rate 200
        first stdout line: http://127.0.0.1:<port>
        GET /_stats  → {"received", "unique", "duplicates", "resend_attempts", "rejected_429", …}
        POST /_reset → forget everything

It serves from a ThreadingHTTPServer on 127.0.0.1 in a daemon thread. This
module needs only the standard library: sms.signing (itself free of Django) is
imported when the first delivery report is signed.
"""

import argparse
import contextlib
import heapq
import hmac
import http.client
import itertools
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Literal, NamedTuple, Self
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("sms.testing.gateway_server")

Endpoint = Literal["send", "status"]
REPORT_STATUSES = frozenset({"sent", "delivered", "failed", "expired"})
RECEPTOR = re.compile(r"\+?[0-9]{10,15}")
MAX_BODY_BYTES = 64 * 1024
MAX_LOCALID_LENGTH = 100
RATE_LIMIT_RETRY_AFTER = "1"
CALLBACK_WORKERS = 4
CALLBACK_RETRIES = 2  # automatic reports: extra attempts after no answer or a 5xx
CALLBACK_TIMEOUT = 5.0
FIRST_MESSAGE_ID = 700_000_001


class Received(NamedTuple):
    """One message the gateway accepted for delivery."""

    localid: str
    sender: str
    receptor: str
    message: str
    at: float  # time.monotonic() when accepted


class SentReport(NamedTuple):
    """One delivery report POSTed to the callback URL."""

    payload: dict[str, str]
    http_status: int | None  # None: no answer (refused, timed out)


@dataclass
class _Stored:
    messageid: str
    status: str


@dataclass(frozen=True)
class _Fault:
    status: int
    error: str


@dataclass
class _Answer:
    status: int
    payload: Mapping[str, object]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class _TokenBucket:
    """`rate` tokens a second, holding at most `burst`; one token per request to /send.
    Time is read from `clock` (seconds, only differences matter)."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.updated = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def refill(self) -> None:
        self.tokens = self.burst
        self.updated = self.clock()


def _error_code(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "error"
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")


class LocalGateway:
    """A real HTTP server speaking the gateway contract, recording what it accepts.

    Thread-safe: the server threads, the delivery-report threads and the test
    share one lock. Every query method returns a snapshot.
    """

    def __init__(
        self,
        rate_per_second: float | None = None,
        api_key: str = "test-key",
        callback_url: str | None = None,
        callback_secret: str | None = None,
        latency: float = 0.0,
        *,
        burst: float | None = None,
        callback_delay: float = 0.05,
        dedup: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock` is what the rate limit refills by: a test passes one it moves itself."""
        if rate_per_second is not None and rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive (or None for no limit)")
        if burst is not None and burst < 1:
            raise ValueError("burst must be at least 1")
        if latency < 0 or callback_delay < 0:
            raise ValueError("latency and callback_delay must not be negative")
        if not api_key:
            raise ValueError("api_key must not be empty")
        if callback_url is not None:
            _split_http_url(callback_url)
            if callback_secret is None:
                raise ValueError("callback_url needs a callback_secret to sign reports with")
        self.rate_per_second = rate_per_second
        self.burst = burst if burst is not None else max(1.0, rate_per_second or 1.0)
        self.api_key = api_key
        self.callback_url = callback_url
        self.callback_secret = callback_secret
        self.latency = latency
        self.callback_delay = callback_delay
        self.dedup = dedup
        self.host = host
        self.port = port

        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # for wait_for_*
        self._work = threading.Condition(self._lock)  # for the report threads
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._started = False
        self._closing = False
        self._bucket = (
            _TokenBucket(rate_per_second, self.burst, clock)
            if rate_per_second is not None
            else None
        )
        self._ids = itertools.count(FIRST_MESSAGE_ID)
        self._schedule_seq = itertools.count()
        self._clear_state()

    def _clear_state(self) -> None:
        """Forget messages, counters, faults and pending reports. Call with the lock held
        (or before any thread runs)."""
        self._received: list[Received] = []
        self._messages: dict[str, _Stored] = {}
        self._resends: Counter[str] = Counter()
        self._reports: list[SentReport] = []
        self._pending: list[tuple[float, int, str]] = []  # (due, seq, localid) heap
        self._faults: dict[str, deque[_Fault]] = {"send": deque(), "status": deque()}
        self._slow: dict[str, deque[float]] = {"send": deque(), "status": deque()}
        self._refused_receptors: dict[str, str] = {}
        self._refused_senders: set[str] = set()
        self._counts: Counter[str] = Counter()
        if self._bucket is not None:
            self._bucket.refill()

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> Self:
        with self._lock:
            if self._started:
                raise RuntimeError("a LocalGateway starts once; make a new one")
            self._started = True
        server = _Server((self.host, self.port), _Handler, gateway=self)
        self._server = server
        self.port = server.server_port
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"local-sms-gateway-{self.port}",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)
        if self.callback_url is not None:
            for number in range(CALLBACK_WORKERS):
                worker = threading.Thread(
                    target=self._report_worker,
                    name=f"local-sms-gateway-{self.port}-reports-{number}",
                    daemon=True,
                )
                worker.start()
                self._threads.append(worker)
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and drop reports not yet sent. Idempotent."""
        with self._lock:
            if not self._started or self._closing:
                return
            self._closing = True
            self._work.notify_all()
            self._changed.notify_all()
        self._stopping.set()
        server = self._server
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=2.0)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash: http://127.0.0.1:<port>."""
        if self._server is None:
            raise RuntimeError("the LocalGateway is not started")
        return f"http://{self.host}:{self.port}"

    # --- what happened ---------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        """Every message accepted for delivery, in order; a de-duplicated resend is not here."""
        with self._lock:
            return list(self._received)

    def count_by_localid(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(entry.localid for entry in self._received))

    def duplicates(self) -> list[str]:
        """Localids delivered more than once (only possible with dedup=False); should be []."""
        return [localid for localid, count in self.count_by_localid().items() if count > 1]

    @property
    def resend_attempts(self) -> int:
        """POSTs to /send whose localid was already accepted (answered with the first messageid
        under de-dup, delivered again without it)."""
        with self._lock:
            return sum(self._resends.values())

    def resends_by_localid(self) -> dict[str, int]:
        with self._lock:
            return dict(self._resends)

    @property
    def rejected_429(self) -> int:
        """Sends refused by the rate limit (not counting an injected 429)."""
        with self._lock:
            return self._counts["rejected_429"]

    @property
    def reports(self) -> list[SentReport]:
        """Every delivery report POSTed to the callback URL, retries included, in order."""
        with self._lock:
            return list(self._reports)

    def stats(self) -> dict[str, int]:
        """What GET /_stats answers. `duplicates` counts localids delivered more than once."""
        with self._lock:
            counts = Counter(entry.localid for entry in self._received)
            return {
                "received": len(self._received),
                "unique": len(counts),
                "duplicates": sum(1 for count in counts.values() if count > 1),
                "resend_attempts": sum(self._resends.values()),
                "rejected_429": self._counts["rejected_429"],
                "rejected": self._counts["rejected"],
                "injected_failures": self._counts["injected_failures"],
                "unauthorized": self._counts["unauthorized"],
                "lookups": self._counts["lookups"],
                "reports_sent": sum(1 for r in self._reports if r.http_status is not None),
                "reports_failed": sum(1 for r in self._reports if r.http_status is None),
            }

    def status_of(self, localid: str) -> str | None:
        """What /status would answer for `localid`: its status, or None if unknown."""
        with self._lock:
            stored = self._messages.get(localid)
            return stored.status if stored is not None else None

    def wait_for_received(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least `count` messages were accepted; False on timeout."""
        return self._wait(lambda: len(self._received) >= count, timeout)

    def wait_for_reports(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least `count` delivery reports were POSTed; False on timeout."""
        return self._wait(lambda: len(self._reports) >= count, timeout)

    def _wait(self, done: Callable[[], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: done() or self._closing, timeout) and done()

    # --- steering --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, counters, faults and pending reports (POST /_reset)."""
        with self._lock:
            self._clear_state()
            self._changed.notify_all()

    def fail_next(
        self, n: int, status: int = 500, *, error: str | None = None, on: Endpoint = "send"
    ) -> None:
        """Answer the next `n` requests to /send (or /status) with `status` and
        `{"error": error}` (default: the status phrase, e.g. "internal_server_error")
        without accepting anything. A 429 carries Retry-After: 1."""
        if not 400 <= status <= 599:
            raise ValueError("fail_next takes a 4xx or 5xx status")
        fault = _Fault(status=status, error=error or _error_code(status))
        with self._lock:
            self._faults[on].extend([fault] * n)

    def slow_next(self, n: int, seconds: float, *, on: Endpoint = "send") -> None:
        """Hold the answer to the next `n` requests to /send (or /status) for `seconds`.
        The request is handled first: a slow send is accepted and recorded, so a client
        that times out and sends again shows up in `resend_attempts`."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        with self._lock:
            self._slow[on].extend([seconds] * n)

    def reject_receptor(self, msisdn: str, error: str = "invalid_receptor") -> None:
        """Answer every send to `msisdn` with 400 {"error": error}."""
        with self._lock:
            self._refused_receptors[msisdn] = error

    def reject_sender(self, sender: str) -> None:
        """Answer every send from `sender` with 403 {"error": "sender_not_allowed"}."""
        with self._lock:
            self._refused_senders.add(sender)

    def set_status(self, localid: str, status: str) -> None:
        """Change what /status answers for an accepted message (sends no report)."""
        if status not in REPORT_STATUSES:
            raise ValueError(f"status must be one of {sorted(REPORT_STATUSES)}")
        with self._lock:
            self._messages[localid].status = status

    # --- delivery reports ------------------------------------------------------------------

    def send_delivery_report(
        self,
        localid: str,
        status: str,
        event_id: str | None = None,
        at: datetime | str | None = None,
        *,
        messageid: str | None = None,
        secret: str | None = None,
    ) -> int:
        """POST one signed report to callback_url now, once; return the HTTP status.

        The gateway's own status for the message is not changed, so tests can send
        duplicate, stale or out-of-order reports. `messageid` defaults to the one given
        for `localid` (KeyError if unknown: pass one to report on a message never sent);
        `secret` overrides callback_secret (to send a wrongly signed report). Raises
        OSError when the receiver cannot be reached.
        """
        if self.callback_url is None:
            raise RuntimeError("this LocalGateway has no callback_url")
        if messageid is None:
            with self._lock:
                messageid = self._messages[localid].messageid
        payload = _report_payload(localid, messageid, status, event_id, at)
        try:
            http_status = self._post_report(payload, secret=secret)
        except OSError:
            self._record_report(payload, None)
            raise
        self._record_report(payload, http_status)
        return http_status

    def _schedule_report(self, localid: str) -> None:
        """Queue the automatic 'delivered' report for `localid`. Call with the lock held."""
        due = time.monotonic() + self.callback_delay
        heapq.heappush(self._pending, (due, next(self._schedule_seq), localid))
        self._work.notify()

    def _report_worker(self) -> None:
        while True:
            with self._work:
                while True:
                    if self._closing:
                        return
                    if self._pending and self._pending[0][0] <= time.monotonic():
                        _, _, localid = heapq.heappop(self._pending)
                        stored = self._messages.get(localid)
                        if stored is None:  # reset since
                            continue
                        stored.status = "delivered"
                        messageid = stored.messageid
                        break
                    wait = self._pending[0][0] - time.monotonic() if self._pending else None
                    self._work.wait(wait)
            payload = _report_payload(localid, messageid, "delivered", None, None)
            for attempt in range(1 + CALLBACK_RETRIES):
                try:
                    http_status: int | None = self._post_report(payload, secret=None)
                except OSError as exc:
                    logger.info("Delivery report to %s failed: %s", self.callback_url, exc)
                    http_status = None
                self._record_report(payload, http_status)
                if http_status is not None and http_status < 500:
                    break
                if self._stopping.wait(0.1 * (attempt + 1)):
                    return

    def _post_report(self, payload: dict[str, str], *, secret: str | None) -> int:
        """POST one signed report; its HTTP status. Raises OSError without an answer."""
        from sms import signing  # free of Django; lazy so process mode never needs it

        if self.callback_url is None:
            raise RuntimeError("this LocalGateway has no callback_url")
        raw = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "Content-Length": str(len(raw))}
        key = secret if secret is not None else self.callback_secret or ""
        headers |= signing.sign(secret=key, body=raw)
        scheme, host, port, path = _split_http_url(self.callback_url)
        connection_class = (
            http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(host, port, timeout=CALLBACK_TIMEOUT)
        try:
            connection.request("POST", path, body=raw, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def _record_report(self, payload: dict[str, str], http_status: int | None) -> None:
        with self._lock:
            self._reports.append(SentReport(payload=payload, http_status=http_status))
            self._changed.notify_all()

    # --- the contract ----------------------------------------------------------------------

    def _handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> _Answer:
        if path == "/_stats" and method == "GET":
            return _Answer(200, self.stats())
        if path == "/_reset" and method == "POST":
            self.reset()
            return _Answer(200, {"ok": True})
        endpoints = {"/send": "POST", "/status": "GET", "/_stats": "GET", "/_reset": "POST"}
        if path not in endpoints:
            return _Answer(404, {"error": "no_such_endpoint"})
        if method != endpoints[path]:
            return _Answer(405, {"error": "method_not_allowed"}, {"Allow": endpoints[path]})
        on: Endpoint = "send" if path == "/send" else "status"
        with self._lock:
            delay = self.latency + (self._slow[on].popleft() if self._slow[on] else 0.0)
            answer = self._answer(on, query, headers, body)
        answer.delay = delay
        return answer

    def _answer(self, on: Endpoint, query: str, headers: dict[str, str], body: bytes) -> _Answer:
        """The answer to one contract request. Call with the lock held."""
        given = headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.api_key}".encode()):
            self._counts["unauthorized"] += 1
            return _Answer(401, {"error": "unauthorized"})
        if self._faults[on]:
            fault = self._faults[on].popleft()
            self._counts["injected_failures"] += 1
            extra = {"Retry-After": RATE_LIMIT_RETRY_AFTER} if fault.status == 429 else {}
            return _Answer(fault.status, {"error": fault.error}, extra)
        if on == "status":
            return self._lookup(query)
        return self._send(body)

    def _lookup(self, query: str) -> _Answer:
        self._counts["lookups"] += 1
        localid = parse_qs(query).get("localid", [""])[0]
        if not localid:
            return _Answer(400, {"error": "localid_required"})
        stored = self._messages.get(localid)
        if stored is None:
            return _Answer(404, {"error": "not_found"})
        return _Answer(200, {"messageid": stored.messageid, "status": stored.status})

    def _send(self, body: bytes) -> _Answer:
        if self._bucket is not None and not self._bucket.take():
            # Every send counts against the rate, as at a real provider: resends too.
            self._counts["rejected_429"] += 1
            return _Answer(429, {"error": "rate_limited"}, {"Retry-After": RATE_LIMIT_RETRY_AFTER})
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return self._reject(400, "bad_request")
        fields = ("sender", "receptor", "message", "localid")
        if not isinstance(data, dict) or not all(
            isinstance(data.get(name), str) and data[name] for name in fields
        ):
            return self._reject(400, "bad_request")
        sender, receptor, message, localid = (data[name] for name in fields)
        if len(localid) > MAX_LOCALID_LENGTH:
            return self._reject(400, "bad_request")
        known = self._messages.get(localid)
        if known is not None and self.dedup:
            # The provider's de-duplication: the first answer again, nothing sent.
            self._resends[localid] += 1
            return _Answer(200, {"messageid": known.messageid})
        if not RECEPTOR.fullmatch(receptor):
            return self._reject(400, "invalid_receptor")
        if receptor in self._refused_receptors:
            return self._reject(400, self._refused_receptors[receptor])
        if sender in self._refused_senders:
            return self._reject(403, "sender_not_allowed")
        if known is not None:
            self._resends[localid] += 1
        messageid = str(next(self._ids))
        self._messages[localid] = _Stored(messageid=messageid, status="sent")
        self._received.append(Received(localid, sender, receptor, message, time.monotonic()))
        if self.callback_url is not None:
            self._schedule_report(localid)
        self._changed.notify_all()
        return _Answer(200, {"messageid": messageid})

    def _reject(self, status: int, error: str) -> _Answer:
        self._counts["rejected"] += 1
        return _Answer(status, {"error": error})

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake up when the gateway stops."""
        self._stopping.wait(seconds)


def _report_payload(
    localid: str, messageid: str, status: str, event_id: str | None, at: datetime | str | None
) -> dict[str, str]:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise ValueError("at must be an aware datetime")
        at = at.astimezone(UTC).isoformat()
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "localid": localid,
        "messageid": messageid,
        "status": status,
        "at": at if at is not None else datetime.now(UTC).isoformat(),
    }


def _split_http_url(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, parts.port, path


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a benchmark opens many connections at once

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        gateway: LocalGateway,
    ) -> None:
        self.gateway = gateway
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """Wake every handler thread waiting on a kept-alive connection."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as a client's connection pool expects
    server_version = "PayamLocalSmsGateway/1"
    timeout = 60  # seconds an idle kept-alive connection holds its thread
    # Headers and body go out in two writes; with Nagle's algorithm the body would wait
    # for the client's delayed ACK (about 40 ms) on every kept-alive request.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.track(self.connection, open_=False)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:  # the client went away, or stop() closed the connection
            self.close_connection = True

    def do_GET(self) -> None:  # the name http.server looks for
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True  # the unread body would be taken for a request
            self._respond(_Answer(411, {"error": "length_required"}))
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True  # the unread body would be taken for a request
            self._respond(_Answer(413, {"error": "body_too_large"}))
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.gateway._handle(method, parts.path, parts.query, headers, body)
        if answer.delay > 0:
            self.server.gateway._pause(answer.delay)
        self._respond(answer)

    def _respond(self, answer: _Answer) -> None:
        raw = json.dumps(answer.payload).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


# --- process mode --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sms.testing.gateway_server",
        description="A local SMS gateway (docs/sms-gateway.md) for benchmarks. "
        "Prints its base URL on the first line, serves until SIGINT or SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (default)")
    parser.add_argument("--rate", type=float, default=None, help="sends per second (no limit)")
    parser.add_argument("--burst", type=float, default=None, help="bucket size (one second)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument(
        "--api-key", default=os.environ.get("LOCAL_SMS_GATEWAY_API_KEY", "test-key")
    )
    parser.add_argument("--callback-url", default=None, help="POST delivery reports here")
    parser.add_argument(
        "--callback-secret",
        default=os.environ.get("SMS_CALLBACK_SECRET"),
        help="signs the reports (default: $SMS_CALLBACK_SECRET)",
    )
    parser.add_argument("--callback-delay", type=float, default=0.05)
    parser.add_argument("--no-dedup", action="store_true", help="deliver a resent localid again")
    args = parser.parse_args(argv)
    try:
        gateway = LocalGateway(
            rate_per_second=args.rate,
            api_key=args.api_key,
            callback_url=args.callback_url,
            callback_secret=args.callback_secret,
            latency=args.latency,
            burst=args.burst,
            callback_delay=args.callback_delay,
            dedup=not args.no_dedup,
            host=args.host,
            port=args.port,
        )
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with gateway:
        sys.stdout.write(gateway.url + "\n")
        sys.stdout.flush()
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
