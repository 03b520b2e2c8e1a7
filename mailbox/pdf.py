"""A letter on paper: the HTML fed to WeasyPrint and the PDF made from it (A4,
right to left, the Vazirmatn font embedded, page numbers in Persian digits, and
a QR code to the public check `/verify/`). The print view in the browser
shows the same document (`document_context`).

Pure functions of their inputs — the delivery and the absolute URL of the
check, which the view builds from the request — rendered in Persian whatever
the reader's language: the paper is the official letter.

Rendering never leaves this machine. A letter's body is HTML that its sender
wrote (sanitized when it was sent), so WeasyPrint gets `StaticAssetFetcher`,
which serves only the letter's stylesheet and font from our static folder and
refuses every other URL: no network, no other file, no data: URI."""

import io
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import qrcode
import qrcode.constants
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont, woff2
from fontTools.varLib import instancer
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .constants import MailboxKind
from .models import Delivery

# WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when it
# is imported; that would let a truncated JPEG, or a PNG with broken chunks, pass the
# attachment checks (content.check_attachment). A letter's PDF embeds only our own
# static files and an SVG QR code, never an upload, so Pillow's strict default is
# put back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATE = "mailbox/letter_pdf.html"

VARIABLE_FONT = "vendor/vazirmatn/Vazirmatn-Variable.woff2"
# The weights css/letter.css uses: each a static instance of the variable font,
# made once per process (font_instance). Given the variable font, WeasyPrint would
# instantiate every weight again for every letter: some 0.2 s of each PDF.
FONT_WEIGHTS = (400, 600, 700)
FONT_URL = "vendor/vazirmatn/Vazirmatn-{weight}.ttf"  # served by StaticAssetFetcher only

# The only files a letter's PDF may load, relative to the static folder.
ASSETS = {
    "css/letter.css": "text/css",
    **{FONT_URL.format(weight=weight): "font/ttf" for weight in FONT_WEIGHTS},
}


def static_dir() -> Path:
    return Path(settings.BASE_DIR, "static").resolve()


def base_url() -> str:
    """The static folder as a file: URL, against which the template's relative
    URLs (`css/letter.css`, the font) resolve."""
    return static_dir().as_uri() + "/"


@cache
def _variable_font() -> bytes:
    """The variable font as TrueType, decompressed from WOFF2 once per process
    (WeasyPrint would spend about a third of a second on it for every letter)."""
    font = io.BytesIO()
    woff2.decompress(io.BytesIO((static_dir() / VARIABLE_FONT).read_bytes()), font)
    return font.getvalue()


@cache
def font_instance(weight: int) -> bytes:
    """Vazirmatn at one weight, a static TrueType font cut from the variable one."""
    variable = TTFont(io.BytesIO(_variable_font()))
    static = instancer.instantiateVariableFont(variable, {"wght": weight})
    out = io.BytesIO()
    static.save(out)
    return out.getvalue()


@cache
def _asset(name: str) -> tuple[bytes, str]:
    """The file's bytes and type, read or made once per process."""
    for weight in FONT_WEIGHTS:
        if name == FONT_URL.format(weight=weight):
            return font_instance(weight), ASSETS[name]
    return (static_dir() / name).read_bytes(), ASSETS[name]


class RefusedURL(ValueError):
    """A URL the letter's PDF may not load."""


class StaticAssetFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for letters: `file:` URLs of the files in
    ASSETS, nothing else (WeasyPrint logs the refusal and renders on)."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme.lower() == "file" and parts.netloc in ("", "localhost"):
            path = Path(os.path.normpath(url2pathname(parts.path)))
            root = static_dir()
            for name in ASSETS:
                if path == root / name:
                    body, content_type = _asset(name)
                    return URLFetcherResponse(
                        url, body=body, headers={"Content-Type": content_type}
                    )
        raise RefusedURL(f"A letter's PDF loads only its own font and stylesheet, not {url[:200]}")


def qr_svg(data: str, *, label: str) -> SafeString:
    """`data` as a QR code (error correction M, the standard quiet zone of four
    modules), drawn as one SVG path of black runs on white: no style attribute
    (the site's CSP forbids them), and WeasyPrint draws it as vectors."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    runs: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="payam-doc-qr-code" viewBox="0 0 {0} {0}" '
        'role="img" aria-label="{1}" shape-rendering="crispEdges">'
        '<rect width="{0}" height="{0}" fill="#fff"/><path d="{2}" fill="#000"/></svg>',
        size,
        label,
        "".join(runs),
    )


def verify_page(verify_url: str) -> str:
    """The check's address without the codes, for people to type."""
    return urlsplit(verify_url)._replace(query="", fragment="").geturl()


def document_context(*, delivery: Delivery, verify_url: str) -> dict[str, Any]:
    """What `_letter_document.html` shows, in the active language."""
    letter = delivery.letter
    recipient = delivery.recipient
    identifier_labels: dict[str, str] = {
        MailboxKind.NATURAL: _("کد ملی"),
        MailboxKind.LEGAL: _("شناسه‌ی ملی"),
    }
    return {
        "delivery": delivery,
        "letter": letter,
        "recipient": recipient,
        "identifier_label": identifier_labels.get(recipient.kind, "")
        if recipient.identifier
        else "",
        "attachments": list(letter.attachments.all()),
        "verify_url": verify_url,
        "verify_page": verify_page(verify_url),
        "qr": qr_svg(verify_url, label=_("نماد QR تصدیق این نامه")),
    }


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: letters, digits and spaces as they are,
    every other character a CSS escape, so no quote, backslash or `</style>` in
    a translation can end the string or the style sheet."""
    escaped = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def page_css() -> SafeString:
    """The font's faces (one static font per weight), and the page's margin boxes
    in the active language: «صفحه‌ی ۱ از ۲» (the `persian` counter style gives
    Persian digits), the portal's name, and the tracking code (the string
    `tracking`, set by the document's header) on every page. Their look is in
    css/letter.css."""
    numbers = {"{page}": "counter(page, persian)", "{pages}": "counter(pages, persian)"}
    pieces = re.split(r"(\{pages?\})", _("صفحه‌ی {page} از {pages}"))
    footer = " ".join(numbers.get(piece) or css_string(piece) for piece in pieces if piece)
    portal = css_string(_("پیام ایران — سامانه‌ی ابلاغ رسمی"))
    css = (
        f"@page {{ @bottom-center {{ content: {footer}; }} "
        f"@bottom-right {{ content: {portal}; }} "
        "@bottom-left { content: string(tracking); } }"
    )
    faces = " ".join(
        f'@font-face {{ font-family: "Vazirmatn"; font-weight: {weight}; '
        f'src: url("{FONT_URL.format(weight=weight)}") format("truetype"); }}'
        for weight in FONT_WEIGHTS
    )
    # Safe: our own translations, every character but letters, digits and spaces escaped.
    return mark_safe(f"{faces} {css}")  # noqa: S308


def letter_html(*, delivery: Delivery, verify_url: str, footer: str = "") -> str:
    """The HTML of the letter's PDF: `templates/mailbox/letter_pdf.html`, in Persian.
    `footer` is a line printed under the letter (a broker office's print note)."""
    with translation.override("fa"):
        context = document_context(delivery=delivery, verify_url=verify_url)
        context["print_footer"] = footer
        # In the PDF the QR code is also a link to the check.
        context["verify_link"] = verify_url
        context["page_css"] = page_css()
        return render_to_string(TEMPLATE, context)


def letter_pdf(*, delivery: Delivery, verify_url: str, footer: str = "") -> bytes:
    """The letter as a PDF (A4, one or more pages), with `footer` under it if given."""
    html = letter_html(delivery=delivery, verify_url=verify_url, footer=footer)
    document = HTML(string=html, base_url=base_url(), url_fetcher=StaticAssetFetcher())
    pdf: bytes = document.write_pdf()
    return pdf
