"""Fixed-window rate limits kept in Django's cache.

    result = hit(key=client_key(request, "sms.check"), limit=20, window_seconds=60)
    if not result.allowed:
        ...  # answer 429 and say "try again in result.retry_after seconds"

Windows are aligned to the clock (00:00–00:59, 01:00–01:59, … for a 60-second
window), so every web process agrees on where a window starts without storing it.
Each window has its own cache key, created with `cache.add` (a no-op when another
process made it first) and counted with `cache.incr`, which is atomic on Redis and
under a lock on LocMemCache. The key expires by itself shortly after its window.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from payam.middleware import client_ip

KEY_PREFIX = "ratelimit"


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    retry_after: int  # whole seconds until the window ends; 0 when allowed


def hit(*, key: str, limit: int, window_seconds: int, using: str = "default") -> RateLimitResult:
    """Count one event for `key`; allowed while at most `limit` happened in this window."""
    if window_seconds <= 0:
        raise ValueError("window_seconds must be positive")
    cache = caches[using]
    now = time.time()
    window = int(now // window_seconds)
    window_ends_in = max(1, math.ceil((window + 1) * window_seconds - now))
    cache_key = f"{KEY_PREFIX}:{key}:{window_seconds}:{window}"
    # One second of slack so a key never expires before its window is over.
    timeout = window_ends_in + 1
    cache.add(cache_key, 0, timeout=timeout)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key was evicted between add and incr: this is the first event again.
        cache.add(cache_key, 1, timeout=timeout)
        count = 1
    allowed = count <= limit
    return RateLimitResult(allowed=allowed, retry_after=0 if allowed else window_ends_in)


def client_key(request: HttpRequest, scope: str) -> str:
    """The key for `scope` (e.g. "sms.check") and the client address of `request`."""
    return f"{scope}:{client_ip(request) or 'unknown'}"


def too_many_requests(request: HttpRequest, *, retry_after: int | None) -> HttpResponse:
    """The "too many tries" page: 429, the wait in minutes, and `Retry-After` in
    seconds when it is known."""
    context = {"minutes": math.ceil(retry_after / 60) if retry_after else None}
    response = render(request, "429.html", context, status=429)
    if retry_after:
        response["Retry-After"] = str(max(1, retry_after))
    add_never_cache_headers(response)
    return response
