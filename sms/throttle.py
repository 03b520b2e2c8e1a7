"""A token bucket per gateway, shared by every worker through Redis.

`rate` tokens a second, at most `rate` stored (one second of burst). Lanes other
than OTP may only take a token while more than `reserve` of the bucket is left,
so a campaign can never use up the capacity one-time codes need.
Without Redis (the embedded default) the bucket lives in this process."""

import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings

_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local reserve = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 + reserve then
  tokens = tokens - 1
else
  wait = (1 + reserve - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return tostring(wait)
"""


@dataclass
class _LocalBucket:
    tokens: float
    ts: float


_local: dict[str, _LocalBucket] = {}
_local_lock = threading.Lock()
_scripts: dict[str, object] = {}


def _script_for(url: str) -> object:
    if url not in _scripts:
        client = redis.Redis.from_url(url, socket_timeout=5)
        _scripts[url] = client.register_script(_LUA)
    return _scripts[url]


def _take_local(key: str, rate: float, reserve: float) -> float:
    with _local_lock:
        now = time.monotonic()
        bucket = _local.setdefault(key, _LocalBucket(tokens=rate, ts=now))
        bucket.tokens = min(rate, bucket.tokens + (now - bucket.ts) * rate)
        bucket.ts = now
        if bucket.tokens >= 1 + reserve:
            bucket.tokens -= 1
            return 0.0
        return (1 + reserve - bucket.tokens) / rate


def try_take(*, gateway: str, reserve_share: float = 0.0) -> float:
    """Take one token; 0.0 if taken, else the seconds to wait before asking again."""
    rate = float(settings.SMS_RATE_LIMIT_PER_SECOND)
    if rate <= 0:
        return 0.0
    reserve = rate * reserve_share
    key = f"payam:sms:bucket:{gateway}"
    if not settings.REDIS_URL:
        return _take_local(key, rate, reserve)
    script = _script_for(settings.REDIS_URL)
    return float(script(keys=[key], args=[rate, rate, reserve]))  # type: ignore[operator]


def take(*, gateway: str, reserve_share: float = 0.0, give_up_after: float = 30.0) -> bool:
    """Block until a token is taken (True) or `give_up_after` seconds pass (False)."""
    deadline = time.monotonic() + give_up_after
    while True:
        wait = try_take(gateway=gateway, reserve_share=reserve_share)
        if wait <= 0:
            return True
        if time.monotonic() + wait > deadline:
            return False
        time.sleep(min(wait, 0.25))
