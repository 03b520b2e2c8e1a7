"""Sessions read from the cache, kept in the database (payam.sessions): no query
for the session on most requests, a cache that is down is never an error, and a
session ended while the cache was unreachable outlives its end by at most
SESSION_CACHE_SECONDS."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payam.sessions import SessionStore

pytestmark = pytest.mark.django_db

PAGE = "/"


def session_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(PAGE)
    return sum("django_session" in q["sql"] for q in queries.captured_queries)


def signed_in(django_user_model) -> Client:
    user = django_user_model.objects.create_user(username="0012345679", password="x" * 12)
    client = Client()
    client.force_login(user)
    return client


def down(*args, **kwargs):
    raise ConnectionError("redis is down")


def test_a_signed_in_request_reads_the_session_from_the_cache(django_user_model):
    client = signed_in(django_user_model)
    session_queries(client)  # the first read may fill the cache
    assert session_queries(client) == 0
    assert client.get(PAGE).wsgi_request.user.is_authenticated


def test_the_cache_keeps_a_session_a_minute_at_most(django_user_model, monkeypatch):
    timeouts: list[int] = []
    real_set = cache.set

    def recording(key, value, timeout=None, **kwargs):
        if key.startswith(SessionStore.cache_key_prefix):
            timeouts.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording)
    signed_in(django_user_model)
    assert timeouts and max(timeouts) <= settings.SESSION_CACHE_SECONDS
    assert settings.SESSION_CACHE_SECONDS < settings.SESSION_COOKIE_AGE


def test_a_cache_that_is_down_costs_a_query_never_the_sign_in(django_user_model, monkeypatch):
    for name in ("get", "set", "delete", "get_many", "add"):
        monkeypatch.setattr(cache, name, down)
    client = signed_in(django_user_model)
    response = client.get(PAGE)
    assert response.status_code == 200 and response.wsgi_request.user.is_authenticated
    assert session_queries(client) == 1  # from the database
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not Session.objects.exists()
    assert not client.get(PAGE).wsgi_request.user.is_authenticated


def test_signing_out_ends_the_session_in_the_cache_too(django_user_model):
    client = signed_in(django_user_model)
    key = str(client.session.session_key)
    client.get(PAGE)
    client.post(reverse("account_logout"))
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not thief.get(PAGE).wsgi_request.user.is_authenticated


def test_a_session_ended_while_the_cache_was_down_lasts_a_minute_at_most(
    django_user_model, monkeypatch, settings
):
    # SESSION_CACHE_SECONDS (60) shortened to one second, and real time waited:
    # the cache's own expiry is what counts (Redis keeps its own clock).
    settings.SESSION_CACHE_SECONDS = 1
    client = signed_in(django_user_model)
    key = str(client.session.session_key)
    client.get(PAGE)  # kept in the cache
    with monkeypatch.context() as broken:
        broken.setattr(cache, "delete", down)
        client.post(reverse("account_logout"))  # the database forgets it; the cache cannot
    assert not Session.objects.filter(session_key=key).exists()
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    time.sleep(1.2)
    assert not thief.get(PAGE).wsgi_request.user.is_authenticated
