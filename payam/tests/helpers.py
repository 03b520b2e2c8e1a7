"""Test helpers every app may use (payam is the bottom layer)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

# What a person types into the captcha in tests: payam.captcha under CAPTCHA_TEST_MODE.
CAPTCHA = {"captcha_0": "test", "captcha_1": "PASSED"}

DRAINED = "/drained"


@contextmanager
def stalled_upstream(httpserver: HTTPServer, path: str, body: str) -> Iterator[None]:
    """Inside the block, the local server takes a request to `path` and does not
    answer: a client's read timeout fires however fast or slow the machine is.
    Leaving the block lets it answer, then drains the server, which answers one
    request at a time in the order they came: once it answered DRAINED, every
    request a client sent inside the block is in `httpserver.log`."""
    release = threading.Event()

    def stall(request: Request) -> Response:
        release.wait(timeout=30)  # a client without a read timeout gets an answer, late
        return Response(body, content_type="application/json")

    httpserver.expect_request(path).respond_with_handler(stall)
    httpserver.expect_request(DRAINED).respond_with_data("")
    try:
        yield
    finally:
        release.set()
        requests.get(httpserver.url_for(DRAINED), timeout=30)


def record_timeouts(monkeypatch: pytest.MonkeyPatch, session: requests.Session) -> list[object]:
    """The `timeout` of every call `session` makes (each still goes through)."""
    timeouts: list[object] = []
    send = session.request

    def request(*args: object, **kwargs: object) -> requests.Response:
        timeouts.append(kwargs.get("timeout"))
        return send(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session, "request", request)
    return timeouts
