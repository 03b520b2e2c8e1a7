"""What goes into a letter before it is stored: the body's HTML cleaned to an
allow-list, attachments recognized by their content and opened for what they
claim to be (images with Pillow, PDFs with pypdf), and the letter's content hash
and verification code."""

import hashlib
import hmac
import html
import json
import logging
import re
import struct
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

import filetype
import nh3
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from payam.text import ZWNJ, localized_digits, normalize_text, strip_hiding_characters
from payam.tracking import ALPHABET

from .constants import (
    ATTACHMENT_NAME_MAX_LENGTH,
    ATTACHMENT_TYPES,
    PDF_HEADER_WINDOW,
    PDF_MAX_NODES,
    PDF_MAX_OBJECTS,
    SNIFF_BYTES,
    VERIFICATION_CODE_LENGTH,
)
from .exceptions import AttachmentRefused, InvalidLetter

if TYPE_CHECKING:
    from .models import Letter

logger = logging.getLogger("payam.mailbox")

# --- the body ------------------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "div", "span", "strong", "b", "em", "i", "u", "s", "sub", "sup",
        "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "code",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "a",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"dir"},
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = frozenset({"https", "http", "mailto", "tel"})


def sanitize_body(html: str) -> str:
    """The body with only the allow-listed tags and attributes: no scripts or
    styles (their content goes too), no event handlers, no `javascript:` or
    relative links, no images (they would load from elsewhere); links open
    without a referrer; no character that reorders or hides text (a U+202E that
    shows "gnp.exe" as "exe.png"), typed or written as an entity."""
    html = nh3.clean(
        unicodedata.normalize("NFC", html or ""),
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return strip_hiding_characters(html).strip()


def body_text(html: str) -> str:
    """The readable text of a body (for emptiness checks and search)."""
    return nh3.clean(html, tags=set(), clean_content_tags={"script", "style"}).strip()


_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|blockquote|tr)\s*>|<br\s*/?>", re.IGNORECASE)


def body_plain_text(body: str) -> str:
    """A stored body as plain text for a program (the agencies' API): a line break
    for each <br>, a blank line between paragraphs, the tags dropped and the
    entities read back (`&lt;b&gt;` a person typed is `<b>` again)."""
    marked = _BLOCK_END.sub(
        lambda m: "\n" if m.group(0).lower().startswith("<br") else "\n\n", body
    )
    text = html.unescape(nh3.clean(marked, tags=set(), clean_content_tags={"script", "style"}))
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_body(html: str) -> str:
    body = sanitize_body(html)
    if not body_text(body):
        raise InvalidLetter(_("متن نامه خالی است."))
    return body


def plain_text_body(text: str) -> str:
    """What a person typed (a reply, a letter to an agency) as a letter body:
    every character escaped, so markup they typed stays text; a blank line
    starts a paragraph, a single line break stays a <br>. `letter_send` then
    sanitizes it like any body."""
    return linebreaks((text or "").strip(), autoescape=True)


# --- merge fields ----------------------------------------------------------------------------

# `{name}` in a campaign's subject or body: a column of its recipient list.
# Letters of any script, digits and the underscore; nothing else is a field.
MERGE_FIELD = re.compile(r"\{(\w+)\}")


def merge_fields(*texts: str) -> list[str]:
    """The `{name}` fields the texts use, in the order first seen, once each."""
    return list(dict.fromkeys(name for text in texts for name in MERGE_FIELD.findall(text or "")))


def merge_text(text: str, values: Mapping[str, str], *, escape_html: bool) -> str:
    """`text` with each `{name}` replaced by its value (HTML-escaped for a body,
    which is HTML; a name typed with Arabic ي/ك finds its Persian column); a
    field with no value is left as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if value is None:
            value = values.get(normalize_text(name))
        if value is None:
            return match.group(0)
        return html.escape(value, quote=True) if escape_html else value

    return MERGE_FIELD.sub(replace, text)


# --- attachments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedAttachment:
    upload: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str


def _clean_name(name: str) -> str:
    base = PurePosixPath((name or "").replace("\\", "/")).name
    # Control and direction-override characters go (they can disguise an extension);
    # the ZWNJ of Persian words stays.
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable() or ch == ZWNJ
    )
    base = base.strip()
    if len(base) > ATTACHMENT_NAME_MAX_LENGTH:
        stem, suffix = PurePosixPath(base).stem, PurePosixPath(base).suffix[:10]
        base = stem[: ATTACHMENT_NAME_MAX_LENGTH - len(suffix)] + suffix
    return base


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return localized_digits(f"{value:.0f}" if value >= 1 else f"{value:.1f}")


def _too_large(shown: str, name: str, limit: int) -> AttachmentRefused:
    return AttachmentRefused(
        _("پرونده‌ی «%(name)s» بزرگ‌تر از %(max)s مگابایت است.")
        % {"name": shown, "max": _megabytes(limit)},
        name=name,
    )


def check_attachment(upload: UploadedFile) -> CheckedAttachment:
    """Accept a PDF, JPEG or PNG recognized by its content (`filetype`), whose
    name's extension says the same, of at most LETTER_ATTACHMENT_MAX_BYTES and
    not empty, read once to hash it; then opened for what it claims to be: an
    image with Pillow, within LETTER_IMAGE_MAX_PIXELS and nothing hidden in or
    after it; a PDF with pypdf, readable without a password and with no
    JavaScript, no action that runs a program, opens another file or sends data
    out, and no embedded file. Raises AttachmentRefused naming the file."""
    name = _clean_name(upload.name or "")
    shown = name or _("بی‌نام")
    limit = settings.LETTER_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _too_large(shown, name, limit)
    digest = hashlib.sha256()
    head = b""
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        size += len(chunk)
        if size > limit:
            raise _too_large(shown, name, limit)
        digest.update(chunk)
    upload.seek(0)
    if size == 0:
        raise AttachmentRefused(_("پرونده‌ی «%(name)s» خالی است.") % {"name": shown}, name=name)
    kind = filetype.guess(head)
    known = ATTACHMENT_TYPES.get(kind.mime) if kind is not None else None
    if known is None:
        raise AttachmentRefused(
            _("پرونده‌ی «%(name)s» پذیرفته نیست؛ فقط PDF، JPEG و PNG پیوست می‌شود.")
            % {"name": shown},
            name=name,
        )
    content_type, label, extensions = known
    extension = PurePosixPath(name).suffix.lower()
    if extension not in extensions:
        raise AttachmentRefused(
            _(
                "پسوند پرونده‌ی «%(name)s» با محتوای آن (%(label)s) هم‌خوان نیست؛ "
                "پرونده را با پسوند درست (%(expected)s) دوباره بفرستید."
            )
            % {"name": shown, "label": label, "expected": "، ".join(sorted(extensions))},
            name=name,
        )
    try:
        if content_type == "application/pdf":
            refusal = _pdf_refusal(upload, shown=shown)
        else:
            refusal = _image_refusal(upload, head=head, size=size, label=label, shown=shown)
    finally:
        upload.seek(0)
    if refusal is not None:
        raise AttachmentRefused(refusal, name=name)
    return CheckedAttachment(
        upload=upload,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def _damaged(shown: str, label: str) -> str:
    return _("پرونده‌ی «%(name)s» یک %(label)s سالم نیست و خوانده نمی‌شود.") % {
        "name": shown,
        "label": label,
    }


# --- images --------------------------------------------------------------------------------


def _image_refusal(
    upload: UploadedFile, *, head: bytes, size: int, label: str, shown: str
) -> str | None:
    """Why an image (JPEG or PNG, as sniffed) is refused, or None. Pillow reads its
    header first, so a decompression bomb is refused by its declared size before
    any memory is spent (Pillow's own bomb error, or warning where warnings are
    errors, is the same refusal); then checks the rest: a PNG's chunks and their
    CRCs (`verify`), a JPEG decoded whole at an eighth of its size (libjpeg scales
    while decoding, so a 50 MP photo takes under 1 MB; JPEG's `verify` checks
    nothing past the header)."""
    hidden = _(
        "پرونده‌ی «%(name)s» جز تصویر %(label)s داده‌ی دیگری (مانند یک PDF یا ZIP پنهان) "
        "هم در خود دارد و پذیرفته نیست؛ تصویر را در یک نرم‌افزار تصویر دوباره ذخیره کنید "
        "و بفرستید."
    ) % {"name": shown, "label": label}
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return hidden  # PDF readers would open it as a PDF: a polyglot
    max_pixels = settings.LETTER_IMAGE_MAX_PIXELS
    too_many_pixels = _(
        "تصویر «%(name)s» بیش از %(max)s مگاپیکسل است؛ اندازه‌ی آن را کوچک‌تر کنید و دوباره بفرستید."
    ) % {"name": shown, "max": localized_digits(f"{max_pixels / 1_000_000:g}")}
    upload.seek(0)
    try:
        with Image.open(upload, formats=[label]) as image:  # the labels are Pillow's names
            width, height = image.size
            if width * height > max_pixels:
                return too_many_pixels
            if label == "JPEG":
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
            else:
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return too_many_pixels
    except Exception:  # Pillow says "damaged" in many types: OSError, SyntaxError, ValueError…
        logger.info("attachment: %s not read as %s", shown, label, exc_info=True)
        return _damaged(shown, label)
    if label == "PNG" and _png_has_trailing_data(upload, size=size):
        return hidden
    return None


def _png_has_trailing_data(upload: UploadedFile, *, size: int) -> bool:
    """Whether bytes follow the PNG's IEND chunk (where a ZIP or PDF is hidden in a
    polyglot; no encoder writes any). JPEG is not held to this: cameras and phones
    store further pictures and motion clips after the first image's end."""
    position = 8  # the signature
    while position + 8 <= size:
        upload.seek(position)
        length, kind = struct.unpack(">I4s", upload.read(8))
        position += 12 + length  # length, type, data, CRC
        if kind == b"IEND":
            return position != size
    return True


# --- PDF -----------------------------------------------------------------------------------

# What a PDF may not carry, by the key or value that says so. Names are compared
# decoded, so `/J#61vaScript` is `/JavaScript`.
_PDF_SCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})
_PDF_EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EF"})
_PDF_EMBEDDED_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment"})  # /Type, /Subtype
_PDF_OUTSIDE_ACTIONS = frozenset({"/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm"})


class _PdfTooComplex(Exception):
    pass


def _pdf_refusal(upload: UploadedFile, *, shown: str) -> str | None:
    """Why a PDF is refused, or None. pypdf reads it (repairing what readers
    repair); a PDF locked with a password to open is refused, one merely
    restricted by an owner password is read; then every dictionary and array
    reachable from the trailer is looked at (streams' data is not decoded)."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return _(
                "پرونده‌ی «%(name)s» با گذرواژه قفل شده است و خوانده نمی‌شود؛ "
                "نسخه‌ی بی‌گذرواژه‌ی آن را بفرستید."
            ) % {"name": shown}
        declared = reader.trailer.get("/Size", 0)
        if isinstance(declared, int) and declared > PDF_MAX_OBJECTS:
            raise _PdfTooComplex  # said up front by an honest file; the walk counts too
        if len(reader.pages) == 0:
            return _damaged(shown, "PDF")
        found = _pdf_active_content(reader.trailer)
    except _PdfTooComplex:
        return _(
            "ساختار پرونده‌ی «%(name)s» بیش از اندازه پیچیده است و بررسی نمی‌شود؛ "
            "آن را دوباره به PDF چاپ کنید و بفرستید."
        ) % {"name": shown}
    except Exception:  # pypdf says "damaged" in many types
        logger.info("attachment: %s not read as PDF", shown, exc_info=True)
        return _damaged(shown, "PDF")
    if found is None:
        return None
    reasons = {
        "script": _("برنامه (JavaScript یا فرم XFA) دارد"),
        "outside": _(
            "فرمانی دارد که برنامه‌ای را اجرا می‌کند، پرونده‌ی دیگری را می‌گشاید "
            "یا داده‌ای را به جای دیگری می‌فرستد"
        ),
        "embedded": _("پرونده‌ی دیگری در خود دارد"),
    }
    return _(
        "پرونده‌ی «%(name)s» پذیرفته نیست: %(reason)s. نسخه‌ای بی‌آن بسازید "
        "(برای نمونه آن را به PDF چاپ کنید) و دوباره بفرستید."
    ) % {"name": shown, "reason": reasons[found]}


def _pdf_active_content(trailer: DictionaryObject) -> str | None:
    """'script', 'outside' or 'embedded' for the first active thing found, or None.
    Walked without recursion; each indirect object once, at most PDF_MAX_OBJECTS of
    them and PDF_MAX_NODES dictionaries and arrays (_PdfTooComplex past either)."""
    stack: list[Any] = [trailer]
    seen: set[tuple[int, int]] = set()
    nodes = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            if len(seen) > PDF_MAX_OBJECTS:
                raise _PdfTooComplex
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # a stream is one too; its data is not read
            nodes += 1
            found = _pdf_active_entry(item)
            if found is not None:
                return found
            stack.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            nodes += 1
            stack.extend(list.__iter__(item))
        else:
            continue
        if nodes > PDF_MAX_NODES:
            raise _PdfTooComplex
    return None


def _pdf_active_entry(item: DictionaryObject) -> str | None:
    keys = set(dict.keys(item))
    if keys & _PDF_SCRIPT_KEYS:
        return "script"
    if keys & _PDF_EMBEDDED_KEYS:
        return "embedded"
    action = _pdf_name(item, "/S")
    if action == "/JavaScript":
        return "script"
    if action in _PDF_OUTSIDE_ACTIONS:
        return "outside"
    if _pdf_name(item, "/Type") in _PDF_EMBEDDED_TYPES:
        return "embedded"
    if _pdf_name(item, "/Subtype") in _PDF_EMBEDDED_TYPES:
        return "embedded"
    return None


def _pdf_name(item: DictionaryObject, key: str) -> str | None:
    value = dict.get(item, key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, NameObject) else None


def check_attachments(uploads: Sequence[UploadedFile]) -> list[CheckedAttachment]:
    if len(uploads) > settings.LETTER_MAX_ATTACHMENTS:
        raise AttachmentRefused(
            _("یک نامه حداکثر %(max)s پیوست دارد.")
            % {"max": localized_digits(settings.LETTER_MAX_ATTACHMENTS)}
        )
    return [check_attachment(upload) for upload in uploads]


# --- integrity -----------------------------------------------------------------------------


class AttachmentFacts(Protocol):
    """What the content hash covers of an attachment: a checked upload or a stored one."""

    @property
    def original_name(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> str: ...


def letter_content_hash(letter: "Letter", attachments: Iterable[AttachmentFacts]) -> str:
    """The SHA-256 of a letter's canonical content, the one definition used when a
    letter is sent and when a stored or printed one is checked: sorted-key compact
    JSON, UTF-8. Times are left out on purpose; the tracking code ties the hash to
    one letter. `letter` may be unsaved."""
    answered = letter.in_reply_to
    document = {
        "v": 1,
        "tracking_code": letter.tracking_code,
        "sender": {"id": letter.sender_id, "name": letter.sender_name},
        "subject": letter.subject,
        "body": letter.body,
        "category": str(letter.category),
        "is_legal_notice": letter.is_legal_notice,
        "reply_allowed": letter.reply_allowed,
        "in_reply_to": answered.tracking_code if answered is not None else None,
        "attachments": [
            {
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in attachments
        ],
    }
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def verification_code(*, tracking_code: str, content_hash: str) -> str:
    """8 Crockford base-32 characters (40 bits) of HMAC-SHA256 keyed with
    LETTER_VERIFY_KEY: printed on the letter, so anyone holding the paper can
    check it at /verify/ together with the tracking code."""
    key = settings.LETTER_VERIFY_KEY.encode()
    mac = hmac.new(key, f"{tracking_code}:{content_hash}".encode(), hashlib.sha256).digest()
    value = int.from_bytes(mac[:5], "big")
    chars = []
    for _position in range(VERIFICATION_CODE_LENGTH):
        value, index = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(reversed(chars))
