"""The Redis cache with one shared client per connection pool (payam.cache): the
cache's whole interface on a real Redis, from one client, from several threads."""

import threading
import uuid

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.services


@pytest.fixture
def shared(redis_url, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "payam.cache.SharedClientRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    cache = caches["shared"]
    yield cache
    cache.clear()


def test_every_call_shares_one_client(shared):
    inner = shared._cache
    assert inner.get_client("a") is inner.get_client("b", write=True)


def test_the_cache_works_as_djangos(shared):
    assert shared.get("missing") is None
    shared.set("letter", {"subject": "اطلاعیه"}, 30)
    assert shared.get("letter") == {"subject": "اطلاعیه"}
    assert shared.add("letter", "other", 30) is False
    assert shared.add("fresh", 1, 30) is True
    assert shared.get_many(["letter", "fresh", "missing"]) == {
        "letter": {"subject": "اطلاعیه"},
        "fresh": 1,
    }
    assert shared.incr("fresh") == 2
    shared.delete_many(["letter", "fresh"])
    assert shared.get_many(["letter", "fresh"]) == {}


def test_threads_share_the_client_safely(shared):
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                shared.set(f"k{n}-{i}", i, 30)
                assert shared.get(f"k{n}-{i}") == i
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_keys_are_not_checked_for_memcached(shared):
    """Redis takes any key: no CacheKeyWarning per key (a broadcast drops hundreds
    of thousands of inbox keys at once, and the check was half their cost)."""
    import warnings

    from django.core.cache.backends.base import CacheKeyWarning

    long_key = "inbox:" + "x" * 300  # past memcached's 250 characters
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        shared.set(long_key, 1, 30)
        assert shared.get(long_key) == 1
        shared.delete_many([long_key, "with space"])
    assert shared.get(long_key) is None
