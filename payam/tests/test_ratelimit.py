"""Fixed-window rate limits: counted per key and window, reset when the window ends."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
from django.core.cache import caches
from freezegun import freeze_time

from payam.ratelimit import RateLimitResult, client_key, hit

START = datetime(2024, 11, 23, 8, 0, 10, tzinfo=UTC)  # ten seconds into a minute


LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A fresh in-memory cache per test: nothing shared, and never a flush of a real Redis."""
    settings.CACHES = {"default": {"BACKEND": LOCMEM, "LOCATION": uuid.uuid4().hex}}


def test_allows_up_to_the_limit_then_refuses_until_the_window_ends():
    with freeze_time(START):
        results = [hit(key="k", limit=3, window_seconds=60) for _ in range(4)]

    assert [r.allowed for r in results] == [True, True, True, False]
    assert results[0] == RateLimitResult(allowed=True, retry_after=0)
    assert results[3].retry_after == 50


def test_retry_after_counts_down_within_the_window():
    with freeze_time(START) as frozen:
        hit(key="k", limit=1, window_seconds=60)
        frozen.tick(timedelta(seconds=30))
        result = hit(key="k", limit=1, window_seconds=60)

    assert not result.allowed
    assert result.retry_after == 20


def test_a_new_window_starts_a_new_count():
    with freeze_time(START) as frozen:
        for _ in range(3):
            hit(key="k", limit=2, window_seconds=60)
        frozen.tick(timedelta(seconds=50))  # 08:01:00, the next minute

        result = hit(key="k", limit=2, window_seconds=60)

    assert result.allowed


def test_the_count_survives_until_the_end_of_its_window_only():
    """The cache entry expires on its own (here: LocMemCache's own clock, frozen)."""
    with freeze_time(START) as frozen:
        hit(key="k", limit=1, window_seconds=60)
        frozen.tick(timedelta(seconds=49))
        assert not hit(key="k", limit=1, window_seconds=60).allowed
        frozen.tick(timedelta(seconds=120))
        assert hit(key="k", limit=1, window_seconds=60).allowed


def test_keys_are_counted_apart():
    with freeze_time(START):
        hit(key="a", limit=1, window_seconds=60)
        assert not hit(key="a", limit=1, window_seconds=60).allowed

        assert hit(key="b", limit=1, window_seconds=60).allowed


def test_the_same_key_with_another_window_length_is_counted_apart():
    with freeze_time(START):
        assert hit(key="k", limit=1, window_seconds=60).allowed
        assert hit(key="k", limit=1, window_seconds=3600).allowed


def test_a_limit_of_zero_refuses_everything():
    with freeze_time(START):
        assert not hit(key="k", limit=0, window_seconds=60).allowed


def test_an_evicted_key_starts_counting_again():
    with freeze_time(START):
        hit(key="k", limit=1, window_seconds=60)
        caches["default"].clear()

        assert hit(key="k", limit=1, window_seconds=60).allowed


def test_window_must_be_positive():
    with pytest.raises(ValueError):
        hit(key="k", limit=1, window_seconds=0)


def test_client_key_names_the_scope_and_the_address(rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.7")

    assert client_key(request, "sms.check") == "sms.check:192.0.2.7"


def test_client_key_without_an_address(rf):
    request = rf.get("/")
    request.META.pop("REMOTE_ADDR", None)

    assert client_key(request, "sms.check") == "sms.check:unknown"


def test_client_key_behind_the_proxy_takes_the_hop_it_appended(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")

    assert client_key(request, "s") == "s:198.51.100.9"


@pytest.mark.services
def test_redis_counts_and_expires(redis_url, settings):
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": LOCMEM, "LOCATION": uuid.uuid4().hex},
        "redis": {
            "BACKEND": "payam.cache.SharedClientRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        },
    }
    client = redis.Redis.from_url(redis_url)
    try:
        with freeze_time(START):  # the three hits land in one window, whatever the clock says
            results = [hit(key="k", limit=2, window_seconds=60, using="redis") for _ in range(3)]
        assert [r.allowed for r in results] == [True, True, False]
        assert results[2].retry_after == 50
        stored = client.keys(f"{prefix}:*")
        assert len(stored) == 1
        assert 0 < client.ttl(stored[0]) <= 51  # the rest of the window and a second of slack
    finally:
        for key in client.keys(f"{prefix}:*"):  # only ours: never flush a shared Redis
            client.delete(key)
