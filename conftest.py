"""Project-wide pytest set-up.

With DATABASE_URL / REDIS_URL set, tests use that PostgreSQL / Redis. With
REQUIRE_SERVICES=1 (CI), a missing or unreachable one stops the whole run with
an error instead of letting tests skip.
"""

import os
from collections.abc import Iterator

import pytest


def _service_problems() -> list[str]:
    from django.conf import settings
    from django.db import connections

    from payam import health

    problems = []
    if not os.environ.get("DATABASE_URL"):
        problems.append("DATABASE_URL is not set")
    elif connections["default"].vendor != "postgresql":
        problems.append("DATABASE_URL does not name PostgreSQL")
    elif (error := _postgres_unreachable(settings.DATABASES["default"])) is not None:
        problems.append(f"PostgreSQL is unreachable ({error})")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL is not set")
    elif health.redis_status() != health.OK:
        problems.append(f"Redis at {settings.REDIS_URL} is unreachable")
    return problems


def _postgres_unreachable(db: dict) -> str | None:
    import psycopg

    try:
        psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        return str(exc).splitlines()[0]
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        problems = _service_problems()
        if problems:
            pytest.exit("REQUIRE_SERVICES=1 but " + "; ".join(problems), returncode=3)


@pytest.fixture
def redis_url() -> str:
    """The configured Redis, or a skip (a failure under REQUIRE_SERVICES=1)."""
    from django.conf import settings

    from payam import health

    if not settings.REDIS_URL or health.redis_status() != health.OK:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("Redis is required (REQUIRE_SERVICES=1) but unreachable")
        pytest.skip("REDIS_URL not set or Redis unreachable")
    return str(settings.REDIS_URL)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _portal_language() -> Iterator[None]:
    """Every test starts in the portal's language (Persian). A request through the
    test client in English leaves LocaleMiddleware's choice active in the thread,
    and which test runs next in that thread depends on the order (pytest-xdist)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin client, signed in as every administrator must be: with
    the second factor passed in this session (accounts/second_factor.py)."""
    from django.test import Client

    from accounts.testing import sign_in_with_second_factor

    client = Client()
    sign_in_with_second_factor(client, admin_user)
    return client
