"""The "last seen" of an open session (the sessions page) is written when the
session's address or browser changes, or a minute after the last write, never on
every request."""

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from .factories import UserFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; rv:140.0) Gecko/20100101 Firefox/140.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"
PAGE = "/accounts/profile/"


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


def writes(client, **headers) -> int:
    """Statements touching the sessions table during one request."""
    with CaptureQueriesContext(connection) as queries:
        client.get(PAGE, **headers)
    return sum("usersessions_usersession" in q["sql"] for q in queries.captured_queries)


def only_session(client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def test_a_request_records_the_session_then_a_minute_passes_before_the_next_write(signed_in):
    start = timezone.now()
    with freeze_time(start) as clock:
        assert writes(signed_in, HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="10.0.0.5") > 0
        first = only_session(signed_in)
        assert first.user_agent == FIREFOX and first.ip == "10.0.0.5"

        clock.tick(timedelta(seconds=30))
        assert writes(signed_in, HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="10.0.0.5") == 0
        assert only_session(signed_in).last_seen_at == first.last_seen_at

        clock.tick(timedelta(seconds=31))
        assert writes(signed_in, HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="10.0.0.5") > 0
        assert only_session(signed_in).last_seen_at > first.last_seen_at


def test_a_new_address_or_browser_is_recorded_at_once(signed_in):
    assert writes(signed_in, HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="10.0.0.5") > 0
    assert writes(signed_in, HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="10.0.0.9") > 0
    assert only_session(signed_in).ip == "10.0.0.9"
    assert writes(signed_in, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="10.0.0.9") > 0
    assert only_session(signed_in).user_agent == CHROME


def test_a_cache_that_is_down_writes_every_time(signed_in, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert writes(signed_in, HTTP_USER_AGENT=FIREFOX) > 0
    assert writes(signed_in, HTTP_USER_AGENT=FIREFOX) > 0


def test_visitors_are_not_tracked(client):
    assert writes(client) == 0
    assert not UserSession.objects.exists()


def test_the_sessions_page_shows_the_last_activity(signed_in):
    signed_in.get(PAGE, HTTP_USER_AGENT=FIREFOX)
    html = signed_in.get(reverse("usersessions_list")).content.decode()
    assert "آخرین فعالیت" in html
