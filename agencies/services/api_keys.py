"""An agency's API keys: made by its admin (the whole key shown once, only a
visible prefix and its SHA-256 kept), revoked by its admin, and found again
from the `Authorization: Bearer` header of a request to `/api/v1/`."""

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_agency_admin, user_agency
from payam.audit import audit_record
from payam.text import normalize_text

from ..constants import API_KEY_PREFIX, IDEMPOTENCY_TTL_HOURS, ApiScope
from ..exceptions import ApiKeyRefused
from ..models import Agency, ApiIdempotencyKey, ApiKey

# last_used_at is written at most this often for one key (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)
# "pym_" and 8 hex digits: the part of a key its agency sees again in the list.
PREFIX_LENGTH = len(API_KEY_PREFIX) + 1 + 8
PREFIX_SHAPE = re.compile(rf"{API_KEY_PREFIX}_[0-9a-f]{{8}}")


@dataclass(frozen=True)
class IssuedKey:
    """A key just made: `secret` is the whole key, shown once and never kept."""

    key: ApiKey
    secret: str


def key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _ensure_admin(actor: object, agency: Agency) -> User:
    if not isinstance(actor, User) or not is_agency_admin(actor):
        raise PermissionDenied
    member_of = user_agency(actor)
    if member_of is None or member_of.pk != agency.pk:
        raise PermissionDenied
    return actor


def api_key_create(
    *,
    actor: object,
    agency: Agency,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime | None = None,
) -> IssuedKey:
    """A new key of `agency` by its admin. Letters sent with it are composed
    as this admin (who must still be allowed to send when they go)."""
    admin = _ensure_admin(actor, agency)
    name = normalize_text(" ".join((name or "").splitlines()))[:100]
    if not name:
        raise ApiKeyRefused(_("برای کلید نامی بنویسید، مانند «اتوماسیون اداری»."))
    chosen = sorted(set(scopes))
    if not chosen or any(scope not in ApiScope.values for scope in chosen):
        raise ApiKeyRefused(_("دست‌کم یک دسترسی برای کلید برگزینید."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiKeyRefused(_("زمان انقضای کلید گذشته است؛ زمانی در آینده بگذارید."))
    prefix = f"{API_KEY_PREFIX}_{secrets.token_hex(4)}"
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            agency=agency,
            name=name,
            prefix=prefix,
            key_hash=key_digest(secret),
            scopes=chosen,
            created_by=admin,
            expires_at=expires_at,
        )
        audit_record(
            actor=admin,
            action="agency.api_key_create",
            target=key,
            data={
                "agency": agency.pk,
                "prefix": prefix,
                "name": name,
                "scopes": chosen,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return IssuedKey(key=key, secret=secret)


def api_key_revoke(*, actor: object, agency: Agency, key_id: int) -> ApiKey:
    """The agency's admin revokes one of its keys: refused at once from then on."""
    admin = _ensure_admin(actor, agency)
    with transaction.atomic():
        key = (
            ApiKey.objects.select_for_update()
            .filter(pk=key_id, agency=agency, revoked_at__isnull=True)
            .first()
        )
        if key is None:
            raise PermissionDenied
        key.revoked_at = timezone.now()
        key.revoked_by = admin
        key.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=admin,
            action="agency.api_key_revoke",
            target=key,
            data={"agency": agency.pk, "prefix": key.prefix, "name": key.name},
        )
    return key


def api_key_find(secret: str) -> ApiKey | None:
    """The key `secret` names, revoked and expired ones included (the caller
    tells them apart), or None. Compared by its digest in constant time."""
    secret = secret or ""
    prefix = secret[:PREFIX_LENGTH]
    if not PREFIX_SHAPE.fullmatch(prefix) or secret[PREFIX_LENGTH : PREFIX_LENGTH + 1] != "_":
        return None
    key = ApiKey.objects.select_related("agency", "created_by").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.key_hash, key_digest(secret)):
        return None
    return key


def api_key_touch(key: ApiKey) -> None:
    """Stamp the key's last use, at most once a minute."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now


def api_idempotency_purge(*, now: datetime | None = None) -> int:
    """Forget the Idempotency-Keys older than IDEMPOTENCY_TTL_HOURS (the hourly
    beat); returns how many. A request meeting an older one forgets it too."""
    since = (now or timezone.now()) - timedelta(hours=IDEMPOTENCY_TTL_HOURS)
    deleted, _rows = ApiIdempotencyKey.objects.filter(created_at__lt=since).delete()
    return deleted
