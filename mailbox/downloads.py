"""An attachment as a download: the one response every reader's view returns
(the inbox, a sent letter, an agency's incoming letters), so the headers that
keep a file from being sniffed, cached or named dangerously are set once."""

from urllib.parse import quote

from django.http import FileResponse

from .models import Attachment


def attachment_response(item: Attachment) -> FileResponse:
    """The file as a download, with its sniffed type, never sniffed again by the
    browser, never cached."""
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = content_disposition(item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the real one in RFC 5987's
    `filename*` (UTF-8, percent-encoded), so Persian names survive and no
    quote or line break in a name can reach the header."""
    fallback = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name
    )
    encoded = quote(name, safe="")
    return f"attachment; filename=\"{fallback or 'attachment'}\"; filename*=UTF-8''{encoded}"
