"""Tracking codes (کد رهگیری): 10 uppercase characters such as `66E0814240`.

Nine random characters from Crockford's base-32 alphabet (no I, L, O, U, so a
code read aloud or off paper is not misread), 45 bits from `secrets`, then one
check character (Luhn mod 32), which catches every single mistyped character
and every swap of two neighbours; a mistyped code is refused before any lookup.

Codes are unique per kind: each issued code is recorded in `TrackingCode`
(kind, code), whose unique constraint settles the rare collision by a retry.
"""

import secrets

from django.db import IntegrityError, transaction

from payam.text import normalize_digits

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
_BASE = len(ALPHABET)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# What people type instead of the intended character.
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_MAX_ATTEMPTS = 8


class TrackingKind:
    LETTER = "letter"
    REQUEST = "request"
    TICKET = "ticket"
    AGENCY_REGISTRATION = "agency_registration"
    CAMPAIGN = "campaign"
    BROADCAST = "broadcast"
    GATEWAY_REQUEST = "gateway_request"


def check_character(body: str) -> str:
    """Luhn mod N over the alphabet: the character that makes the code valid."""
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        total += addend // _BASE + addend % _BASE
        factor = 1 if factor == 2 else 2
    return ALPHABET[(_BASE - total % _BASE) % _BASE]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + check_character(body)


def normalize(value: str) -> str:
    """What a person typed → canonical form: Persian digits, lower case, spaces
    and dashes and the look-alike letters I/L/O are all accepted."""
    return normalize_digits(value).upper().translate(_CONFUSABLE)


def is_valid(code: str) -> bool:
    """Format and check character of a canonical code (see `normalize`)."""
    if len(code) != LENGTH or any(ch not in _VALUE for ch in code):
        return False
    return check_character(code[:-1]) == code[-1]


def issue(*, kind: str) -> str:
    """A new code, recorded as issued for `kind` inside the caller's transaction."""
    from payam.models import TrackingCode

    for _attempt in range(_MAX_ATTEMPTS):
        code = generate()
        try:
            with transaction.atomic():
                TrackingCode.objects.create(kind=kind, code=code)
        except IntegrityError:
            continue
        return code
    raise RuntimeError(f"could not issue a unique tracking code for {kind!r}")
