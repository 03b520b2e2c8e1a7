"""How many SMS parts a body takes.

GSM 03.38 text: 160 characters in one part, 153 per part when split; the
extension characters (^ { } [ ] ~ | € and backslash) take two. Anything else —
every Persian text — is UCS-2: 70 characters in one part, 67 per part when
split; a character outside the BMP (an emoji) takes two UTF-16 units."""

from dataclasses import dataclass

from .constants import GSM7_MULTI, GSM7_SINGLE, MAX_PARTS, UCS2_MULTI, UCS2_SINGLE

_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Encoded:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets or UTF-16 code units
    parts: int


def _parts(units: int, single: int, multi: int) -> int:
    if units <= single:
        return 1
    return -(-units // multi)


def measure(body: str) -> Encoded:
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in body):
        units = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in body)
        return Encoded("gsm7", units, _parts(units, GSM7_SINGLE, GSM7_MULTI))
    units = len(body.encode("utf-16-le")) // 2
    return Encoded("ucs2", units, _parts(units, UCS2_SINGLE, UCS2_MULTI))


def max_units(encoding: str) -> int:
    return (GSM7_MULTI if encoding == "gsm7" else UCS2_MULTI) * MAX_PARTS
