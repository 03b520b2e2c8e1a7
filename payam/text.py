"""Input normalization at the edge, and Persian digits for display.

Forms and APIs call these on what people type, before validating it:
Persian (۰-۹) and Arabic-Indic (٠-٩) digits become ASCII, Arabic ي/ك/ى become
Persian ی/ک, invisible direction marks disappear, and runs of spaces and ZWNJ
(نیم‌فاصله) are folded.
"""

import re
import unicodedata

from django.utils import translation
from django.utils.translation import ngettext

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ZWNJ = "\u200c"

_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", PERSIAN_DIGITS)
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "هٔ", "ـ": None})
# Windows-1256 has no Persian ی and ک: Excel writes Arabic ي and ك in their place.
FROM_WINDOWS_1256 = str.maketrans({"ي": "ی", "ك": "ک"})
TO_WINDOWS_1256 = str.maketrans({"ی": "ي", "ک": "ك"})
# Direction marks and zero-width characters other than ZWNJ carry no meaning in input.
_INVISIBLE = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# In running text (a letter's body) only what can reorder or hide characters goes: the
# embeddings, overrides and isolates (U+202A-202E, U+2066-2069, the "Trojan Source"
# set, which can show "exe.png" for "gnp.exe"), the zero-width space, the word joiner
# and invisible operators (U+200B, U+2060-2064) and the BOM (U+FEFF). Persian writing
# needs the rest: ZWNJ (نیم‌فاصله) and ZWJ join or part letters, and the marks LRM/RLM
# (U+200E/F, keys on the standard Persian keyboard) place punctuation beside Latin
# words and numbers; they cannot reverse a run of letters.
_HIDING = re.compile("[\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZWNJ_RUN = re.compile(f"{ZWNJ}{{2,}}")
_ZWNJ_BY_SPACE = re.compile(f" ?{ZWNJ}+ ?")


def to_ascii_digits(value: str) -> str:
    return value.translate(_TO_ASCII_DIGITS)


def to_persian_digits(value: object) -> str:
    return str(value).translate(_TO_PERSIAN_DIGITS)


def localized_digits(value: object) -> str:
    """Digits for the reader: Persian on Persian pages, Latin on English ones."""
    lang = translation.get_language() or "fa"
    return str(value) if lang.startswith("en") else to_persian_digits(value)


def wait_text(seconds: int) -> str:
    """How long to wait, for a refusal: whole hours past an hour and a half,
    else whole minutes (at least one), rounded up, in the reader's digits."""
    if seconds > 90 * 60:
        hours = -(-seconds // 3600)
        return ngettext("%(hours)s ساعت", "%(hours)s ساعت", hours) % {
            "hours": localized_digits(hours)
        }
    minutes = max(1, -(-seconds // 60))
    return ngettext("%(minutes)s دقیقه", "%(minutes)s دقیقه", minutes) % {
        "minutes": localized_digits(minutes)
    }


def text_direction(value: object) -> str:
    """ "rtl" or "ltr": the direction of the first strongly directional letter of
    `value`, outside HTML tags and character references (so a sanitized letter
    body works too); "auto" when it has none (only digits or punctuation). Content
    keeps its own direction whatever the page's language: a Persian letter reads
    right to left on an English page, with its full stop at its end."""
    text = str(value or "")
    in_tag = in_entity = False
    for char in text:
        if in_tag:
            in_tag = char != ">"
        elif in_entity:
            in_entity = char != ";" and not char.isspace()
        elif char == "<":
            in_tag = True
        elif char == "&":
            in_entity = True
        else:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
    return "auto"


def normalize_text(value: str) -> str:
    """Free text (a subject, an address): digits and letters unified, spaces folded."""
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE.sub("", value).translate(_ARABIC_LETTERS)
    value = to_ascii_digits(value)
    value = _ZWNJ_RUN.sub(ZWNJ, value)
    lines = [_SPACES.sub(" ", line).strip() for line in value.splitlines()]
    return "\n".join(lines).strip()


def strip_hiding_characters(value: str) -> str:
    """Running text (a letter's body, plain or HTML) without the characters that
    reorder or hide what is shown; its lines, spaces and Persian joiners kept."""
    return _HIDING.sub("", value)


def normalize_name(value: str) -> str:
    """A person's or company's name: one line, no ZWNJ at the edges or beside a space."""
    value = normalize_text(" ".join(value.splitlines()))
    value = _ZWNJ_BY_SPACE.sub(lambda m: " " if " " in m.group(0) else ZWNJ, value)
    return value.strip(f" {ZWNJ}")


def normalize_digits(value: str) -> str:
    """A code typed by a person (national code, mobile, tracking code): ASCII digits,
    and separators people type out of habit (spaces, dashes, dots, slashes) removed."""
    if value.isascii() and value.isdigit():
        return value  # already clean: the common case of a file or an API with many codes
    value = _INVISIBLE.sub("", to_ascii_digits(value)).replace(ZWNJ, "")
    return re.sub(r"[\s\-_./]", "", value)


def normalize_username(value: str) -> str:
    """A username as typed: a national code or national ID (Persian digits, spaces
    and dashes allowed) becomes its ASCII digits; a staff username (`ito.sara`)
    keeps its dots and only loses surrounding space and invisible characters."""
    digits = normalize_digits(value)
    if digits.isdigit():
        return digits
    return _INVISIBLE.sub("", to_ascii_digits(value)).replace(ZWNJ, "").strip()


def name_initials(name: str) -> str:
    """«م*** ا***» for «مریم احمدی»: the first letter of each word, the rest
    hidden. Enough for a person to see they named the one they meant, too little
    for a stranger to learn whose national code they typed."""
    return " ".join(f"{word[0]}***" for word in normalize_name(name).split(" ") if word)


def email_at_domain(email: str, domain: str) -> bool:
    """The e-mail's host is `domain` or one of its subdomains (mail.mimt.gov.ir
    for mimt.gov.ir), without regard to case."""
    host = (email or "").rsplit("@", 1)[-1].lower()
    domain = (domain or "").lower()
    return bool(domain) and (host == domain or host.endswith("." + domain))
