"""A small webhook receiver: an http.server that checks each request's
signature with `verify_signature` (the function docs/webhooks.md prints) and
keeps what it got. `manage.py webhook_receiver` runs one for the demo; the
tests run one in a thread (and make it answer 500 or stall)."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .webhook_signature import verify_signature


@dataclass
class Received:
    event: str
    delivery: str
    timestamp: str
    signature_valid: bool
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class ReceiverServer(ThreadingHTTPServer):
    """Answers `status` (after `delay` seconds) to every POST, 401 when the
    signature does not verify; `received` lists every request in order."""

    daemon_threads = True

    def __init__(self, port: int, secret: str, *, host: str = "127.0.0.1") -> None:
        self.secret = secret
        self.status = 200
        self.delay = 0.0
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.on_receive: Any = None
        self.release = threading.Event()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/payam/webhook"


class _Handler(BaseHTTPRequestHandler):
    server: ReceiverServer

    def do_POST(self) -> None:  # noqa: N802 — http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        timestamp = self.headers.get("Payam-Timestamp", "")
        valid = verify_signature(
            self.server.secret, body, timestamp, self.headers.get("Payam-Signature", "")
        )
        got = Received(
            event=self.headers.get("Payam-Event", ""),
            delivery=self.headers.get("Payam-Delivery", ""),
            timestamp=timestamp,
            signature_valid=valid,
            body=body,
            headers=dict(self.headers.items()),
        )
        with self.server.lock:
            self.server.received.append(got)
        if self.server.on_receive is not None:
            self.server.on_receive(got)
        if self.server.delay:
            self.server.release.wait(self.server.delay)
        status = self.server.status if valid else 401
        answer = b'{"ok": true}' if 200 <= status < 300 else b'{"error": "refused"}'
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass  # the sender gave up waiting (a timeout test)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


def start_in_thread(server: ReceiverServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    return thread
