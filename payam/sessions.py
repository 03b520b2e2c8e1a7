"""Sessions read from the cache, kept in the database (SESSION_ENGINE).

Django's `cached_db`, with two changes. A cache that is down is never an
error: a read falls back to the database and a write to the cache is skipped
(Django's own `load` and `delete` raise when Redis is unreachable). And a
session is kept in the cache for SESSION_CACHE_SECONDS at most, not for the
session's whole age: a session ended (signed out, or ended by a password
change) while the cache was unreachable, whose copy the cache still holds when
it is back, is served from it for at most that long, after which the database's
answer (no such session) counts."""

import logging
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger("payam.sessions")


class SessionStore(cached_db.SessionStore):
    _cache: BaseCache  # set by cached_db.SessionStore.__init__ (not in the stubs)

    def _cache_set(self, data: dict[str, Any], seconds: int) -> None:
        try:
            self._cache.set(self.cache_key, data, min(settings.SESSION_CACHE_SECONDS, seconds))
        except Exception:
            logger.warning("Could not keep a session in the cache", exc_info=True)

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("The cache is unreachable; reading the session", exc_info=True)
            data = None
        if data is not None:
            return dict(data)
        stored = self._get_session_from_db()  # type: ignore[attr-defined]
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        self._cache_set(data, self.get_expiry_age(expiry=stored.expire_date))
        return dict(data)

    def exists(self, session_key: str) -> bool:
        return super(cached_db.SessionStore, self).exists(session_key)  # the database's answer

    def save(self, must_create: bool = False) -> None:
        super(cached_db.SessionStore, self).save(must_create)  # the database's save
        self._cache_set(self._get_session(), self.get_expiry_age())  # type: ignore[attr-defined]

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)  # the database's delete
        key = session_key or self.session_key
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception:
            logger.warning("Could not drop a session from the cache", exc_info=True)
