"""Django's Redis cache, with one client per connection pool instead of one per
call: Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every
get and set, and each one fills a table of some 170 response callbacks — about
a tenth of a millisecond of CPU per cache call, on every page. A `redis.Redis`
is safe to share between threads (it takes a connection from its pool per
command), so one per pool does the same work.

Keys are not checked for memcached's limits (length, control characters): Django
warns about them on every key for portability to memcached, which this cache is
not; dropping a national broadcast's inbox caches makes hundreds of thousands of
keys, and the check was half the time of making them (docs/performance.md)."""

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClient(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClient

    def make_and_validate_key(self, key: Any, version: int | None = None) -> str:
        return self.make_key(key, version=version)
