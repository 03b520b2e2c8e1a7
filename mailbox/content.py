"""What goes into a letter before it is stored: the body's HTML cleaned to an
allow-list, attachments recognized by their content, and the letter's content
hash and verification code."""

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import nh3
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from payam.text import ZWNJ, localized_digits, strip_hiding_characters
from payam.tracking import ALPHABET

from .constants import (
    ATTACHMENT_NAME_MAX_LENGTH,
    ATTACHMENT_SIGNATURES,
    SNIFF_BYTES,
    VERIFICATION_CODE_LENGTH,
)
from .exceptions import AttachmentRefused, InvalidLetter

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


def check_attachment(upload: UploadedFile) -> CheckedAttachment:
    """Accept a PDF, JPEG or PNG recognized by its first bytes, whose name's
    extension says the same, of at most LETTER_ATTACHMENT_MAX_BYTES and not
    empty; read once to hash it. Raises AttachmentRefused naming the file."""
    name = _clean_name(upload.name or "")
    shown = name or _("بی‌نام")
    limit = settings.LETTER_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise AttachmentRefused(
            _("پرونده‌ی «%(name)s» بزرگ‌تر از %(max)s مگابایت است.")
            % {"name": shown, "max": _megabytes(limit)},
            name=name,
        )
    digest = hashlib.sha256()
    head = b""
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        size += len(chunk)
        if size > limit:
            raise AttachmentRefused(
                _("پرونده‌ی «%(name)s» بزرگ‌تر از %(max)s مگابایت است.")
                % {"name": shown, "max": _megabytes(limit)},
                name=name,
            )
        digest.update(chunk)
    upload.seek(0)
    if size == 0:
        raise AttachmentRefused(_("پرونده‌ی «%(name)s» خالی است.") % {"name": shown}, name=name)
    match = next((sig for sig in ATTACHMENT_SIGNATURES if head.startswith(sig[0])), None)
    if match is None:
        raise AttachmentRefused(
            _("پرونده‌ی «%(name)s» پذیرفته نیست؛ فقط PDF، JPEG و PNG پیوست می‌شود.")
            % {"name": shown},
            name=name,
        )
    _magic, content_type, label, extensions = match
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
    return CheckedAttachment(
        upload=upload,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def check_attachments(uploads: Sequence[UploadedFile]) -> list[CheckedAttachment]:
    if len(uploads) > settings.LETTER_MAX_ATTACHMENTS:
        raise AttachmentRefused(
            _("یک نامه حداکثر %(max)s پیوست دارد.")
            % {"max": localized_digits(settings.LETTER_MAX_ATTACHMENTS)}
        )
    return [check_attachment(upload) for upload in uploads]


# --- integrity -----------------------------------------------------------------------------


def canonical_content(
    *,
    tracking_code: str,
    sender_id: int,
    sender_name: str,
    subject: str,
    body: str,
    category: str,
    is_legal_notice: bool,
    reply_allowed: bool,
    in_reply_to: str | None,
    attachments: Sequence[dict[str, Any]],
) -> bytes:
    """The bytes the content hash is taken over: sorted-key compact JSON, UTF-8.
    Times are left out on purpose; the tracking code ties the hash to one letter."""
    document = {
        "v": 1,
        "tracking_code": tracking_code,
        "sender": {"id": sender_id, "name": sender_name},
        "subject": subject,
        "body": body,
        "category": category,
        "is_legal_notice": is_legal_notice,
        "reply_allowed": reply_allowed,
        "in_reply_to": in_reply_to,
        "attachments": [
            {
                "name": a["name"],
                "content_type": a["content_type"],
                "size": a["size"],
                "sha256": a["sha256"],
            }
            for a in attachments
        ],
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_sha256(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


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
