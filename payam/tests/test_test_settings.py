"""The test settings' share-out of Redis between pytest-xdist workers."""

from payam.settings.test import redis_url_for_worker


def test_each_worker_has_the_database_after_the_previous_one():
    assert redis_url_for_worker("redis://127.0.0.1:6379/14", "gw0") == "redis://127.0.0.1:6379/14"
    assert redis_url_for_worker("redis://127.0.0.1:6379/14", "gw1") == "redis://127.0.0.1:6379/15"
    assert redis_url_for_worker("redis://127.0.0.1:6379", "gw3") == "redis://127.0.0.1:6379/3"
    assert redis_url_for_worker("redis://:pw@redis:6379/2", "gw1") == "redis://:pw@redis:6379/3"


def test_the_count_goes_round_the_sixteen_databases():
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/0"
    assert redis_url_for_worker("redis://127.0.0.1:6379/14", "gw4") == "redis://127.0.0.1:6379/2"
