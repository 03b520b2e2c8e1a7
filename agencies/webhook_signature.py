"""The signature of Payam's webhook requests, standard library only: the same
`verify_signature` is printed in docs/webhooks.md for receivers to copy, and
used by `manage.py webhook_receiver` and the tests (which check that the
document still shows this very function)."""

import hashlib
import hmac
import time

SIGNATURE_VERSION = "v1"
# A receiver refuses a request whose timestamp is further than this from its clock.
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The Payam-Signature header of `body` sent at `timestamp` (unix seconds)."""
    digest = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


# --- verify_signature: copied as is into docs/webhooks.md -------------------------------
def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """True when `signature` (the Payam-Signature header) is Payam's HMAC-SHA256,
    under your endpoint's `secret`, of the Payam-Timestamp header, a dot and the
    raw request body, and the timestamp is within `tolerance` seconds of now."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    for part in signature.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == "v1" and hmac.compare_digest(value, expected):
            return True
    return False
