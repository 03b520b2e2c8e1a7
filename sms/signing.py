"""Signed webhooks between Payam and SMS/USSD gateways.

The sender adds two headers:

    X-Payam-Timestamp: 1732352400                    (Unix seconds)
    X-Payam-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

The receiver recomputes the HMAC with `settings.SMS_CALLBACK_SECRET`, compares in
constant time, and refuses timestamps older (or newer) than
`SMS_CALLBACK_MAX_AGE` seconds, so a captured request cannot be replayed later.
"""

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Payam-Timestamp"
SIGNATURE_HEADER = "X-Payam-Signature"


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def sign(*, secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The headers to send with `body`."""
    timestamp = str(int(now if now is not None else time.time()))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret=secret, timestamp=timestamp, body=body),
    }


# Unix seconds have 10 digits until the year 2286; anything longer is not a time.
MAX_TIMESTAMP_DIGITS = 12


def verify(
    *,
    secret: str,
    body: bytes,
    timestamp: str | None,
    given: str | None,
    max_age: int,
    now: float | None = None,
) -> bool:
    """Whether `given` signs `timestamp` and `body` and the timestamp is fresh. Any
    header a client can send — thousands of digits, digits of another script, a
    non-ASCII signature — is a False, never an exception."""
    if not secret or not timestamp or not given:
        return False
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return False
    current = now if now is not None else time.time()
    if abs(current - int(timestamp)) > max_age:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))
