"""Dependency checks behind /healthz."""

import redis
from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError

OK = "ok"
DOWN = "down"
NOT_CONFIGURED = "not configured"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return DOWN
    return OK


def redis_status() -> str:
    if not settings.REDIS_URL:
        return NOT_CONFIGURED
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return DOWN
    finally:
        client.close()
    return OK
